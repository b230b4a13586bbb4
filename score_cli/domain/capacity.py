"""Mentors write their weekly capacity as free text ("3 per week", "5/week", "DR Only") (SPEC §3).

A text is read as a number of CIC assignments a week, or as 0 when it says "no new clients"
in one of the ways mentors write it ("DR-only", "only direct requests", "paused", "full",
"none", ...). A range ("2-3 per week") is its lower bound. Rates are read exactly and kept
as whole assignments over whole weeks, the smallest such: "3 per week" is 3 in 1 week, "1 every
other week", "0.5 per week" and "1/2 week" are 1 in 2 weeks, "1.5 per week" is 3 in 2 weeks,
"2 per month" (52/12 weeks) is 6 in 13 weeks. Eligibility counts the CIC assignments of that many
weeks back (SPEC §6). A rate that needs more than a quarter (13 weeks) to come out whole
("0.33 per week") is unreadable, with a warning, rather than rounded silently; so are negative,
exponent and implausibly large numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

MOST_A_WEEK = 40  # more than this is taken for a typing slip, not a capacity
MOST_WEEKS = 13  # a quarter: the longest span a capacity is counted over

_ZERO_ANYWHERE = [
    re.compile(r"\b(?:drs?|direct(?:\s+client)?(?:\s+requests?)?)\s*-?\s*only\b"),  # DR only, DR-only, DRs only
    re.compile(r"\bonly\s+(?:drs?|direct(?:\s+client)?(?:\s+requests?)?)\b"),  # only DR, only direct requests
    re.compile(r"\bnot\s+(?:taking|accepting|available\s+for)\s+(?:any\s+)?(?:new\s+|more\s+)?"
               r"(?:clients?|requests?|assignments?|mres?|mentees?)\b"),
    re.compile(r"\bno\s+(?:new\s+|more\s+)?(?:clients?|requests?|assignments?|mres?|mentees?)\b"),
]
_ZERO_WHOLE = re.compile(
    r"(?:currently\s+|temporarily\s+)?(?:none|no|zero|nil|0|paused|on\s+pause|pause|full|on\s+hold|"
    r"unavailable|not\s+available|at\s+capacity)(?:\s+(?:for\s+now|right\s+now|at\s+the\s+moment|currently))?"
)
_WORDS = {"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
          "seven": "7", "eight": "8", "nine": "9", "ten": "10", "a couple of": "2", "a couple": "2",
          "half": "0.5"}
_NUM = r"(?<![\w.,/-])(\d+(?:\.\d+)?)(?![\w.])"
_N = rf"{_NUM}(?:\s*(?:-|–|to|or)\s*\d+(?:\.\d+)?)?"  # a range reads as its lower bound
_WHAT = r"(?:\s*(?:new\s+)?(?:clients?|mres?|requests?|assignments?|mentees?|cases?))?"
_WEEK = r"w(?:ee)?ks?\b"
_PER = r"\s*(?:per|a|an|each|/|every|in\s+a|max(?:imum)?\s+per)\s*"
_RATES: list[tuple[re.Pattern, Fraction | None]] = [
    # (pattern, period in weeks; None when the pattern's second group gives it)
    (re.compile(rf"{_N}{_WHAT}\s*(?:every|each)\s+(?:other|second|2nd)\s+{_WEEK}"), Fraction(2)),
    (re.compile(rf"{_N}{_WHAT}\s*(?:every|each|per|in|/)\s*(\d+)\s*{_WEEK}"), None),
    (re.compile(rf"{_N}{_WHAT}\s*(?:bi-?weekly|a\s+fortnight|per\s+fortnight|every\s+fortnight)"), Fraction(2)),
    (re.compile(rf"{_N}{_WHAT}{_PER}{_WEEK}"), Fraction(1)),
    (re.compile(rf"{_N}{_WHAT}\s+weekly\b"), Fraction(1)),
    (re.compile(rf"\bweekly\s*:?\s*{_N}"), Fraction(1)),
    (re.compile(rf"{_N}{_WHAT}{_PER}(?:month|mo)\b"), Fraction(52, 12)),
]
# The guide asks mentors to *begin* the field with the weekly number, so a leading number
# (or range) counts when nothing else says its period.
_LEADING = re.compile(rf"^\s*(?:up\s+to\s+|max(?:imum)?\s+(?:of\s+)?)?{_N}{_WHAT}"
                      r"\s*(?:max(?:imum)?)?\s*[.!]?\s*$")
_NEGATIVE = re.compile(r"(?:^|[^\d\s])\s*[-−]\s*\d")  # a minus not after a number (a range's dash is)
_EXPONENT = re.compile(r"\d[eE][+-]?\d")


@dataclass(frozen=True)
class Capacity:
    text: str | None
    assignments: int | None  # CIC assignments in `weeks` weeks; None when unknown or not given
    weeks: int = 1
    rate: Fraction | None = None  # the exact reading a week, when it could be read
    problem: str | None = None  # why the capacity is unknown although a text was written

    @property
    def known(self) -> bool:
        return self.assignments is not None

    @property
    def weekly(self) -> int | float | None:
        return weekly_rate(self.assignments, self.weeks)

    @property
    def warning(self) -> str | None:
        if not self.text or self.assignments is not None:
            return None
        why = self.problem or "is not a number a week"
        return f"capacity {self.text!r} {why}: treated as available"


def _normalise(text: str) -> str:
    spelled = text.lower().replace("\u2019", "'").replace("'", "")
    spelled = re.sub(r"(?<!\d)(\d),(\d)(?![\d,])", r"\1.\2", spelled)  # "3,5" is 3.5
    for word, number in _WORDS.items():
        spelled = re.sub(rf"\b{word}\b", number, spelled)
    # "a client every other week", "an MRE per week": the article is one
    spelled = re.sub(r"^(?:an?)\s+(?=(?:new\s+)?(?:clients?|mres?|requests?|assignments?|mentees?)\b)", "1 ", spelled)
    return re.sub(r"\s+", " ", spelled).strip()


def _reading(spelled: str) -> Fraction | None:
    for pattern, period in _RATES:
        match = pattern.search(spelled)
        if match:
            weeks = period if period is not None else Fraction(int(match.group(2)))
            if weeks == 0:
                return None
            return Fraction(match.group(1)) / weeks
    match = _LEADING.match(spelled)
    if match:
        return Fraction(match.group(1))
    match = re.fullmatch(rf"{_NUM}\s*/\s*{_WEEK}", spelled)
    return Fraction(match.group(1)) if match else None


def weekly_rate(assignments: int | None, weeks: int | None) -> int | float | None:
    """The stored capacity as a number a week, for display: 3, or 0.5 for 1 in 2 weeks."""
    if assignments is None:
        return None
    rate = Fraction(assignments, weeks or 1)
    return int(rate) if rate.denominator == 1 else round(float(rate), 3)


def in_words(assignments: int | None, weeks: int | None) -> str:
    """'3 a week', '1 every 2 weeks', '6 every 13 weeks'; 'unknown' when not known."""
    if assignments is None:
        return "unknown"
    return f"{assignments} a week" if (weeks or 1) == 1 else f"{assignments} every {weeks} weeks"


def _as_words(rate: Fraction) -> str:
    if rate.numerator == 1:
        return f"one every {rate.denominator} weeks"
    return f"{float(rate):.3g} a week"


def parse_capacity(text: str | None) -> Capacity:
    cleaned = (text or "").strip()
    if not cleaned:
        return Capacity(None, None)
    spelled = _normalise(cleaned)
    if any(p.search(spelled) for p in _ZERO_ANYWHERE) or _ZERO_WHOLE.fullmatch(spelled.rstrip(".! ")):
        return Capacity(cleaned, 0, 1, Fraction(0))
    if _NEGATIVE.search(spelled):
        return Capacity(cleaned, None, problem="is a negative number")
    if _EXPONENT.search(spelled):
        return Capacity(cleaned, None, problem="is not a plain number a week")
    rate = _reading(spelled)
    if rate is None:
        return Capacity(cleaned, None)
    if rate > MOST_A_WEEK:
        return Capacity(cleaned, None, 1, rate, f"is more than {MOST_A_WEEK} a week (a typing slip?)")
    if rate.denominator > MOST_WEEKS:
        return Capacity(cleaned, None, 1, rate, f"reads as {_as_words(rate)}, which is not whole assignments in"
                                                f" {MOST_WEEKS} weeks or fewer (write e.g. '1 every 3 weeks')")
    return Capacity(cleaned, rate.numerator, rate.denominator, rate)
