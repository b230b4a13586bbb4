"""`score report mentor-activity` and `score report paused-mentors` (the membership chair's
"My Active Mentors Activity": accepted, timed out and declined assignments, pauses).

mentor-activity: one row per active volunteer with the mentor role in scope (their chapter),
for the assignments made to them in the period (the mentor's chapter's dates) and what became
of those assignments; sessions whose date is in the period, and those whose notes came in late;
what they hold now; their pause and weekly capacity. Flags: `repeated_timeouts` and
`repeated_declines` (2 or more in the period), `long_pause` (a current or coming pause longer
than 30 days, or an open-ended one that has lasted more than 30), `capacity_unknown` (a
capacity text that is not a number a week). `follow_up` is set by any of the first three.

paused-mentors: the active mentors whose pause window overlaps the period (without one: who
is paused today, in their chapter's local date), with what still waits on them.
"""

from __future__ import annotations

from score_cli.domain.access import Record

from datetime import date, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from score_cli import clock
from score_cli.domain import deadlines as rules
from score_cli.domain.capacity import parse_capacity, weekly_rate
from score_cli.domain.eligibility import capacity_left
from score_cli.services.people.eligibility import paused_on
from score_cli.services.reports.capacity import cic_assignments_in_window, cic_assignments_since
from score_cli.services.reports.common import Period, Run, open_run, period_where, recent
from score_cli.services.organisation.scope import Scope
from score_cli.domain.workflow import OWNED
from score_cli.store.db import Store
from score_cli.store.models import Chapter, Volunteer, VolunteerRole
from score_cli.store.tallies import ASSIGNMENT_TALLY as TALLY
from score_cli.store.tallies import MENTOR_CASELOAD as CASELOAD
from score_cli.store.tallies import SESSION_TALLY as SESSIONS
from score_cli.domain.vocabulary import AssignmentKind, Outcome, Role, ScopeKind, Status, VolunteerStatus

REPEATED = 2


def _mentors(run: Run, *columns):
    """Active volunteers with the mentor role in scope (with --mine: the actor)."""
    is_mentor = Volunteer.id.in_(select(VolunteerRole.volunteer_id).where(VolunteerRole.role == Role.MENTOR))
    query = (select(Volunteer, Chapter.timezone, *columns).join(Chapter, Chapter.code == Volunteer.chapter_code)
             .where(Volunteer.status == VolunteerStatus.ACTIVE, is_mentor))
    if run.mine:
        return query.where(Volunteer.id == run.actor.id)
    where = run.chapter_where(Volunteer.chapter_code)
    return query if where is None else query.where(where)


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _holding(run: Run, grouped: bool = True):
    """Requests each mentor owns now (status assigned .. in_progress), and those awaiting acceptance."""
    R = CASELOAD.c  # every request they own, whoever asks (store/tallies.py)
    query = (select(R.mentor_id, func.count().label("open_now"),
                    _count_if(R.status == Status.ASSIGNED).label("awaiting"))
             .where(R.status.in_([str(s) for s in OWNED]),
                    R.mentor_id.in_(_mentors(run).with_only_columns(Volunteer.id)))
             .group_by(R.mentor_id))
    return query.subquery() if grouped else query


def pause_facts(volunteer, today: date) -> dict:
    """The pause window, its length, how long it has lasted, and whether it is long."""
    start, until = volunteer.pause_from, volunteer.pause_until
    if start is None and until is None:
        return {"pause_from": None, "pause_until": None, "paused_now": False, "days_paused": None,
                "paused_so_far": None, "long_pause": False}
    length = (until - start).days + 1 if start and until else None
    so_far = (min(today, until or today) - start).days + 1 if start and start <= today else None
    current = until is None or until >= today
    return {"pause_from": start, "pause_until": until, "paused_now": paused_on(volunteer, today),
            "days_paused": length, "paused_so_far": so_far,
            "long_pause": current and rules.long_pause(length or so_far)}


def mentor_activity(store: Store, actor_email: str | None, scope: Scope | None, period: Period | None = None, *,
                    flagged: bool = False) -> list[dict]:
    with store.reading() as session:
        now = clock.now()
        run = open_run(session, actor_email, scope, recent(period, now), now, Record.VOLUNTEERS)
        A, S = TALLY.c, SESSIONS.c  # all their assignments and sessions, whoever asks (store/tallies.py)
        # Both tallies read their table in one pass, grouped by an expression (mentor_id + 0) so
        # that the database does not walk the (mentor, date) index with a random read per row;
        # a narrower scope than national limits them to its mentors (index lookups pay there).
        mentor_of = aliased(Volunteer, name="mentor_of")
        in_scope = None if run.scope.kind == ScopeKind.NATIONAL else _mentors(run).with_only_columns(Volunteer.id)
        made_by = (A.mentor_id + 0).label("mentor_id")
        made = (select(made_by, _count_if(A.kind == AssignmentKind.CIC).label("cic"),
                       _count_if(A.kind == AssignmentKind.DIRECT).label("direct"),
                       func.count(A.accepted_at).label("accepted"),
                       _count_if(A.outcome == Outcome.DECLINED).label("declined"),
                       _count_if(A.outcome == Outcome.TIMED_OUT).label("timed_out"),
                       _count_if(A.outcome == Outcome.RETURNED).label("returned"),
                       _count_if(A.outcome == Outcome.REASSIGNED).label("reassigned"))
                .join(mentor_of, mentor_of.id == A.mentor_id + 0))
        in_period = period_where(run, A.assigned_at, mentor_of.chapter_code)
        if in_period is not None:
            made = made.where(in_period)
        if in_scope is not None:
            made = made.where(A.mentor_id.in_(in_scope))
        made = made.group_by(made_by)
        held_by = (S.mentor_id + 0).label("mentor_id")
        sessions = select(held_by, func.count().label("n"), _count_if(S.entered_late).label("late"))
        if in_scope is not None:
            sessions = sessions.where(S.mentor_id.in_(in_scope))
        if run.period.start:
            sessions = sessions.where(S.session_date >= run.period.start)
        if run.period.end:
            sessions = sessions.where(S.session_date <= run.period.end)
        sessions = sessions.group_by(held_by)
        # three small dicts joined here: the database's own join of grouped subqueries is slow
        by_mentor: dict[int, list[int]] = {}
        for columns, at in ((made, 0), (_holding(run, grouped=False), 7), (sessions, 9)):
            for mentor_id, *numbers in session.execute(columns).all():
                by_mentor.setdefault(mentor_id, [0] * 11)[at:at + len(numbers)] = [int(n) for n in numbers]
        query = (_mentors(run, cic_assignments_since(now - rules.WEEK), cic_assignments_in_window(now))
                 .order_by(Volunteer.chapter_code, Volunteer.email))
        rows = []
        for v, tz, last_week, in_window in session.execute(query).all():
            row = _activity_row(run, v, tz, by_mentor.get(v.id, [0] * 11) + [int(last_week)], int(in_window))
            if not flagged or row["follow_up"]:
                rows.append(row)
        return rows


