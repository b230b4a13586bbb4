"""`score report capacity`: per chapter, the requests waiting for a mentor against what its
mentors can still take this week, and how long the queue would take to clear.

- waiting: requests of the chapter in an intake queue (new, pending_reassignment), submitted
  in the period when one is given; a chapter that is not live has them in the National queue;
- mentors: active volunteers of the chapter with the mentor role, certified or provisional
  (SMEs are assigned only on request); `available` are those not paused on the chapter's
  local date today;
- weekly_capacity: the sum of the available mentors' parsed capacity a week (0.5 for "1 every
  other week"); capacity_left: the sum of what each has left (capacity - CIC assignments in
  its window, 7 days for a weekly number and 14 for "1 every 2 weeks", never below 0), the
  rule matching uses (SPEC §6); a mentor whose capacity text could not be read counts
  as available but unknown and is shown apart;
- business_days_to_clear: 0 when the waiting requests fit in capacity_left; otherwise the
  rest at the weekly capacity, 5 business days a week: ceil(5 * (waiting - capacity_left) /
  weekly_capacity); null when the weekly capacity is 0 (the queue cannot clear locally).
"""

from __future__ import annotations

from score_cli.domain.access import Record

from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from math import ceil

from sqlalchemy import func, select

from score_cli import clock
from score_cli.domain import calendar
from score_cli.domain.capacity import weekly_rate
from score_cli.domain.eligibility import capacity_left
from score_cli.services.people.eligibility import paused_on, within_capacity_window
from score_cli.services.reports.common import MINE, ChapterInfo, Period, Run, as_utc, open_run, period_where
from score_cli.services.organisation.scope import Scope
from score_cli.store.db import Store
from score_cli.store.models import MentoringRequest, Volunteer, VolunteerRole
from score_cli.store.tallies import ASSIGNMENT_TALLY as TALLY
from score_cli.domain.vocabulary import QUEUED_STATUSES, AssignmentKind, Classification, Role, ScopeKind, VolunteerStatus

BUSINESS_DAYS_A_WEEK = 5


@dataclass
class ChapterCapacity:
    chapter: ChapterInfo
    waiting: int = 0
    oldest_submitted_at: datetime | None = None
    mentors: int = 0
    paused: int = 0
    unknown_capacity: int = 0
    weekly_capacity: Fraction = Fraction(0)
    capacity_left: int = 0
    unknown_emails: list[str] = field(default_factory=list)

    @property
    def available(self) -> int:
        return self.mentors - self.paused

    @property
    def business_days_to_clear(self) -> int | None:
        if self.waiting <= self.capacity_left:
            return 0
        if self.weekly_capacity <= 0:
            return None
        return ceil(BUSINESS_DAYS_A_WEEK * (self.waiting - self.capacity_left) / self.weekly_capacity)

    @property
    def short(self) -> bool:
        """No place left this week for the requests waiting, and no mentor of unknown capacity."""
        return self.waiting > self.capacity_left and not self.unknown_capacity


def cic_assignments_since(since: datetime):
    """A correlated count of a volunteer's CIC assignments since `since` (index: mentor, assigned_at)."""
    return (select(func.count()).select_from(TALLY)
            .where(TALLY.c.mentor_id == Volunteer.id, TALLY.c.assigned_at > since,
                   TALLY.c.kind == AssignmentKind.CIC)
            .correlate(Volunteer).scalar_subquery())


def cic_assignments_in_window(now: datetime):
    """A correlated count of a volunteer's CIC assignments within their capacity window."""
    return (select(func.count()).select_from(TALLY)
            .where(TALLY.c.mentor_id == Volunteer.id, within_capacity_window(now),
                   TALLY.c.kind == AssignmentKind.CIC)
            .correlate(Volunteer).scalar_subquery())


