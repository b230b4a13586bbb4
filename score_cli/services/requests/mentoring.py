"""The mentor's actions on a request: accept, decline, return, contact, sessions, status (SPEC §4, §5).

Every function is one transaction: the request changes through `records.change` (so a stale
version is a Conflict), with its audit event, notes and outbox messages.

Session notes are due at the end of the first business day after the session date, in the
chapter's calendar: the instant 00:00 local time of the calendar day after that business day.
A session on Fri 20 Nov 2026 in Boston is due by the end of Mon 23 Nov (Tue 24 Nov 00:00 EST,
05:00 UTC); one on Wed 25 Nov 2026 by the end of Fri 27 Nov (Thanksgiving is skipped); one on a
Saturday by the end of the Monday after. Notes entered after that instant are `entered_late`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlmodel import Session

from score_cli import clock
from score_cli.domain import deadlines as rules
from score_cli.services import validate
from score_cli.services.requests import records
from score_cli.services.organisation import access, permissions
from score_cli.services.mail import outbox
from score_cli.services.organisation.chapters import get_chapter, queue_of
from score_cli.services.requests.assignment import _close_open_assignment, remove_lead, withdraw_one
from score_cli.services.people.eligibility import local_date
from score_cli.domain.errors import Invalid, NotFound, Refused
from score_cli.services.organisation.permissions import Actor
from score_cli.domain.vocabulary import request_label as label
from score_cli.services.timefmt import local, local_text
from score_cli.domain.workflow import MAY_FORCE, Action, check
from score_cli.domain.access import relation_rule
from score_cli.store.db import Store
from score_cli.store.hints import in_chunks
from score_cli.store.models import (Assignment, CaseTeamMember, Chapter, ClientEmail, ContactAttempt,
                                    MentoringRequest, MentoringSession, Note, Volunteer)
from score_cli.domain.vocabulary import (CLOSED_STATUSES, ContactMethod, Outcome, Status, TeamRole,
                                  TeamState)

MAX_MINUTES = 24 * 60


def _result(request: MentoringRequest, **extra) -> dict:
    return {"id": label(request.id), "status": request.status, **extra}


def _client(session: Session, request: MentoringRequest) -> tuple[str, list[str]]:
    name = records.client_name(session, request)
    emails = session.execute(select(ClientEmail.email).where(ClientEmail.client_id == request.client_id)
                             .order_by(ClientEmail.id)).scalars().all()
    return name, list(emails)


def _count(session: Session, model, request_id: int) -> int:
    return session.execute(select(func.count()).select_from(model).where(model.request_id == request_id)).scalar_one()


# --- accept, decline, return ---------------------------------------------------------


def accept(store: Store, actor_email: str | None, request_id: int, *, message: str | None = None) -> dict:
    """The owner accepts; a first message to the client is queued and counts as contact attempt 1."""
    message = validate.text_field(message, what="--message", required=False)
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        request = records.load(session, request_id)
        access.require(session, actor, request, Action.ACCEPT)
        to_status = check(Action.ACCEPT, request.status, label(request_id), Status.CONTACTED if message else None)
        now = clock.now()
        session.execute(
            update(Assignment)
            .where(Assignment.request_id == request.id, Assignment.mentor_id == actor.id,
                   Assignment.outcome == Outcome.OPEN)
            .values(outcome=Outcome.ACCEPTED, outcome_at=now, accepted_at=now)
            .execution_options(synchronize_session=False))
        session.execute(
            update(CaseTeamMember)
            .where(CaseTeamMember.request_id == request.id, CaseTeamMember.volunteer_id == actor.id,
                   CaseTeamMember.role == TeamRole.LEAD, CaseTeamMember.state == TeamState.PENDING)
            .values(state=TeamState.ACCEPTED, responded_at=now)
            .execution_options(synchronize_session=False))
        extra, detail, recipients = {}, None, []
        if message:
            session.add(ContactAttempt(request_id=request.id, volunteer_id=actor.id, method=ContactMethod.EMAIL,
                                       note=message, at=now))
            if request.first_contacted_at is None:
                extra["first_contacted_at"] = now  # safe: the update below is conditional on the version read
            client_name, recipients = _client(session, request)
            detail = {"message_to": recipients, "contact_attempt": 1}
        records.change(session, request, actor=actor.email, action=str(Action.ACCEPT), to_status=to_status,
                        detail=detail, milestone="first_accepted_at", at=now, **extra)
        for address in recipients:
            outbox.enqueue(session, event="accept_message", recipient=address, request_id=request.id,
                           occurrence=request.version,
                           values={"message": message, "mentor_name": actor.name, "mentor_email": actor.email,
                                   "client_name": client_name, "request": label(request.id)})
        return _result(request, message_to=recipients)


def send_back(session: Session, request: MentoringRequest, actor: Actor, *, action: Action, outcome: Outcome,
              reason: str, note_kind: str, event: str, now: datetime) -> str:
    """The request goes back to its chapter's queue (the national one if the chapter is not live).

    The current assignment ends with `outcome`, the lead leaves the case team, the reason is kept
    as a note for the CICs, and the CICs are told. Returns the queue.
    """
    chapter = get_chapter(session, request.chapter_code)
    mentor = session.get(Volunteer, request.owner_id)
    check(action, request.status, label(request.id))
    queue = queue_of(chapter)
    # read before the change: on a shared store a mentor's login stops seeing the client with it
    client_name = records.client_name(session, request)
    _close_open_assignment(session, request.id, outcome, now, reason)
    remove_lead(session, request.id, now)
    session.add(Note(request_id=request.id, author_id=actor.id, kind=note_kind, text=reason, created_at=now))
    records.change(session, request, actor=actor.email, action=str(action), to_status=Status.PENDING_REASSIGNMENT,
                    reason=reason, at=now, detail={"mentor": mentor.email, "queue": queue},
                    owner_id=None, queue=queue)
    values = {"request": label(request.id), "chapter": queue, "mentor_name": mentor.name,
              "client_name": client_name, "reason": reason}
    for cic in outbox.queue_watchers(session, chapter):
        if cic == actor.email:
            continue  # a CIC returning a paused mentor's requests needs no e-mail about it
        outbox.enqueue(session, event=event, recipient=cic, request_id=request.id, occurrence=request.version,
                       values=values)
    return queue


def decline(store: Store, actor_email: str | None, request_id: int, *, reason: str) -> dict:
    return _owner_sends_back(store, actor_email, request_id, reason, Action.DECLINE, Outcome.DECLINED,
                             "decline", "declined")


def return_to_queue(store: Store, actor_email: str | None, request_id: int, *, reason: str) -> dict:
    """The guide's "transfer to queue": the owner gives an accepted request back; sessions stay."""
    return _owner_sends_back(store, actor_email, request_id, reason, Action.RETURN, Outcome.RETURNED,
                             "return", "returned")


