"""The one place the clock is read (freezegun moves it in tests)."""

from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)


def today():
    """The date where the command runs (the machine's time zone, `TZ`): what "today" means to the
    person typing it, where the UTC date is already tomorrow on an American evening."""
    return now().astimezone().date()
