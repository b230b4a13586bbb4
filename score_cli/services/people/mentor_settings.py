"""A mentor's request settings and pauses (SPEC §3; the guide's "Mentor Request Settings").

A mentor edits their own settings; a CIC, chapter manager or membership chair of the mentor's
chapter (or an admin) may too. Every change is one audit event on the volunteer.

Pause dates are calendar dates in the mentor's chapter time zone: a mentor paused until
2026-12-01 in Boston is still paused at 23:30 on 1 Dec local time (04:30 UTC on 2 Dec).
Pausing switches direct requests off as well (the guide asks for both); ending a pause never
switches them back on: the mentor is told to do it.
"""

from __future__ import annotations

from score_cli.domain.access import Record
from score_cli.services.organisation import access

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlmodel import Session

from score_cli import clock
from score_cli.domain import deadlines as rules
from score_cli.services import audit, validate
from score_cli.services.people import eligibility, volunteers
from score_cli.services.mail import outbox
from score_cli.services.organisation import permissions
from score_cli.services.organisation.chapters import get_chapter
from score_cli.domain.capacity import parse_capacity
from score_cli.domain.errors import Invalid, Refused
from score_cli.services.requests.mentoring import send_back
from score_cli.services.organisation.permissions import Actor
from score_cli.domain.vocabulary import request_label as label
from score_cli.services.timefmt import local
from score_cli.domain.workflow import Action
from score_cli.store.db import Store
from score_cli.store.models import Assignment, Chapter, MentoringRequest, Volunteer, VolunteerExpertise
from score_cli.domain.vocabulary import AssignmentKind, Outcome, Status

PAUSE_RETURN_REASON = "mentor paused"
MAX_DIRECT_WEEKLY = 100


@dataclass
class SettingsChange:
    """What `score mentor settings` was asked to change; None leaves a setting as it is."""

    accept_direct_requests: bool | None = None
    max_direct_weekly: int | None = None
    unlimited: bool = False
    serve_outside_local_area: bool | None = None
    capacity: str | None = None
    expertise: list[str] | None = None

    def checked(self) -> "SettingsChange":
        if self.unlimited and self.max_direct_weekly is not None:
            raise Invalid("give --max-direct-weekly N or --unlimited, not both")
        if self.max_direct_weekly is not None and not 1 <= self.max_direct_weekly <= MAX_DIRECT_WEEKLY:
            raise Invalid(f"--max-direct-weekly must be between 1 and {MAX_DIRECT_WEEKLY}"
                          " (--unlimited for no limit, --no-accept-direct-requests for none)")
        capacity = None
        if self.capacity is not None:
            capacity = validate.text_field(self.capacity, what="--capacity", limit=500, one_line=True)
        expertise = None
        if self.expertise is not None:
            cleaned = (validate.text_field(t, what="--expertise", required=False, limit=200, one_line=True)
                       for t in self.expertise)
            expertise = list(dict.fromkeys(t for t in cleaned if t))
        return SettingsChange(self.accept_direct_requests, self.max_direct_weekly, self.unlimited,
                              self.serve_outside_local_area, capacity, expertise)

    @property
    def empty(self) -> bool:
        return (self.accept_direct_requests is None and self.max_direct_weekly is None and not self.unlimited
                and self.serve_outside_local_area is None and self.capacity is None and self.expertise is None)


def _mentor(session: Session, email: str) -> Volunteer:
    volunteer = volunteers.get(session, email)
    if not eligibility.is_mentor(session, volunteer.id):
        raise Refused(f"{volunteer.email} does not hold the mentor role: no mentor settings")
    return volunteer


def _require_may_edit(session: Session, actor: Actor, volunteer: Volunteer) -> None:
    if actor.id != volunteer.id:
        permissions.require(actor, "mentor.settings", permissions.place_of(session, volunteer.chapter_code))


