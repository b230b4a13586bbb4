"""What mentors write in the capacity field, and how it is read (SPEC §3; issue 21 point 6).

Each reading is written by hand: CIC assignments a week (0.5 for one every other week), 0
for the ways mentors say "no new clients from the queue", or UNKNOWN (shown with a warning,
counted as available) for what cannot be read. FRACTIONS rows also check the exact rate and
how it is kept: whole assignments over whole weeks.
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
    # not a whole number a week: read exactly, kept as whole assignments over whole weeks
    ("0.5 per week", 0.5), ("1.5 per week", 1.5), ("3,5 per week", 3.5),
    ("1 every 2 weeks", 0.5), ("1/2 week", 0.5), ("1 every other week", 0.5),
    ("one every other week", 0.5), ("a client every other week", 0.5), ("2 per month", 0.462),
    ("1-2 clients per month", 0.231), ("1 biweekly", 0.5), ("1 every 3 weeks", 0.333),
    ("1 every 13 weeks", 0.077),
    # finer than whole assignments in a quarter: a warning, not a rounding
    ("0.33 per week", UNKNOWN), ("1 every 14 weeks", UNKNOWN),
    # unreadable: a warning, never a silent misreading
    ("-3 per week", UNKNOWN), ("- 3 per week", UNKNOWN), ("1e9 per week", UNKNOWN), ("1E3 per week", UNKNOWN),
    ("1000000 per week", UNKNOWN), ("1000 per week", UNKNOWN), ("99999999999999999999999 per week", UNKNOWN),
    ("whenever I can", UNKNOWN), ("as many as I can", UNKNOWN), ("Flexible", UNKNOWN), ("As needed", UNKNOWN),
    ("unlimited", UNKNOWN), ("no limit", UNKNOWN), ("ask me", UNKNOWN), ("5 per day", UNKNOWN),
]

FRACTIONS = [  # (text, rate a week, (assignments, in weeks))
    ("0.5 per week", Fraction(1, 2), (1, 2)), ("1.5 per week", Fraction(3, 2), (3, 2)),
    ("3,5 per week", Fraction(7, 2), (7, 2)), ("1 every 2 weeks", Fraction(1, 2), (1, 2)),
    ("1/2 week", Fraction(1, 2), (1, 2)), ("1 every other week", Fraction(1, 2), (1, 2)),
    ("one every other week", Fraction(1, 2), (1, 2)), ("2 per month", Fraction(24, 52), (6, 13)),
    ("1 biweekly", Fraction(1, 2), (1, 2)), ("2 every 4 weeks", Fraction(1, 2), (1, 2)),
    ("3 per week", Fraction(3), (3, 1)),
]


def test_the_corpus_is_large_enough_and_has_no_repeats():
    texts = [text for text, _ in CORPUS]
    assert len(texts) >= 60 and len(set(texts)) == len(texts)


@pytest.mark.parametrize("text, weekly", CORPUS)
def test_what_mentors_write_reads_as_expected(text, weekly):
    capacity = parse_capacity(text)
    assert capacity.weekly == weekly
    assert (capacity.warning is not None) == (weekly is UNKNOWN)


@pytest.mark.parametrize("text, rate, kept", FRACTIONS)
def test_rates_are_read_exactly_and_kept_as_whole_assignments_over_whole_weeks(text, rate, kept):
    capacity = parse_capacity(text)
    assert capacity.rate == rate and (capacity.assignments, capacity.weeks) == kept
    assert capacity.warning is None


def test_a_rate_finer_than_a_quarter_says_how_to_write_it():
    assert "13 weeks or fewer" in parse_capacity("0.33 per week").warning


@pytest.mark.parametrize("text, why", [("-3 per week", "negative"), ("1e9 per week", "not a plain number"),
                                       ("1000000 per week", "more than 40 a week")])
def test_numbers_that_cannot_be_a_capacity_say_why(text, why):
    assert why in parse_capacity(text).warning


def test_nothing_written_is_no_capacity_and_no_warning():
    assert parse_capacity("").weekly is None and parse_capacity(None).warning is None
