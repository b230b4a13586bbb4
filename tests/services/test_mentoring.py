"""The mentor's side of a request (SPEC §4, §5): accept, decline, return, contact, sessions, status."""

from datetime import date, datetime, timezone

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from score_cli.services.requests import records
from score_cli.services.requests import assignment, mentoring, referrals
from score_cli.domain.errors import Conflict, Invalid, NotFound, Refused
from score_cli.store.models import (Assignment, AuditEvent, CaseTeamMember, Chapter, ContactAttempt,
                                    MentoringRequest, MentoringSession, Note, OutboxMessage)
from tests.helpers import dump
from tests.world import ADMIN, CIC, CIC_AUS, MENTOR, MENTOR2


def request_row(world, request_id) -> MentoringRequest:
    with world.store.reading() as session:
        return session.get(MentoringRequest, request_id)


def rows(world, model, request_id):
    with world.store.reading() as session:
        return session.execute(select(model).where(model.request_id == request_id).order_by(model.id)).scalars().all()


def mail(world, request_id, event):
    with world.store.reading() as session:
        return session.execute(select(OutboxMessage).where(OutboxMessage.request_id == request_id,
                                                           OutboxMessage.event == event)).scalars().all()


def accepted(world, mentor=MENTOR, **fields) -> int:
    request_id = world.assigned(mentor, **fields)
    mentoring.accept(world.store, mentor, request_id)
    return request_id


# --- accept ------------------------------------------------------------------------------


def test_the_owner_accepts_and_becomes_the_accepted_lead(world):
    with freeze_time("2026-11-18 15:00:00"):
        request_id = world.assigned(MENTOR)
    with freeze_time("2026-11-19 14:00:00"):
        result = mentoring.accept(world.store, MENTOR, request_id)
    assert result == {"id": f"MRE-{request_id}", "status": "accepted", "message_to": []}
    r = request_row(world, request_id)
    assert r.first_accepted_at == datetime(2026, 11, 19, 14, 0, tzinfo=timezone.utc)
    assert r.first_contacted_at is None
    [a] = rows(world, Assignment, request_id)
    assert (a.outcome, a.accepted_at) == ("accepted", datetime(2026, 11, 19, 14, 0, tzinfo=timezone.utc))
    [lead] = rows(world, CaseTeamMember, request_id)
    assert (lead.role, lead.state) == ("lead", "accepted")
    assert rows(world, ContactAttempt, request_id) == []
    assert mail(world, request_id, "accept_message") == []


def test_a_first_message_on_acceptance_is_emailed_to_the_client_and_is_contact_attempt_one(world):
    request_id = world.assigned(MENTOR, email="cleo@example.com")
    result = mentoring.accept(world.store, MENTOR, request_id, message="Hello Cleo, shall we talk on Monday?")
    assert result["status"] == "contacted"
    r = request_row(world, request_id)
    assert r.first_accepted_at is not None and r.first_contacted_at == r.first_accepted_at
    [attempt] = rows(world, ContactAttempt, request_id)
    assert attempt.method == "email"
    [message] = mail(world, request_id, "accept_message")
    assert message.recipient == "cleo@example.com"
    assert "Hello Cleo, shall we talk on Monday?" in message.body and MENTOR in message.body
    with world.store.reading() as session:
        history = session.execute(select(AuditEvent.action, AuditEvent.from_status, AuditEvent.to_status)
                                  .where(AuditEvent.request_id == request_id).order_by(AuditEvent.id)).all()
    assert history[-1] == ("accept", "assigned", "contacted")


def test_a_mentor_may_not_accept_someone_elses_request(world):
    request_id = world.assigned(MENTOR)
    before = dump(world.url)
    with pytest.raises(Refused, match="only its owner"):
        mentoring.accept(world.store, MENTOR2, request_id)
    with pytest.raises(Refused, match="only its owner"):
        mentoring.accept(world.store, CIC, request_id)
    assert dump(world.url) == before


