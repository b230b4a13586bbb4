"""`score show MRE`: everything about one request, in the shape of SPEC §8."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlmodel import Session

from score_cli.services import permissions, requests
from score_cli.services.organisation import get_chapter
from score_cli.services.timefmt import local
from score_cli.store.db import Store
from score_cli.store.models import (Assignment, AuditEvent, CaseTeamMember, ChapterTransfer, Client,
                                    ClientEmail, ContactAttempt, MentoringSession, Note, Volunteer)
from score_cli.vocabulary import TeamState


def show(store: Store, actor_email: str | None, request_id: int) -> dict:
    with store.reading() as session:
        actor = permissions.load_actor(session, actor_email)
        request = requests.load(session, request_id)
        requests.require_visible(session, actor, request)
        return describe(session, request)


def _emails(session: Session, ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Volunteer.id, Volunteer.email).where(Volunteer.id.in_(ids))).all())


def describe(session: Session, request) -> dict:
    chapter = get_chapter(session, request.chapter_code)
    tz = chapter.timezone
    client = session.get(Client, request.client_id)
    client_emails = session.execute(select(ClientEmail.email).where(ClientEmail.client_id == client.id)
                                    .order_by(ClientEmail.id)).scalars().all()
    team = session.execute(select(CaseTeamMember).where(CaseTeamMember.request_id == request.id)
                           .order_by(CaseTeamMember.id)).scalars().all()
    assignments = session.execute(select(Assignment).where(Assignment.request_id == request.id)
                                  .order_by(Assignment.id)).scalars().all()
    notes = session.execute(select(Note).where(Note.request_id == request.id).order_by(Note.id)).scalars().all()
    contacts = session.execute(select(ContactAttempt).where(ContactAttempt.request_id == request.id)
                               .order_by(ContactAttempt.id)).scalars().all()
    sessions = session.execute(select(MentoringSession).where(MentoringSession.request_id == request.id)
                               .order_by(MentoringSession.session_date, MentoringSession.id)).scalars().all()
    transfers = session.execute(select(ChapterTransfer).where(ChapterTransfer.request_id == request.id)
                                .order_by(ChapterTransfer.id)).scalars().all()
    history = session.execute(select(AuditEvent).where(AuditEvent.request_id == request.id)
                              .order_by(AuditEvent.id)).scalars().all()
    who = _emails(session, {request.owner_id, request.direct_mentor_id}
                  | {t.volunteer_id for t in team} | {t.referred_by_id for t in team}
                  | {a.mentor_id for a in assignments} | {a.assigned_by_id for a in assignments}
                  | {n.author_id for n in notes} | {c.volunteer_id for c in contacts}
                  | {s.mentor_id for s in sessions} | {t.by_id for t in transfers})
    current = next((a for a in reversed(assignments) if a.outcome == "open"), None)
    return {
        "id": requests.label(request.id),
        "number": request.id,
        "status": request.status,
        "chapter": request.chapter_code,
        "chapter_time_zone": tz,
        "owner": who.get(request.owner_id),
        "queue": request.queue,
        "client": {
            "name": client.name,
            "emails": list(client_emails),
            "phone": client.phone,
            "business": client.business_name,
            "zip": client.zip,
            "existing_client": request.client_was_known,
        },
        "question": request.question,
        "mentoring_area": request.mentoring_area,
        "business_type": request.business_type,
        "existing_business": request.existing_business,
        "origin_url": request.origin_url,
        "direct_request_to": who.get(request.direct_mentor_id),
        "submitted_at": local(request.submitted_at, tz),
        "accept_due_at": local(current.accept_due_at, tz) if current else None,
        "timeout_at": local(current.timeout_at, tz) if current else None,
        "closed_at": local(request.closed_at, tz),
        "version": request.version,
        "case_team": [
            {"email": who.get(t.volunteer_id), "role": t.role, "state": t.state,
             "referred_by": who.get(t.referred_by_id), "since": local(t.created_at, tz)}
            for t in team if t.state in (TeamState.PENDING, TeamState.ACCEPTED)
        ],
        "assignments": [
            {"mentor": who.get(a.mentor_id), "kind": a.kind, "assigned_by": who.get(a.assigned_by_id),
             "assigned_at": local(a.assigned_at, tz), "accept_due_at": local(a.accept_due_at, tz),
             "timeout_at": local(a.timeout_at, tz), "outcome": a.outcome,
             "accepted_at": local(a.accepted_at, tz), "outcome_at": local(a.outcome_at, tz)}
            for a in assignments
        ],
        "notes": [{"at": local(n.created_at, tz), "author": who.get(n.author_id) or "system", "kind": n.kind,
                   "text": n.text} for n in notes],
        "contact_attempts": [{"at": local(c.at, tz), "by": who.get(c.volunteer_id), "method": c.method,
                              "note": c.note} for c in contacts],
        "sessions": [{"date": s.session_date, "mentor": who.get(s.mentor_id), "minutes": s.minutes,
                      "notes": s.notes, "entered_at": local(s.entered_at, tz), "late": s.entered_late}
                     for s in sessions],
        "transfers": [{"at": local(t.at, tz), "from": t.from_chapter, "to": t.to_chapter,
                       "national_queue": t.to_national_queue, "by": who.get(t.by_id), "reason": t.reason}
                      for t in transfers],
        "history": [{"at": local(e.at, tz), "actor": e.actor, "action": e.action, "from_status": e.from_status,
                     "to_status": e.to_status, "reason": e.reason,
                     "detail": json.loads(e.detail) if e.detail else None} for e in history],
    }


def describe_by_id(store: Store, request_id: int) -> dict:
    """The same view without an actor: for commands that run without one (intake)."""
    with store.reading() as session:
        return describe(session, requests.load(session, request_id))
