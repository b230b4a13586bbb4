"""A login per person on a shared PostgreSQL store: `db login add | list | remove`.

A login is a PostgreSQL role of its own, a member of score's users' group role (whose access
the row-level security policies of `store/security.py` limit), recorded against the volunteer.
Its password is set by the person with PostgreSQL's own tools (`\\password` in psql): score never
sees, stores or prints one.
"""

from __future__ import annotations

import re

from sqlalchemy import insert, text

from score_cli import clock
from score_cli.domain.access import Place
from score_cli.domain.errors import Conflict, Invalid, NotFound, Refused
from score_cli.domain.vocabulary import VolunteerStatus
from score_cli.services import audit, validate
from score_cli.services.organisation import permissions
from score_cli.store.db import Store
from score_cli.store.models import Login
from score_cli.store.security import GROUP, connected_login

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_VOLUNTEER = text("SELECT id, email, status FROM volunteer WHERE email = :email")
_MAPPED = text("SELECT login FROM score_login WHERE volunteer_id = :id")
_LIST = text("SELECT v.email, v.name, v.status, l.login, r.rolcanlogin, l.created_at FROM score_login l"
             " JOIN volunteer v ON v.id = l.volunteer_id LEFT JOIN pg_roles r ON r.rolname = l.login"
             " ORDER BY v.email")


def default_login(email: str) -> str:
    """alice.smith@example.org -> alice_smith_example_org: a role name psql needs no quotes for."""
    name = re.sub(r"[^a-z0-9_]", "_", email.lower())[:63]
    return name if re.match(r"[a-z_]", name) else ("_" + name)[:63]


def _require_postgres(store: Store) -> None:
    if store.backend != "postgresql":
        raise Invalid("db login: logins are for a store shared on PostgreSQL; an SQLite store is"
                      " protected by its file's permissions")


def _require_owner(session, what: str) -> None:
    login = connected_login(session)
    if login is not None:
        raise Refused(f"{what} is done connected as the store's owner (the role that ran `db init`),"
                      f" not a person's login ({login.login})")


def _volunteer(session, email: str):
    address = validate.email(email, what="e-mail")
    row = session.execute(_VOLUNTEER, {"email": address}).first()
    if row is None:
        raise NotFound(f"no volunteer with e-mail {address}")
    return row


def add(store: Store, actor_email: str | None, email: str, role: str | None = None) -> dict:
    _require_postgres(store)
    name = (role or "").strip() or default_login(email)
    if not ROLE_NAME.fullmatch(name):
        raise Invalid(f"--role: {name!r} is not a login name: lower-case letters, digits and _, at most 63,"
                      " not starting with a digit")
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        permissions.require(actor, "login.manage", Place())
        _require_owner(session, "adding a login")
        volunteer = _volunteer(session, email)
        if volunteer.status != VolunteerStatus.ACTIVE:
            raise Refused(f"{volunteer.email} is {volunteer.status}: only active volunteers get a login")
        mapped = session.execute(_MAPPED, {"id": volunteer.id}).scalar()
        if mapped:
            raise Conflict(f"{volunteer.email} already has the login {mapped}")
        if session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first():
            raise Conflict(f"a PostgreSQL role named {name} already exists: choose another with --role")
        session.execute(text(f'CREATE ROLE "{name}" LOGIN IN ROLE {GROUP}'))
        session.execute(insert(Login), {"login": name, "volunteer_id": volunteer.id, "created_at": clock.now()})
        audit.record(session, actor=actor.email, action="login.add", volunteer_id=volunteer.id,
                     detail={"login": name})
    return {"email": volunteer.email, "login": name}


def remove(store: Store, actor_email: str | None, email: str) -> dict:
    _require_postgres(store)
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        permissions.require(actor, "login.manage", Place())
        _require_owner(session, "removing a login")
        volunteer = _volunteer(session, email)
        name = session.execute(_MAPPED, {"id": volunteer.id}).scalar()
        if name is None:
            raise NotFound(f"{volunteer.email} has no login")
        session.execute(text("DELETE FROM score_login WHERE login = :n"), {"n": name})
        if session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first():
            session.execute(text(f'DROP ROLE "{name}"'))
        audit.record(session, actor=actor.email, action="login.remove", volunteer_id=volunteer.id,
                     detail={"login": name})
    return {"email": volunteer.email, "login": name}


def listing(store: Store, actor_email: str | None) -> list[dict]:
    _require_postgres(store)
    with store.reading() as session:
        actor = permissions.load_actor(session, actor_email)
        permissions.require(actor, "login.manage", Place())
        rows = session.execute(_LIST).all()
    return [{"email": r.email, "name": r.name, "login": r.login, "status": r.status,
             "may_connect": bool(r.rolcanlogin)} for r in rows]


def follow_status(session, volunteer_id: int) -> None:
    """A volunteer made inactive or resigned can no longer connect (and one made active again
    can), in the transaction that changes the status."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT score_login_follow(:id)"), {"id": volunteer_id})
