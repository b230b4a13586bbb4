"""Pauses (SPEC §3), as the sweep keeps them: on a pause's first day direct requests are switched
off, and the day after its last day the pause is cleared and the mentor told. Days are the
volunteer's own chapter's local dates (`sweep.today`).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import or_, select, update
from sqlmodel import Session

from score_cli.domain.vocabulary import VolunteerStatus
from score_cli.services import audit
from score_cli.services.mail import outbox
from score_cli.services.sweep.batch import ACTOR
from score_cli.services.sweep.due import Skip, keyset_after
from score_cli.store.models import AuditEvent, Volunteer


def starting_pauses(now: datetime, after: tuple | None):
    """Paused mentors who still accept direct requests (coarse by a day; checked locally)."""
    return (select(Volunteer.pause_from, Volunteer.id, Volunteer.chapter_code)
            .where(Volunteer.accept_direct_requests.is_(True), Volunteer.pause_from.is_not(None),
                   Volunteer.pause_from <= now.date() + timedelta(days=1),
                   or_(Volunteer.pause_until.is_(None), Volunteer.pause_until >= now.date() - timedelta(days=1)),
                   keyset_after(Volunteer.pause_from, Volunteer.id, after))
            .order_by(Volunteer.pause_from, Volunteer.id))


def start_pause(sweep, session: Session, row) -> dict:
    """On a pause's first day (chapter-local) direct requests are switched off, once per pause."""
    volunteer = session.get(Volunteer, row.id)
    today = sweep.today(volunteer.chapter_code)
    if not (volunteer.accept_direct_requests and volunteer.pause_from and volunteer.pause_from <= today
            and (volunteer.pause_until is None or today <= volunteer.pause_until)):
        raise Skip
    since = datetime.combine(volunteer.pause_from - timedelta(days=1), time(0), timezone.utc)
    if session.execute(select(AuditEvent.id).where(AuditEvent.volunteer_id == volunteer.id,
                                                   AuditEvent.action == "pause_started",
                                                   AuditEvent.at >= since).limit(1)).first():
        raise Skip  # switched off once for this pause; the mentor switched them on again
    volunteer.accept_direct_requests = False
    audit.record(session, actor=ACTOR, action="pause_started", volunteer_id=volunteer.id, at=sweep.now,
                 detail={"pause_from": volunteer.pause_from, "pause_until": volunteer.pause_until,
                         "accept_direct_requests": [True, False]})
    return {"email": volunteer.email, "pause_from": volunteer.pause_from}


def ended_pauses(now: datetime, after: tuple | None):
    # Coarse (volunteers are few, and few are paused): a chapter's local date is at most the
    # UTC date + 1, so a pause that is over ended on the UTC date or before. Each row is then
    # checked against its own chapter's date.
    return (select(Volunteer.pause_until, Volunteer.id, Volunteer.chapter_code)
            .where(Volunteer.pause_until.is_not(None), Volunteer.pause_until <= now.date(),
                   keyset_after(Volunteer.pause_until, Volunteer.id, after))
            .order_by(Volunteer.pause_until, Volunteer.id))


def end_pause(sweep, session: Session, row) -> dict:
    """The day after `pause_until` (chapter-local) the pause is cleared and the mentor told.

    Direct requests stay off: the mentor switches them back on (SPEC §3).
    """
    volunteer = session.get(Volunteer, row.id)
    if volunteer is None or volunteer.pause_until is None:
        raise Skip
    if sweep.today(volunteer.chapter_code) <= volunteer.pause_until:
        raise Skip  # a new pause was set meanwhile
    was_from, was_until = volunteer.pause_from, volunteer.pause_until
    cleared = session.execute(
        update(Volunteer).where(Volunteer.id == volunteer.id, Volunteer.pause_until == was_until,
                                Volunteer.pause_from.is_not_distinct_from(was_from))
        .values(pause_from=None, pause_until=None).execution_options(synchronize_session=False))
    if cleared.rowcount != 1:
        raise Skip
    audit.record(session, actor=ACTOR, action="pause_ended", volunteer_id=volunteer.id, at=sweep.now,
                 detail={"pause_from": was_from, "pause_until": was_until})
    if volunteer.status == VolunteerStatus.ACTIVE:
        outbox.enqueue(session, event="pause_ended", recipient=volunteer.email,
                       occurrence=f"{was_from or ''}..{was_until}",
                       values={"mentor_name": volunteer.name, "mentor_email": volunteer.email,
                               "pause_from": was_from or "-", "pause_until": was_until})
    return {"email": volunteer.email, "pause_until": was_until}
