"""A client's request arrives: from the website export or typed in (SPEC §4 "submit")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from score_cli import clock
from score_cli.services import audit, validate
from score_cli.services.people import eligibility
from score_cli.services.mail import outbox
from score_cli.domain.calendar import FIRST_YEAR, LAST_YEAR
from score_cli.domain.errors import Invalid, NotFound
from score_cli.services.organisation.chapters import queue_of
from score_cli.domain.workflow import TRANSITIONS, Action
from score_cli.domain.vocabulary import request_label as label
from score_cli.store.client_lookup import clients_by_email
from score_cli.store.models import (Assignment, CaseTeamMember, Chapter, Client, ClientEmail,
                                    MentoringRequest, Note, Volunteer)
from score_cli.domain.vocabulary import NATIONAL_QUEUE, AssignmentKind, Status, TeamRole, TeamState

ACTOR = "intake"


@dataclass
class NewRequest:
    name: str
    emails: list[str]
    chapter: str
    question: str
    phone: str | None = None
    business: str | None = None
    zip: str | None = None
    area: str | None = None
    business_type: str | None = None
    existing_business: bool = False
    origin: str | None = None
    direct_to: str | None = None
    submitted_at: datetime | None = None
    extra_notes: list[str] = field(default_factory=list)

    def checked(self) -> "NewRequest":
        """The same request with every field cleaned; Invalid names the first bad one."""
        emails = list(dict.fromkeys(validate.email(e, what="client e-mail") for e in self.emails))
        if not emails:
            raise Invalid("a request needs at least one client e-mail (--email)")
        zip_code = (self.zip or "").strip() or None
        if zip_code and not (zip_code[:5].isdigit() and len(zip_code) in (5, 9, 10)):
            raise Invalid(f"not a US ZIP code: {self.zip!r}")
        when = self.submitted_at
        if when is not None and when.tzinfo is None:
            raise Invalid("the submission time needs a time zone offset")
        if when is not None and not FIRST_YEAR <= when.year <= LAST_YEAR - 1:
            raise Invalid(f"the submission time {when.date().isoformat()} is outside {FIRST_YEAR}..{LAST_YEAR - 1}")
        return NewRequest(
            name=validate.text_field(self.name, what="client name", limit=200, one_line=True),
            emails=emails,
            chapter=(self.chapter or "").strip().upper(),
            question=validate.text_field(self.question, what="question", limit=10_000),
            phone=validate.text_field(self.phone, what="phone", required=False, limit=40, one_line=True),
            business=validate.text_field(self.business, what="business name", required=False, limit=200, one_line=True),
            zip=zip_code,
            area=validate.mentoring_area(validate.text_field(self.area, what="mentoring area", required=False,
                                                             limit=200, one_line=True)),
            business_type=validate.text_field(self.business_type, what="type of business", required=False, limit=200,
                                              one_line=True),
            existing_business=bool(self.existing_business),
            origin=validate.text_field(self.origin, what="origin URL", required=False, limit=2000, one_line=True),
            direct_to=validate.email(self.direct_to, what="--direct-to e-mail") if self.direct_to else None,
            submitted_at=when,
        )


def submit(session: Session, new: NewRequest, *, coordinators: dict | None = None) -> int:
    """Record one checked request with its history and notifications; returns its number.

    `coordinators` keeps each chapter's CIC list for the length of an import, so that a file of
    thousands of requests looks them up once per chapter, not once per row."""
    now = new.submitted_at or clock.now()
    chapter = session.get(Chapter, new.chapter)
    if chapter is None:
        raise NotFound(f"no chapter with code {new.chapter!r} (see `score chapter list`)")
    client_id, known = _client_for(session, new, now)
    request = MentoringRequest(
        client_id=client_id, chapter_code=chapter.code, status=Status.NEW,
        queue=queue_of(chapter),
        question=new.question, mentoring_area=new.area, business_type=new.business_type,
        existing_business=new.existing_business, origin_url=new.origin, client_was_known=known,
        submitted_at=now, status_changed_at=now,
    )
    session.add(request)
    session.flush()
    if known:
        _fill_in(session, client_id, new)
    direct_note = ""
    if new.direct_to:
        mentor, why_not = _direct_mentor(session, new.direct_to, chapter, now)
        request.direct_mentor_id = mentor.id if mentor else None
        if why_not:
            direct_note = f"The client asked for {new.direct_to}, who {why_not}; the request went to the queue."
            session.add(Note(request_id=request.id, kind="system", text=direct_note, created_at=now))
        else:
            _assign_direct(session, request, mentor, chapter, now)
    audit.record(session, actor=ACTOR, action="submit", request_id=request.id, to_status=request.status,
                 detail={"chapter": chapter.code, "queue": request.queue,
                         "direct_to": new.direct_to, "existing_client": known}, at=now)
    for note in new.extra_notes:
        session.add(Note(request_id=request.id, kind="system", text=note, created_at=now))
    for cic in outbox.queue_watchers(session, chapter, coordinators):
        outbox.enqueue(session, event="new_request", recipient=cic, request_id=request.id,
                       values=new_request_values(request.id, new, known, direct_note))
    return request.id


def new_request_values(request_id: int, new: NewRequest, known: bool, direct_note: str = "") -> dict:
    """The fields of the "new request" e-mail to the coordinators."""
    return {"request": label(request_id), "client_name": new.name, "chapter": new.chapter,
            "client_kind": "existing" if known else "new", "area": new.area or "-",
            "question": new.question, "direct_note": f"\n{direct_note}\n" if direct_note else ""}


def _client_for(session: Session, new: NewRequest, now: datetime) -> tuple[int, bool]:
    """The client any of these e-mails already belongs to, or a new one; new e-mails are added."""
    found = sorted((client_id, email) for email, client_id in clients_by_email(session, new.emails))
    if found:
        client_id, known = found[0][0], True
    else:
        client = Client(name=new.name, phone=new.phone, business_name=new.business, zip=new.zip, created_at=now)
        session.add(client)
        session.flush()
        client_id, known = client.id, False
    taken = {email for _, email in found}
    for email in new.emails:
        if email not in taken:
            session.add(ClientEmail(client_id=client_id, email=email))
    return client_id, known


def _fill_in(session: Session, client_id: int, new: NewRequest) -> None:
    """A known client keeps what they had; what was missing is taken from the new request (read
    after the request is recorded: a coordinator's login may read the client from then on)."""
    client = session.get(Client, client_id)
    if client is not None:
        client.phone = client.phone or new.phone
        client.business_name = client.business_name or new.business
        client.zip = client.zip or new.zip


def _direct_mentor(session: Session, email: str, chapter: Chapter, now: datetime) -> tuple[Volunteer | None, str | None]:
    """The mentor the client picked, if the request may go straight to them, and if not, why."""
    mentor = session.execute(select(Volunteer).where(Volunteer.email == email)).scalar()
    if mentor is None:
        return None, "is not a volunteer"
    if mentor.status != "active" or not eligibility.is_mentor(session, mentor.id):
        return mentor, "is not an active mentor"
    if not mentor.accept_direct_requests:
        return mentor, "does not accept direct requests"
    if eligibility.paused_on(mentor, eligibility.mentors_today(session, mentor, now)):
        return mentor, "is paused"
    if eligibility.direct_limit_reached(session, mentor, now):
        return mentor, f"has reached the weekly limit of {mentor.max_direct_weekly} direct requests"
    return mentor, None


def _assign_direct(session: Session, request: MentoringRequest, mentor: Volunteer, chapter: Chapter,
                   now: datetime) -> None:
    due = eligibility.assignment_deadlines(now, chapter)
    assignment = Assignment(request_id=request.id, mentor_id=mentor.id, assigned_by_id=None,
                            kind=AssignmentKind.DIRECT, assigned_at=now, accept_due_at=due.accept_due_at,
                            timeout_at=due.timeout_at)
    session.add(assignment)
    session.add(CaseTeamMember(request_id=request.id, volunteer_id=mentor.id, role=TeamRole.LEAD,
                               state=TeamState.PENDING, created_at=now))
    request.status = TRANSITIONS[Action.SUBMIT].leads_to(Status.ASSIGNED)  # a valid direct request
    request.owner_id = mentor.id
    request.queue = None
    request.first_assigned_at = now
    session.flush()
    from score_cli.services.requests.assignment import assignment_message

    assignment_message(session, request, mentor, chapter, assignment, assigned_by="The client (a direct request)")


def submit_one(store, new: NewRequest) -> tuple[int, str]:
    """`score intake submit`: one request in its own transaction; says where it went."""
    checked = new.checked()
    with store.transaction() as session:
        request_id = submit(session, checked)
        request = session.get(MentoringRequest, request_id)
        if request.owner_id is not None:
            outcome = f"assigned directly to {checked.direct_to}"
        elif request.queue == NATIONAL_QUEUE:
            outcome = f"in the National Intake Queue ({checked.chapter} is not live)"
        else:
            outcome = f"in the {request.queue} intake queue"
            if checked.direct_to:
                outcome += " (the direct request could not be honoured: see the note)"
    return request_id, outcome
