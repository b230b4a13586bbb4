"""Who may be given a request (SPEC §6), and the deadlines an assignment carries.

`volunteer` is a Volunteer or a row with its columns; `chapter` a row of `chapters`."""

from __future__ import annotations

from datetime import date, datetime

from score_cli.domain import calendar, deadlines
from score_cli.domain import eligibility as rules
from score_cli.domain.vocabulary import AssignmentKind, Role
from score_cli.store.sql import query


# Plain SQL (store/sql.py): `assign --suggest` reads through this module too.
_HOLDS_ROLE = query("SELECT 1 FROM volunteer_role WHERE volunteer_id = :volunteer AND role = :role LIMIT 1")
_ASSIGNED_SINCE = query("SELECT COUNT(*) FROM assignment WHERE mentor_id = :mentor AND kind = :kind"
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


def cic_capacity_left(session, volunteer, now: datetime) -> int | None:
    """CIC assignments the mentor can still take this week; None when capacity is unknown."""
    if volunteer.capacity_weekly is None:
        return None
    used = assignments_since(session, volunteer.id, AssignmentKind.CIC, now - rules.CAPACITY_WINDOW)
    return rules.capacity_left(volunteer.capacity_weekly, used)


def direct_limit_reached(session, volunteer, now: datetime) -> bool:
    if volunteer.max_direct_weekly is None:
        return False
    used = assignments_since(session, volunteer.id, AssignmentKind.DIRECT, now - rules.CAPACITY_WINDOW)
    return used >= volunteer.max_direct_weekly


def earlier_outcomes(session, request_id: int, mentor_id: int) -> set[str]:
    return set(session.execute(_OUTCOMES, {"request": request_id, "mentor": mentor_id}).scalars())


def candidate(session, volunteer, request_id: int | None, now: datetime) -> rules.Candidate:
    """The rulebook's view of `volunteer` for a request (`request_id` None: any request)."""
    used = assignments_since(session, volunteer.id, AssignmentKind.CIC, now - rules.CAPACITY_WINDOW)
    return rules.Candidate(
        email=volunteer.email, status=volunteer.status, holds_mentor_role=is_mentor(session, volunteer.id),
        classification=volunteer.classification, chapter_code=volunteer.chapter_code,
        serve_outside_local_area=volunteer.serve_outside_local_area, pause_from=volunteer.pause_from,
        pause_until=volunteer.pause_until, capacity_weekly=volunteer.capacity_weekly,
        capacity_text=volunteer.capacity_text, cic_assignments_last_week=used,
        earlier_outcomes=frozenset(earlier_outcomes(session, request_id, volunteer.id)) if request_id else frozenset())


def problems(session, volunteer, request_id: int | None, chapter,
             now: datetime, *, include_sme: bool = False) -> tuple[list[str], list[str]]:
    """Why this volunteer may not be given the request: (hard rules, rules --force may pass). The
    pause is read on the mentor's own day (SPEC §3), wherever the request is."""
    return rules.problems(candidate(session, volunteer, request_id, now), chapter.code,
                          mentors_today(session, volunteer, now), include_sme=include_sme)
