"""The four ways a command can fail, each with its exit code (SPEC §8)."""


class ScoreError(Exception):
    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Refused(ScoreError):
    """A rule or a permission says no."""

    exit_code = 1


class Invalid(ScoreError):
    """Bad usage or invalid input."""

    exit_code = 2


class NotFound(ScoreError):
    exit_code = 3


class Conflict(ScoreError):
    """Changed concurrently, or the store is locked."""

    exit_code = 4