def chapter_capacity(run: Run, codes: list[str]) -> dict[str, ChapterCapacity]:
    """The numbers above for each chapter in `codes` (one grouped query and one mentor query)."""
    session, now = run.session, run.now
    found = {code: ChapterCapacity(run.chapters[code]) for code in codes}
    if not found:
        return found
    R = MentoringRequest
    waiting = (select(R.chapter_code, func.count(), func.min(R.submitted_at))
               .where(R.status.in_([str(s) for s in QUEUED_STATUSES]), R.chapter_code.in_(list(found)))
               .group_by(R.chapter_code))
    in_period = period_where(run, R.submitted_at, R.chapter_code)
    if in_period is not None:
        waiting = waiting.where(in_period)
    for code, count, oldest in session.execute(waiting).all():
        found[code].waiting = count
        found[code].oldest_submitted_at = as_utc(oldest)
    is_mentor = Volunteer.id.in_(select(VolunteerRole.volunteer_id).where(VolunteerRole.role == Role.MENTOR))
    mentors = (select(Volunteer.email, Volunteer.chapter_code, Volunteer.capacity_assignments, Volunteer.capacity_weeks,
                      Volunteer.pause_from, Volunteer.pause_until, cic_assignments_in_window(now))
               .where(Volunteer.status == VolunteerStatus.ACTIVE, is_mentor,
                      Volunteer.classification.in_([Classification.CERTIFIED, Classification.PROVISIONAL]),
                      Volunteer.chapter_code.in_(list(found))))
    todays: dict[str, date] = {}
    for email, code, assignments, weeks, pause_from, pause_until, used in session.execute(mentors).all():
        cap = found[code]
        cap.mentors += 1
        tz = cap.chapter.timezone
        today = todays.get(tz) or todays.setdefault(tz, run.today(tz))
        if paused_on(_Pause(pause_from, pause_until), today):
            cap.paused += 1
        elif assignments is None:
            cap.unknown_capacity += 1
            cap.unknown_emails.append(email)
        else:
            cap.weekly_capacity += Fraction(assignments, weeks or 1)
            cap.capacity_left += capacity_left(assignments, used)
    return found


@dataclass
class _Pause:
    pause_from: date | None
    pause_until: date | None


def capacity(store: Store, actor_email: str | None, scope: Scope | None, period: Period | None = None) -> list[dict]:
    """One row per chapter in scope (with --mine: the actor's chapter)."""
    with store.reading() as session:
        now = clock.now()
        run = open_run(session, actor_email, scope, period, now, Record.VOLUNTEERS)
        if run.scope.kind == MINE:  # numbers only: any volunteer may see their own chapter's
            codes = [run.actor.chapter_code]
            run.in_scope = {code: run.chapters[code] for code in codes}
            run.scope = Scope(ScopeKind.CHAPTER, codes[0])
        else:
            codes = sorted(run.in_scope)
        found = chapter_capacity(run, codes)
        return [_row(run, cap) for code, cap in sorted(found.items())]


def _row(run: Run, cap: ChapterCapacity) -> dict:
    ch = cap.chapter
    oldest = (calendar.business_days_between(cap.oldest_submitted_at, run.now, ch)
              if cap.oldest_submitted_at else None)
    return {
        "chapter": ch.code, "name": ch.name, "live": ch.live, **run.describe(),
        "waiting": cap.waiting, "oldest_waiting_business_days": oldest,
        "mentors": cap.mentors, "paused": cap.paused, "available": cap.available,
        "unknown_capacity": cap.unknown_capacity, "weekly_capacity": weekly_rate(cap.weekly_capacity.numerator, cap.weekly_capacity.denominator),
        "capacity_left": cap.capacity_left, "business_days_to_clear": cap.business_days_to_clear,
        "next_action": next_action(cap),
    }


def next_action(cap: ChapterCapacity) -> str | None:
    ch = cap.chapter
    unknown = (f"; {cap.unknown_capacity} mentor(s) wrote a capacity that is not a number a week"
               " (help them adjust it)" if cap.unknown_capacity else "")
    if not cap.waiting:
        return None
    if not ch.live:
        return f"{ch.code} is not live: its requests wait in the National Intake Queue"
    if cap.available == 0:
        what = f"all {cap.mentors} mentors are paused" if cap.mentors else "it has no mentors"
        return (f"no mentor available in {ch.code} ({what}): widen to the district or region"
                f" (score queue list --chapter {ch.code} --unassigned, then each with score assign --suggest)"
                " or transfer the requests")
    if cap.waiting > cap.capacity_left:
        return (f"short of capacity this week ({cap.waiting} waiting, {cap.capacity_left} places left):"
                " widen to the district or region, transfer, or tell waiting clients about webinars"
                f" (score notify waiting-clients --older-than 3)" + unknown)
    return (f"enough capacity this week: assign (score queue list --chapter {ch.code} --unassigned)"
            + unknown)
