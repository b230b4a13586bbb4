"""The volunteer directory: add, import, list, show, change status, grant roles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, select
from sqlmodel import Session

from score_cli import clock
from score_cli.domain import access, calendar
from score_cli.domain.access import MINE, Record, Scope
from score_cli.domain.capacity import parse_capacity, weekly_rate
from score_cli.domain.errors import Invalid, NotFound, Refused
from score_cli.domain.vocabulary import Classification, Role, ScopeKind, VolunteerStatus
from score_cli.services import audit, validate
from score_cli.services.admin import logins
from score_cli.services.organisation import permissions
from score_cli.domain import directory
from score_cli.services.organisation.chapters import get_chapter
from score_cli.services.organisation.permissions import Actor, Grant
from score_cli.services.organisation.scope import chapter_filter, check_exists, resolve, typed_today
from score_cli.services.people.eligibility import paused_on
from score_cli.store.db import Store
from score_cli.store.hints import in_chunks
from score_cli.store.models import Chapter, Volunteer, VolunteerExpertise, VolunteerRole


@dataclass
class NewVolunteer:
    """A volunteer as given on the command line or in an import row, already checked."""

    email: str
    name: str
    chapter: str
    classification: str | None = None
    roles: list[Grant] = field(default_factory=list)
    status: str = VolunteerStatus.ACTIVE
    accept_direct_requests: bool = False
    max_direct_weekly: int | None = None
    serve_outside_local_area: bool = False
    capacity: str | None = None
    expertise: list[str] = field(default_factory=list)


def parse_grant(role: str, scope: str | None, home_chapter: str) -> Grant:
    """`cic`, or `rcic` with `district:D01`; a role's scope defaults to the volunteer's own."""
    role = validate.choice(role, list(Role), what="role")
    if not scope:
        kind = access.grant_scope_kind(role)
        if kind == ScopeKind.DISTRICT:
            raise Invalid("the rcic role needs --scope district:CODE or region:CODE")
        return Grant(role, kind, "" if kind == ScopeKind.NATIONAL else home_chapter)
    if scope.strip().lower() == "national":
        kind, code = ScopeKind.NATIONAL, ""
    else:
        kind, _, code = scope.partition(":")
        kind = validate.choice(kind, [k for k in ScopeKind if k != ScopeKind.NATIONAL], what="scope kind")
        code = code.strip().upper()
        if not code:
            raise Invalid(f"scope {scope!r} needs a code, e.g. chapter:BOS01")
    allowed = {
        Role.ADMIN: {ScopeKind.NATIONAL},
        Role.RCIC: {ScopeKind.DISTRICT, ScopeKind.REGION},
    }.get(role, {ScopeKind.CHAPTER})
    if kind not in allowed:
        raise Invalid(f"the {role} role takes a {' or '.join(sorted(allowed))} scope, not {kind}")
    return Grant(role, kind, code)


def add(store: Store, actor_email: str | None, new: NewVolunteer) -> dict:
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        _insert(session, actor, new)
    return describe(store, new.email)


def _insert(session: Session, actor: Actor | None, new: NewVolunteer) -> Volunteer:
    chapter = get_chapter(session, new.chapter)
    if actor is not None:
        permissions.require(actor, "volunteer.manage", permissions.place_of(session, chapter.code))
        for grant in new.roles:
            _require_grant(session, actor, grant)
    if _find(session, new.email) is not None:
        raise Refused(f"{new.email} is already a volunteer (see `score volunteer show {new.email}`)")
    capacity = parse_capacity(new.capacity)
    volunteer = Volunteer(
        email=new.email,
        name=new.name,
        chapter_code=chapter.code,
        status=new.status,
        classification=new.classification,
        accept_direct_requests=new.accept_direct_requests,
        max_direct_weekly=new.max_direct_weekly,
        serve_outside_local_area=new.serve_outside_local_area,
        capacity_text=capacity.text,
        capacity_assignments=capacity.assignments,
        capacity_weeks=capacity.weeks,
        created_at=clock.now(),
    )
    session.add(volunteer)
    session.flush()
    grants = list(new.roles)
    if new.classification and not any(g.role == Role.MENTOR for g in grants):
        grants.append(Grant(Role.MENTOR, ScopeKind.CHAPTER, chapter.code))  # implied (SPEC §8)
    for grant in dict.fromkeys(grants):
        _check_scope_exists(session, grant)
        session.add(VolunteerRole(volunteer_id=volunteer.id, role=grant.role,
                                  scope_kind=grant.scope_kind, scope_code=grant.scope_code))
    for topic in dict.fromkeys(new.expertise):
        session.add(VolunteerExpertise(volunteer_id=volunteer.id, topic=topic))
    audit.record(session, actor=actor.email if actor else "system", action="volunteer.add",
                 volunteer_id=volunteer.id,
                 detail={"chapter": chapter.code, "roles": [g.label() for g in grants]})
    return volunteer


def _require_grant(session: Session, actor: Actor, grant: Grant, verb: str = "grant") -> None:
    if grant.role == Role.MENTOR:
        return  # covered by volunteer.manage on the volunteer's chapter
    if grant.role == Role.CIC:
        permissions.require(actor, "role.grant.cic", permissions.place_of(session, grant.scope_code))
        return
    if not actor.has_role(Role.ADMIN):
        raise Refused(f"{actor.email} may not {verb} {grant.role}: {access.TASKS['role.grant'].rule}")


def _check_scope_exists(session: Session, grant: Grant) -> None:
    if grant.scope_kind != ScopeKind.NATIONAL:
        check_exists(session, Scope(grant.scope_kind, grant.scope_code))


def _find(session: Session, email: str) -> Volunteer | None:
    return session.execute(select(Volunteer).where(Volunteer.email == email)).scalar()


def get(session: Session, email: str, *, what: str = "e-mail") -> Volunteer:
    address = validate.email(email, what=what)
    volunteer = _find(session, address)
    if volunteer is None:
        raise NotFound(f"no volunteer with e-mail {address}")
    return volunteer


def ensure_admin(store: Store, email: str, name: str | None = None) -> str:
    """The first admin, made by `db init --admin`; an existing volunteer is granted the role."""
    address = validate.email(email, what="admin e-mail")
    with store.transaction() as session:
        volunteer = _find(session, address)
        if volunteer is None:
            first_chapter = session.execute(select(Chapter.code).order_by(Chapter.code)).scalar()
            new = NewVolunteer(email=address, name=name or address.split("@")[0],
                               chapter=first_chapter, roles=[Grant(Role.ADMIN, ScopeKind.NATIONAL, "")])
            _insert(session, None, new)
            return address
        if not session.execute(select(VolunteerRole).where(
                VolunteerRole.volunteer_id == volunteer.id, VolunteerRole.role == Role.ADMIN)).first():
            session.add(VolunteerRole(volunteer_id=volunteer.id, role=Role.ADMIN,
                                      scope_kind=ScopeKind.NATIONAL, scope_code=""))
            audit.record(session, actor="system", action="volunteer.grant",
                         volunteer_id=volunteer.id, detail={"role": "admin (national)"})
        if volunteer.status != VolunteerStatus.ACTIVE:  # an admin locked out comes back through db init
            before, volunteer.status = volunteer.status, VolunteerStatus.ACTIVE
            audit.record(session, actor="system", action="volunteer.set_status", volunteer_id=volunteer.id,
                         from_status=before, to_status=VolunteerStatus.ACTIVE,
                         reason="reactivated by db init --admin")
            session.flush()
            logins.follow_status(session, volunteer.id)
    return address


def set_status(store: Store, actor_email: str | None, email: str, status: str,
               reason: str | None = None) -> dict:
    status = validate.choice(status, list(VolunteerStatus), what="status")
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        volunteer = get(session, email)
        permissions.require(actor, "volunteer.manage",
                            permissions.place_of(session, volunteer.chapter_code))
        held = _guard_change(session, actor, volunteer)
        changed = volunteer.status != status  # already so: nothing to write, and nothing wrong
        if changed:
            refusal = directory.last_admin_refusal(volunteer.email, any(g.role == Role.ADMIN for g in held),
                                                   status, _other_active_admins(session, volunteer.id))
            if refusal:
                raise Refused(refusal)
            before, volunteer.status = volunteer.status, status
            audit.record(session, actor=actor.email, action="volunteer.set_status",
                         volunteer_id=volunteer.id, from_status=before, to_status=status, reason=reason)
            session.flush()
            logins.follow_status(session, volunteer.id)  # same transaction: an ex-volunteer cannot connect
    return {**describe(store, email), "changed": changed}


def grant(store: Store, actor_email: str | None, email: str, role: str, scope: str | None) -> dict:
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        volunteer = get(session, email)
        new_grant = parse_grant(role, scope, volunteer.chapter_code)
        _check_scope_exists(session, new_grant)
        _require_grant(session, actor, new_grant)
        if new_grant.role == Role.MENTOR:
            permissions.require(actor, "volunteer.manage",
                                permissions.place_of(session, volunteer.chapter_code))
        _guard_change(session, actor, volunteer)
        exists = session.execute(select(VolunteerRole).where(
            VolunteerRole.volunteer_id == volunteer.id, VolunteerRole.role == new_grant.role,
            VolunteerRole.scope_kind == new_grant.scope_kind,
            VolunteerRole.scope_code == new_grant.scope_code)).first()
        if exists:
            raise Refused(f"{volunteer.email} already holds {new_grant.label()}")
        session.add(VolunteerRole(volunteer_id=volunteer.id, role=new_grant.role,
                                  scope_kind=new_grant.scope_kind, scope_code=new_grant.scope_code))
        audit.record(session, actor=actor.email, action="volunteer.grant",
                     volunteer_id=volunteer.id, detail={"role": new_grant.label()})
    return describe(store, email)


def revoke(store: Store, actor_email: str | None, email: str, role: str, scope: str | None) -> dict:
    """Take a role away: the same permission as granting it, over a volunteer whose roles all lie
    within the actor's reach; the last active admin keeps the admin role. Without --scope, the
    one grant of that role the volunteer holds (else the role's default scope, as for grant)."""
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        volunteer = get(session, email)
        role = validate.choice(role, list(Role), what="role")
        held = _held(session, volunteer)
        same_role = [g for g in held if g.role == role]
        gone = same_role[0] if not scope and len(same_role) == 1 else parse_grant(role, scope, volunteer.chapter_code)
        _require_grant(session, actor, gone, verb="revoke")
        if gone.role == Role.MENTOR:
            permissions.require(actor, "volunteer.manage", permissions.place_of(session, volunteer.chapter_code))
        _guard_change(session, actor, volunteer, held)
        if gone not in held:
            holds = f"; it holds {', '.join(g.label() for g in same_role)}: name one with --scope" if same_role else ""
            raise Refused(f"{volunteer.email} does not hold {gone.label()}{holds}")
        if gone.role == Role.ADMIN:
            refusal = directory.last_admin_role_refusal(volunteer.email, volunteer.status,
                                                        _other_active_admins(session, volunteer.id))
            if refusal:
                raise Refused(refusal)
        session.execute(delete(VolunteerRole).where(
            VolunteerRole.volunteer_id == volunteer.id, VolunteerRole.role == gone.role,
            VolunteerRole.scope_kind == gone.scope_kind, VolunteerRole.scope_code == gone.scope_code))
        audit.record(session, actor=actor.email, action="volunteer.revoke",
                     volunteer_id=volunteer.id, detail={"role": gone.label()})
    return {**describe(store, email), "revoked": gone.label()}


def _held(session: Session, volunteer: Volunteer) -> list[Grant]:
    return [Grant(r.role, r.scope_kind, r.scope_code) for r in session.execute(
        select(VolunteerRole).where(VolunteerRole.volunteer_id == volunteer.id)).scalars()]


def _guard_change(session: Session, actor: Actor, volunteer: Volunteer,
                  held: list[Grant] | None = None) -> list[Grant]:
    """The volunteer's roles (`held`, when already read), once the actor is known to reach all
    of them (else refused)."""
    held = _held(session, volunteer) if held is None else held
    refusal = directory.change_refusal(actor.email, actor.grants, volunteer.email, held)
    if refusal:
        raise Refused(refusal)
    return held


def _other_active_admins(session: Session, volunteer_id: int) -> int:
    from sqlalchemy import func

    return session.execute(
        select(func.count(func.distinct(Volunteer.id))).join(VolunteerRole, VolunteerRole.volunteer_id == Volunteer.id)
        .where(VolunteerRole.role == Role.ADMIN, Volunteer.status == VolunteerStatus.ACTIVE,
               Volunteer.id != volunteer_id)).scalar_one()


# --- Reading ----------------------------------------------------------------------


def list_volunteers(store: Store, actor_email: str | None, scope: Scope | None,
                    role: str | None = None, status: str | None = None,
                    paused_on: date | str | None = None) -> list[dict]:
    """`paused_on` as typed: "today" is the date of the scope (`scope.typed_today`)."""
    with store.reading() as session:
        actor = permissions.load_actor(session, actor_email)
        scope = resolve(session, actor, scope, Record.VOLUNTEERS)
        if isinstance(paused_on, str):
            paused_on = validate.calendar_date(paused_on, what="--paused-on date",
                                               today=typed_today(session, actor, scope, clock.now()))
        query = (select(Volunteer, Chapter.timezone)
                 .join(Chapter, Volunteer.chapter_code == Chapter.code)
                 .order_by(Volunteer.chapter_code, Volunteer.email))
        where = Volunteer.id == actor.id if scope.kind == MINE else chapter_filter(scope, Volunteer.chapter_code)
        if where is not None:
            query = query.where(where)
        if status:
            query = query.where(Volunteer.status == validate.choice(status, list(VolunteerStatus), what="status"))
        if role:
            role = validate.choice(role, list(Role), what="role")
            query = query.where(Volunteer.id.in_(select(VolunteerRole.volunteer_id).where(VolunteerRole.role == role)))
        if paused_on is not None:
            query = query.where(Volunteer.pause_from.is_not(None) | Volunteer.pause_until.is_not(None),
                                (Volunteer.pause_from.is_(None)) | (Volunteer.pause_from <= paused_on),
                                (Volunteer.pause_until.is_(None)) | (Volunteer.pause_until >= paused_on))
        rows = session.execute(query).all()
        ids = [v.id for v, _ in rows]
        roles = _roles_by_volunteer(session, ids)
        expertise = _expertise_by_volunteer(session, ids)
        return [_describe(v, tz, roles.get(v.id, []), expertise.get(v.id, [])) for v, tz in rows]


def show(store: Store, actor_email: str | None, email: str) -> dict:
    """One volunteer's record: their own, or one in a chapter the actor may see volunteers of."""
    with store.reading() as session:
        actor = permissions.load_actor(session, actor_email)
        require_sees_volunteer(session, actor, get(session, email))
    return describe(store, email)


def describe(store: Store, email: str) -> dict:
    with store.reading() as session:
        volunteer = get(session, email)
        tz = session.get(Chapter, volunteer.chapter_code).timezone
        roles = _roles_by_volunteer(session, [volunteer.id]).get(volunteer.id, [])
        expertise = _expertise_by_volunteer(session, [volunteer.id]).get(volunteer.id, [])
        return _describe(volunteer, tz, roles, expertise)


def require_sees_volunteer(session: Session, actor: Actor, volunteer: Volunteer) -> None:
    if volunteer.id == actor.id:
        return
    place = permissions.place_of(session, volunteer.chapter_code)
    access.require_read(actor, Record.VOLUNTEERS, Scope(ScopeKind.CHAPTER, volunteer.chapter_code), place)


def _roles_by_volunteer(session: Session, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for chunk in in_chunks(ids):
        for r in session.execute(select(VolunteerRole).where(VolunteerRole.volunteer_id.in_(chunk))
                                 .order_by(VolunteerRole.id)).scalars():
            found.setdefault(r.volunteer_id, []).append(Grant(r.role, r.scope_kind, r.scope_code).label())
    return found


def _expertise_by_volunteer(session: Session, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for chunk in in_chunks(ids):
        for e in session.execute(select(VolunteerExpertise).where(VolunteerExpertise.volunteer_id.in_(chunk))
                                 .order_by(VolunteerExpertise.topic)).scalars():
            found.setdefault(e.volunteer_id, []).append(e.topic)
    return found


def _describe(v: Volunteer, tz: str, roles: list[str], expertise: list[str]) -> dict:
    today = calendar.local_date(clock.now(), tz)
    capacity = parse_capacity(v.capacity_text)
    return {
        "email": v.email,
        "name": v.name,
        "chapter": v.chapter_code,
        "status": v.status,
        "classification": v.classification,
        "roles": roles,
        "accept_direct_requests": v.accept_direct_requests,
        "max_direct_weekly": v.max_direct_weekly,
        "serve_outside_local_area": v.serve_outside_local_area,
        "capacity": v.capacity_text,
        "capacity_weekly": weekly_rate(v.capacity_assignments, v.capacity_weeks),
        "capacity_warning": capacity.warning,
        "paused": paused_on(v, today),
        "pause_from": v.pause_from,
        "pause_until": v.pause_until,
        "expertise": expertise,
    }


def classification(text: str | None) -> str | None:
    if text is None:
        return None
    return validate.choice(text, list(Classification), what="classification")
