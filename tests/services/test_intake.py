"""Requests arriving: the client recognised by any e-mail, live chapters, direct requests."""

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from score_cli.services.requests import intake
from score_cli.domain.errors import Invalid
from score_cli.store.models import AuditEvent, MentoringRequest, Note, OutboxMessage
from tests.world import CIC, MENTOR, MENTOR2


def request_row(world, request_id):
    with world.store.reading() as session:
        return session.get(MentoringRequest, request_id)


def test_a_new_request_waits_in_its_chapters_queue_and_tells_the_cics(world):
    request_id = world.submit("BOS01")
    r = request_row(world, request_id)
    assert (r.status, r.queue, r.owner_id, r.client_was_known) == ("new", "BOS01", None, False)
    with world.store.reading() as session:
        mail = session.execute(select(OutboxMessage.recipient, OutboxMessage.event)
                               .where(OutboxMessage.request_id == request_id)).all()
        events = session.execute(select(AuditEvent.action).where(AuditEvent.request_id == request_id)).scalars().all()
    assert mail == [(CIC, "new_request")]
    assert events == ["submit"]


def test_a_client_is_recognised_by_any_of_their_emails_trimmed_and_in_any_case(world):
    first = world.submit(email="ann@shop.com")
    with world.store.transaction() as session:
        second = intake.submit(session, intake.NewRequest(
            name="Ann", emails=["  other@ann.org", " ANN@Shop.com "], chapter="BOS01", question="Again").checked())
    with world.store.transaction() as session:
        third = intake.submit(session, intake.NewRequest(
            name="Ann", emails=["other@ann.org"], chapter="BOS01", question="Third").checked())
    a, b, c = (request_row(world, i) for i in (first, second, third))
    assert a.client_was_known is False and b.client_was_known is True and c.client_was_known is True
    assert a.client_id == b.client_id == c.client_id


def test_a_chapter_that_is_not_live_sends_the_request_to_the_national_queue(world):
    r = request_row(world, world.submit("BGR01"))  # Bangor is not live
    assert (r.status, r.queue, r.chapter_code) == ("new", "national", "BGR01")


def test_a_direct_request_goes_to_a_mentor_who_accepts_them(world):
    r = request_row(world, world.submit(direct_to=MENTOR))
    assert r.status == "assigned" and r.owner_id == world.volunteer(MENTOR).id and r.queue is None


def test_a_direct_request_to_a_mentor_who_does_not_accept_them_goes_to_the_queue_with_a_note(world):
    request_id = world.submit(direct_to=MENTOR2)
    r = request_row(world, request_id)
    assert (r.status, r.queue, r.direct_mentor_id) == ("new", "BOS01", world.volunteer(MENTOR2).id)
    with world.store.reading() as session:
        notes = session.execute(select(Note.text).where(Note.request_id == request_id)).scalars().all()
    assert notes == [f"The client asked for {MENTOR2}, who does not accept direct requests;"
                     " the request went to the queue."]


def test_the_weekly_direct_request_limit_sends_the_third_request_to_the_queue(world):
    # MENTOR takes at most 2 direct requests a week.
    with freeze_time("2026-11-16 15:00:00"):
        assert request_row(world, world.submit(email="a@x.com", direct_to=MENTOR)).status == "assigned"
    with freeze_time("2026-11-20 15:00:00"):
        assert request_row(world, world.submit(email="b@x.com", direct_to=MENTOR)).status == "assigned"
        third = world.submit(email="c@x.com", direct_to=MENTOR)
    assert request_row(world, third).status == "new"
    with world.store.reading() as session:
        note = session.execute(select(Note.text).where(Note.request_id == third)).scalar_one()
    assert "weekly limit of 2 direct requests" in note
    with freeze_time("2026-11-23 16:00:00"):  # seven days after the first: room again
        assert request_row(world, world.submit(email="d@x.com", direct_to=MENTOR)).status == "assigned"


@pytest.mark.parametrize("field, value, message", [
    ("emails", [], "at least one client e-mail"),
    ("emails", ["not-an-email"], "not a valid client e-mail"),
    ("question", "   ", "question must not be empty"),
    ("zip", "ABCDE", "not a US ZIP code"),
    ("direct_to", "nobody", "--direct-to"),
    ("area", "Marketting", "unknown mentoring area 'Marketting'; did you mean 'Marketing & Sales'"),
    ("area", "Underwater basket weaving", r"unknown mentoring area .*mentoring_areas.txt"),
])
def test_bad_fields_are_refused_before_anything_is_written(world, field, value, message):
    fields = dict(name="X", emails=["x@example.com"], chapter="BOS01", question="Q")
    fields[field] = value
    with pytest.raises(Invalid, match=message):
        intake.NewRequest(**fields).checked()
    with world.store.reading() as session:
        assert session.execute(select(func.count()).select_from(MentoringRequest)).scalar() == 0


def test_a_mentoring_area_is_one_of_the_listed_areas_in_any_case(world):
    checked = intake.NewRequest(name="X", emails=["x@example.com"], chapter="BOS01", question="Q",
                                area="  marketing & SALES ").checked()
    assert checked.area == "Marketing & Sales"
    request_id = world.submit(area="cash flow management")
    assert request_row(world, request_id).mentoring_area == "Cash Flow Management"