def _owner_sends_back(store: Store, actor_email: str | None, request_id: int, reason: str, action: Action,
                      outcome: Outcome, verb: str, event: str) -> dict:
    reason = validate.text_field(reason, what="--reason", one_line=True)
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        request = records.load(session, request_id)
        access.require(session, actor, request, action)
        queue = send_back(session, request, actor, action=action, outcome=outcome, reason=reason,
                          note_kind=verb, event=event, now=clock.now())
        return _result(request, queue=queue)


# --- contact and sessions --------------------------------------------------------------


def contact(store: Store, actor_email: str | None, request_id: int, *, method: str, note: str | None = None) -> dict:
    method = validate.choice(method, list(ContactMethod), what="--method")
    note = validate.text_field(note, what="--note", required=False)
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        request = records.load(session, request_id)
        access.require(session, actor, request, Action.CONTACT)
        to_status = check(Action.CONTACT, request.status, label(request_id))
        now = clock.now()
        session.add(ContactAttempt(request_id=request.id, volunteer_id=actor.id, method=method, note=note, at=now))
        session.flush()
        attempts = _count(session, ContactAttempt, request.id)
        records.change(session, request, actor=actor.email, action=str(Action.CONTACT), to_status=to_status,
                        reason=note, detail={"method": method, "attempt": attempts},
                        milestone="first_contacted_at", at=now)
        return _result(request, attempts=attempts)


