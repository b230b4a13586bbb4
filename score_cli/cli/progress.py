"""A Rich progress bar on a terminal for long work; nothing when output is not a terminal."""


import contextlib
import sys


@contextlib.contextmanager
def progress_bar(description: str, total: int | None = None):
    """Yields `advance(done, total=None)`."""
    if not sys.stderr.isatty():
        yield lambda done, total=None: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda done, total=None: progress.update(task, completed=done, total=total)
