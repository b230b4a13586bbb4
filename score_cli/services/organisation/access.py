"""An actor's relations to one request, for the rulebook to judge (`domain.access`, `domain.workflow`).

Plain SQL (`store.sql`), so the quick reads (`show`, `assign --suggest`) check access
without the ORM classes; writers call the same functions inside their transactions.
"""

from __future__ import annotations

from score_cli.domain import access as policy
from score_cli.domain.access import Actor, Record, Relation, Scope
from score_cli.domain.errors import NotFound, Refused
from score_cli.domain.vocabulary import ScopeKind, request_label
from score_cli.domain.workflow import Action, require_actor
from score_cli.services.organisation import permissions
from score_cli.store.sql import AT, FLAG, query

_REQUEST = query(
    "SELECT * FROM mentoring_request WHERE id = :id",
    existing_business=FLAG, client_was_known=FLAG, submitted_at=AT, status_changed_at=AT, closed_at=AT,
    first_assigned_at=AT, first_accepted_at=AT, first_contacted_at=AT, first_session_at=AT)
_TEAM_STATE = query("SELECT state FROM case_team_member WHERE request_id = :request AND volunteer_id = :volunteer"
                    " ORDER BY id DESC LIMIT 1")
_TEAM_RELATION = policy.TEAM_RELATION


def read_request(session, request_id: int):
    """The request's row, to read (writers load the ORM object: `records.load`)."""
    request = session.execute(_REQUEST, {"id": request_id}).first()
    if request is None:
        raise NotFound(f"no request {request_label(request_id)}")
    return request


def team_state(session, request_id: int, volunteer_id: int) -> str | None:
    """The state of the volunteer's latest place on the case team, if any."""
    return session.execute(_TEAM_STATE, {"request": request_id, "volunteer": volunteer_id}).scalar()


def relations(session, actor: Actor, request) -> frozenset[Relation]:
    """How `actor` stands to `request`: coordinator of its chapter, owner, team member, referred."""
    found = set()
    if policy.may(actor, "request.coordinate", permissions.place_of(session, request.chapter_code)):
        found.add(Relation.COORDINATOR)
    if request.owner_id == actor.id:
        found.add(Relation.OWNER)
    team = _TEAM_RELATION.get(team_state(session, request.id, actor.id))
    if team is not None:
        found.add(team)
    return frozenset(found)


def require(session, actor: Actor, request, action: Action) -> frozenset[Relation]:
    """Refuse unless the transition table lets the actor take `action` on `request`; returns
    the actor's relations, for the guards that depend on them (e.g. --force)."""
    found = relations(session, actor, request)
    require_actor(action, actor, found, request_label(request.id))
    return found


def works_on(session, actor: Actor, request) -> bool:
    """The owner, or a case team member who accepted the referral."""
    return bool(relations(session, actor, request) & {Relation.OWNER, Relation.TEAM})


def may_see(session, actor: Actor, request) -> bool:
    """Those who may see requests and clients of its chapter, and everyone related to it."""
    place = permissions.place_of(session, request.chapter_code)
    if policy.may_read(actor, Record.REQUESTS, place):
        return True
    return bool(relations(session, actor, request) & policy.SEES_REQUEST)


def require_visible(session, actor: Actor, request) -> None:
    if not may_see(session, actor, request):
        raise Refused(f"{actor.email} may not see {request_label(request.id)}: only those who see requests of"
                      f" {request.chapter_code} ({policy.reading_rule(Record.REQUESTS)}), its owner and its"
                      " case team may")


def require_reads_chapter(session, actor: Actor, record: Record, chapter_code: str) -> None:
    """A record of one chapter (a volunteer, a message) is shown only to those who see that chapter's."""
    policy.require_read(actor, record, Scope(ScopeKind.CHAPTER, chapter_code),
                        permissions.place_of(session, chapter_code))