def test_accepting_twice_is_refused_naming_the_rule(world):
    request_id = accepted(world)
    with pytest.raises(Refused, match="it is accepted; that needs assigned"):
        mentoring.accept(world.store, MENTOR, request_id)


# --- decline and return ------------------------------------------------------------------


def test_a_decline_needs_a_reason(world):
    request_id = world.assigned(MENTOR)
    before = dump(world.url)
    with pytest.raises(Invalid, match="--reason"):
        mentoring.decline(world.store, MENTOR, request_id, reason="  ")
    assert dump(world.url) == before


def test_a_declined_request_goes_back_to_its_chapter_queue_with_the_reason_for_the_cic(world):
    request_id = world.assigned(MENTOR)
    result = mentoring.decline(world.store, MENTOR, request_id, reason="No time this month")
    assert result == {"id": f"MRE-{request_id}", "status": "pending_reassignment", "queue": "BOS01"}
    r = request_row(world, request_id)
    assert (r.status, r.owner_id, r.queue) == ("pending_reassignment", None, "BOS01")
    [a] = rows(world, Assignment, request_id)
    assert (a.outcome, a.reason) == ("declined", "No time this month")
    [lead] = rows(world, CaseTeamMember, request_id)
    assert lead.state == "removed"
    notes = [(n.kind, n.text) for n in rows(world, Note, request_id)]
    assert ("decline", "No time this month") in notes
    [told] = mail(world, request_id, "declined")
    assert told.recipient == CIC and "No time this month" in told.body


def test_a_decline_in_a_chapter_that_is_not_live_goes_to_the_national_queue(world):
    with world.store.reading() as session:
        offline = session.execute(select(Chapter.code).where(Chapter.live.is_(False)).limit(1)).scalar_one()
    request_id = world.submit(chapter=offline)
    assignment.assign(world.store, ADMIN, request_id, MENTOR, force=True)
    result = mentoring.decline(world.store, MENTOR, request_id, reason="Not my field")
    assert result["queue"] == "national"
    assert [m.recipient for m in mail(world, request_id, "declined")] == [ADMIN]


def test_a_mentor_may_only_decline_while_the_request_awaits_acceptance(world):
    request_id = accepted(world)
    with pytest.raises(Refused, match="it is accepted; that needs assigned"):
        mentoring.decline(world.store, MENTOR, request_id, reason="changed my mind")


def test_returning_an_accepted_request_keeps_its_sessions_for_the_next_mentor(world):
    request_id = accepted(world)
    mentoring.add_session(world.store, MENTOR, request_id, day="today", minutes=30, notes="Intro: not a good fit")
    result = mentoring.return_to_queue(world.store, MENTOR, request_id, reason="Needs a lawyer, not me")
    assert result == {"id": f"MRE-{request_id}", "status": "pending_reassignment", "queue": "BOS01"}
    [a] = rows(world, Assignment, request_id)
    assert a.outcome == "returned"
    assert [s.notes for s in rows(world, MentoringSession, request_id)] == ["Intro: not a good fit"]
    assert ("return", "Needs a lawyer, not me") in [(n.kind, n.text) for n in rows(world, Note, request_id)]
    assert [m.recipient for m in mail(world, request_id, "returned")] == [CIC]
    assert request_row(world, request_id).owner_id is None


def test_a_request_not_yet_accepted_cannot_be_returned_and_only_its_owner_returns_it(world):
    request_id = world.assigned(MENTOR)
    with pytest.raises(Refused, match="it is assigned"):
        mentoring.return_to_queue(world.store, MENTOR, request_id, reason="x")
    mentoring.accept(world.store, MENTOR, request_id)
    with pytest.raises(Refused, match="only its owner"):
        mentoring.return_to_queue(world.store, MENTOR2, request_id, reason="x")


