"""The one place the clock is read (freezegun moves it in tests)."""

from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)
