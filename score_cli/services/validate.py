"""Checking what people type: e-mails, dates, request ids. Each failure is one clear line."""

from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache

from score_cli.domain.errors import Invalid

_EMAIL = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[A-Za-z]{2,}$")
_LOCAL_SIGNS = set("!#$%&'*+/=?^_`{|}~.-")  # what an address's local part may hold besides letters and digits
_DOMAIN_SIGNS = set(".-")
_REQUEST_ID = re.compile(r"^(?:MRE-?)?([0-9]{1,12})$", re.IGNORECASE)
LARGEST_ID = 2**31 - 1  # the store's record numbers are 32-bit on PostgreSQL


def email(text: str, *, what: str = "e-mail") -> str:
    """An address in its one written form (NFC, lower case), or Invalid.

    Only letters, digits and the signs mail addresses use are taken: an invisible (zero-width,
    right-to-left) or look-alike character (a full-width dot) would make a second volunteer or
    client that reads the same as the first."""
    cleaned = unicodedata.normalize("NFC", (text or "").strip()).lower()
    if len(cleaned) > 254 or not _EMAIL.match(cleaned) or not _mail_characters(cleaned):
        raise Invalid(f"not a valid {what}: {shown(text)}")
    return cleaned


def _mail_characters(address: str) -> bool:
    local, _, domain = address.rpartition("@")
    return all(_letter_or_digit(ch) or ch in _LOCAL_SIGNS for ch in local) \
        and all(_letter_or_digit(ch) or ch in _DOMAIN_SIGNS for ch in domain)


def _letter_or_digit(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN" or (unicodedata.category(ch) == "Mn" and not ch.isascii())


def shown(value: str, limit: int = 80) -> str:
    """A value echoed back in an error: quoted, and cut to `limit` characters."""
    value = value or ""
    return repr(value if len(value) <= limit else value[:limit - 1] + "…") + \
        (f" ({len(value):,} characters)" if len(value) > limit else "")


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


def calendar_date(text: str, *, what: str = "date", today: date | None = None) -> date:
    """A date as people type it: 2026-11-23, 11/23/2026, 23 Nov 2026, today.

    `today`: the date "today" means (a chapter's local date, `scope.typed_today`); without it,
    the machine's."""
    from dateutil import parser

    cleaned = (text or "").strip()
    from score_cli import clock

    if cleaned.lower() == "today":
        return today or clock.today()
    if not cleaned or not any(ch.isdigit() for ch in cleaned):
        raise Invalid(f"not a valid {what}: {shown(text)} (try 2026-11-23)")
    try:
        # a date typed without a year ("Nov 3") is in this year
        parsed = parser.parse(cleaned, default=datetime(clock.today().year, 1, 1))
    except (ValueError, OverflowError):
        raise Invalid(f"not a valid {what}: {shown(text)} (try 2026-11-23)") from None
    from score_cli.domain.calendar import FIRST_YEAR, LAST_YEAR

    if not FIRST_YEAR <= parsed.year < LAST_YEAR:
        raise Invalid(f"{what} {parsed.date().isoformat()} is outside the years score works with"
                      f" ({FIRST_YEAR}..{LAST_YEAR - 1})")
    return parsed.date()


def request_id(text: str) -> int:
    """`MRE-123` or `123`."""
    match = _REQUEST_ID.match((text or "").strip())
    if not match or not is_record_id(match.group(1)):
        raise Invalid(f"not a request id: {shown(text)} (expected MRE-123 or 123)")
    return int(match.group(1))


def is_record_id(digits: str) -> bool:
    """Whether a string of digits can name a record: from 1 to LARGEST_ID, ASCII digits only."""
    return digits.isascii() and digits.isdigit() and len(digits) <= 10 and 0 < int(digits) <= LARGEST_ID


def format_request_id(number: int) -> str:
    return f"MRE-{number}"


def choice(text: str, options, *, what: str) -> str:
    cleaned = (text or "").strip().lower().replace("-", "_")
    values = [str(o) for o in options]
    if cleaned not in values:
        raise Invalid(f"{what} must be one of {', '.join(values)}, not {shown(text)}")
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
    than line breaks and tabs: they would break an e-mail header or a terminal later. Kept in its
    one Unicode form (NFC), so names that read the same are the same."""
    cleaned = unicodedata.normalize("NFC", value or "").strip()
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