def test_a_decline_that_races_a_reassignment_is_a_conflict_and_changes_nothing(world, monkeypatch):
    request_id = world.assigned(MENTOR)
    with world.store.reading() as session:
        as_the_mentor_saw_it = records.load(session, request_id)
    assignment.reassign(world.store, CIC, request_id, MENTOR2, reason="Mentor is away")
    before = dump(world.url)
    monkeypatch.setattr(records, "load", lambda session, rid: as_the_mentor_saw_it)
    with pytest.raises(Conflict, match="changed since you looked"):
        mentoring.decline(world.store, MENTOR, request_id, reason="too late")
    assert dump(world.url) == before


# --- contact -------------------------------------------------------------------------------


def test_contact_attempts_are_counted_and_the_request_becomes_contacted(world):
    request_id = accepted(world)
    first = mentoring.contact(world.store, MENTOR, request_id, method="phone", note="voicemail")
    second = mentoring.contact(world.store, MENTOR, request_id, method="EMAIL")
    assert (first["status"], first["attempts"], second["attempts"]) == ("contacted", 1, 2)
    assert [(c.method, c.note) for c in rows(world, ContactAttempt, request_id)] == [("phone", "voicemail"),
                                                                                     ("email", None)]
    assert request_row(world, request_id).first_contacted_at is not None


def test_contact_needs_a_known_method_and_an_accepted_request(world):
    request_id = world.assigned(MENTOR)
    with pytest.raises(Invalid, match="email, phone, other"):
        mentoring.contact(world.store, MENTOR, request_id, method="pigeon")
    with pytest.raises(Refused, match="it is assigned"):
        mentoring.contact(world.store, MENTOR, request_id, method="phone")


def test_a_mentor_cannot_log_contacts_on_someone_elses_request(world):
    request_id = accepted(world)
    before = dump(world.url)
    with pytest.raises(Refused, match="only its owner or an accepted case team member"):
        mentoring.contact(world.store, MENTOR2, request_id, method="phone")
    assert dump(world.url) == before


# --- sessions ------------------------------------------------------------------------------


@pytest.mark.parametrize("session_day, due_utc", [
    (date(2026, 11, 20), datetime(2026, 11, 24, 5, 0, tzinfo=timezone.utc)),   # Fri -> end of Mon (EST)
    (date(2026, 11, 21), datetime(2026, 11, 24, 5, 0, tzinfo=timezone.utc)),   # Sat -> end of Mon
    (date(2026, 11, 25), datetime(2026, 11, 28, 5, 0, tzinfo=timezone.utc)),   # Wed -> Thanksgiving -> end of Fri
    (date(2026, 3, 6), datetime(2026, 3, 10, 4, 0, tzinfo=timezone.utc)),      # Fri -> end of Mon, now EDT
    (date(2026, 7, 2), datetime(2026, 7, 7, 4, 0, tzinfo=timezone.utc)),       # Thu -> Fri 3 Jul observed -> end of Mon
])
def test_session_notes_are_due_at_the_end_of_the_next_business_day_in_the_chapters_calendar(
        world, session_day, due_utc):
    with world.store.reading() as session:
        boston = session.get(Chapter, "BOS01")
    assert mentoring.notes_due_at(session_day, boston) == due_utc


def test_session_notes_entered_after_the_next_business_day_are_late(world):
    with freeze_time("2026-11-18 15:00:00"):
        request_id = accepted(world)
    with freeze_time("2026-11-24 04:59:00"):  # Mon 23 Nov 23:59 in Boston
        on_time = mentoring.add_session(world.store, MENTOR, request_id, day="2026-11-20", minutes=60, notes="Plan")
    with freeze_time("2026-11-24 05:01:00"):  # Tue 24 Nov 00:01 in Boston
        late = mentoring.add_session(world.store, MENTOR, request_id, day="11/20/2026", minutes=30, notes="More")
    assert (on_time["entered_late"], late["entered_late"]) == (False, True)
    assert on_time["status"] == "in_progress"
    stored = rows(world, MentoringSession, request_id)
    assert [(s.session_date, s.minutes, s.entered_late) for s in stored] == [
        (date(2026, 11, 20), 60, False), (date(2026, 11, 20), 30, True)]
    assert request_row(world, request_id).first_session_at == datetime(2026, 11, 24, 4, 59, tzinfo=timezone.utc)


