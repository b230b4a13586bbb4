"""Who can take a request now, and who is paused: `score mentors available|paused` (SPEC §3, §5, §6).

Both listings are a single query each, whatever the number of mentors: the counts come from
grouped subqueries joined to the volunteers, and "today" is each chapter's own local date
(a CASE on the chapter's time zone), since pause dates are dates in the chapter's zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Date, and_, case, func, literal, not_, or_, select
from sqlmodel import Session

from score_cli import clock
from score_cli.domain import calendar
from score_cli.domain import deadlines as rules
from score_cli.domain.access import MINE, Record, Scope
from score_cli.domain.capacity import parse_capacity
from score_cli.domain.vocabulary import AssignmentKind, Role, VolunteerStatus
from score_cli.domain.workflow import OWNED
from score_cli.services.organisation import permissions
from score_cli.services.organisation.scope import chapter_filter, resolve
from score_cli.services.people.eligibility import capacity_facts, within_capacity_window
from score_cli.store.db import Store
from score_cli.store.models import Chapter, Volunteer, VolunteerRole
from score_cli.store.tallies import ASSIGNMENT_TALLY as TALLY
from score_cli.store.tallies import MENTOR_CASELOAD as CASELOAD



def _scope(session: Session, actor_email: str | None, scope: Scope | None) -> tuple[Scope, int]:
    """The checked scope, and the acting volunteer's id (what `--mine` shows)."""
    actor = permissions.load_actor(session, actor_email)
    return resolve(session, actor, scope, Record.VOLUNTEERS), actor.id


def _todays(session: Session, now: datetime) -> dict[str, date]:
    """Each time zone in use by a chapter, with its local date at `now`."""
    zones = session.execute(select(Chapter.timezone).distinct()).scalars().all()
    return {tz: calendar.local_date(now, tz) for tz in zones}


def _today_column(todays: dict[str, date], now: datetime):
    return case({tz: literal(day, Date) for tz, day in todays.items()}, value=Chapter.timezone,
                else_=literal(now.date(), Date))


def _paused(today):
    return and_(or_(Volunteer.pause_from.is_not(None), Volunteer.pause_until.is_not(None)),
                or_(Volunteer.pause_from.is_(None), Volunteer.pause_from <= today),
                or_(Volunteer.pause_until.is_(None), Volunteer.pause_until >= today))


def _mentors(scope: Scope, actor_id: int):
    """Active volunteers holding the mentor role, in the scope, with their chapter's zone."""
    is_mentor = Volunteer.id.in_(select(VolunteerRole.volunteer_id).where(VolunteerRole.role == Role.MENTOR))
    query = (select(Volunteer, Chapter.timezone).join(Chapter, Chapter.code == Volunteer.chapter_code)
             .where(Volunteer.status == VolunteerStatus.ACTIVE, is_mentor))
    where = Volunteer.id == actor_id if scope.kind == MINE else chapter_filter(scope, Volunteer.chapter_code)
    return query if where is None else query.where(where)


def _per_mentor(column, *conditions):
    """A subquery (mentor_id, n) counting rows of `column`'s table per mentor."""
    return (select(column.label("mentor_id"), func.count().label("n")).where(*conditions)
            .group_by(column).subquery())


def _in_capacity_window(now: datetime):
    """A subquery (mentor_id, n): CIC assignments within each mentor's own capacity window
    (7 days for "3 per week", 14 for "1 every other week"; SPEC §6)."""
    return (select(TALLY.c.mentor_id, func.count().label("n"))
            .join(Volunteer, Volunteer.id == TALLY.c.mentor_id)
            .where(TALLY.c.kind == AssignmentKind.CIC, within_capacity_window(now))
            .group_by(TALLY.c.mentor_id).subquery())


def available(store: Store, actor_email: str | None, scope: Scope | None) -> list[dict]:
    """Active mentors not paused today, with the numbers a CIC weighs before assigning."""
    with store.reading() as session:
        scope, actor_id = _scope(session, actor_email, scope)
        now = clock.now()
        today = _today_column(_todays(session, now), now)
        week_ago, window = now - rules.WEEK, now - timedelta(days=rules.ACCEPTED_TALLY_DAYS)
        # over every request, whoever is connected (store/tallies.py)
        cic_week = _per_mentor(TALLY.c.mentor_id, TALLY.c.kind == AssignmentKind.CIC, TALLY.c.assigned_at > week_ago)
        direct_week = _per_mentor(TALLY.c.mentor_id, TALLY.c.kind == AssignmentKind.DIRECT,
                                  TALLY.c.assigned_at > week_ago)
        accepted = _per_mentor(TALLY.c.mentor_id, TALLY.c.kind == AssignmentKind.CIC, TALLY.c.accepted_at > window)
        open_load = _per_mentor(CASELOAD.c.mentor_id, CASELOAD.c.status.in_([str(s) for s in OWNED]))
        in_window = _in_capacity_window(now)
        tallies = (cic_week, direct_week, accepted, open_load, in_window)
        counts = [func.coalesce(q.c.n, 0) for q in tallies]
        query = _mentors(scope, actor_id).add_columns(*counts).where(not_(_paused(today)))
        for q in tallies:
            query = query.outerjoin(q, q.c.mentor_id == Volunteer.id)
        query = query.order_by(Volunteer.chapter_code, counts[3], counts[2], Volunteer.email)
        rows = []
        for v, _tz, cic, direct, accepted_60, load, used in session.execute(query).all():
            rows.append({
                "email": v.email, "name": v.name, "chapter": v.chapter_code, "classification": v.classification,
                "capacity": v.capacity_text, **capacity_facts(v, used),
                "capacity_warning": parse_capacity(v.capacity_text).warning,
                "cic_assignments_last_7_days": cic,
                "cic_accepted_last_60_days": accepted_60, "open_requests": load,
                "direct_requests_last_7_days": direct, "accept_direct_requests": v.accept_direct_requests,
                "max_direct_weekly": v.max_direct_weekly,
                "request_limit_reached": v.max_direct_weekly is not None and direct >= v.max_direct_weekly,
                "serve_outside_local_area": v.serve_outside_local_area,
            })
        return rows


def paused(store: Store, actor_email: str | None, scope: Scope | None) -> list[dict]:
    """Active mentors paused today, longest pauses flagged for the membership chair.

    `days_paused` is the length of the pause window (from..until, both days counted);
    `paused_so_far` the days from its start to today. A pause longer than 30 days, or one
    without an end that has lasted more than 30, is a `long_pause`.
    """
    with store.reading() as session:
        scope, actor_id = _scope(session, actor_email, scope)
        now = clock.now()
        todays = _todays(session, now)
        query = (_mentors(scope, actor_id).where(_paused(_today_column(todays, now)))
                 .order_by(Volunteer.pause_from, Volunteer.chapter_code, Volunteer.email))
        rows = []
        for v, tz in session.execute(query).all():
            today = todays.get(tz, now.date())
            length = (v.pause_until - v.pause_from).days + 1 if v.pause_from and v.pause_until else None
            so_far = (today - v.pause_from).days + 1 if v.pause_from else None
            rows.append({
                "email": v.email, "name": v.name, "chapter": v.chapter_code, "classification": v.classification,
                "pause_from": v.pause_from, "pause_until": v.pause_until, "days_paused": length,
                "paused_so_far": so_far,
                "long_pause": rules.long_pause(length or so_far),
                "accept_direct_requests": v.accept_direct_requests,
            })
        return rows
