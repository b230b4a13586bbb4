"""Mentors write their weekly capacity as free text ("3 per week", "5/week", "DR Only")."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIRECT_ONLY = re.compile(r"\b(dr|direct(\s+requests?)?)\s*only\b", re.IGNORECASE)
_NONE = re.compile(r"^\s*(none|no|zero|0)\s*$", re.IGNORECASE)
_NUMBER_PER_WEEK = re.compile(
    r"(?:up\s+to\s+|max(?:imum)?\s+(?:of\s+)?)?(\d{1,3})\s*(?:clients?|mres?|requests?|assignments?)?"
    r"\s*(?:per|a|an|each|/|every)?\s*(?:week|wk)s?\b|(\d{1,3})\s+weekly\b|weekly\s*:?\s*(\d{1,3})\b",
    re.IGNORECASE,
)
# The guide asks mentors to *begin* the field with the weekly number, so a leading
# number counts unless another period follows it.
_LEADING_NUMBER = re.compile(r"^\s*(\d{1,3})\b(?!.*\b(?:month|mo|year|yr|day)s?\b)", re.IGNORECASE)
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10}


@dataclass(frozen=True)
class Capacity:
    text: str | None
    weekly: int | None  # CIC assignments a week; None when unknown or not given

    @property
    def known(self) -> bool:
        return self.weekly is not None

    @property
    def warning(self) -> str | None:
        if self.text and self.weekly is None:
            return f"capacity {self.text!r} is not a number a week: treated as available"
        return None


def parse_capacity(text: str | None) -> Capacity:
    cleaned = (text or "").strip()
    if not cleaned:
        return Capacity(None, None)
    if _DIRECT_ONLY.search(cleaned) or _NONE.match(cleaned):
        return Capacity(cleaned, 0)
    spelled = cleaned.lower()
    for word, number in _WORDS.items():
        spelled = re.sub(rf"\b{word}\b", str(number), spelled)
    match = _NUMBER_PER_WEEK.search(spelled)
    if match:
        return Capacity(cleaned, int(next(g for g in match.groups() if g)))
    match = _LEADING_NUMBER.match(spelled)
    if match:
        return Capacity(cleaned, int(match.group(1)))
    return Capacity(cleaned, None)
