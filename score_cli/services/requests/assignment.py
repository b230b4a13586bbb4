"""The coordinator's actions on a request: assign, reassign, transfer, withdraw, note."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session

from score_cli import clock
from score_cli.services import validate
from score_cli.services.requests import records
from score_cli.services.organisation import access, permissions
from score_cli.services.people import eligibility, volunteers
from score_cli.services.mail import outbox
from score_cli.services.organisation.chapters import get_chapter, queue_of
from score_cli.domain.errors import Invalid, Refused
from score_cli.services.organisation.permissions import Actor
from score_cli.domain.vocabulary import request_label as label
from score_cli.services.timefmt import local_text
from score_cli.domain.workflow import OWNED, Action, check
from score_cli.store.db import Store
from score_cli.store.moves import move_request
from score_cli.store.models import Assignment, CaseTeamMember, Chapter, ChapterTransfer, MentoringRequest, Note, Volunteer
from score_cli.domain.vocabulary import AssignmentKind, Outcome, Status, TeamRole, TeamState


def _mentor(session: Session, email: str) -> Volunteer:
    return volunteers.get(session, email, what="mentor e-mail")


def assignment_message(session: Session, request: MentoringRequest, mentor: Volunteer, chapter: Chapter,
                       assignment: Assignment, *, assigned_by: str, note: str | None = None) -> None:
    outbox.enqueue(
        session, event="assignment", recipient=mentor.email, request_id=request.id, occurrence=assignment.id,
        values={"request": label(request.id), "mentor_name": mentor.name, "assigned_by": assigned_by,
                "client_name": records.client_name(session, request), "area": request.mentoring_area or "-",
                "question": request.question, "note": note or "-", "chapter": chapter.code,
                "accept_due": local_text(assignment.accept_due_at, chapter.timezone),
                "timeout": local_text(assignment.timeout_at, chapter.timezone)},
    )


def tell_previous_owner(session: Session, request: MentoringRequest, previous: Volunteer | None, actor: Actor,
                        *, now_with: str, reason: str) -> None:
    """The mentor who loses a request is told, once (the key holds the request's version)."""
    if previous is None or previous.email == actor.email:
        return
    outbox.enqueue(session, event="owner_changed", recipient=previous.email, request_id=request.id,
                   occurrence=request.version,
                   values={"request": label(request.id), "mentor_name": previous.name, "actor_name": actor.name,
                           "client_name": records.client_name(session, request), "now_with": now_with,
                           "reason": reason})


def _close_open_assignment(session: Session, request_id: int, outcome: Outcome, now: datetime,
                           reason: str | None = None) -> None:
    session.execute(
        update(Assignment)
        # at most one assignment is current: open, or accepted by the present owner
        .where(Assignment.request_id == request_id, Assignment.outcome.in_([Outcome.OPEN, Outcome.ACCEPTED]))
        .values(outcome=outcome, outcome_at=now, reason=reason)
        .execution_options(synchronize_session=False)
    )


def remove_lead(session: Session, request_id: int, now: datetime) -> None:
    """The previous owner leaves the case team when the request changes hands."""
    remove_leads(session, [request_id], now)


def remove_leads(session: Session, request_ids: list[int], now: datetime) -> None:
    """`remove_lead` for many requests in one statement (the sweep's batches)."""
    session.execute(
        update(CaseTeamMember)
        .where(CaseTeamMember.request_id.in_(request_ids), CaseTeamMember.role == TeamRole.LEAD,
               CaseTeamMember.state.in_([TeamState.PENDING, TeamState.ACCEPTED]))
        .values(state=TeamState.REMOVED, responded_at=now)
        .execution_options(synchronize_session=False)
    )


def hand_to(session: Session, request: MentoringRequest, mentor: Volunteer, chapter: Chapter, *,
            actor: Actor, action: Action, to_status: Status, reason: str | None, note: str | None,
            now: datetime, forced: list[str]) -> Assignment:
    """Give the request to `mentor`: a new assignment with its deadlines, the mentor as lead."""
    if request.owner_id is not None:
        _close_open_assignment(session, request.id, Outcome.REASSIGNED, now, reason)
        remove_lead(session, request.id, now)
    due = eligibility.assignment_deadlines(now, chapter)
    assignment = Assignment(request_id=request.id, mentor_id=mentor.id, assigned_by_id=actor.id,
                            kind=AssignmentKind.CIC, assigned_at=now, accept_due_at=due.accept_due_at,
                            timeout_at=due.timeout_at)
    session.add(assignment)
    session.add(CaseTeamMember(request_id=request.id, volunteer_id=mentor.id, role=TeamRole.LEAD,
                               state=TeamState.PENDING, created_at=now))
    if note:
        session.add(Note(request_id=request.id, author_id=actor.id, kind="note", text=note, created_at=now))
    session.flush()
    detail = {"mentor": mentor.email, "accept_due_at": due.accept_due_at, "timeout_at": due.timeout_at}
    if forced:
        detail["forced_past"] = forced
    records.change(session, request, actor=actor.email, action=str(action), to_status=to_status,
                    reason=reason, detail=detail, milestone="first_assigned_at", at=now,
                    owner_id=mentor.id, queue=None)
    assignment_message(session, request, mentor, chapter, assignment, assigned_by=actor.name, note=note)
    return assignment


def _eligible_or_refuse(session: Session, mentor: Volunteer, request: MentoringRequest, chapter: Chapter,
                        now: datetime, force: bool, include_sme: bool) -> list[str]:
    hard, soft = eligibility.problems(session, mentor, request.id, chapter, now, include_sme=include_sme)
    if hard:
        raise Refused(f"can't assign {label(request.id)}: " + "; ".join(hard))
    if soft and not force:
        raise Refused(f"can't assign {label(request.id)}: " + "; ".join(soft) + " (--force to assign anyway)")
    return soft


def assign(store: Store, actor_email: str | None, request_id: int, mentor_email: str, *,
           note: str | None = None, force: bool = False, include_sme: bool = False) -> int:
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        request = records.load(session, request_id)
        access.require(session, actor, request, Action.ASSIGN)
        if request.status in OWNED:  # owned before this command began: a rule, not a race (exit 1)
            owner = session.get(Volunteer, request.owner_id)
            raise Refused(f"{label(request_id)} is already {request.status} to {owner.email if owner else 'a mentor'}:"
                          f" use score reassign {label(request_id)} EMAIL --reason TEXT to change the owner")
        check(Action.ASSIGN, request.status, label(request_id))
        mentor = _mentor(session, mentor_email)
        chapter = get_chapter(session, request.chapter_code)
        now = clock.now()
        forced = _eligible_or_refuse(session, mentor, request, chapter, now, force, include_sme)
        hand_to(session, request, mentor, chapter, actor=actor, action=Action.ASSIGN, to_status=Status.ASSIGNED,
                reason=note, note=note, now=now, forced=forced)
    return request_id


def reassign(store: Store, actor_email: str | None, request_id: int, mentor_email: str | None, *,
             reason: str, to_queue: bool = False, force: bool = False, include_sme: bool = False) -> int:
    """The guide's "Change Owner": to another mentor, or back to the chapter's queue."""
    reason = validate.text_field(reason, what="--reason", one_line=True)
    if bool(mentor_email) == bool(to_queue):
        raise Invalid("name the new mentor or give --to-queue (one of them)")
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        request = records.load(session, request_id)
        access.require(session, actor, request, Action.REASSIGN_TO_QUEUE if to_queue else Action.REASSIGN)
        previous = session.get(Volunteer, request.owner_id) if request.owner_id else None
        chapter = get_chapter(session, request.chapter_code)
        now = clock.now()
        if to_queue:
            check(Action.REASSIGN_TO_QUEUE, request.status, label(request_id))
            _close_open_assignment(session, request.id, Outcome.REASSIGNED, now, reason)
            remove_lead(session, request.id, now)
            records.change(session, request, actor=actor.email, action=str(Action.REASSIGN_TO_QUEUE),
                            to_status=Status.PENDING_REASSIGNMENT, reason=reason, at=now,
                            detail={"previous_owner": previous.email if previous else None},
                            owner_id=None, queue=queue_of(chapter))
            new_owner = f"the {chapter.code} intake queue"
        else:
            check(Action.REASSIGN, request.status, label(request_id))
            mentor = _mentor(session, mentor_email)
            if previous is not None and mentor.id == previous.id:
                raise Refused(f"{mentor.email} already owns {label(request_id)}")
            forced = _eligible_or_refuse(session, mentor, request, chapter, now, force, include_sme)
            hand_to(session, request, mentor, chapter, actor=actor, action=Action.REASSIGN,
                    to_status=Status.ASSIGNED, reason=reason, note=None, now=now, forced=forced)
            new_owner = mentor.email
        tell_previous_owner(session, request, previous, actor, now_with=new_owner, reason=reason)
        values = {"request": label(request_id), "client_name": records.client_name(session, request),
                  "actor_name": actor.name, "previous_owner": previous.email if previous else "-",
                  "new_owner": new_owner, "reason": reason}
        for cic in outbox.chapter_coordinators(session, chapter.code):
            if cic != actor.email:
                outbox.enqueue(session, event="reassigned", recipient=cic, request_id=request_id,
                               occurrence=request.version, values=values)
    return request_id


def transfer(store: Store, actor_email: str | None, request_id: int, chapter_code: str, *, reason: str) -> int:
    """Move the request to another chapter's intake queue (the national one if it is not live)."""
    reason = validate.text_field(reason, what="--reason", one_line=True)
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        request = records.load(session, request_id)
        access.require(session, actor, request, Action.TRANSFER)
        target = get_chapter(session, chapter_code)
        if target.code == request.chapter_code:
            raise Invalid(f"{label(request_id)} is already in {target.code}")
        to_status = Status.NEW if request.status == Status.NEW else Status.PENDING_REASSIGNMENT
        check(Action.TRANSFER, request.status, label(request_id), to_status)
        now = clock.now()
        source = request.chapter_code
        previous = session.get(Volunteer, request.owner_id) if request.owner_id else None
        if request.owner_id is not None:
            _close_open_assignment(session, request.id, Outcome.REASSIGNED, now, reason)
            remove_lead(session, request.id, now)
        queue = queue_of(target)
        session.add(ChapterTransfer(request_id=request.id, from_chapter=source, to_chapter=target.code,
                                    to_national_queue=not target.live, by_id=actor.id, reason=reason, at=now))
        records.change(session, request, actor=actor.email, action=str(Action.TRANSFER), to_status=to_status,
                        reason=reason, at=now, detail={"from": source, "to": target.code, "queue": queue},
                        owner_id=None)
        tell_previous_owner(session, request, previous, actor, now_with=f"the {queue} intake queue",
                            reason=reason)
        values = {"request": label(request_id), "client_name": records.client_name(session, request),
                  "actor_name": actor.name, "from_chapter": source, "chapter": target.code, "reason": reason}
        for cic in outbox.queue_watchers(session, target):
            outbox.enqueue(session, event="transferred", recipient=cic, request_id=request_id,
                           occurrence=request.version, values=values)
        # last: a coordinator's login may not read the request once it is in a chapter beyond its sight
        move_request(session, request.id, target.code, queue)
    return request_id


def withdraw_one(session: Session, actor: Actor, request: MentoringRequest, reason: str, now: datetime) -> None:
    """Withdraw an open request (a CIC in scope, or its owner), telling the owner."""
    access.require(session, actor, request, Action.WITHDRAW)
    check(Action.WITHDRAW, request.status, label(request.id))
    owner = session.get(Volunteer, request.owner_id) if request.owner_id else None
    _close_open_assignment(session, request.id, Outcome.WITHDRAWN, now, reason)
    records.change(session, request, actor=actor.email, action=str(Action.WITHDRAW), to_status=Status.WITHDRAWN,
                    reason=reason, at=now, queue=None)
    session.add(Note(request_id=request.id, author_id=actor.id, kind="withdraw", text=reason, created_at=now))
    if owner is not None and owner.id != actor.id:
        outbox.enqueue(session, event="withdrawn", recipient=owner.email, request_id=request.id,
                       values={"request": label(request.id), "mentor_name": owner.name, "actor_name": actor.name,
                               "client_name": records.client_name(session, request), "reason": reason})


def withdraw(store: Store, actor_email: str | None, request_id: int, *, reason: str) -> int:
    reason = validate.text_field(reason, what="--reason", one_line=True)
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        withdraw_one(session, actor, records.load(session, request_id), reason, clock.now())
    return request_id


def add_note(store: Store, actor_email: str | None, request_id: int, text: str) -> int:
    text = validate.text_field(text, what="the note")
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        request = records.load(session, request_id)
        access.require(session, actor, request, Action.NOTE)
        now = clock.now()
        session.add(Note(request_id=request.id, author_id=actor.id, kind="note", text=text, created_at=now))
        records.change(session, request, actor=actor.email, action=str(Action.NOTE), reason=text, at=now)
    return request_id
