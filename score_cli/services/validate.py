"""Checking what people type: e-mails, dates, request ids. Each failure is one clear line."""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime
from functools import lru_cache

from score_cli.domain.errors import Invalid

_EMAIL = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[A-Za-z]{2,}$")
_REQUEST_ID = re.compile(r"^(?:MRE-?)?(\d{1,12})$", re.IGNORECASE)


def email(text: str, *, what: str = "e-mail") -> str:
    cleaned = (text or "").strip().lower()
    if not _EMAIL.match(cleaned):
        raise Invalid(f"not a valid {what}: {text!r}")
    return cleaned


MENTORING_AREAS_FILE = "mentoring_areas.txt"


@lru_cache(maxsize=1)
def _mentoring_areas() -> dict[str, str]:
    from score_cli.data import read_lines

    return {area.casefold(): area for area in read_lines(MENTORING_AREAS_FILE)}


def mentoring_area(text: str | None) -> str | None:
    """One of the areas in data/mentoring_areas.txt, any case, in its listed spelling."""
    cleaned = " ".join((text or "").split())
    if not cleaned:
        return None
    areas = _mentoring_areas()
    if cleaned.casefold() in areas:
        return areas[cleaned.casefold()]
    close = difflib.get_close_matches(cleaned.casefold(), list(areas), n=1, cutoff=0.6)
    hint = f"; did you mean {areas[close[0]]!r}?" if close else ""
    raise Invalid(f"unknown mentoring area {cleaned[:80]!r}{hint} (the areas are listed in"
                  f" {MENTORING_AREAS_FILE})")


def calendar_date(text: str, *, what: str = "date") -> date:
    """A date as people type it: 2026-11-23, 11/23/2026, 23 Nov 2026, today."""
    from dateutil import parser

    cleaned = (text or "").strip()
    if cleaned.lower() == "today":
        from score_cli import clock

        return clock.today()
    if not cleaned or not any(ch.isdigit() for ch in cleaned):
        raise Invalid(f"not a valid {what}: {text!r} (try 2026-11-23)")
    try:
        parsed = parser.parse(cleaned, default=datetime(2000, 1, 1))
    except (ValueError, OverflowError):
        raise Invalid(f"not a valid {what}: {text!r} (try 2026-11-23)") from None
    return parsed.date()


def request_id(text: str) -> int:
    """`MRE-123` or `123`."""
    match = _REQUEST_ID.match((text or "").strip())
    if not match or int(match.group(1)) == 0:
        raise Invalid(f"not a request id: {text!r} (expected MRE-123 or 123)")
    return int(match.group(1))


def format_request_id(number: int) -> str:
    return f"MRE-{number}"


def choice(text: str, options, *, what: str) -> str:
    cleaned = (text or "").strip().lower().replace("-", "_")
    values = [str(o) for o in options]
    if cleaned not in values:
        raise Invalid(f"{what} must be one of {', '.join(values)}, not {text!r}")
    return cleaned


def text_field(value: str | None, *, what: str, required: bool = True, limit: int = 10_000) -> str | None:
    cleaned = (value or "").strip()
    if not cleaned:
        if required:
            raise Invalid(f"{what} must not be empty")
        return None
    if len(cleaned) > limit:
        raise Invalid(f"{what} is longer than {limit} characters")
    return cleaned