def _expertise(session: Session, volunteer_id: int) -> list[str]:
    return list(session.execute(select(VolunteerExpertise.topic).where(VolunteerExpertise.volunteer_id == volunteer_id)
                                .order_by(VolunteerExpertise.topic)).scalars())


def describe(session: Session, volunteer: Volunteer, now: datetime) -> dict:
    chapter = session.get(Chapter, volunteer.chapter_code)
    week_ago = now - rules.WEEK
    direct = eligibility.assignments_since(session, volunteer.id, AssignmentKind.DIRECT, week_ago)
    cic = eligibility.assignments_since(session, volunteer.id, AssignmentKind.CIC, week_ago)
    in_window = eligibility.cic_in_capacity_window(session, volunteer, now)
    capacity = parse_capacity(volunteer.capacity_text)
    limit = volunteer.max_direct_weekly
    return {
        "email": volunteer.email,
        "name": volunteer.name,
        "chapter": volunteer.chapter_code,
        "status": volunteer.status,
        "classification": volunteer.classification,
        "accept_direct_requests": volunteer.accept_direct_requests,
        "max_direct_weekly": limit,
        "direct_requests_last_7_days": direct,
        "request_limit_reached": limit is not None and direct >= limit,
        "serve_outside_local_area": volunteer.serve_outside_local_area,
        "capacity": volunteer.capacity_text,
        **eligibility.capacity_facts(volunteer, in_window),
        "capacity_warning": capacity.warning,
        "cic_assignments_last_7_days": cic,
        "expertise": _expertise(session, volunteer.id),
        "pause_from": volunteer.pause_from,
        "pause_until": volunteer.pause_until,
        "paused": eligibility.paused_on(volunteer, eligibility.local_date(now, chapter)),
    }


def settings(store: Store, actor_email: str | None, email: str, change: SettingsChange | None = None) -> dict:
    """Print a mentor's settings; with changes, apply them first (one audited transaction)."""
    change = (change or SettingsChange()).checked()
    if change.empty:
        with store.reading() as session:
            actor = permissions.load_actor(session, actor_email)
            volunteer = _mentor(session, email)
            if actor.id != volunteer.id:
                access.require_reads_chapter(session, actor, Record.VOLUNTEERS, volunteer.chapter_code)
            return describe(session, volunteer, clock.now())
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        volunteer = _mentor(session, email)
        _require_may_edit(session, actor, volunteer)
        changed: dict[str, list] = {}

        def put(field: str, value) -> None:
            if getattr(volunteer, field) != value:
                changed[field] = [getattr(volunteer, field), value]
                setattr(volunteer, field, value)

        if change.accept_direct_requests is not None:
            put("accept_direct_requests", change.accept_direct_requests)
        if change.unlimited:
            put("max_direct_weekly", None)
        elif change.max_direct_weekly is not None:
            put("max_direct_weekly", change.max_direct_weekly)
        if change.serve_outside_local_area is not None:
            put("serve_outside_local_area", change.serve_outside_local_area)
        if change.capacity is not None:
            parsed = parse_capacity(change.capacity)
            put("capacity_text", parsed.text)
            put("capacity_assignments", parsed.assignments)
            put("capacity_weeks", parsed.weeks)
        if change.expertise is not None:
            before = _expertise(session, volunteer.id)
            if sorted(before) != sorted(change.expertise):
                changed["expertise"] = [before, sorted(change.expertise)]
                session.execute(delete(VolunteerExpertise).where(VolunteerExpertise.volunteer_id == volunteer.id))
                session.add_all(VolunteerExpertise(volunteer_id=volunteer.id, topic=t) for t in change.expertise)
        now = clock.now()
        if changed:
            session.flush()
            audit.record(session, actor=actor.email, action="mentor.settings", volunteer_id=volunteer.id,
                         detail={"changed": changed}, at=now)
        return describe(session, volunteer, now)


# --- pauses --------------------------------------------------------------------------------


def _day(given: str | date, today: date, what: str) -> date:
    if isinstance(given, date):
        return given
    return today if given.strip().lower() == "today" else validate.calendar_date(given, what=what)


