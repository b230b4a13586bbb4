"""`score client merge KEEP OTHER`: one client record where the website made two.

The other record's e-mails move to the kept one, its phone, business name and ZIP fill
the kept record's empty fields (the kept record's values win), its requests are repointed
(each with an event in its history) and the other record is removed. One transaction, one
summary audit event that keeps everything the removed record held.

Who may: a coordinator (CIC, RCIC or admin) covering the chapters of every request of
both clients; for clients without requests, any coordinator.
"""

from __future__ import annotations

from score_cli.domain.access import TASKS

from sqlalchemy import delete, select, update
from sqlmodel import Session

from score_cli import clock
from score_cli.services import audit, validate
from score_cli.services.requests import records
from score_cli.services.organisation import permissions
from score_cli.domain.errors import Invalid, NotFound, Refused
from score_cli.store.db import Store
from score_cli.store.models import Client, ClientEmail, MentoringRequest

ACTION = "client_merge"
FILLABLE = (("phone", "phone"), ("business_name", "business"), ("zip", "zip"))


def find_client(session: Session, text: str, *, what: str) -> Client:
    """A client by id (`42`) or by any of its e-mails."""
    cleaned = (text or "").strip()
    if cleaned.isdigit():
        client = session.get(Client, int(cleaned)) if validate.is_record_id(cleaned) else None
        if client is None:
            raise NotFound(f"no client with id {cleaned if len(cleaned) <= 20 else cleaned[:20] + '…'} ({what})")
        return client
    if "@" not in cleaned:
        raise Invalid(f"{what} must be a client id or one of the client's e-mails, not {validate.shown(text)}")
    address = validate.email(cleaned, what=f"{what} e-mail")
    client_id = session.execute(select(ClientEmail.client_id).where(ClientEmail.email == address)).scalar()
    if client_id is None:
        raise NotFound(f"no client with e-mail {address} ({what})")
    return session.get(Client, client_id)


def merge(store: Store, actor_email: str | None, keep: str, other: str) -> dict:
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        kept = find_client(session, keep, what="KEEP")
        gone = find_client(session, other, what="OTHER")
        if kept.id == gone.id:
            raise Invalid(f"KEEP and OTHER are the same client (id {kept.id})")
        involved = session.execute(
            select(MentoringRequest).where(MentoringRequest.client_id.in_([kept.id, gone.id]))
            .order_by(MentoringRequest.id)
        ).scalars().all()
        _require_coordinator(session, actor, {r.chapter_code for r in involved})
        now = clock.now()
        emails = {c: session.execute(select(ClientEmail.email).where(ClientEmail.client_id == c)
                                     .order_by(ClientEmail.id)).scalars().all() for c in (kept.id, gone.id)}
        filled = {column: getattr(gone, column) for column, _ in FILLABLE
                  if not getattr(kept, column) and getattr(gone, column)}
        removed = {"id": gone.id, "name": gone.name, "phone": gone.phone, "business": gone.business_name,
                   "zip": gone.zip, "emails": emails[gone.id]}
        session.execute(update(ClientEmail).where(ClientEmail.client_id == gone.id)
                        .values(client_id=kept.id).execution_options(synchronize_session=False))
        if filled:
            session.execute(update(Client).where(Client.id == kept.id).values(**filled)
                            .execution_options(synchronize_session=False))
        why = f"client {gone.id} ({gone.name}) merged into client {kept.id} ({kept.name})"
        moved = [r for r in involved if r.client_id == gone.id]
        for request in moved:
            records.change(session, request, actor=actor.email, action=ACTION, reason=why, at=now,
                            detail={"from_client": gone.id, "to_client": kept.id}, client_id=kept.id)
        session.expunge(gone)
        session.execute(delete(Client).where(Client.id == gone.id))
        audit.record(session, actor=actor.email, action=ACTION, reason=why, at=now,
                     detail={"kept_client": kept.id, "removed_client": removed,
                             "moved_requests": [records.label(r.id) for r in moved],
                             "filled": {dict(FILLABLE)[k]: v for k, v in filled.items()}})
        return {
            "client_id": kept.id,
            "name": kept.name,
            "emails": emails[kept.id] + emails[gone.id],
            "phone": filled.get("phone", kept.phone),
            "business": filled.get("business_name", kept.business_name),
            "zip": filled.get("zip", kept.zip),
            "requests": [records.label(r.id) for r in involved],
            "merged_client_id": gone.id,
            "moved_emails": emails[gone.id],
            "moved_requests": [records.label(r.id) for r in moved],
            "filled": sorted(dict(FILLABLE)[k] for k in filled),
        }


def _require_coordinator(session: Session, actor: permissions.Actor, chapters: set[str]) -> None:
    if not chapters:
        if not actor.has_role(*TASKS["request.coordinate"].roles):
            raise Refused(f"{actor.email} may not merge clients: {TASKS['request.coordinate'].rule}")
        return
    outside = sorted(c for c in chapters
                     if not permissions.may(actor, "request.coordinate", permissions.place_of(session, c)))
    if outside:
        raise Refused(f"{actor.email} may not merge these clients: they have requests in {', '.join(outside)},"
                      " and merging needs a CIC, RCIC or admin covering the chapters of all their requests")
