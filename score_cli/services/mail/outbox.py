"""Queuing e-mails in the outbox, in the same transaction as the change that causes them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from score_cli import clock
from score_cli.notify.templates import render
from score_cli.store.models import Chapter, District, OutboxMessage, Volunteer, VolunteerRole
from score_cli.domain.vocabulary import Role, ScopeKind, VolunteerStatus


def dedup_key(event: str, request_id: int | None, recipient: str, occurrence: str | int = "") -> str:
    """(event, request, recipient[, occurrence]): the same message is never queued twice."""
    return f"{event}:{request_id or '-'}:{recipient}:{occurrence}"


def message(*, event: str, recipient: str, values: dict, request_id: int | None = None,
            occurrence: str | int = "") -> dict:
    """One outbox row, rendered from its template."""
    subject, body = render(event, values)
    return {
        "created_at": clock.now(),
        "event": event,
        "request_id": request_id,
        "recipient": recipient,
        "subject": subject,
        "body": body,
        "dedup_key": dedup_key(event, request_id, recipient, occurrence),
        "status": "pending",
        "attempts": 0,
    }


def _insert(session: Session):
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(OutboxMessage.__table__).on_conflict_do_nothing(index_elements=["dedup_key"])


def enqueue(
    session: Session,
    *,
    event: str,
    recipient: str,
    values: dict,
    request_id: int | None = None,
    occurrence: str | int = "",
) -> bool:
    """Queue one message; returns False when an identical one was queued before."""
    row = message(event=event, recipient=recipient, values=values, request_id=request_id, occurrence=occurrence)
    statement = _insert(session).values(**row).returning(OutboxMessage.__table__.c.id)
    # RETURNING, not rowcount: on PostgreSQL the driver reports -1 for this statement.
    return session.execute(statement).first() is not None


def enqueue_many(session: Session, rows: list[dict]) -> None:
    """Queue many messages (rows from `message`) in one statement; ones queued before are left out."""
    if rows:
        session.execute(_insert(session), rows)


def queue_watchers(session: Session, chapter, cache: dict | None = None) -> list[str]:
    """Who hears about requests in `chapter`'s intake queue (the national one if it is not live).

    `cache` keeps the answer per queue for the length of a bulk write (an import, a sweep)."""
    queue_chapter = chapter.code if chapter.live else None
    if cache is None:
        return chapter_coordinators(session, queue_chapter)
    if queue_chapter not in cache:
        cache[queue_chapter] = chapter_coordinators(session, queue_chapter)
    return cache[queue_chapter]


def chapter_coordinators(session: Session, chapter_code: str | None) -> list[str]:
    """Who hears about a chapter's queue: its CICs; else the RCICs over it; else the admins.

    `None` is the National Intake Queue, watched by the admins.
    """
    active = Volunteer.status == VolunteerStatus.ACTIVE
    base = select(Volunteer.email).join(VolunteerRole, VolunteerRole.volunteer_id == Volunteer.id).where(active)
    if chapter_code is not None:
        cics = session.execute(base.where(VolunteerRole.role == Role.CIC,
                                          VolunteerRole.scope_kind == ScopeKind.CHAPTER,
                                          VolunteerRole.scope_code == chapter_code)).scalars().all()
        if cics:
            return sorted(set(cics))
        place = session.execute(select(Chapter.district_code, District.region_code)
                                .join(District, Chapter.district_code == District.code)
                                .where(Chapter.code == chapter_code)).first()
        if place is not None:
            rcics = session.execute(base.where(
                VolunteerRole.role == Role.RCIC,
                ((VolunteerRole.scope_kind == ScopeKind.DISTRICT) & (VolunteerRole.scope_code == place[0]))
                | ((VolunteerRole.scope_kind == ScopeKind.REGION) & (VolunteerRole.scope_code == place[1])),
            )).scalars().all()
            if rcics:
                return sorted(set(rcics))
    admins = session.execute(base.where(VolunteerRole.role == Role.ADMIN)).scalars().all()
    return sorted(set(admins))