def test_a_session_cannot_be_in_the_future_of_the_chapters_today_or_before_the_request(world):
    with freeze_time("2026-11-18 15:00:00"):
        request_id = accepted(world)
    with freeze_time("2026-11-21 03:00:00"):  # still Fri 20 Nov in Boston
        before = dump(world.url)
        with pytest.raises(Invalid, match="in the future"):
            mentoring.add_session(world.store, MENTOR, request_id, day="2026-11-21", minutes=30, notes="x")
        with pytest.raises(Invalid, match="before MRE-"):
            mentoring.add_session(world.store, MENTOR, request_id, day="2026-11-17", minutes=30, notes="x")
        with pytest.raises(Invalid, match="--minutes"):
            mentoring.add_session(world.store, MENTOR, request_id, day="today", minutes=0, notes="x")
        with pytest.raises(Invalid, match="--notes"):
            mentoring.add_session(world.store, MENTOR, request_id, day="today", minutes=30, notes="")
        assert dump(world.url) == before
        result = mentoring.add_session(world.store, MENTOR, request_id, day="today", minutes=30, notes="x")
    assert result["date"] == date(2026, 11, 20)


def test_a_session_needs_an_accepted_request(world):
    request_id = world.assigned(MENTOR)
    with pytest.raises(Refused, match="it is assigned"):
        mentoring.add_session(world.store, MENTOR, request_id, day="today", minutes=30, notes="x")


def test_the_author_corrects_a_session_and_a_new_date_recomputes_its_lateness(world):
    with freeze_time("2026-11-18 15:00:00"):
        request_id = accepted(world)
    with freeze_time("2026-11-24 12:00:00"):
        added = mentoring.add_session(world.store, MENTOR, request_id, day="2026-11-19", minutes=30, notes="Frist")
        assert added["entered_late"] is True  # Thu 19 Nov: due by the end of Fri 20 Nov
        fixed = mentoring.edit_session(world.store, MENTOR, request_id, added["session"], day="2026-11-23",
                                       notes="First")
    assert (fixed["date"], fixed["notes"], fixed["entered_late"]) == (date(2026, 11, 23), "First", False)
    assert fixed["updated_at"] is not None
    with world.store.reading() as session:
        event = session.execute(select(AuditEvent).where(AuditEvent.action == "session_edit")).scalar_one()
    assert event.request_id == request_id


def test_only_the_sessions_author_or_the_owner_may_correct_it(world):
    request_id = accepted(world)
    referrals.refer(world.store, MENTOR, request_id, MENTOR2, reason="co-mentor")
    referrals.respond(world.store, MENTOR2, request_id, accept=True)
    own = mentoring.add_session(world.store, MENTOR, request_id, day="today", minutes=30, notes="lead's")
    theirs = mentoring.add_session(world.store, MENTOR2, request_id, day="today", minutes=30, notes="member's")
    with pytest.raises(Refused, match="only the session's author"):
        mentoring.edit_session(world.store, MENTOR2, request_id, own["session"], minutes=45)
    with pytest.raises(Refused, match="only the session's author"):
        mentoring.edit_session(world.store, CIC, request_id, own["session"], minutes=45)
    assert mentoring.edit_session(world.store, MENTOR, request_id, theirs["session"], minutes=45)["minutes"] == 45
    with pytest.raises(Invalid, match="say what to correct"):
        mentoring.edit_session(world.store, MENTOR, request_id, own["session"])
    with pytest.raises(NotFound):
        mentoring.edit_session(world.store, MENTOR, request_id, 9999, minutes=45)


# --- status --------------------------------------------------------------------------------