def notes_due_at(session_date: date, chapter: Chapter) -> datetime:
    """The end of the first business day after `session_date`, as a UTC instant (see the module doc)."""
    return rules.session_notes_due_at(session_date, chapter)


def _parse_day(given: str | date) -> date | int:
    """A date as typed, or "today"/"yesterday" as days back (resolved in the chapter's zone later)."""
    if isinstance(given, date):
        return given
    relative = {"today": 0, "yesterday": 1}.get(given.strip().lower())
    return relative if relative is not None else validate.calendar_date(given, what="--date")


def _session_day(given: date | int, request: MentoringRequest, chapter: Chapter, now: datetime) -> date:
    today = local_date(now, chapter)
    if isinstance(given, int):
        given = today - timedelta(days=given)
    if given > today:
        raise Invalid(f"--date {given} is in the future (today is {today} in {chapter.code}):"
                      " record a session after it happens")
    submitted = local_date(request.submitted_at, chapter)
    if given < submitted:
        raise Invalid(f"--date {given} is before {label(request.id)} was submitted ({submitted})")
    return given


def _on_the_case(session: Session, request: MentoringRequest, volunteer: Volunteer, day: date,
                 chapter: Chapter) -> None:
    """A mentor records sessions only for days they were on the request (assigned, or on its team)."""
    spans = session.execute(select(CaseTeamMember.created_at, CaseTeamMember.state, CaseTeamMember.responded_at)
                            .where(CaseTeamMember.request_id == request.id,
                                   CaseTeamMember.volunteer_id == volunteer.id)).all()
    starts = []
    for created, state, responded in spans:
        start = local_date(created, chapter)
        left = local_date(responded, chapter) if state in (TeamState.REMOVED, TeamState.DECLINED) and responded \
            else date.max
        if start <= day <= left:
            return
        starts.append(start)
    later = [s for s in starts if s > day]
    if later:
        raise Invalid(f"--date {day} is before {volunteer.email} was assigned to or joined {label(request.id)}"
                      f" (on {min(later)}): a mentor records only sessions held while on the case")
    raise Invalid(f"--date {day}: {volunteer.email} was no longer on {label(request.id)}'s case team then")


def _minutes(minutes: int | None) -> int | None:
    if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
        raise Invalid(f"--minutes must be between 1 and {MAX_MINUTES}, not {minutes}")
    return minutes


def _describe_session(s: MentoringSession, tz: str, mentor: str) -> dict:
    return {"session": s.id, "date": s.session_date, "mentor": mentor, "minutes": s.minutes, "notes": s.notes,
            "entered_at": local(s.entered_at, tz), "notes_due_at": local(s.notes_due_at, tz),
            "entered_late": s.entered_late, "updated_at": local(s.updated_at, tz)}


