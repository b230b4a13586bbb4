"""Who is acting, and where a chapter sits: what the rulebook's access policy needs to answer.

The policy itself (which roles may do what, where) is `score_cli.domain.access`.
"""

from __future__ import annotations

from score_cli.domain.access import Actor, Grant, Place, may, require  # noqa: F401 (the services' one door)
from score_cli.domain.commands import WHO_IS_ACTING
from score_cli.domain.errors import Invalid, NotFound, Refused
from score_cli.domain.vocabulary import Role, VolunteerStatus
from score_cli.services.organisation.chapters import find_chapter
from score_cli.store.sql import query

# Plain SQL: every command, the quick reads included, starts here (see store/sql.py).
_VOLUNTEER = query("SELECT id, email, name, chapter_code, status FROM volunteer WHERE email = :email")
_GRANTS = query("SELECT volunteer_role.role, volunteer_role.scope_kind, volunteer_role.scope_code,"
                " COALESCE(chapter.district_code, '') FROM volunteer_role LEFT JOIN chapter"
                " ON volunteer_role.scope_kind = 'chapter' AND chapter.code = volunteer_role.scope_code"
                " WHERE volunteer_role.volunteer_id = :id")


def place_of(session, chapter_code: str) -> Place:
    """`session`: an ORM session or a connection; both run the statement."""
    chapter = find_chapter(session, chapter_code)
    if chapter is None:
        raise NotFound(f"no chapter with code {chapter_code!r}")
    return Place(chapter.code, chapter.district_code, chapter.region_code, bool(chapter.live))


def load_actor(session, email: str | None) -> Actor:
    """The volunteer named by --as / SCORE_USER, who must be active. Connected to a shared
    PostgreSQL store with a person's own login, the actor is that person: only an admin's login
    may name another (the audit trail then records "admin@... as ...")."""
    from score_cli.store.security import connected_login, stray_login

    login = connected_login(session)
    if login is None and (stray := stray_login(session)) is not None:
        raise Refused(f"connected as {stray}, a login no volunteer of this store has (logins belong to the"
                      " whole server): connect with your login for this store, or ask an admin for one"
                      " (score db login add EMAIL)")
    if login is not None and (not email or not email.strip()):
        email = login.email
    if not email or not email.strip():
        raise Invalid(WHO_IS_ACTING)
    address = email.strip().lower()
    if login is not None and address != login.email:
        _require_may_act_for_another(session, login, address)
    volunteer = session.execute(_VOLUNTEER, {"email": address}).first()
    if volunteer is None:
        raise NotFound(f"no volunteer with e-mail {address} (the --as user)")
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise Refused(f"{address} is {volunteer.status}: only active volunteers may act")
    grants = tuple(Grant(*r) for r in session.execute(_GRANTS, {"id": volunteer.id}))
    return Actor(volunteer.id, volunteer.email, volunteer.name, volunteer.chapter_code, grants)


def _require_may_act_for_another(session, login, address: str) -> None:
    admin = session.execute(_GRANTS, {"id": login.volunteer_id}).all()
    if not any(grant.role == Role.ADMIN for grant in admin):
        raise Refused(f"connected as {login.login} ({login.email}), you act as yourself: --as may name"
                      f" {address} only on an admin's login")