def _awaiting_acceptance(session: Session, volunteer: Volunteer) -> list[tuple[MentoringRequest, Assignment]]:
    return [tuple(row) for row in session.execute(
        select(MentoringRequest, Assignment)
        .join(Assignment, (Assignment.request_id == MentoringRequest.id) & (Assignment.mentor_id == volunteer.id)
              & (Assignment.outcome == Outcome.OPEN))
        .where(MentoringRequest.owner_id == volunteer.id, MentoringRequest.status == Status.ASSIGNED)
        .order_by(MentoringRequest.id)).all()]


def pause(store: Store, actor_email: str | None, email: str, *, start: str | date, until: str | date,
          return_pending: bool = False) -> dict:
    """Set the pause window and switch direct requests off; list (or return) what awaits acceptance."""
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        volunteer = _mentor(session, email)
        _require_may_edit(session, actor, volunteer)
        chapter = session.get(Chapter, volunteer.chapter_code)
        now = clock.now()
        today = eligibility.local_date(now, chapter)
        start, until = _day(start, today, "--from date"), _day(until, today, "--until date")
        if until < start:
            raise Invalid(f"the pause must end on or after it starts ({start} .. {until})")
        if until < today:
            raise Invalid(f"a pause until {until} would be over already (today is {today} in {chapter.code})")
        before = {"pause_from": volunteer.pause_from, "pause_until": volunteer.pause_until,
                  "accept_direct_requests": volunteer.accept_direct_requests}
        volunteer.pause_from, volunteer.pause_until = start, until
        if start <= today:  # a pause set in advance leaves them on until it starts (the sweep)
            volunteer.accept_direct_requests = False
        session.flush()
        awaiting, returned = [], []
        for request, assignment in _awaiting_acceptance(session, volunteer):
            tz = get_chapter(session, request.chapter_code).timezone
            awaiting.append({"id": label(request.id), "assigned_at": local(assignment.assigned_at, tz),
                             "accept_due_at": local(assignment.accept_due_at, tz)})
            if return_pending:
                send_back(session, request, actor, action=Action.DECLINE, outcome=Outcome.RETURNED,
                          reason=PAUSE_RETURN_REASON, note_kind="decline", event="declined", now=now)
                returned.append(label(request.id))
        audit.record(session, actor=actor.email, action="mentor.pause", volunteer_id=volunteer.id, at=now,
                     detail={"before": before, "pause_from": start, "pause_until": until,
                             "returned_to_queue": returned})
        result = describe(session, volunteer, now)
        result["awaiting_acceptance"] = awaiting
        result["returned_to_queue"] = returned
        return result


def clear_pause(store: Store, actor_email: str | None, email: str) -> dict:
    """End the pause now. Direct requests stay off: the mentor is told to switch them back on."""
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        volunteer = _mentor(session, email)
        _require_may_edit(session, actor, volunteer)
        if volunteer.pause_from is None and volunteer.pause_until is None:
            raise Refused(f"{volunteer.email} has no pause to clear")
        was = (volunteer.pause_from, volunteer.pause_until)
        volunteer.pause_from = volunteer.pause_until = None
        session.flush()
        now = clock.now()
        audit.record(session, actor=actor.email, action="mentor.pause_clear", volunteer_id=volunteer.id, at=now,
                     detail={"pause_from": was[0], "pause_until": was[1]})
        if actor.id != volunteer.id:
            outbox.enqueue(session, event="pause_ended", recipient=volunteer.email,
                           occurrence=f"{was[0]}..{was[1]}:cleared",
                           values={"mentor_name": volunteer.name, "mentor_email": volunteer.email,
                                   "pause_from": was[0] or "-", "pause_until": was[1] or "-"})
        result = describe(session, volunteer, now)
        result["reminder"] = None if volunteer.accept_direct_requests else (
            f"direct requests are still switched off: switch them back on with"
            f" `score mentor settings {volunteer.email} --accept-direct-requests`")
        return result
