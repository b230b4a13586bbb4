"""The sweep's two busiest jobs done for many items at once: timeouts and accept reminders.

A night after a holiday can leave thousands of assignments due. One transaction per item costs a
dozen statements each; here a batch of items costs six: one read of everything the messages need
(locking the rows on PostgreSQL), one update per table, one insert of the history and one of the
e-mails. The batch is all or nothing. If any item in it is no longer due as found (a coordinator
or another sweep got there first, or PostgreSQL has the row locked), `Incomplete` is raised before
anything is written, and the sweep does that batch item by item instead, which tells each case apart.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, select, update
from sqlmodel import Session

from score_cli.services import audit
from score_cli.services.mail import outbox
from score_cli.services.requests.assignment import remove_leads
from score_cli.services.organisation.chapters import queue_of
from score_cli.domain import deadlines
from score_cli.domain.vocabulary import request_label as label
from score_cli.services.timefmt import local_text
from score_cli.domain.workflow import TRANSITIONS, Action
from score_cli.store.hints import by_key_only
from score_cli.store.models import Assignment, Client, MentoringRequest, Volunteer
from score_cli.domain.vocabulary import NATIONAL_QUEUE, Outcome, Status

ACTOR = "sweep"


class Incomplete(Exception):
    """Some item of the batch is not as it was found: do the batch one item at a time."""


def _found(session: Session, assignment_ids: list[int], *conditions):
    """The open assignments among `assignment_ids` whose mentor still owns the request."""
    rows = session.execute(
        select(Assignment.id, Assignment.request_id, Assignment.mentor_id, Assignment.assigned_at,
               Assignment.accept_due_at, Assignment.timeout_at, MentoringRequest.status,
               MentoringRequest.chapter_code, Volunteer.email, Volunteer.name, Client.name.label("client_name"))
        .join(MentoringRequest, (MentoringRequest.id == Assignment.request_id)
              & (MentoringRequest.owner_id == Assignment.mentor_id))
        .join(Volunteer, Volunteer.id == Assignment.mentor_id)
        .join(Client, Client.id == MentoringRequest.client_id)
        .where(Assignment.id.in_(assignment_ids), by_key_only(Assignment.outcome) == Outcome.OPEN, *conditions)
        .order_by(Assignment.id)
        .with_for_update(of=[Assignment.__table__, MentoringRequest.__table__], skip_locked=True)
    ).all()
    if len(rows) != len(set(assignment_ids)):
        raise Incomplete
    order = {assignment_id: n for n, assignment_id in enumerate(assignment_ids)}
    return sorted(rows, key=lambda row: order[row.id])


def _expect(result, count: int) -> None:
    if result.rowcount != count:
        raise Incomplete


def time_out(session: Session, places: dict, now: datetime, assignment_ids: list[int],
             coordinators: dict) -> list[dict]:
    """Assignments not accepted within five business days go back to their chapter's queue."""
    sources = sorted(TRANSITIONS[Action.TIMEOUT].sources)
    rows = _found(session, assignment_ids, Assignment.timeout_at <= now,
                  by_key_only(MentoringRequest.status).in_(sources))
    request_ids = [row.request_id for row in rows]
    _expect(session.execute(
        update(Assignment).where(Assignment.id.in_(assignment_ids), by_key_only(Assignment.outcome) == Outcome.OPEN)
        .values(outcome=Outcome.TIMED_OUT, outcome_at=now, reason=deadlines.TIMEOUT_OUTCOME_REASON)
        .execution_options(synchronize_session=False)), len(rows))
    remove_leads(session, request_ids, now)
    live = sorted(code for code, place in places.items() if place.live)
    _expect(session.execute(
        update(MentoringRequest).where(MentoringRequest.id.in_(request_ids),
                                       by_key_only(MentoringRequest.status).in_(sources))
        .values(status=Status.PENDING_REASSIGNMENT, status_changed_at=now, owner_id=None,
                queue=case((MentoringRequest.chapter_code.in_(live), MentoringRequest.chapter_code),
                           else_=NATIONAL_QUEUE),
                version=MentoringRequest.version + 1)
        .execution_options(synchronize_session=False)), len(rows))
    history, messages, items = [], [], []
    for row in rows:
        place = places[row.chapter_code]
        queue = queue_of(place)
        history.append(audit.event_row(
            actor=ACTOR, action=str(Action.TIMEOUT), request_id=row.request_id, from_status=row.status,
            to_status=Status.PENDING_REASSIGNMENT, at=now, reason=deadlines.TIMEOUT_REASON,
            detail={"mentor": row.email, "timeout_at": row.timeout_at, "queue": queue}))
        values = {"request": label(row.request_id), "client_name": row.client_name, "mentor_name": row.name,
                  "chapter": place.code, "assigned_at": local_text(row.assigned_at, place.timezone)}
        messages.append(outbox.message(event="timed_out_mentor", recipient=row.email, request_id=row.request_id,
                                       occurrence=row.id, values=values))
        messages += [outbox.message(event="timed_out", recipient=cic, request_id=row.request_id,
                                    occurrence=row.id, values=values)
                     for cic in outbox.queue_watchers(session, place, coordinators)]
        items.append({"id": row.request_id, "email": row.email, "queue": queue})
    audit.record_many(session, history)
    outbox.enqueue_many(session, messages)
    return items


def remind(session: Session, places: dict, now: datetime, assignment_ids: list[int]) -> list[dict]:
    """Assignments past their accept-by time: one reminder each to the mentor."""
    rows = _found(session, assignment_ids, by_key_only(MentoringRequest.status) == Status.ASSIGNED,
                  Assignment.accept_due_at <= now, Assignment.timeout_at > now,
                  Assignment.reminder_sent_at.is_(None))
    _expect(session.execute(
        update(Assignment).where(Assignment.id.in_(assignment_ids), by_key_only(Assignment.outcome) == Outcome.OPEN,
                                 Assignment.reminder_sent_at.is_(None))
        .values(reminder_sent_at=now).execution_options(synchronize_session=False)), len(rows))
    history, messages, items = [], [], []
    for row in rows:
        place = places[row.chapter_code]
        history.append(audit.event_row(
            actor=ACTOR, action="accept_reminder", request_id=row.request_id, volunteer_id=row.mentor_id,
            from_status=row.status, to_status=row.status, at=now,
            detail={"mentor": row.email, "accept_due_at": row.accept_due_at}))
        messages.append(outbox.message(
            event="accept_overdue", recipient=row.email, request_id=row.request_id, occurrence=row.id,
            values={"request": label(row.request_id), "client_name": row.client_name, "mentor_name": row.name,
                    "assigned_at": local_text(row.assigned_at, place.timezone),
                    "accept_due": local_text(row.accept_due_at, place.timezone),
                    "timeout": local_text(row.timeout_at, place.timezone)}))
        items.append({"id": row.request_id, "email": row.email})
    audit.record_many(session, history)
    outbox.enqueue_many(session, messages)
    return items
