"""Who may read and write what (SPEC §8, and the "who" column of §4), as data.

Two kinds of rule, both answered here without the store:
- reach: which roles see a kind of record, or may do an organisational task, in the places
  their grants cover (a chapter grant covers that chapter; a district grant its chapters; a
  region grant its districts and chapters; a national grant everything);
- relation: who may act on one request: a coordinator of its chapter, its owner, an accepted
  case team member, the mentor it was referred to (see `workflow.TRANSITIONS`).
The services find the actor's grants, the place and the relations, and ask here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from score_cli.domain.errors import Refused
from score_cli.domain.vocabulary import Role, ScopeKind, TeamState

MINE = "mine"  # a listing of one's own requests (or one's own record)


@dataclass(frozen=True)
class Grant:
    role: str
    scope_kind: str
    scope_code: str
    # the district of a chapter grant's chapter, when read from the store (the national queue rule)
    district: str = field(default="", compare=False)

    def label(self) -> str:
        if self.scope_kind == ScopeKind.NATIONAL:
            return f"{self.role} (national)"
        return f"{self.role} ({self.scope_kind} {self.scope_code})"


@dataclass(frozen=True)
class Place:
    """Where a chapter, or a whole district or region, sits: the parts below the level are ""."""

    chapter: str = ""
    district: str = ""
    region: str = ""
    live: bool = True  # a chapter that is not live has its requests in the National Intake Queue


@dataclass(frozen=True)
class Actor:
    id: int
    email: str
    name: str
    chapter_code: str
    grants: tuple[Grant, ...]

    def has_role(self, *roles: str) -> bool:
        return any(g.role in roles for g in self.grants)


@dataclass(frozen=True)
class Scope:
    kind: str  # chapter | district | region | national | mine
    code: str = ""

    def label(self) -> str:
        return self.kind if not self.code else f"{self.kind} {self.code}"


# --- reach: records and tasks, by role, over the places a grant covers ----------------


class Record(StrEnum):
    REQUESTS = "requests"  # requests and their clients: personal data
    VOLUNTEERS = "volunteers"  # the directory, mentors' settings, pauses and activity
    MESSAGES = "messages"  # the outbox: client names and addresses inside


COORDINATORS = frozenset({Role.ADMIN, Role.RCIC, Role.CIC})

# Which roles see each kind of record in the places their grants cover. Besides these, anyone
# sees their own requests (`--mine`: owned or on the case team) and their own record.
READERS: dict[Record, frozenset[str]] = {
    Record.REQUESTS: COORDINATORS | {Role.CHAPTER_MANAGER},
    Record.VOLUNTEERS: COORDINATORS | {Role.CHAPTER_MANAGER, Role.MEMBERSHIP_CHAIR},
    Record.MESSAGES: COORDINATORS | {Role.CHAPTER_MANAGER},
}
RECORD_WORDS = {
    Record.REQUESTS: "requests and their clients",
    Record.VOLUNTEERS: "volunteers",
    Record.MESSAGES: "the outbox",
}


@dataclass(frozen=True)
class Task:
    roles: frozenset[str]
    rule: str  # the sentence a refusal names


# Organisational tasks, done in a place (the request's, the volunteer's or the scope's chapter).
TASKS: dict[str, Task] = {
    "request.coordinate": Task(COORDINATORS, "coordinating requests needs the CIC role for the request's chapter"
                                             " (or RCIC for its district or region, or admin)"),
    "clients.mail": Task(COORDINATORS, "mailing waiting clients needs the CIC role for their chapter"
                                       " (or RCIC for its district or region, or admin)"),
    "volunteer.manage": Task(frozenset({Role.ADMIN, Role.CHAPTER_MANAGER, Role.MEMBERSHIP_CHAIR}),
                             "managing volunteers needs the admin role, or chapter manager or membership chair"
                             " of the volunteer's chapter"),
    "role.grant.cic": Task(frozenset({Role.ADMIN, Role.CHAPTER_MANAGER}),
                           "granting or revoking the CIC role needs the admin role or the chapter manager"
                           " of that chapter"),
    "role.grant": Task(frozenset({Role.ADMIN}), "granting or revoking this role needs the admin role"),
    "login.manage": Task(frozenset({Role.ADMIN}), "managing people's database logins needs the admin role"),
    "mentor.settings": Task(COORDINATORS | {Role.CHAPTER_MANAGER, Role.MEMBERSHIP_CHAIR},
                            "changing another mentor's settings needs the CIC, chapter manager or membership"
                            " chair role for the mentor's chapter"),
}


def covers(grant: Grant, place: Place) -> bool:
    """Does the grant reach the whole of `place` (a chapter, or a district or region)?"""
    match grant.scope_kind:
        case ScopeKind.NATIONAL:
            return True
        case ScopeKind.REGION:
            return bool(place.region) and grant.scope_code == place.region
        case ScopeKind.DISTRICT:
            return bool(place.district) and grant.scope_code == place.district
        case ScopeKind.CHAPTER:
            return bool(place.chapter) and grant.scope_code == place.chapter
    return False


def holds(actor: Actor, roles: frozenset[str], place: Place) -> bool:
    return any(g.role in roles and covers(g, place) for g in actor.grants)


def may(actor: Actor, task: str, place: Place) -> bool:
    return holds(actor, TASKS[task].roles, place)


def require(actor: Actor, task: str, place: Place) -> None:
    if not may(actor, task, place):
        where = f"chapter {place.chapter}" if place.chapter else "that scope"
        raise Refused(f"{actor.email} may not do this in {where}: {TASKS[task].rule}")


# SPEC §8: a CIC also sees the National Intake Queue of their own district's chapters that are
# not live: every request of such a chapter entered through that queue, none through a chapter's.
NATIONAL_QUEUE_READERS = frozenset({Role.CIC})
NATIONAL_QUEUE_RULE = ("a CIC also sees the requests of their district's chapters that are not live"
                       " (the National Intake Queue)")


def reads_national_queue(actor: Actor, place: Place) -> bool:
    """Is `place` a chapter that is not live, in the district of a chapter the actor is CIC of?"""
    if place.live or not place.chapter or not place.district:
        return False
    return any(g.role in NATIONAL_QUEUE_READERS and g.scope_kind == ScopeKind.CHAPTER
               and g.district == place.district for g in actor.grants)


def may_read(actor: Actor, record: Record, place: Place) -> bool:
    if holds(actor, READERS[record], place):
        return True
    return record == Record.REQUESTS and reads_national_queue(actor, place)


_WIDEST_FIRST = (ScopeKind.NATIONAL, ScopeKind.REGION, ScopeKind.DISTRICT, ScopeKind.CHAPTER)


def own_scope(actor: Actor, record: Record) -> Scope:
    """The scope a listing of `record` shows when none is named: the widest place the actor's
    reading grants cover; else their own requests (or, for volunteers, their own record)."""
    readers = READERS[record]
    for kind in _WIDEST_FIRST:
        for grant in actor.grants:
            if grant.role in readers and grant.scope_kind == kind:
                return Scope(kind, grant.scope_code)
    return Scope(MINE)


def reading_rule(record: Record) -> str:
    roles = ", ".join(sorted(READERS[record]))
    national = f"; {NATIONAL_QUEUE_RULE}" if record == Record.REQUESTS else ""
    return (f"{RECORD_WORDS[record]} of a chapter, district or region are shown to the {roles} roles"
            f" covering it{national}; anyone may list their own with --mine")


def require_read(actor: Actor, record: Record, scope: Scope, place: Place) -> None:
    """A scope outside the actor's reach is refused, never silently narrowed."""
    if scope.kind == MINE or may_read(actor, record, place):
        return
    raise Refused(f"{actor.email} may not see {RECORD_WORDS[record]} of {scope.label()}: {reading_rule(record)}")


