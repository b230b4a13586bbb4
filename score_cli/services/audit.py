"""The audit trail: one append-only event for every change."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import insert
from sqlmodel import Session

from score_cli import clock
from score_cli.runner import origin
from score_cli.store.models import AuditEvent


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    request_id: int | None = None,
    volunteer_id: int | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str | None = None,
    detail: dict | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    event = AuditEvent(
        at=at or clock.now(),
        actor=actor,
        action=action,
        request_id=request_id,
        volunteer_id=volunteer_id,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        detail=json.dumps(detail, sort_keys=True, default=str) if detail else None,
        os_user=origin()[0],
        host=origin()[1],
    )
    session.add(event)
    return event


def event_row(*, actor: str, action: str, at: datetime, request_id: int | None = None,
              volunteer_id: int | None = None, from_status: str | None = None, to_status: str | None = None,
              reason: str | None = None, detail: dict | None = None) -> dict:
    """One event as a row for `record_many`, written exactly as `record` writes it."""
    return {"at": at, "actor": actor, "action": action, "request_id": request_id, "volunteer_id": volunteer_id,
            "from_status": from_status, "to_status": to_status, "reason": reason,
            "detail": json.dumps(detail, sort_keys=True, default=str) if detail else None,
            "os_user": origin()[0], "host": origin()[1]}


def record_many(session: Session, rows: list[dict]) -> None:
    """Many events (rows from `event_row`) in one statement, for the set-based writers."""
    if rows:
        session.execute(insert(AuditEvent.__table__), rows)
