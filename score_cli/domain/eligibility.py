"""Who may be given a request by a coordinator (SPEC §6), as one pure function.

The services gather a mentor's facts (`Candidate`) and ask here; the fast listings
(`assign --suggest`, `mentors available`) filter in SQL by the same rules, and a test holds
them equal to this definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from datetime import date, timedelta

from score_cli.domain.deadlines import WEEK
from score_cli.domain.vocabulary import Classification, Outcome, VolunteerStatus

CAPACITY_WINDOW = WEEK  # a capacity of N in W weeks counts CIC assignments in the last W * 7 days
ASSIGNABLE = frozenset({Classification.CERTIFIED, Classification.PROVISIONAL})  # SMEs only when asked


@dataclass(frozen=True)
class Candidate:
    email: str
    status: str
    holds_mentor_role: bool
    classification: str | None
    chapter_code: str
    serve_outside_local_area: bool
    pause_from: date | None = None
    pause_until: date | None = None
    capacity_assignments: int | None = None  # in `capacity_weeks` weeks; None: unknown, counted as available
    capacity_weeks: int = 1
    capacity_text: str | None = None
    cic_assignments_in_window: int = 0  # in the capacity's window (capacity_window)
    earlier_outcomes: frozenset[str] = field(default_factory=frozenset)  # on this request


def paused_on(pause_from: date | None, pause_until: date | None, day: date) -> bool:
    if pause_from is None and pause_until is None:
        return False
    return (pause_from or date.min) <= day <= (pause_until or date.max)


def capacity_window(weeks: int | None) -> timedelta:
    """How far back CIC assignments count against a capacity given over `weeks` weeks: a mentor
    at "1 every other week" given one 10 days ago has no room until it is 14 days old."""
    return (weeks or 1) * CAPACITY_WINDOW


def capacity_left(capacity_assignments: int | None, used: int) -> int | None:
    """CIC assignments still possible in the capacity's window; None when the capacity is unknown."""
    return None if capacity_assignments is None else max(0, capacity_assignments - used)


class Reason(StrEnum):
    """Why a mentor may not be given a request; the soft ones --force may pass."""
    NOT_ACTIVE = "not_active"
    NOT_A_MENTOR = "not_a_mentor"
    SME = "sme"
    UNCLASSIFIED = "unclassified"
    PAUSED = "paused"
    NO_CAPACITY_LEFT = "no_capacity_left"
    DECLINED_BEFORE = "declined_before"
    TIMED_OUT_BEFORE = "timed_out_before"
    OUTSIDE_AREA = "outside_area"


HARD = frozenset({Reason.NOT_ACTIVE, Reason.NOT_A_MENTOR, Reason.UNCLASSIFIED})  # nothing overrides these


def reasons(c: Candidate, request_chapter: str, day: date, *,
            include_sme: bool = False) -> list[tuple[Reason, str]]:
    """Why `c` may not be given a request of `request_chapter` on `day` (the mentor's own local
    date, which their pause dates are read in), each with the sentence a coordinator reads."""
    found = []
    if c.status != VolunteerStatus.ACTIVE:
        found.append((Reason.NOT_ACTIVE, f"{c.email} is {c.status}: only active volunteers can be assigned"))
    if not c.holds_mentor_role:
        found.append((Reason.NOT_A_MENTOR, f"{c.email} does not hold the mentor role"))
    if c.classification == Classification.SME and not include_sme:
        found.append((Reason.SME, f"{c.email} is a subject matter expert (SMEs only with --include-sme)"))
    elif c.classification is None:
        found.append((Reason.UNCLASSIFIED, f"{c.email} has no mentor classification"))
    if paused_on(c.pause_from, c.pause_until, day):
        found.append((Reason.PAUSED, f"{c.email} is paused from {c.pause_from} to {c.pause_until}"))
    if capacity_left(c.capacity_assignments, c.cic_assignments_in_window) == 0:
        given = c.cic_assignments_in_window
        found.append((Reason.NO_CAPACITY_LEFT, f"{c.email} has no capacity left ({c.capacity_text!r}:"
                      f" {given} CIC assignment{'' if given == 1 else 's'} in the last"
                      f" {capacity_window(c.capacity_weeks).days} days)"))
    if Outcome.DECLINED in c.earlier_outcomes:
        found.append((Reason.DECLINED_BEFORE, f"{c.email} declined this request before"))
    if Outcome.TIMED_OUT in c.earlier_outcomes:
        found.append((Reason.TIMED_OUT_BEFORE, f"{c.email} timed out on this request before"))
    if c.chapter_code != request_chapter and not c.serve_outside_local_area:
        found.append((Reason.OUTSIDE_AREA, f"{c.email} is in {c.chapter_code} and does not serve clients"
                                           " outside their local area"))
    return found


def problems(c: Candidate, request_chapter: str, day: date, *,
             include_sme: bool = False) -> tuple[list[str], list[str]]:
    """`reasons`, split: (rules nothing overrides, rules --force may pass)."""
    found = reasons(c, request_chapter, day, include_sme=include_sme)
    return ([text for reason, text in found if reason in HARD],
            [text for reason, text in found if reason not in HARD])


def eligible(c: Candidate, request_chapter: str, day: date, *, include_sme: bool = False) -> bool:
    hard, soft = problems(c, request_chapter, day, include_sme=include_sme)
    return not hard and not soft