def test_complete_needs_a_session(world):
    request_id = accepted(world)
    with pytest.raises(Refused, match="no session is recorded"):
        mentoring.set_status(world.store, MENTOR, request_id, "complete")
    mentoring.add_session(world.store, MENTOR, request_id, day="today", minutes=30, notes="Done")
    assert mentoring.set_status(world.store, MENTOR, request_id, "complete", note="All set")["status"] == "complete"
    r = request_row(world, request_id)
    assert r.closed_at is not None and r.queue is None
    [a] = rows(world, Assignment, request_id)
    assert a.outcome == "closed"


def contact_on(world, request_id, *days, mentor=MENTOR):
    for day in days:
        with freeze_time(day):
            mentoring.contact(world.store, mentor, request_id, method="phone")


def test_no_response_needs_three_attempts_on_three_days_and_two_weeks_unless_a_cic_forces_it(world):
    with freeze_time("2026-11-02 14:00:00"):
        request_id = accepted(world)
    contact_on(world, request_id, "2026-11-02 14:01:00", "2026-11-02 14:02:00", "2026-11-02 14:03:00")
    with freeze_time("2026-11-02 14:04:00"), pytest.raises(Refused) as refused:
        mentoring.set_status(world.store, MENTOR, request_id, "no-response")
    # three attempts in three minutes are one occasion; the earliest is two more days and 14 days on
    assert "2 more contact attempt(s) on different days (has 3 on 1 day(s)" in str(refused.value)
    assert "14 days since the first attempt" in str(refused.value)
    assert "allowed from Mon 16 Nov 2026 09:01 EST" in str(refused.value)
    with pytest.raises(Refused, match="only a coordinator"):
        mentoring.set_status(world.store, MENTOR, request_id, "no_response", force=True)
    with pytest.raises(Invalid, match="needs a --note"):
        mentoring.set_status(world.store, CIC, request_id, "no_response", force=True)
    assert request_row(world, request_id).status == "contacted"
    done = mentoring.set_status(world.store, CIC, request_id, "no_response", force=True, note="client moved away")
    assert done["status"] == "no_response"
    with world.store.reading() as session:
        event = session.execute(select(AuditEvent).where(AuditEvent.request_id == request_id,
                                                         AuditEvent.action == "status")).scalar_one()
    assert event.reason == "client moved away" and "forced" in event.detail


def test_no_response_on_day_three_says_when_it_will_be_allowed(world):
    with freeze_time("2026-11-02 14:00:00"):
        request_id = accepted(world)
    contact_on(world, request_id, "2026-11-02 15:00:00", "2026-11-03 15:00:00", "2026-11-04 15:00:00")
    with freeze_time("2026-11-04 16:00:00"), pytest.raises(Refused) as refused:
        mentoring.set_status(world.store, MENTOR, request_id, "no_response")
    assert str(refused.value).endswith("it needs 14 days since the first attempt; allowed from"
                                       " Mon 16 Nov 2026 10:00 EST at the earliest (a coordinator may --force"
                                       " with a --note)")
    with freeze_time("2026-11-16 14:59:00"), pytest.raises(Refused):
        mentoring.set_status(world.store, MENTOR, request_id, "no_response")
    with freeze_time("2026-11-16 15:00:00"):
        assert mentoring.set_status(world.store, MENTOR, request_id, "no_response")["status"] == "no_response"


def test_a_new_owner_does_not_inherit_the_previous_owners_attempts(world):
    with freeze_time("2026-11-02 14:00:00"):
        request_id = accepted(world)
    contact_on(world, request_id, "2026-11-02 15:00:00", "2026-11-03 15:00:00", "2026-11-04 15:00:00")
    with freeze_time("2026-11-20 14:00:00"):
        assignment.reassign(world.store, CIC, request_id, MENTOR2, reason="Mo is away")
        mentoring.accept(world.store, MENTOR2, request_id, message="Hello from Mia")  # her attempt 1
    with freeze_time("2026-11-20 14:01:00"), pytest.raises(Refused, match=r"has 1 on 1 day\(s\)"):
        mentoring.set_status(world.store, MENTOR2, request_id, "no_response")


