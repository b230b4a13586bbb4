"""`score show MRE`: everything about one request, in the shape of SPEC §8."""

from __future__ import annotations

import json
import re
from datetime import datetime

from score_cli.services.organisation import access, permissions
from score_cli.services.organisation.chapters import get_chapter
from score_cli.services.timefmt import local
from score_cli.store.db import Store
from score_cli.store.sql import AT, DAY, FLAG, query
from score_cli.domain.vocabulary import TeamState, request_label

# Plain SQL (store/sql.py): a coordinator looks requests up all day.
_CLIENT = query("SELECT name, phone, business_name, zip FROM client WHERE id = :id")
_CLIENT_EMAILS = query("SELECT email FROM client_email WHERE client_id = :id ORDER BY id")
_TEAM = query("SELECT volunteer_id, referred_by_id, role, state, created_at FROM case_team_member"
              " WHERE request_id = :id ORDER BY id", created_at=AT)
_ASSIGNMENTS = query("SELECT mentor_id, assigned_by_id, kind, assigned_at, accept_due_at, timeout_at, outcome,"
                     " accepted_at, outcome_at FROM assignment WHERE request_id = :id ORDER BY id",
                     assigned_at=AT, accept_due_at=AT, timeout_at=AT, accepted_at=AT, outcome_at=AT)
_NOTES = query("SELECT created_at, author_id, kind, text FROM note WHERE request_id = :id ORDER BY id",
               created_at=AT)
_CONTACTS = query("SELECT at, volunteer_id, method, note FROM contact_attempt WHERE request_id = :id ORDER BY id",
                  at=AT)
_SESSIONS = query("SELECT session_date, mentor_id, minutes, notes, entered_at, entered_late FROM mentoring_session"
                  " WHERE request_id = :id ORDER BY session_date, id", session_date=DAY, entered_at=AT,
                  entered_late=FLAG)
_TRANSFERS = query("SELECT at, from_chapter, to_chapter, to_national_queue, by_id, reason FROM chapter_transfer"
                   " WHERE request_id = :id ORDER BY id", at=AT, to_national_queue=FLAG)
_HISTORY = query("SELECT at, actor, action, from_status, to_status, reason, detail, os_user, host FROM audit_event"
                 " WHERE request_id = :id ORDER BY id", at=AT)
# An instant as the audit detail stores it ("2026-11-20 14:00:00+00:00"): shown in the chapter's zone.
_STORED_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")


def _detail_times(value, tz: str):
    """The audit detail with every stored instant as ISO 8601 in the chapter's zone."""
    if isinstance(value, dict):
        return {k: _detail_times(v, tz) for k, v in value.items()}
    if isinstance(value, list):
        return [_detail_times(v, tz) for v in value]
    if isinstance(value, str) and _STORED_INSTANT.fullmatch(value):
        return local(datetime.fromisoformat(value.replace("Z", "+00:00")), tz)
    return value


_EMAILS = query("SELECT id, email FROM volunteer WHERE id IN :ids", lists=("ids",))


def show(store: Store, actor_email: str | None, request_id: int) -> dict:
    with store.rows() as conn:
        actor = permissions.load_actor(conn, actor_email)
        request = access.read_request(conn, request_id)
        access.require_visible(conn, actor, request)
        return describe(conn, request)


def _emails(conn, ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(conn.execute(_EMAILS, {"ids": sorted(ids)}).all())


def describe(conn, request) -> dict:
    """Everything about `request` (its row); `conn` is a connection or an ORM session."""
    chapter = get_chapter(conn, request.chapter_code)
    tz = chapter.timezone
    of_request = {"id": request.id}
    client = conn.execute(_CLIENT, {"id": request.client_id}).one()
    client_emails = conn.execute(_CLIENT_EMAILS, {"id": request.client_id}).scalars().all()
    team = conn.execute(_TEAM, of_request).all()
    assignments = conn.execute(_ASSIGNMENTS, of_request).all()
    notes = conn.execute(_NOTES, of_request).all()
    contacts = conn.execute(_CONTACTS, of_request).all()
    sessions = conn.execute(_SESSIONS, of_request).all()
    transfers = conn.execute(_TRANSFERS, of_request).all()
    history = conn.execute(_HISTORY, of_request).all()
    who = _emails(conn, {request.owner_id, request.direct_mentor_id}
                  | {t.volunteer_id for t in team} | {t.referred_by_id for t in team}
                  | {a.mentor_id for a in assignments} | {a.assigned_by_id for a in assignments}
                  | {n.author_id for n in notes} | {c.volunteer_id for c in contacts}
                  | {s.mentor_id for s in sessions} | {t.by_id for t in transfers})
    current = next((a for a in reversed(assignments) if a.outcome == "open"), None)
    return {
        "id": request_label(request.id),
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
                     "detail": _detail_times(json.loads(e.detail), tz) if e.detail else None,
                     "ran_by": f"{e.os_user}@{e.host}" if e.os_user else None} for e in history],
    }


def describe_by_id(store: Store, request_id: int) -> dict:
    """The same view without an actor: for commands that run without one (intake)."""
    with store.rows() as conn:
        return describe(conn, access.read_request(conn, request_id))