# --- relation: who may act on one request ---------------------------------------------


class Relation(StrEnum):
    COORDINATOR = "coordinator"  # CIC of its chapter, RCIC of its district or region, admin
    OWNER = "owner"  # the lead mentor
    TEAM = "team"  # a case team member who accepted the referral
    REFERRED = "referred"  # a case team member who has not yet answered the referral


RELATION_WORDS = {
    Relation.COORDINATOR: "a coordinator of its chapter (its CIC, an RCIC of its district or region, an admin)",
    Relation.OWNER: "its owner",
    Relation.TEAM: "an accepted case team member",
    Relation.REFERRED: "the mentor it was referred to",
}
SEES_REQUEST = frozenset(Relation)  # `show`, `session list`: everyone with a relation
# A case team member's latest answer to the referral, as a relation to the request.
TEAM_RELATION = {TeamState.ACCEPTED: Relation.TEAM, TeamState.PENDING: Relation.REFERRED}


def relation_rule(allowed: frozenset[Relation]) -> str:
    words = [RELATION_WORDS[r] for r in Relation if r in allowed]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def require_relation(actor: Actor, relations: frozenset[Relation], allowed: frozenset[Relation],
                     verb: str, label: str) -> None:
    if not relations & allowed:
        raise Refused(f"{actor.email} may not {verb} {label}: only {relation_rule(allowed)} may")


def grant_scope_kind(role: str) -> str:
    """The kind of place a role is granted over when none is named."""
    return {Role.ADMIN: ScopeKind.NATIONAL, Role.RCIC: ScopeKind.DISTRICT}.get(role, ScopeKind.CHAPTER)
