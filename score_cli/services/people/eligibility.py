"""Who may be given a request (SPEC §6), and the deadlines an assignment carries.

`volunteer` is a Volunteer or a row with its columns; `chapter` a row of `chapters`."""

from __future__ import annotations

from datetime import date, datetime

from score_cli.domain import deadlines as rules
from score_cli.services.timefmt import zone
from score_cli.store.sql import query
from score_cli.domain.vocabulary import AssignmentKind, Classification, Outcome, Role, VolunteerStatus


# Plain SQL (store/sql.py): `assign --suggest` reads through this module too.
_HOLDS_ROLE = query("SELECT 1 FROM volunteer_role WHERE volunteer_id = :volunteer AND role = :role LIMIT 1")
_ASSIGNED_SINCE = query("SELECT COUNT(*) FROM assignment WHERE mentor_id = :mentor AND kind = :kind"
                        " AND assigned_at > :since", times=("since",))
_CHAPTER_ZONE = query("SELECT timezone FROM chapter WHERE code = :code")
_OUTCOMES = query("SELECT outcome FROM assignment WHERE request_id = :request AND mentor_id = :mentor")


def deadlines(assigned_at: datetime, chapter) -> rules.AssignmentDeadlines:
    return rules.assignment_deadlines(assigned_at, chapter)


def local_date(instant: datetime, chapter) -> date:
    return instant.astimezone(zone(chapter.timezone)).date()


def mentors_today(session, volunteer, now: datetime) -> date:
    """Today in the mentor's own chapter: pause dates are days there, wherever the request is."""
    tz = session.execute(_CHAPTER_ZONE, {"code": volunteer.chapter_code}).scalar_one()
    return now.astimezone(zone(tz)).date()


def is_mentor(session, volunteer_id: int) -> bool:
    return session.execute(_HOLDS_ROLE, {"volunteer": volunteer_id, "role": str(Role.MENTOR)}).first() is not None


def paused_on(volunteer, day: date) -> bool:
    if volunteer.pause_from is None and volunteer.pause_until is None:
        return False
    return (volunteer.pause_from or date.min) <= day <= (volunteer.pause_until or date.max)


def assignments_since(session, mentor_id: int, kind: str, since: datetime) -> int:
    return session.execute(_ASSIGNED_SINCE, {"mentor": mentor_id, "kind": str(kind), "since": since}).scalar_one()


def cic_capacity_left(session, volunteer, now: datetime) -> int | None:
    """CIC assignments the mentor can still take this week; None when capacity is unknown."""
    if volunteer.capacity_weekly is None:
        return None
    used = assignments_since(session, volunteer.id, AssignmentKind.CIC, now - rules.WEEK)
    return max(0, volunteer.capacity_weekly - used)


def direct_limit_reached(session, volunteer, now: datetime) -> bool:
    if volunteer.max_direct_weekly is None:
        return False
    used = assignments_since(session, volunteer.id, AssignmentKind.DIRECT, now - rules.WEEK)
    return used >= volunteer.max_direct_weekly


def earlier_outcomes(session, request_id: int, mentor_id: int) -> set[str]:
    return set(session.execute(_OUTCOMES, {"request": request_id, "mentor": mentor_id}).scalars())


def problems(session, volunteer, request_id: int | None, chapter,
             now: datetime, *, include_sme: bool = False) -> tuple[list[str], list[str]]:
    """Why this volunteer may not be given the request: (hard rules, rules --force may pass)."""
    hard, soft = [], []
    if volunteer.status != VolunteerStatus.ACTIVE:
        hard.append(f"{volunteer.email} is {volunteer.status}: only active volunteers can be assigned")
    if not is_mentor(session, volunteer.id):
        hard.append(f"{volunteer.email} does not hold the mentor role")
    if volunteer.classification == Classification.SME and not include_sme:
        soft.append(f"{volunteer.email} is a subject matter expert (SMEs only with --include-sme)")
    elif volunteer.classification is None:
        hard.append(f"{volunteer.email} has no mentor classification")
    if paused_on(volunteer, mentors_today(session, volunteer, now)):
        soft.append(f"{volunteer.email} is paused from {volunteer.pause_from} to {volunteer.pause_until}")
    left = cic_capacity_left(session, volunteer, now)
    if left == 0:
        soft.append(f"{volunteer.email} has no weekly capacity left ({volunteer.capacity_text!r})")
    if request_id is not None:
        before = earlier_outcomes(session, request_id, volunteer.id)
        if Outcome.DECLINED in before:
            soft.append(f"{volunteer.email} declined this request before")
        if Outcome.TIMED_OUT in before:
            soft.append(f"{volunteer.email} timed out on this request before")
    if volunteer.chapter_code != chapter.code and not volunteer.serve_outside_local_area:
        soft.append(f"{volunteer.email} is in {volunteer.chapter_code} and does not serve clients"
                    " outside their local area")
    return hard, soft
