"""Reassign, transfer, withdraw and note: the coordinator's other actions, and who may take them."""

import pytest
from sqlalchemy import select

from score_cli.services.requests import assignment
from score_cli.domain.errors import Conflict, Invalid, NotFound, Refused
from score_cli.store.models import (Assignment, AuditEvent, CaseTeamMember, ChapterTransfer, MentoringRequest,
                                    Note, OutboxMessage)
from tests.world import ADMIN, CIC, CIC_AUS, FAR, MENTOR, MENTOR2, RCIC


def row(world, request_id):
    with world.store.reading() as session:
        return session.get(MentoringRequest, request_id)


def outcomes(world, request_id):
    with world.store.reading() as session:
        return session.execute(select(Assignment.outcome).where(Assignment.request_id == request_id)
                               .order_by(Assignment.id)).scalars().all()


def test_reassign_changes_the_owner_without_waiting_for_the_timeout(world):
    request_id = world.assigned(MENTOR)
    assignment.reassign(world.store, CIC, request_id, MENTOR2, reason="Mo is travelling")
    r = row(world, request_id)
    assert r.owner_id == world.volunteer(MENTOR2).id and r.status == "assigned"
    assert outcomes(world, request_id) == ["reassigned", "open"]
    with world.store.reading() as session:
        team = session.execute(select(CaseTeamMember.volunteer_id, CaseTeamMember.state)
                               .where(CaseTeamMember.request_id == request_id).order_by(CaseTeamMember.id)).all()
    assert team == [(world.volunteer(MENTOR).id, "removed"), (world.volunteer(MENTOR2).id, "pending")]


def test_reassign_to_the_queue_needs_a_reason(world):
    request_id = world.assigned(MENTOR)
    with pytest.raises(Invalid, match="--reason"):
        assignment.reassign(world.store, CIC, request_id, None, reason=" ", to_queue=True)
    assignment.reassign(world.store, CIC, request_id, None, reason="mentor unreachable", to_queue=True)
    r = row(world, request_id)
    assert (r.status, r.queue, r.owner_id) == ("pending_reassignment", "BOS01", None)


def test_reassign_refuses_a_request_still_in_the_queue(world):
    request_id = world.submit()
    with pytest.raises(Refused, match="can't reassign MRE-.*: it is new"):
        assignment.reassign(world.store, CIC, request_id, MENTOR, reason="x")


def test_transfer_moves_the_request_to_the_target_chapters_queue_and_tells_its_cics(world):
    request_id = world.assigned(MENTOR)
    assignment.transfer(world.store, CIC, request_id, "aus01", reason="client moved to Austin")
    r = row(world, request_id)
    assert (r.chapter_code, r.queue, r.status, r.owner_id) == ("AUS01", "AUS01", "pending_reassignment", None)
    with world.store.reading() as session:
        mail = session.execute(select(OutboxMessage.recipient).where(
            OutboxMessage.request_id == request_id, OutboxMessage.event == "transferred")).scalars().all()
        moved = session.execute(select(ChapterTransfer.from_chapter, ChapterTransfer.to_chapter)).all()
    assert mail == [CIC_AUS]
    assert moved == [("BOS01", "AUS01")]
    # it has left the source chapter: Boston's CIC no longer coordinates it
    with pytest.raises(Refused):
        assignment.add_note(world.store, CIC, request_id, "still ours?")


def test_a_new_request_transferred_to_a_chapter_that_is_not_live_goes_to_the_national_queue(world):
    request_id = world.submit()
    assignment.transfer(world.store, CIC, request_id, "BGR01", reason="client is in Maine")
    r = row(world, request_id)
    assert (r.chapter_code, r.queue, r.status) == ("BGR01", "national", "new")


def test_transfer_refuses_the_same_chapter_an_unknown_one_and_a_request_in_progress(world):
    request_id = world.submit()
    with pytest.raises(Invalid, match="already in BOS01"):
        assignment.transfer(world.store, CIC, request_id, "BOS01", reason="x")
    with pytest.raises(NotFound):
        assignment.transfer(world.store, CIC, request_id, "ZZZ99", reason="x")
    assignment.withdraw(world.store, CIC, request_id, reason="duplicate")
    with pytest.raises(Refused, match="it is withdrawn"):
        assignment.transfer(world.store, CIC, request_id, "AUS01", reason="x")