def add_session(store: Store, actor_email: str | None, request_id: int, *, day: str | date,
                minutes: int | None, notes: str) -> dict:
    notes = validate.text_field(notes, what="--notes", limit=50_000)
    minutes = _minutes(minutes)
    day = _parse_day(day)
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        request = records.load(session, request_id)
        access.require(session, actor, request, Action.SESSION)
        to_status = check(Action.SESSION, request.status, label(request_id))
        chapter = get_chapter(session, request.chapter_code)
        now = clock.now()
        session_date = _session_day(day, request, chapter, now)
        _on_the_case(session, request, actor, session_date, chapter)
        due = notes_due_at(session_date, chapter)
        row = MentoringSession(request_id=request.id, mentor_id=actor.id, session_date=session_date, minutes=minutes,
                               notes=notes, entered_at=now, notes_due_at=due, entered_late=now > due)
        session.add(row)
        session.flush()
        records.change(session, request, actor=actor.email, action=str(Action.SESSION), to_status=to_status,
                        detail={"session": row.id, "date": session_date, "minutes": minutes,
                                "entered_late": row.entered_late},
                        milestone="first_session_at", at=now)
        return _result(request, **_describe_session(row, chapter.timezone, actor.email))


def edit_session(store: Store, actor_email: str | None, request_id: int, session_id: int, *,
                 day: str | date | None = None, minutes: int | None = None, notes: str | None = None) -> dict:
    """Correct a session: its author (still on the case) or the request's owner."""
    if day is None and minutes is None and notes is None:
        raise Invalid("say what to correct: --date, --minutes and/or --notes")
    notes = validate.text_field(notes, what="--notes", limit=50_000) if notes is not None else None
    minutes = _minutes(minutes)
    day = _parse_day(day) if day is not None else None
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        request = records.load(session, request_id)
        refusal = Refused(f"{actor.email} may not edit session {session_id} of {label(request_id)}: only the"
                          " session's author (still on the case team) or the request's owner may")
        if not access.works_on(session, actor, request):  # before looking: the same answer, whether it exists
            raise refusal
        row = session.get(MentoringSession, session_id) if 0 < session_id <= validate.LARGEST_ID else None
        if row is None or row.request_id != request.id:
            raise NotFound(f"{label(request_id)} has no session {session_id}"
                           f" (see `score session list {label(request_id)}`)")
        if actor.id not in (row.mentor_id, request.owner_id):
            raise refusal
        chapter = get_chapter(session, request.chapter_code)
        now = clock.now()
        changed = {}
        if day is not None:
            new_date = _session_day(day, request, chapter, now)
            _on_the_case(session, request, session.get(Volunteer, row.mentor_id), new_date, chapter)
            if new_date != row.session_date:
                changed["date"] = [row.session_date, new_date]
                row.session_date = new_date
                row.notes_due_at = notes_due_at(new_date, chapter)
                row.entered_late = row.entered_at > row.notes_due_at
        if minutes is not None and minutes != row.minutes:
            changed["minutes"] = [row.minutes, minutes]
            row.minutes = minutes
        if notes is not None and notes != row.notes:
            changed["notes"] = True
            row.notes = notes
        if not changed:
            raise Invalid(f"session {session_id} already reads that way: nothing to correct")
        row.updated_at = now
        session.flush()
        records.change(session, request, actor=actor.email, action="session_edit", at=now,
                        detail={"session": row.id, "changed": changed})
        author = session.get(Volunteer, row.mentor_id).email
        return _result(request, **_describe_session(row, chapter.timezone, author))


def list_sessions(store: Store, actor_email: str | None, request_id: int) -> list[dict]:
    with store.reading() as session:
        actor = permissions.load_actor(session, actor_email)
        request = records.load(session, request_id)
        access.require_visible(session, actor, request)
        tz = get_chapter(session, request.chapter_code).timezone
        rows = session.execute(select(MentoringSession, Volunteer.email)
                               .join(Volunteer, Volunteer.id == MentoringSession.mentor_id)
                               .where(MentoringSession.request_id == request.id)
                               .order_by(MentoringSession.session_date, MentoringSession.id)).all()
        return [{"id": label(request.id), **_describe_session(s, tz, email)} for s, email in rows]


# --- closing -----------------------------------------------------------------------------


