"""Who may be given a request by a coordinator (SPEC §6), as one pure function.

The services gather a mentor's facts (`Candidate`) and ask here; the fast listings
(`assign --suggest`, `mentors available`) filter in SQL by the same rules, and a test holds
them equal to this definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from score_cli.domain.deadlines import WEEK
from score_cli.domain.vocabulary import Classification, Outcome, VolunteerStatus

CAPACITY_WINDOW = WEEK  # weekly capacity counts CIC assignments in the last 7 days
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
    capacity_weekly: int | None = None  # None: unknown capacity, counted as available
    capacity_text: str | None = None
    cic_assignments_last_week: int = 0
    earlier_outcomes: frozenset[str] = field(default_factory=frozenset)  # on this request


def paused_on(pause_from: date | None, pause_until: date | None, day: date) -> bool:
    if pause_from is None and pause_until is None:
        return False
    return (pause_from or date.min) <= day <= (pause_until or date.max)


def capacity_left(capacity_weekly: int | None, used: int) -> int | None:
    """CIC assignments still possible this week; None when the capacity is unknown."""
    return None if capacity_weekly is None else max(0, capacity_weekly - used)


def problems(c: Candidate, request_chapter: str, day: date, *,
             include_sme: bool = False) -> tuple[list[str], list[str]]:
    """Why `c` may not be given a request of `request_chapter` on `day` (the mentor's own local
    date, which their pause dates are read in): (rules nothing overrides, rules --force may pass)."""
    hard, soft = [], []
    if c.status != VolunteerStatus.ACTIVE:
        hard.append(f"{c.email} is {c.status}: only active volunteers can be assigned")
    if not c.holds_mentor_role:
        hard.append(f"{c.email} does not hold the mentor role")
    if c.classification == Classification.SME and not include_sme:
        soft.append(f"{c.email} is a subject matter expert (SMEs only with --include-sme)")
    elif c.classification is None:
        hard.append(f"{c.email} has no mentor classification")
    if paused_on(c.pause_from, c.pause_until, day):
        soft.append(f"{c.email} is paused from {c.pause_from} to {c.pause_until}")
    if capacity_left(c.capacity_weekly, c.cic_assignments_last_week) == 0:
        soft.append(f"{c.email} has no weekly capacity left ({c.capacity_text!r})")
    if Outcome.DECLINED in c.earlier_outcomes:
        soft.append(f"{c.email} declined this request before")
    if Outcome.TIMED_OUT in c.earlier_outcomes:
        soft.append(f"{c.email} timed out on this request before")
    if c.chapter_code != request_chapter and not c.serve_outside_local_area:
        soft.append(f"{c.email} is in {c.chapter_code} and does not serve clients outside their local area")
    return hard, soft


def eligible(c: Candidate, request_chapter: str, day: date, *, include_sme: bool = False) -> bool:
    hard, soft = problems(c, request_chapter, day, include_sme=include_sme)
    return not hard and not soft