def test_three_attempts_on_three_days_two_weeks_on_let_the_owner_close_as_no_response(world):
    with freeze_time("2026-11-02 14:00:00"):
        request_id = accepted(world)
    contact_on(world, request_id, "2026-11-02 15:00:00", "2026-11-09 15:00:00", "2026-11-13 15:00:00")
    with freeze_time("2026-11-16 15:00:00"):
        assert mentoring.set_status(world.store, MENTOR, request_id, "no_response")["status"] == "no_response"
    with pytest.raises(Refused, match="it is no_response"):
        mentoring.set_status(world.store, MENTOR, request_id, "complete")


def test_who_may_close_a_request(world):
    request_id = accepted(world)
    referrals.refer(world.store, MENTOR, request_id, MENTOR2, reason="co-mentor")
    referrals.respond(world.store, MENTOR2, request_id, accept=True)
    before = dump(world.url)
    for outsider in (MENTOR2, CIC_AUS):  # a team member; a CIC of another chapter
        with pytest.raises(Refused, match="or its owner may"):
            mentoring.set_status(world.store, outsider, request_id, "incorrect_contact")
    assert dump(world.url) == before
    assert mentoring.set_status(world.store, CIC, request_id, "incorrect_contact")["status"] == "incorrect_contact"


def test_withdrawn_is_allowed_from_any_open_state_by_the_owner_or_a_cic(world):
    queued = world.submit()
    assert mentoring.set_status(world.store, CIC, queued, "withdrawn", note="duplicate")["status"] == "withdrawn"
    with pytest.raises(Refused):
        mentoring.set_status(world.store, MENTOR, world.submit(), "withdrawn")
    working = accepted(world)
    assert mentoring.set_status(world.store, MENTOR, working, "withdrawn")["status"] == "withdrawn"


def test_status_must_be_a_closed_status(world):
    request_id = accepted(world)
    for wrong in ("in_progress", "finished"):
        with pytest.raises(Invalid, match="closed status"):
            mentoring.set_status(world.store, MENTOR, request_id, wrong)


def test_a_session_dated_before_the_mentor_joined_is_refused_unless_they_were_on_the_team_then(world):
    with freeze_time("2026-11-18 15:00:00"):
        request_id = accepted(world)
        mentoring.add_session(world.store, MENTOR, request_id, day="today", minutes=30, notes="Intro")
    with freeze_time("2026-11-20 15:00:00"):
        assignment.reassign(world.store, CIC, request_id, MENTOR2, reason="Mo left")
        mentoring.accept(world.store, MENTOR2, request_id)
        before = dump(world.url)
        with pytest.raises(Invalid, match=r"--date 2026-11-19 is before mentor2@example.org was assigned to or"
                                          r" joined MRE-\d+ \(on 2026-11-20\)"):
            mentoring.add_session(world.store, MENTOR2, request_id, day="2026-11-19", minutes=30, notes="x")
        assert dump(world.url) == before
        assert mentoring.add_session(world.store, MENTOR2, request_id, day="today", minutes=30, notes="ok")


def test_a_co_mentor_who_was_on_the_team_records_a_session_of_that_day_after_taking_over(world):
    with freeze_time("2026-11-18 15:00:00"):
        request_id = accepted(world)
        referrals.refer(world.store, MENTOR, request_id, MENTOR2, reason="co-mentor")
        referrals.respond(world.store, MENTOR2, request_id, accept=True)
    with freeze_time("2026-11-20 15:00:00"):
        assignment.reassign(world.store, CIC, request_id, MENTOR2, reason="Mia leads now", force=True)
        mentoring.accept(world.store, MENTOR2, request_id)
        added = mentoring.add_session(world.store, MENTOR2, request_id, day="2026-11-19", minutes=30, notes="x")
    assert added["date"] == date(2026, 11, 19)
