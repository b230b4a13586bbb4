"""The outbox seen from the command line: listing messages, and the waiting-clients e-mail."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, true
from sqlmodel import Session

from score_cli import clock
from score_cli.domain import calendar
from score_cli.services.mail import outbox
from score_cli.domain import access
from score_cli.domain.access import MINE, TASKS, Record, Scope, own_scope
from score_cli.domain.errors import Invalid, Refused
from score_cli.services.organisation import permissions
from score_cli.services.organisation.scope import chapter_filter, place_of_scope, resolve
from score_cli.domain.vocabulary import request_label as label
from score_cli.store.db import Store
from score_cli.services.timefmt import local
from score_cli.store.models import Chapter, Client, ClientEmail, MentoringRequest, OutboxMessage, Volunteer
from score_cli.domain.vocabulary import QUEUED_STATUSES, MessageStatus

WAITING_EVENT = "waiting_client"


def _message_row(m: OutboxMessage, tz: str) -> dict:
    return {"id": m.id, "status": m.status, "event": m.event,
            "request": label(m.request_id) if m.request_id else None, "recipient": m.recipient,
            "subject": m.subject, "attempts": m.attempts, "last_error": m.last_error,
            "created_at": local(m.created_at, tz), "next_attempt_at": local(m.next_attempt_at, tz),
            "sent_at": local(m.sent_at, tz)}


def list_messages(store: Store, actor_email: str | None, scope: Scope | None, *, status: str | None = None,
                  limit: int = 100) -> list[dict]:
    """The newest messages first, optionally only those in one status. A message belongs to its
    request's chapter, or (with no request) to its volunteer recipient's; `--mine`: one's own mail.
    Times are in that chapter's zone."""
    if limit < 1:
        raise Invalid("--limit must be at least 1")
    query = (select(OutboxMessage).outerjoin(MentoringRequest, MentoringRequest.id == OutboxMessage.request_id)
             .outerjoin(Volunteer, Volunteer.email == OutboxMessage.recipient)
             .order_by(OutboxMessage.id.desc()).limit(limit))
    if status is not None:
        query = query.where(OutboxMessage.status == MessageStatus(status))
    with store.reading() as session:
        actor = permissions.load_actor(session, actor_email)
        scope = resolve(session, actor, scope, Record.MESSAGES)
        if scope.kind == MINE:
            query = query.where(OutboxMessage.recipient == actor.email)
        else:
            where = chapter_filter(scope, func.coalesce(MentoringRequest.chapter_code, Volunteer.chapter_code))
            query = query if where is None else query.where(where)
        messages = session.execute(query).scalars().all()
        by_request = dict(session.execute(
            select(MentoringRequest.id, Chapter.timezone).join(Chapter, Chapter.code == MentoringRequest.chapter_code)
            .where(MentoringRequest.id.in_({m.request_id for m in messages if m.request_id}))).all())
        by_recipient = dict(session.execute(
            select(Volunteer.email, Chapter.timezone).join(Chapter, Chapter.code == Volunteer.chapter_code)
            .where(Volunteer.email.in_({m.recipient for m in messages if not m.request_id}))).all())
        return [_message_row(m, by_request.get(m.request_id) or by_recipient.get(m.recipient) or "UTC")
                for m in messages]


def _first_email(session: Session, client_id: int) -> str | None:
    return session.execute(select(ClientEmail.email).where(ClientEmail.client_id == client_id)
                           .order_by(ClientEmail.id).limit(1)).scalar()


def waiting_clients(store: Store, actor_email: str | None, scope: Scope | None, older_than: int, *,
                    dry_run: bool = False) -> list[dict]:
    """Queue SPEC §7's "still finding you a mentor" e-mail to clients waiting in an intake
    queue more than `older_than` business days (of the request's chapter) since submission,
    in the scope (by default the actor's own) where the actor may mail waiting clients.

    Once per request and address: a rerun queues nothing new (`queued` is then false).
    """
    if older_than < 0:
        raise Invalid("--older-than must be 0 or more business days")
    now = clock.now()
    # More than N business days since submission means more than N calendar days too: the
    # (status, submitted_at) index narrows the search before the calendar is consulted.
    cutoff = now - timedelta(days=older_than)
    rows: list[dict] = []
    with (store.reading() if dry_run else store.transaction()) as session:
        actor = permissions.load_actor(session, actor_email)
        scope = scope or own_scope(actor, Record.REQUESTS)
        if scope.kind == MINE:
            raise Refused(f"{actor.email} may not mail waiting clients: {TASKS['clients.mail'].rule}")
        access.require(actor, "clients.mail", place_of_scope(session, scope))
        where = chapter_filter(scope, MentoringRequest.chapter_code)
        chapters: dict[str, Chapter] = {}
        found = session.execute(
            select(MentoringRequest.id, MentoringRequest.chapter_code, MentoringRequest.status,
                   MentoringRequest.submitted_at, MentoringRequest.queue, Client.id, Client.name)
            .join(Client, Client.id == MentoringRequest.client_id)
            .where(MentoringRequest.status.in_(sorted(QUEUED_STATUSES)), MentoringRequest.submitted_at < cutoff)
            .where(true() if where is None else where)
            .order_by(MentoringRequest.submitted_at, MentoringRequest.id)).all()
        for request_id, code, status, submitted_at, queue, client_id, client_name in found:
            chapter = chapters.get(code) or chapters.setdefault(code, session.get(Chapter, code))
            waited = calendar.business_days_between(submitted_at, now, chapter)
            if waited <= older_than:
                continue
            recipient = _first_email(session, client_id)
            if recipient is None:
                continue
            queued = _queue_waiting(session, request_id, recipient, client_name, dry_run=dry_run)
            rows.append({"id": label(request_id), "chapter": code, "queue": queue, "status": status,
                         "submitted_at": local(submitted_at, chapter.timezone), "business_days_waiting": waited,
                         "recipient": recipient, "queued": queued})
    return rows


def _queue_waiting(session: Session, request_id: int, recipient: str, client_name: str, *, dry_run: bool) -> bool:
    if dry_run:
        key = outbox.dedup_key(WAITING_EVENT, request_id, recipient)
        return session.execute(select(OutboxMessage.id).where(OutboxMessage.dedup_key == key)).first() is None
    return outbox.enqueue(session, event=WAITING_EVENT, recipient=recipient, request_id=request_id,
                          values={"client_name": client_name, "request": label(request_id)})

