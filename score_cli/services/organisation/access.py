"""Who may see or work on a request: coordinators in scope, its owner, its case team.

Plain SQL (`store.sql`), so the quick reads (`show`, `assign --suggest`) check access
without the ORM classes; writers call the same functions inside their transactions.
"""

from __future__ import annotations

from score_cli.services.organisation import permissions
from score_cli.domain.errors import NotFound, Refused
from score_cli.services.organisation.permissions import Actor
from score_cli.store.sql import AT, FLAG, query
from score_cli.domain.vocabulary import TeamState, request_label

_REQUEST = query(
    "SELECT * FROM mentoring_request WHERE id = :id",
    existing_business=FLAG, client_was_known=FLAG, submitted_at=AT, status_changed_at=AT, closed_at=AT,
    first_assigned_at=AT, first_accepted_at=AT, first_contacted_at=AT, first_session_at=AT)
_TEAM_STATE = query("SELECT state FROM case_team_member WHERE request_id = :request AND volunteer_id = :volunteer"
                    " ORDER BY id DESC LIMIT 1")


def read_request(session, request_id: int):
    """The request's row, to read (writers load the ORM object: `requests.load`)."""
    request = session.execute(_REQUEST, {"id": request_id}).first()
    if request is None:
        raise NotFound(f"no request {request_label(request_id)}")
    return request


def team_state(session, request_id: int, volunteer_id: int) -> str | None:
    """The state of the volunteer's latest place on the case team, if any."""
    return session.execute(_TEAM_STATE, {"request": request_id, "volunteer": volunteer_id}).scalar()


def coordinates(session, actor: Actor, request) -> bool:
    return permissions.may(actor, "request.coordinate", permissions.place_of(session, request.chapter_code))


def require_coordinator(session, actor: Actor, request) -> None:
    permissions.require(actor, "request.coordinate", permissions.place_of(session, request.chapter_code))


def works_on(session, actor: Actor, request) -> bool:
    """The owner, or a case team member who accepted the referral."""
    if request.owner_id == actor.id:
        return True
    return team_state(session, request.id, actor.id) == TeamState.ACCEPTED


def require_mentor_access(session, actor: Actor, request, what: str) -> None:
    if not works_on(session, actor, request):
        raise Refused(
            f"{actor.email} may not {what} {request_label(request.id)}: only its owner or an accepted"
            " case team member may"
        )


def require_visible(session, actor: Actor, request) -> None:
    if not may_see(session, actor, request):
        raise Refused(f"{actor.email} may not see {request_label(request.id)}: only coordinators in scope,"
                      " its owner and its case team may")


def may_see(session, actor: Actor, request) -> bool:
    """Coordinators in scope, the owner, and team members who have not declined."""
    if coordinates(session, actor, request) or request.owner_id == actor.id:
        return True
    return team_state(session, request.id, actor.id) in (TeamState.ACCEPTED, TeamState.PENDING)