def test_withdraw_closes_the_request_and_tells_the_owner(world):
    request_id = world.assigned(MENTOR)
    assignment.withdraw(world.store, CIC, request_id, reason="client no longer interested")
    r = row(world, request_id)
    assert r.status == "withdrawn" and r.closed_at is not None
    assert outcomes(world, request_id) == ["withdrawn"]
    with world.store.reading() as session:
        mail = session.execute(select(OutboxMessage.recipient).where(
            OutboxMessage.request_id == request_id, OutboxMessage.event == "withdrawn")).scalars().all()
    assert mail == [MENTOR]
    with pytest.raises(Refused, match="it is withdrawn"):
        assignment.withdraw(world.store, CIC, request_id, reason="again")


def test_a_note_is_kept_with_its_author(world):
    request_id = world.submit()
    assignment.add_note(world.store, CIC, request_id, "Called the client: wants a retail mentor")
    with world.store.reading() as session:
        notes = session.execute(select(Note.text, Note.kind).where(Note.request_id == request_id)).all()
        history = session.execute(select(AuditEvent.action, AuditEvent.from_status, AuditEvent.to_status)
                                  .where(AuditEvent.request_id == request_id).order_by(AuditEvent.id)).all()
    assert notes == [("Called the client: wants a retail mentor", "note")]
    assert history[-1] == ("note", "new", "new")


@pytest.mark.parametrize("actor, allowed", [
    (CIC, True),       # CIC of BOS01
    (RCIC, True),      # RCIC of BOS01's district
    (ADMIN, True),     # national
    (CIC_AUS, False),  # CIC of another chapter
    (MENTOR, False),   # a mentor cannot assign
    (FAR, False),
])
def test_who_may_assign_a_boston_request(world, actor, allowed):
    request_id = world.submit()
    if allowed:
        assignment.assign(world.store, actor, request_id, MENTOR2)
        assert row(world, request_id).status == "assigned"
    else:
        with pytest.raises(Refused, match="only a coordinator of its chapter"):
            assignment.assign(world.store, actor, request_id, MENTOR2)
        assert row(world, request_id).status == "new"


def test_an_rcic_does_not_reach_outside_their_district(world):
    request_id = world.submit("AUS01")
    with pytest.raises(Refused):
        assignment.assign(world.store, RCIC, request_id, FAR)


def test_a_stale_version_is_a_conflict(world):
    """Two writers that read the same version: the second one's conditional update finds nothing."""
    from score_cli.services.requests import records

    request_id = world.submit()
    with world.store.reading() as session:
        stale = session.get(MentoringRequest, request_id)
    assignment.add_note(world.store, CIC, request_id, "first")
    with pytest.raises(Conflict, match="changed since you looked"):
        with world.store.transaction() as session:
            records.change(session, stale, actor=CIC, action="note")


# --- a client in progress changes hands; the mentor who loses a request is told --------------


def in_progress(world, mentor=MENTOR) -> int:
    from score_cli.services.requests import mentoring
    request_id = world.assigned(mentor)
    mentoring.accept(world.store, mentor, request_id, message="Hello, when can we meet?")
    mentoring.add_session(world.store, mentor, request_id, day="today", minutes=45, notes="Pricing first steps")
    return request_id


def told(world, request_id) -> list[str]:
    with world.store.reading() as session:
        return session.execute(select(OutboxMessage.recipient).where(
            OutboxMessage.request_id == request_id, OutboxMessage.event == "owner_changed")).scalars().all()


def test_a_client_in_progress_is_reassigned_with_its_sessions_and_the_old_mentor_is_told_once(world):
    from score_cli.services.requests import show
    request_id = in_progress(world)
    assignment.reassign(world.store, CIC, request_id, MENTOR2, reason="Mo ran out of capacity")
    r = row(world, request_id)
    assert (r.status, r.owner_id) == ("assigned", world.volunteer(MENTOR2).id)
    assert told(world, request_id) == [MENTOR]
    seen = show.show(world.store, MENTOR2, request_id)
    assert [s["notes"] for s in seen["sessions"]] == ["Pricing first steps"]
    assert len(seen["contact_attempts"]) == 1


def test_a_client_in_progress_goes_back_to_the_queue_or_to_another_chapter(world):
    queued = in_progress(world)
    assignment.reassign(world.store, CIC, queued, None, to_queue=True, reason="Mo left")
    assert row(world, queued).status == "pending_reassignment"
    assert told(world, queued) == [MENTOR]
    moved = in_progress(world)
    assignment.transfer(world.store, CIC, moved, "AUS01", reason="client moved to Austin")
    assert (row(world, moved).status, row(world, moved).chapter_code) == ("pending_reassignment", "AUS01")
    assert told(world, moved) == [MENTOR]
