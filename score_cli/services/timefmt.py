"""Showing stored UTC instants in a chapter's own time zone."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=128)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local(instant: datetime | None, tz: str) -> datetime | None:
    return None if instant is None else instant.astimezone(zone(tz))


def local_text(instant: datetime | None, tz: str) -> str:
    """`Mon 30 Nov 2026 09:00 EST`, as a coordinator reads it."""
    if instant is None:
        return "-"
    return instant.astimezone(zone(tz)).strftime("%a %d %b %Y %H:%M %Z")
