"""Who may be given a request (SPEC §6), and the deadlines an assignment carries.

`volunteer` is a Volunteer or a row with its columns; `chapter` a row of `chapters`."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, or_

from score_cli.domain import calendar, deadlines
from score_cli.domain import eligibility as rules
from score_cli.domain.capacity import MOST_WEEKS, in_words, weekly_rate
from score_cli.domain.vocabulary import AssignmentKind, Role
from score_cli.store.models import Volunteer
from score_cli.store.tallies import ASSIGNMENT_TALLY as TALLY
from score_cli.store.sql import query


# Plain SQL (store/sql.py): `assign --suggest` reads through this module too.
_HOLDS_ROLE = query("SELECT 1 FROM volunteer_role WHERE volunteer_id = :volunteer AND role = :role LIMIT 1")
# counted over every request, whoever is connected (store/tallies.py)
_ASSIGNED_SINCE = query("SELECT COUNT(*) FROM assignment_tally WHERE mentor_id = :mentor AND kind = :kind"
                        " AND assigned_at > :since", times=("since",))
_CHAPTER_ZONE = query("SELECT timezone FROM chapter WHERE code = :code")
_OUTCOMES = query("SELECT outcome FROM assignment WHERE request_id = :request AND mentor_id = :mentor")


def assignment_deadlines(assigned_at: datetime, chapter) -> deadlines.AssignmentDeadlines:
    return deadlines.assignment_deadlines(assigned_at, chapter)


def local_date(instant: datetime, chapter) -> date:
    return calendar.local_date(instant, chapter.timezone)


def mentors_today(session, volunteer, now: datetime) -> date:
    """Today in the mentor's own chapter: pause dates are days there, wherever the request is."""
    tz = session.execute(_CHAPTER_ZONE, {"code": volunteer.chapter_code}).scalar_one()
    return calendar.local_date(now, tz)


def is_mentor(session, volunteer_id: int) -> bool:
    return session.execute(_HOLDS_ROLE, {"volunteer": volunteer_id, "role": str(Role.MENTOR)}).first() is not None


def paused_on(volunteer, day: date) -> bool:
    return rules.paused_on(volunteer.pause_from, volunteer.pause_until, day)


def assignments_since(session, mentor_id: int, kind: str, since: datetime) -> int:
    return session.execute(_ASSIGNED_SINCE, {"mentor": mentor_id, "kind": str(kind), "since": since}).scalar_one()


def cic_in_capacity_window(session, volunteer, now: datetime) -> int:
    """CIC assignments given to the mentor within their capacity's window (SPEC §6)."""
    since = now - rules.capacity_window(volunteer.capacity_weeks)
    return assignments_since(session, volunteer.id, AssignmentKind.CIC, since)


def cic_capacity_left(session, volunteer, now: datetime) -> int | None:
    """CIC assignments the mentor can still take in their capacity's window; None when unknown."""
    if volunteer.capacity_assignments is None:
        return None
    return rules.capacity_left(volunteer.capacity_assignments, cic_in_capacity_window(session, volunteer, now))


def within_capacity_window(now: datetime):
    """A condition on an assignment (`tallies.ASSIGNMENT_TALLY`) joined to its mentor (`Volunteer`):
    given within the mentor's own capacity window, for the SQL listings and reports that count
    every mentor at once."""
    spans = range(1, MOST_WEEKS + 1)
    return and_(TALLY.c.assigned_at > now - rules.capacity_window(MOST_WEEKS),
                or_(*[and_(Volunteer.capacity_weeks == weeks, TALLY.c.assigned_at > now - rules.capacity_window(weeks))
                      for weeks in spans]))


def capacity_facts(volunteer, in_window: int) -> dict:
    """What `mentor settings`, `mentors available` and the reports show of a mentor's capacity:
    the rate a week (0.5 for 1 every 2 weeks), the window it is counted over, and what is left."""
    assignments, weeks = volunteer.capacity_assignments, volunteer.capacity_weeks
    return {
        "capacity_weekly": weekly_rate(assignments, weeks),
        "capacity_reading": in_words(assignments, weeks),
        "capacity_window_days": rules.capacity_window(weeks).days,
        "cic_assignments_in_capacity_window": in_window,
        "weekly_capacity_left": rules.capacity_left(assignments, in_window),
    }


def direct_limit_reached(session, volunteer, now: datetime) -> bool:
    if volunteer.max_direct_weekly is None:
        return False
    used = assignments_since(session, volunteer.id, AssignmentKind.DIRECT, now - rules.CAPACITY_WINDOW)
    return used >= volunteer.max_direct_weekly


def earlier_outcomes(session, request_id: int, mentor_id: int) -> set[str]:
    return set(session.execute(_OUTCOMES, {"request": request_id, "mentor": mentor_id}).scalars())


def candidate(session, volunteer, request_id: int | None, now: datetime) -> rules.Candidate:
    """The rulebook's view of `volunteer` for a request (`request_id` None: any request)."""
    used = cic_in_capacity_window(session, volunteer, now)
    return rules.Candidate(
        email=volunteer.email, status=volunteer.status, holds_mentor_role=is_mentor(session, volunteer.id),
        classification=volunteer.classification, chapter_code=volunteer.chapter_code,
        serve_outside_local_area=volunteer.serve_outside_local_area, pause_from=volunteer.pause_from,
        pause_until=volunteer.pause_until, capacity_assignments=volunteer.capacity_assignments,
        capacity_weeks=volunteer.capacity_weeks, capacity_text=volunteer.capacity_text, cic_assignments_in_window=used,
        earlier_outcomes=frozenset(earlier_outcomes(session, request_id, volunteer.id)) if request_id else frozenset())


def problems(session, volunteer, request_id: int | None, chapter,
             now: datetime, *, include_sme: bool = False) -> tuple[list[str], list[str]]:
    """Why this volunteer may not be given the request: (hard rules, rules --force may pass). The
    pause is read on the mentor's own day (SPEC §3), wherever the request is."""
    return rules.problems(candidate(session, volunteer, request_id, now), chapter.code,
                          mentors_today(session, volunteer, now), include_sme=include_sme)