def owners_attempts(session: Session, wanted: dict[int, tuple[int | None, datetime | None]]) -> dict[int, list[datetime]]:
    """The contact attempts the no_response rule weighs (SPEC §4): for each request id in `wanted`
    (-> its current owner and when they accepted it), the times of the attempts that owner made
    since accepting. `close` and the not-counseled report both read them here."""
    found: dict[int, list[datetime]] = {request_id: [] for request_id in wanted}
    counted = [request_id for request_id, (owner, accepted_at) in wanted.items() if owner and accepted_at]
    for chunk in in_chunks(counted):
        rows = session.execute(select(ContactAttempt.request_id, ContactAttempt.volunteer_id, ContactAttempt.at)
                               .where(ContactAttempt.request_id.in_(list(chunk)))).all()
        for request_id, volunteer_id, at in rows:
            owner, accepted_at = wanted[request_id]
            if volunteer_id == owner and at >= accepted_at:
                found[request_id].append(at)
    return found


def _no_response_allowed(session: Session, request: MentoringRequest, now: datetime, *, force: bool,
                         note: str | None) -> dict | None:
    """SPEC §4: 3 attempts by the current owner since accepting, on 3 days, 14 days since the first."""
    accepted_at = session.execute(
        select(Assignment.accepted_at).where(Assignment.request_id == request.id,
                                             Assignment.mentor_id == request.owner_id,
                                             Assignment.outcome == Outcome.ACCEPTED)
        .order_by(Assignment.id.desc()).limit(1)).scalar()
    attempts = owners_attempts(session, {request.id: (request.owner_id, accepted_at)})[request.id]
    chapter = get_chapter(session, request.chapter_code)
    ready = rules.no_response_readiness(attempts, chapter, now)
    if ready.allowed:
        return None
    if not force:
        when = f"; allowed from {local_text(ready.allowed_from, chapter.timezone)} at the earliest" \
            if ready.allowed_from else ""
        raise Refused(f"can't close {label(request.id)} as no_response yet: it needs {ready.missing}{when}"
                      " (a coordinator may --force with a --note)")
    if not note:
        raise Invalid("--force on no_response needs a --note saying why the rule is set aside")
    return {"forced": ready.missing, "attempts": ready.attempts, "attempt_days": ready.days}


def set_status(store: Store, actor_email: str | None, request_id: int, status: str, *,
               note: str | None = None, force: bool = False) -> dict:
    """Close a request: its owner, or a CIC in scope (SPEC §4 "status")."""
    try:
        target = Status.parse(status)
    except ValueError:
        target = None
    if target not in CLOSED_STATUSES:
        raise Invalid(f"STATUS must be a closed status ({', '.join(sorted(CLOSED_STATUSES))}), not {status!r}")
    note = validate.text_field(note, what="--note", required=False)
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        request = records.load(session, request_id)
        now = clock.now()
        if target == Status.WITHDRAWN:
            withdraw_one(session, actor, request, note or "status set to withdrawn", now)
            return _result(request)
        relations = access.require(session, actor, request, Action.CLOSE)
        if force and not relations & MAY_FORCE:
            raise Refused(f"only {relation_rule(MAY_FORCE)} ({request.chapter_code}) may --force a status")
        check(Action.CLOSE, request.status, label(request_id), target)
        detail = None
        if target == Status.COMPLETE and _count(session, MentoringSession, request.id) == 0:
            raise Refused(f"can't close {label(request_id)} as complete: no session is recorded"
                          f" (score session add {label(request_id)} ...)")
        if target == Status.NO_RESPONSE:
            detail = _no_response_allowed(session, request, now, force=force, note=note)
        _close_open_assignment(session, request.id, Outcome.CLOSED, now, note)
        if note:
            session.add(Note(request_id=request.id, author_id=actor.id, kind="status", text=note, created_at=now))
        records.change(session, request, actor=actor.email, action=str(Action.CLOSE), to_status=target,
                        reason=note, detail=detail, at=now, queue=None)
        return _result(request)
