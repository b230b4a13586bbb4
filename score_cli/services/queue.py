"""The Client Intake Queue: open requests not yet in progress, oldest first (SPEC §4, issue 3)."""

from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from score_cli import calendar, clock
from score_cli.services import permissions, validate
from score_cli.services.errors import Invalid
from score_cli.services.scope import Scope, chapter_filter, check_exists, default_for
from score_cli.services.timefmt import local
from score_cli.store.db import Store
from score_cli.store.models import Assignment, Chapter, Client, MentoringRequest, Volunteer
from score_cli.vocabulary import QUEUED_STATUSES, Status

# The request stays in the intake queue until a session is recorded.
IN_QUEUE = (Status.NEW, Status.PENDING_REASSIGNMENT, Status.ASSIGNED, Status.ACCEPTED, Status.CONTACTED)


def list_queue(store: Store, actor_email: str | None, scope: Scope | None, *, stage: str | None = None,
               overdue: bool = False, unassigned: bool = False, limit: int | None = None) -> list[dict]:
    statuses = list(IN_QUEUE)
    if stage is not None:
        statuses = [Status(validate.choice(stage, IN_QUEUE, what="--stage"))]
    if unassigned:
        statuses = [s for s in statuses if s in QUEUED_STATUSES]
    now = clock.now()
    with store.reading() as session:
        actor = permissions.load_actor(session, actor_email) if actor_email else None
        scope = scope or default_for(actor)
        owner = aliased(Volunteer)
        current = aliased(Assignment)
        query = (
            select(MentoringRequest.id, MentoringRequest.status, MentoringRequest.chapter_code,
                   MentoringRequest.queue, MentoringRequest.submitted_at, MentoringRequest.status_changed_at,
                   MentoringRequest.mentoring_area, MentoringRequest.client_was_known, Client.name,
                   owner.email, current.accept_due_at, current.timeout_at,
                   Chapter.timezone, Chapter.state)
            .join(Client, Client.id == MentoringRequest.client_id)
            .join(Chapter, Chapter.code == MentoringRequest.chapter_code)
            .outerjoin(owner, owner.id == MentoringRequest.owner_id)
            .outerjoin(current, and_(current.request_id == MentoringRequest.id, current.outcome == "open"))
            .where(MentoringRequest.status.in_([str(s) for s in statuses]))
            .order_by(MentoringRequest.submitted_at, MentoringRequest.id)
        )
        if scope.kind == "mine":
            if actor is None:
                raise Invalid("--mine needs --as EMAIL")
            query = query.where(MentoringRequest.owner_id == actor.id)
        else:
            check_exists(session, scope)
            where = chapter_filter(scope, MentoringRequest.chapter_code)
            if where is not None:
                query = query.where(where)
        if overdue:
            query = query.where(current.accept_due_at < now)
        if limit:
            query = query.limit(limit)
        rows = session.execute(query).all()
    calendars: dict[str, calendar.BusinessCalendar] = {}  # a national queue spans many chapters
    return [_row(r, now, calendars) for r in rows]


class _ChapterRef:
    __slots__ = ("code", "timezone", "state")

    def __init__(self, code, timezone, state):
        self.code, self.timezone, self.state = code, timezone, state


def _row(r, now, calendars: dict) -> dict:
    (number, status, chapter_code, queue, submitted, changed, area, known, client, owner_email,
     accept_due, timeout, tz, state) = r
    days = calendars.get(chapter_code)
    if days is None:
        days = calendars[chapter_code] = calendar.calendar_for(_ChapterRef(chapter_code, tz, state))
    return {
        "id": f"MRE-{number}",
        "status": status,
        "chapter": chapter_code,
        "queue": queue,
        "client": client,
        "client_kind": "existing" if known else "new",
        "area": area,
        "submitted_at": local(submitted, tz),
        "business_days_waiting": days.business_days_between(submitted, now),
        "business_days_in_stage": days.business_days_between(changed, now),
        "owner": owner_email,
        "accept_due_at": local(accept_due, tz),
        "accept_overdue": bool(accept_due and accept_due < now),
        "timeout_at": local(timeout, tz),
        "timed_out": bool(timeout and timeout < now),
    }
