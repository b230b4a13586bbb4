"""What mentors write in the capacity field, and how it is read (SPEC §3; issue 21 point 6).

Each reading is written by hand: a whole number of CIC assignments a week, 0 for the ways
mentors say "no new clients from the queue", or UNKNOWN (shown with a warning, counted as
available) for what is not a whole number a week. FRACTION rows also check the exact rate.
"""

from fractions import Fraction

import pytest

from score_cli.domain.capacity import parse_capacity

UNKNOWN = None

CORPUS = [
    # plain weekly numbers
    ("3 per week", 3), ("5/week", 5), ("5 / week", 5), ("2 a week", 2), ("1 per wk", 1),
    ("1/week", 1), ("4 per week", 4), ("up to 4 weekly", 4), ("2 weekly", 2), ("weekly: 2", 2),
    ("Three per week", 3), ("one per week", 1), ("two a week", 2), ("4", 4), ("3 clients", 3),
    ("up to 4 clients per week", 4), ("max 3 per week", 3), ("2 new clients per week", 2),
    ("3 MREs a week", 3), ("1 client each week", 1), ("2 a week, prefer food businesses", 2),
    ("10 per week", 10), ("0 per week", 0), ("a client a week", 1), ("2 assignments/week", 2),
    # ranges: the lower bound
    ("2-3 per week", 2), ("2 - 3 per week", 2), ("2 to 3 per week", 2), ("two to three per week", 2),
    ("1-2 clients per week", 1), ("2 or 3 a week", 2), ("2–3 per week", 2), ("2-3", 2),
    # the ways mentors say "none from the queue"
    ("DR Only", 0), ("DR only", 0), ("DR-only", 0), ("DRs only", 0), ("DR's only", 0), ("dr only.", 0),
    ("only DR", 0), ("Only direct requests", 0), ("direct requests only", 0), ("Direct request only", 0),
    ("DR Only (Direct Requests Only)", 0), ("Not taking new clients", 0), ("not accepting new clients", 0),
    ("no new clients", 0), ("No new clients at this time", 0), ("none", 0), ("None", 0), ("0", 0),
    ("zero", 0), ("no", 0), ("Paused", 0), ("paused", 0), ("full", 0), ("Full", 0), ("currently full", 0),
    ("on hold", 0), ("unavailable", 0), ("not available", 0), ("at capacity", 0),
    # not a whole number a week: read exactly, shown with a warning
    ("0.5 per week", UNKNOWN), ("1.5 per week", UNKNOWN), ("3,5 per week", UNKNOWN),
    ("1 every 2 weeks", UNKNOWN), ("1/2 week", UNKNOWN), ("1 every other week", UNKNOWN),
    ("one every other week", UNKNOWN), ("a client every other week", UNKNOWN), ("2 per month", UNKNOWN),
    ("1-2 clients per month", UNKNOWN), ("1 biweekly", UNKNOWN),
    # unreadable: a warning, never a silent misreading
    ("-3 per week", UNKNOWN), ("- 3 per week", UNKNOWN), ("1e9 per week", UNKNOWN), ("1E3 per week", UNKNOWN),
    ("1000000 per week", UNKNOWN), ("1000 per week", UNKNOWN), ("99999999999999999999999 per week", UNKNOWN),
    ("whenever I can", UNKNOWN), ("as many as I can", UNKNOWN), ("Flexible", UNKNOWN), ("As needed", UNKNOWN),
    ("unlimited", UNKNOWN), ("no limit", UNKNOWN), ("ask me", UNKNOWN), ("5 per day", UNKNOWN),
]

FRACTIONS = [
    ("0.5 per week", Fraction(1, 2)), ("1.5 per week", Fraction(3, 2)), ("3,5 per week", Fraction(7, 2)),
    ("1 every 2 weeks", Fraction(1, 2)), ("1/2 week", Fraction(1, 2)), ("1 every other week", Fraction(1, 2)),
    ("one every other week", Fraction(1, 2)), ("2 per month", Fraction(24, 52)), ("1 biweekly", Fraction(1, 2)),
]


def test_the_corpus_is_large_enough_and_has_no_repeats():
    texts = [text for text, _ in CORPUS]
    assert len(texts) >= 60 and len(set(texts)) == len(texts)


@pytest.mark.parametrize("text, weekly", CORPUS)
def test_what_mentors_write_reads_as_expected(text, weekly):
    capacity = parse_capacity(text)
    assert capacity.weekly == weekly
    assert (capacity.warning is not None) == (weekly is UNKNOWN)


@pytest.mark.parametrize("text, rate", FRACTIONS)
def test_rates_that_are_not_whole_are_read_exactly_and_flagged(text, rate):
    capacity = parse_capacity(text)
    assert capacity.rate == rate and capacity.weekly is None
    assert "weekly capacity counts whole assignments" in capacity.warning


@pytest.mark.parametrize("text, why", [("-3 per week", "negative"), ("1e9 per week", "not a plain number"),
                                       ("1000000 per week", "more than 40 a week")])
def test_numbers_that_cannot_be_a_capacity_say_why(text, why):
    assert why in parse_capacity(text).warning


def test_nothing_written_is_no_capacity_and_no_warning():
    assert parse_capacity("").weekly is None and parse_capacity(None).warning is None
