"""Checking what people type: e-mails, dates, request ids. Each failure is one clear line."""

from __future__ import annotations

import re
import unicodedata
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
    from score_cli import clock

    if cleaned.lower() == "today":
        return clock.today()
    if not cleaned or not any(ch.isdigit() for ch in cleaned):
        raise Invalid(f"not a valid {what}: {text!r} (try 2026-11-23)")
    try:
        # a date typed without a year ("Nov 3") is in this year
        parsed = parser.parse(cleaned, default=datetime(clock.today().year, 1, 1))
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


_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def _control_character(text: str, *, one_line: bool) -> str | None:
    """The first character that would break a message header or a terminal line, if any:
    any control character in a one-line value; in a longer text, one other than a line break or tab."""
    for ch in text:
        if ch in _LINE_BREAKS or ch == "\t":
            if one_line:
                return ch
        elif unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\u200d\u200c":
            return ch
    return None


def text_field(value: str | None, *, what: str, required: bool = True, limit: int = 10_000,
               one_line: bool = False) -> str | None:
    """Text as typed, trimmed. A `one_line` value (a name, a business, a reason) refuses line
    breaks, tabs and other control characters; any text refuses control characters other
    than line breaks and tabs: they would break an e-mail header or a terminal later."""
    cleaned = (value or "").strip()
    if not cleaned:
        if required:
            raise Invalid(f"{what} must not be empty")
        return None
    if len(cleaned) > limit:
        raise Invalid(f"{what} is longer than {limit} characters")
    bad = _control_character(cleaned, one_line=one_line)
    if bad is not None:
        kind = "a line break" if bad in _LINE_BREAKS else "a tab" if bad == "\t" else "a control character"
        where = "must be one line, without" if one_line else "must not contain"
        raise Invalid(f"{what} {where} {kind} ({ascii(bad)} found)")
    return cleaned