def _activity_row(run: Run, v, tz: str, numbers: list[int], in_window: int) -> dict:
    (cic, direct, accepted, declined, timed_out, returned, reassigned, open_now, awaiting, sessions, late,
     last_week) = numbers
    pause = pause_facts(v, run.today(tz))
    parsed = parse_capacity(v.capacity_text)
    flags = []
    if timed_out >= REPEATED:
        flags.append("repeated_timeouts")
    if declined >= REPEATED:
        flags.append("repeated_declines")
    if pause["long_pause"]:
        flags.append("long_pause")
    follow_up = bool(flags)
    if parsed.warning:
        flags.append("capacity_unknown")
    return {
        "email": v.email, "name": v.name, "chapter": v.chapter_code, "classification": v.classification,
        **run.describe(),
        "cic_assignments": cic, "direct_assignments": direct, "accepted": accepted, "declined": declined,
        "timed_out": timed_out, "returned": returned, "reassigned_away": reassigned,
        "open_now": open_now, "awaiting_acceptance": awaiting, "sessions": sessions, "late_session_notes": late,
        **pause,
        "capacity": v.capacity_text, "capacity_weekly": weekly_rate(v.capacity_assignments, v.capacity_weeks),
        "cic_assignments_last_7_days": last_week,
        "weekly_remaining": capacity_left(v.capacity_assignments, in_window),
        "max_direct_weekly": v.max_direct_weekly, "accept_direct_requests": v.accept_direct_requests,
        "flags": flags, "follow_up": follow_up,
    }


def paused_mentors(store: Store, actor_email: str | None, scope: Scope | None,
                   period: Period | None = None) -> list[dict]:
    with store.reading() as session:
        now = clock.now()
        run = open_run(session, actor_email, scope, period, now, Record.VOLUNTEERS)
        holding = _holding(run)
        query = (_mentors(run, func.coalesce(holding.c.open_now, 0), func.coalesce(holding.c.awaiting, 0))
                 .outerjoin(holding, holding.c.mentor_id == Volunteer.id)
                 .where(and_(Volunteer.pause_from.is_not(None) | Volunteer.pause_until.is_not(None)))
                 .order_by(Volunteer.pause_from, Volunteer.chapter_code, Volunteer.email))
        rows = []
        for v, tz, open_now, awaiting in session.execute(query).all():
            today = run.today(tz)
            if not _overlaps(v, run.period, today):
                continue
            rows.append(_paused_row(run, v, today, int(open_now), int(awaiting)))
        return rows


def _overlaps(v, period: Period, today: date) -> bool:
    if not period.bounded:
        return paused_on(v, today)
    start, until = v.pause_from or date.min, v.pause_until or date.max
    return (period.end is None or start <= period.end) and (period.start is None or until >= period.start)


def _paused_row(run: Run, v, today: date, open_now: int, awaiting: int) -> dict:
    pause = pause_facts(v, today)
    flags, actions = [], []
    if awaiting:
        flags.append("awaiting_acceptance")
        actions.append(f"{awaiting} assignment(s) still awaiting acceptance: return them to the queue"
                       f" (score pause {v.email} --from D --until D --return-pending) or reassign them")
    if v.accept_direct_requests:
        flags.append("direct_requests_on")
        actions.append(f"direct requests are still on during the pause: switch them off"
                       f" (score mentor settings {v.email} --no-accept-direct-requests)")
    if pause["long_pause"]:
        flags.append("long_pause")
        actions.append("paused more than 30 days: the membership chair follows up (should the volunteer"
                       " status be inactive or resigned?)")
    if not actions:
        actions.append(f"back on {v.pause_until + timedelta(days=1)}" if v.pause_until
                       else "no end date: ask when they will be back")
    return {
        "email": v.email, "name": v.name, "chapter": v.chapter_code, "classification": v.classification,
        **run.describe(), **pause, "accept_direct_requests": v.accept_direct_requests,
        "open_requests": open_now, "awaiting_acceptance": awaiting, "flags": flags, "next_action": actions[0],
    }
