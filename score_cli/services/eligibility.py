"""Who may be given a request (SPEC §6), and the deadlines an assignment carries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from score_cli import calendar
from score_cli.services.timefmt import zone
from score_cli.store.models import Assignment, Chapter, Volunteer, VolunteerRole
from score_cli.vocabulary import AssignmentKind, Classification, Outcome, Role, VolunteerStatus

ACCEPT_DUE_BUSINESS_DAYS = 2
TIMEOUT_BUSINESS_DAYS = 5


@dataclass(frozen=True)
class Deadlines:
    accept_due_at: datetime
    timeout_at: datetime


def deadlines(assigned_at: datetime, chapter: Chapter) -> Deadlines:
    return Deadlines(
        calendar.add_business_days(assigned_at, ACCEPT_DUE_BUSINESS_DAYS, chapter),
        calendar.add_business_days(assigned_at, TIMEOUT_BUSINESS_DAYS, chapter),
    )


def local_date(instant: datetime, chapter: Chapter) -> date:
    return instant.astimezone(zone(chapter.timezone)).date()


def is_mentor(session: Session, volunteer_id: int) -> bool:
    return session.execute(
        select(VolunteerRole.id).where(VolunteerRole.volunteer_id == volunteer_id,
                                       VolunteerRole.role == Role.MENTOR).limit(1)
    ).first() is not None


def paused_on(volunteer: Volunteer, day: date) -> bool:
    if volunteer.pause_from is None and volunteer.pause_until is None:
        return False
    return (volunteer.pause_from or date.min) <= day <= (volunteer.pause_until or date.max)


def assignments_since(session: Session, mentor_id: int, kind: str, since: datetime) -> int:
    return session.execute(
        select(func.count()).select_from(Assignment).where(
            Assignment.mentor_id == mentor_id, Assignment.kind == kind, Assignment.assigned_at > since)
    ).scalar_one()


def cic_capacity_left(session: Session, volunteer: Volunteer, now: datetime) -> int | None:
    """CIC assignments the mentor can still take this week; None when capacity is unknown."""
    if volunteer.capacity_weekly is None:
        return None
    used = assignments_since(session, volunteer.id, AssignmentKind.CIC, now - timedelta(days=7))
    return max(0, volunteer.capacity_weekly - used)


def direct_limit_reached(session: Session, volunteer: Volunteer, now: datetime) -> bool:
    if volunteer.max_direct_weekly is None:
        return False
    used = assignments_since(session, volunteer.id, AssignmentKind.DIRECT, now - timedelta(days=7))
    return used >= volunteer.max_direct_weekly


def earlier_outcomes(session: Session, request_id: int, mentor_id: int) -> set[str]:
    return set(session.execute(
        select(Assignment.outcome).where(Assignment.request_id == request_id, Assignment.mentor_id == mentor_id)
    ).scalars())


def problems(session: Session, volunteer: Volunteer, request_id: int | None, chapter: Chapter,
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
    day = local_date(now, chapter)
    if paused_on(volunteer, day):
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
