"""Checking what people type: e-mails, dates, request ids. Each failure is one clear line."""

from __future__ import annotations

import re
from datetime import date, datetime

from score_cli.domain.errors import Invalid

_EMAIL = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[A-Za-z]{2,}$")
_REQUEST_ID = re.compile(r"^(?:MRE-?)?(\d{1,12})$", re.IGNORECASE)


def email(text: str, *, what: str = "e-mail") -> str:
    cleaned = (text or "").strip().lower()
    if not _EMAIL.match(cleaned):
        raise Invalid(f"not a valid {what}: {text!r}")
    return cleaned


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
