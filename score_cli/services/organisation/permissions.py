"""Roles and scopes: one place answers "may ACTOR do ACTION in THIS chapter"."""

from __future__ import annotations

from dataclasses import dataclass

from score_cli.services.organisation.chapters import find_chapter
from score_cli.domain.errors import Invalid, NotFound, Refused
from score_cli.store.sql import query
from score_cli.domain.vocabulary import Role, ScopeKind, VolunteerStatus

# Plain SQL: every command, the quick reads included, starts here (see store/sql.py).
_VOLUNTEER = query("SELECT id, email, name, chapter_code, status FROM volunteer WHERE email = :email")
_GRANTS = query("SELECT role, scope_kind, scope_code FROM volunteer_role WHERE volunteer_id = :id")


@dataclass(frozen=True)
class Grant:
    role: str
    scope_kind: str
    scope_code: str

    def label(self) -> str:
        if self.scope_kind == ScopeKind.NATIONAL:
            return f"{self.role} (national)"
        return f"{self.role} ({self.scope_kind} {self.scope_code})"


@dataclass(frozen=True)
class Place:
    """Where a chapter sits in the organisation."""

    chapter: str
    district: str
    region: str


@dataclass(frozen=True)
class Actor:
    id: int
    email: str
    name: str
    chapter_code: str
    grants: tuple[Grant, ...]

    def has_role(self, *roles: str) -> bool:
        return any(g.role in roles for g in self.grants)


# Which roles may take each action, within their scope. The sentence names the rule
# in the refusal message.
RULES: dict[str, tuple[frozenset[str], str]] = {
    "volunteer.manage": (
        frozenset({Role.ADMIN, Role.CHAPTER_MANAGER, Role.MEMBERSHIP_CHAIR}),
        "managing volunteers needs the admin role, or chapter manager or membership chair"
        " of the volunteer's chapter",
    ),
    "role.grant.cic": (
        frozenset({Role.ADMIN, Role.CHAPTER_MANAGER}),
        "granting the CIC role needs the admin role or the chapter manager of that chapter",
    ),
    "role.grant": (
        frozenset({Role.ADMIN}),
        "granting this role needs the admin role",
    ),
    "request.coordinate": (
        frozenset({Role.ADMIN, Role.CIC, Role.RCIC}),
        "coordinating requests needs the CIC role for the request's chapter"
        " (or RCIC for its district or region, or admin)",
    ),
    "mentor.settings": (
        frozenset({Role.ADMIN, Role.CIC, Role.CHAPTER_MANAGER, Role.MEMBERSHIP_CHAIR}),
        "changing another mentor's settings needs the CIC, chapter manager or membership"
        " chair role for the mentor's chapter",
    ),
}


def place_of(session, chapter_code: str) -> Place:
    """`session`: an ORM session or a connection; both run the statement."""
    chapter = find_chapter(session, chapter_code)
    if chapter is None:
        raise NotFound(f"no chapter with code {chapter_code!r}")
    return Place(chapter.code, chapter.district_code, chapter.region_code)


def covers(grant: Grant, place: Place) -> bool:
    match grant.scope_kind:
        case ScopeKind.NATIONAL:
            return True
        case ScopeKind.REGION:
            return grant.scope_code == place.region
        case ScopeKind.DISTRICT:
            return grant.scope_code == place.district
        case ScopeKind.CHAPTER:
            return grant.scope_code == place.chapter
    return False


def may(actor: Actor, action: str, place: Place) -> bool:
    roles, _ = RULES[action]
    return any(g.role in roles and covers(g, place) for g in actor.grants)


def require(actor: Actor, action: str, place: Place) -> None:
    if not may(actor, action, place):
        _, rule = RULES[action]
        raise Refused(f"{actor.email} may not do this in chapter {place.chapter}: {rule}")


def load_actor(session, email: str | None) -> Actor:
    """The volunteer named by --as / SCORE_USER, who must be active."""
    if not email:
        raise Invalid("say who is acting: --as EMAIL or SCORE_USER")
    address = email.strip().lower()
    volunteer = session.execute(_VOLUNTEER, {"email": address}).first()
    if volunteer is None:
        raise NotFound(f"no volunteer with e-mail {address} (the --as user)")
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise Refused(f"{address} is {volunteer.status}: only active volunteers may act")
    grants = tuple(Grant(*r) for r in session.execute(_GRANTS, {"id": volunteer.id}))
    return Actor(volunteer.id, volunteer.email, volunteer.name, volunteer.chapter_code, grants)


def default_scope_kind(role: str) -> str:
    return {
        Role.ADMIN: ScopeKind.NATIONAL,
        Role.RCIC: ScopeKind.DISTRICT,
    }.get(role, ScopeKind.CHAPTER)
