"""Assigning a request: deadlines from the chapter's calendar, the rules of SPEC §4 and §6."""

from datetime import datetime, timezone

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from score_cli.services.requests import assignment
from score_cli.domain.errors import Refused
from score_cli.store.models import Assignment, AuditEvent, MentoringRequest, OutboxMessage
from tests.world import CIC, CIC_AUS, MENTOR, SME


def test_assignment_stores_deadlines_from_the_chapters_business_days(world):
    # Wed 25 Nov 2026 09:00 in Boston is 14:00 UTC; Thanksgiving Thursday is skipped.
    with freeze_time("2026-11-25 14:00:00"):
        request_id = world.assigned(MENTOR)
    with world.store.reading() as session:
        a = session.execute(select(Assignment).where(Assignment.request_id == request_id)).scalar_one()
        r = session.get(MentoringRequest, request_id)
    assert a.accept_due_at == datetime(2026, 11, 30, 14, 0, tzinfo=timezone.utc)  # Mon 09:00 EST
    assert a.timeout_at == datetime(2026, 12, 3, 14, 0, tzinfo=timezone.utc)  # Thu 09:00 EST
    assert (r.status, r.queue, r.owner_id) == ("assigned", None, world.volunteer(MENTOR).id)


def test_assign_writes_one_audit_event_and_tells_the_mentor(world):
    request_id = world.assigned(MENTOR)
    with world.store.reading() as session:
        actions = session.execute(select(AuditEvent.action, AuditEvent.to_status)
                                  .where(AuditEvent.request_id == request_id).order_by(AuditEvent.id)).all()
        mail = session.execute(select(OutboxMessage.recipient).where(
            OutboxMessage.request_id == request_id, OutboxMessage.event == "assignment")).scalars().all()
    assert actions == [("submit", "new"), ("assign", "assigned")]
    assert mail == [MENTOR]


def test_a_cic_of_another_chapter_may_not_assign(world):
    request_id = world.submit()
    with pytest.raises(Refused, match="only a coordinator of its chapter"):
        assignment.assign(world.store, CIC_AUS, request_id, MENTOR)


def test_a_mentor_may_not_assign(world):
    request_id = world.submit()
    with pytest.raises(Refused):
        assignment.assign(world.store, MENTOR, request_id, MENTOR)


def test_assigning_an_assigned_request_is_refused_by_the_rule(world):
    request_id = world.assigned(MENTOR)
    with pytest.raises(Refused, match=f"is already assigned to {MENTOR}: use score reassign"):
        assignment.assign(world.store, CIC, request_id, MENTOR)


def test_an_sme_needs_include_sme(world):
    request_id = world.submit()
    with pytest.raises(Refused, match="--include-sme"):
        assignment.assign(world.store, CIC, request_id, SME)
    assignment.assign(world.store, CIC, request_id, SME, include_sme=True)
