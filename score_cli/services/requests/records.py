"""Reading and changing one request: the single path every workflow change goes through.

A change is a conditional UPDATE on the version the caller read, plus its audit event, in
the caller's transaction: two writers that read the same version cannot both win. Who may
see or work on a request is `access`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, literal, select, update
from sqlmodel import Session

from score_cli import clock
from score_cli.services import audit
from score_cli.domain.errors import Conflict, NotFound
from score_cli.store.models import CaseTeamMember, Client, MentoringRequest
from score_cli.domain.vocabulary import CLOSED_STATUSES, Status
from score_cli.domain.vocabulary import request_label as label

MILESTONES = ("first_assigned_at", "first_accepted_at", "first_contacted_at", "first_session_at")


def load(session: Session, request_id: int) -> MentoringRequest:
    request = session.get(MentoringRequest, request_id)
    if request is None:
        raise NotFound(f"no request {label(request_id)}")
    return request


def client_name(session: Session, request: MentoringRequest) -> str:
    return session.get(Client, request.client_id).name


def change(
    session: Session,
    request: MentoringRequest,
    *,
    actor: str,
    action: str,
    to_status: Status | None = None,
    reason: str | None = None,
    detail: dict | None = None,
    milestone: str | None = None,
    at: datetime | None = None,
    **values,
) -> None:
    """Apply one change to `request` if nobody changed it since it was read, and audit it."""
    at = at or clock.now()
    from_status = request.status
    values = dict(values)
    if to_status is not None and to_status != from_status:
        values["status"] = str(to_status)
        values["status_changed_at"] = at
        if to_status in CLOSED_STATUSES:
            values["closed_at"] = at
    assignments = dict(values)
    if milestone is not None:
        if milestone not in MILESTONES:
            raise ValueError(milestone)
        column = getattr(MentoringRequest, milestone)
        # the literal typed as the column, so that SQLite stores it in the column's own format
        assignments[milestone] = func.coalesce(column, literal(at, column.type))
    result = session.execute(
        update(MentoringRequest)
        .where(MentoringRequest.id == request.id, MentoringRequest.version == request.version)
        .values(version=MentoringRequest.version + 1, **assignments)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(f"{label(request.id)} changed since you looked: show it again and retry")
    for key, value in values.items():
        setattr(request, key, value)
    if milestone is not None and getattr(request, milestone) is None:
        setattr(request, milestone, at)
    request.version += 1
    session.expunge(request)  # the row was written directly; keep the ORM from writing it again
    audit.record(
        session,
        actor=actor,
        action=action,
        request_id=request.id,
        from_status=from_status,
        to_status=str(to_status) if to_status is not None else from_status,
        reason=reason,
        detail=detail,
        at=at,
    )


def team_entry(session: Session, request_id: int, volunteer_id: int) -> CaseTeamMember | None:
    """The volunteer's latest place on the case team, if any."""
    return session.execute(
        select(CaseTeamMember)
        .where(CaseTeamMember.request_id == request_id, CaseTeamMember.volunteer_id == volunteer_id)
        .order_by(CaseTeamMember.id.desc())
        .limit(1)
    ).scalar()
