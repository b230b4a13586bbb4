"""Who may change whom in the volunteer directory, and the admin the organisation cannot lose.

Two rules, each answering with the sentence of a refusal (or None when the change may go ahead):
- nobody changes the status or roles of a volunteer who holds a role reaching wider than (or
  outside) the scope in which the actor manages volunteers: a chapter manager of BOS01 cannot
  resign the admin, an RCIC, or the CIC of another chapter who happens to live in BOS01;
- the last active admin cannot be resigned, made inactive or lose the admin role, so the
  organisation is never locked out of its own directory.

Grants are anything with `role`, `scope_kind` and `scope_code` (the services' `Grant`).
"""

from __future__ import annotations

from typing import Iterable, Protocol

from score_cli.domain.vocabulary import Role, ScopeKind, VolunteerStatus

# The roles that manage volunteers: their scope is the reach of an actor in the directory.
MANAGING_ROLES = frozenset({Role.ADMIN, Role.CHAPTER_MANAGER, Role.MEMBERSHIP_CHAIR})


class GrantLike(Protocol):
    role: str
    scope_kind: str
    scope_code: str


def _within(grant: GrantLike, reach: Iterable[GrantLike]) -> bool:
    """Whether `grant` lies inside the scope of one of the actor's managing grants."""
    for mine in reach:
        if mine.scope_kind == ScopeKind.NATIONAL:
            return True
        if mine.scope_kind == grant.scope_kind and mine.scope_code == grant.scope_code:
            return True
    return False


def change_refusal(actor_email: str, actor_grants: Iterable[GrantLike], target_email: str,
                   target_grants: Iterable[GrantLike]) -> str | None:
    """Why `actor` may not change the status or roles of `target`, or None when they may."""
    reach = [g for g in actor_grants if g.role in MANAGING_ROLES]
    for grant in target_grants:
        if not _within(grant, reach):
            where = "national" if grant.scope_kind == ScopeKind.NATIONAL else f"{grant.scope_kind} {grant.scope_code}"
            return (f"{actor_email} may not change {target_email}, who holds {grant.role} ({where}):"
                    " a volunteer whose role reaches beyond your own scope is changed only by someone"
                    " whose scope covers it")
    return None


def _last_admin(target_email: str) -> str:
    return (f"{target_email} is the last active admin: make another volunteer admin first"
            " (`score volunteer grant EMAIL admin`), or nobody could manage the directory")


def last_admin_refusal(target_email: str, holds_admin: bool, new_status: str, other_active_admins: int) -> str | None:
    """Why `target` may not take `new_status` (None if they may): the last active admin stays active."""
    if holds_admin and new_status != VolunteerStatus.ACTIVE and other_active_admins == 0:
        return _last_admin(target_email)
    return None


def last_admin_role_refusal(target_email: str, target_status: str, other_active_admins: int) -> str | None:
    """Why `target` may not lose the admin role (None if they may): the last active admin keeps it."""
    if target_status == VolunteerStatus.ACTIVE and other_active_admins == 0:
        return _last_admin(target_email)
    return None
