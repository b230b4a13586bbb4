"""Mentor Request Settings and pauses, as "All SCORE Mentors should..." describes them (SPEC §3)."""

from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from score_cli.services.requests import assignment, intake
from score_cli.services.people import mentor_settings, volunteers
from score_cli.domain.capacity import parse_capacity
from score_cli.domain.errors import Invalid, Refused
from score_cli.services.people.mentor_settings import SettingsChange
from score_cli.services.organisation.permissions import Grant
from score_cli.store.models import Assignment, AuditEvent, MentoringRequest, Note, OutboxMessage
from tests.helpers import dump
from tests.world import ADMIN, CIC, CIC_AUS, MENTOR, MENTOR2


def settings_events(world, email):
    volunteer_id = world.volunteer(email).id
    with world.store.reading() as session:
        return session.execute(select(AuditEvent).where(AuditEvent.volunteer_id == volunteer_id,
                                                        AuditEvent.action.like("mentor.%"))
                               .order_by(AuditEvent.id)).scalars().all()


@pytest.mark.parametrize("text, weekly", [
    ("3 per week", 3),
    ("5/week", 5),
    ("DR Only", 0),
    ("DR Only (Direct Requests Only)", 0),
    ("2 a week, prefer food businesses", 2),
    ("up to 4 clients per week", 4),
    ("one per week", 1),
    ("4", 4),
    ("2 per month", 0.462),  # 6 in 13 weeks
    ("whenever I can", None),
    ("", None),
])
def test_capacity_texts_and_their_weekly_numbers(text, weekly):
    assert parse_capacity(text).weekly == weekly


def test_the_settings_show_what_the_guide_asks_for(world):
    shown = mentor_settings.settings(world.store, CIC, MENTOR)
    assert {k: shown[k] for k in ("accept_direct_requests", "max_direct_weekly", "request_limit_reached",
                                  "direct_requests_last_7_days", "serve_outside_local_area", "capacity",
                                  "capacity_weekly", "capacity_warning", "expertise", "paused")} == {
        "accept_direct_requests": True, "max_direct_weekly": 2, "request_limit_reached": False,
        "direct_requests_last_7_days": 0, "serve_outside_local_area": False, "capacity": "3 per week",
        "capacity_weekly": 3, "capacity_warning": None, "expertise": ["Marketing & Sales"], "paused": False}


def test_a_mentor_edits_their_own_settings_and_each_change_is_audited(world):
    change = SettingsChange(max_direct_weekly=5, serve_outside_local_area=True, capacity="whenever I can",
                            expertise=["Retail", "Food & Beverage", "Retail"])
    shown = mentor_settings.settings(world.store, MENTOR, MENTOR, change)
    assert (shown["max_direct_weekly"], shown["serve_outside_local_area"]) == (5, True)
    assert (shown["capacity"], shown["capacity_weekly"]) == ("whenever I can", None)
    assert "not a number a week" in shown["capacity_warning"]
    assert shown["expertise"] == ["Food & Beverage", "Retail"]
    [event] = settings_events(world, MENTOR)
    assert (event.actor, event.action) == (MENTOR, "mentor.settings")
    assert '"max_direct_weekly": [2, 5]' in event.detail
    unlimited = mentor_settings.settings(world.store, MENTOR, MENTOR, SettingsChange(unlimited=True))
    assert unlimited["max_direct_weekly"] is None


def test_asking_for_the_settings_already_in_place_writes_nothing(world):
    before = dump(world.url)
    mentor_settings.settings(world.store, MENTOR, MENTOR, SettingsChange(accept_direct_requests=True))
    assert dump(world.url) == before


@pytest.mark.parametrize("role", ["cic", "chapter_manager", "membership_chair"])
def test_the_chapters_cic_manager_or_membership_chair_may_edit_a_mentors_settings(world, role):
    staff = volunteers.NewVolunteer(email="staff@example.org", name="Staff", chapter="BOS01",
                                    roles=[Grant(role, "chapter", "BOS01")])
    volunteers.add(world.store, ADMIN, staff)
    shown = mentor_settings.settings(world.store, "staff@example.org", MENTOR, SettingsChange(capacity="DR Only"))
    assert shown["capacity_weekly"] == 0


@pytest.mark.parametrize("someone", [MENTOR2, CIC_AUS])
def test_another_mentor_or_another_chapters_cic_may_not(world, someone):
    before = dump(world.url)
    with pytest.raises(Refused, match="mentor's chapter"):
        mentor_settings.settings(world.store, someone, MENTOR, SettingsChange(accept_direct_requests=False))
    assert dump(world.url) == before


def test_bad_settings_are_refused_before_anything_is_read(world):
    with pytest.raises(Invalid, match="not both"):
        mentor_settings.settings(world.store, MENTOR, MENTOR, SettingsChange(max_direct_weekly=3, unlimited=True))
    with pytest.raises(Invalid, match="between 1 and"):
        mentor_settings.settings(world.store, MENTOR, MENTOR, SettingsChange(max_direct_weekly=0))
    with pytest.raises(Refused, match="does not hold the mentor role"):
        mentor_settings.settings(world.store, CIC, CIC)


def test_the_request_limit_is_reached_by_direct_requests_in_the_last_seven_days(world):
    for n, day in enumerate(("2026-11-16 15:00:00", "2026-11-18 15:00:00")):
        with freeze_time(day), world.store.transaction() as session:
            intake.submit(session, intake.NewRequest(name="Cleo", emails=[f"c{n}@example.com"], chapter="BOS01",
                                                     question="q", direct_to=MENTOR).checked())
    with freeze_time("2026-11-20 15:00:00"):
        shown = mentor_settings.settings(world.store, CIC, MENTOR)
    assert (shown["direct_requests_last_7_days"], shown["request_limit_reached"]) == (2, True)
    with freeze_time("2026-11-23 16:00:00"):  # the first one is more than 7 days old
        shown = mentor_settings.settings(world.store, CIC, MENTOR)
    assert (shown["direct_requests_last_7_days"], shown["request_limit_reached"]) == (1, False)


# --- pauses ------------------------------------------------------------------------------


def test_pausing_sets_the_dates_switches_direct_requests_off_and_lists_what_awaits_acceptance(world):
    with freeze_time("2026-11-20 15:00:00"):
        waiting = world.assigned(MENTOR)
        shown = mentor_settings.pause(world.store, MENTOR, MENTOR, start="2026-11-23", until="2026-12-01")
    assert (shown["pause_from"], shown["pause_until"]) == (date(2026, 11, 23), date(2026, 12, 1))
    assert shown["accept_direct_requests"] is True and shown["paused"] is False  # starts Monday: on until then
    assert [r["id"] for r in shown["awaiting_acceptance"]] == [f"MRE-{waiting}"]
    assert shown["returned_to_queue"] == []
    [event] = settings_events(world, MENTOR)
    assert event.action == "mentor.pause"


@freeze_time("2026-11-20 15:00:00")
def test_return_pending_sends_requests_awaiting_acceptance_back_to_the_queue(world):
    waiting = world.assigned(MENTOR)
    shown = mentor_settings.pause(world.store, CIC, MENTOR, start="today", until="2026-12-31", return_pending=True)
    assert shown["returned_to_queue"] == [f"MRE-{waiting}"]
    with world.store.reading() as session:
        request = session.get(MentoringRequest, waiting)
        outcome = session.execute(select(Assignment.outcome, Assignment.reason)
                                  .where(Assignment.request_id == waiting)).one()
        notes = session.execute(select(Note.kind, Note.text).where(Note.request_id == waiting)).all()
    assert (request.status, request.owner_id, request.queue) == ("pending_reassignment", None, "BOS01")
    assert tuple(outcome) == ("returned", "mentor paused")
    assert ("decline", "mentor paused") in [tuple(n) for n in notes]
    # the mentor may be assigned it again after the pause without --force
    with freeze_time("2027-01-04 15:00:00"):
        assignment.assign(world.store, CIC, waiting, MENTOR)


def test_a_pause_must_be_a_window_that_is_not_over(world):
    with freeze_time("2026-11-20 15:00:00"):
        with pytest.raises(Invalid, match="on or after it starts"):
            mentor_settings.pause(world.store, MENTOR, MENTOR, start="2026-12-10", until="2026-12-01")
        with pytest.raises(Invalid, match="over already"):
            mentor_settings.pause(world.store, MENTOR, MENTOR, start="2026-11-01", until="2026-11-19")
        with pytest.raises(Refused):
            mentor_settings.pause(world.store, MENTOR2, MENTOR, start="today", until="2026-12-01")


@pytest.mark.parametrize("utc, paused", [
    ("2026-12-02 04:30:00", True),   # 23:30 on Tue 1 Dec in Boston: still the last day of the pause
    ("2026-12-02 05:30:00", False),  # 00:30 on Wed 2 Dec in Boston
])
def test_pause_boundaries_are_dates_in_the_chapters_time_zone(world, utc, paused):
    with freeze_time("2026-11-20 15:00:00"):
        mentor_settings.pause(world.store, MENTOR, MENTOR, start="2026-11-23", until="2026-12-01")
        request_id = world.submit()
    with freeze_time(utc):
        assert mentor_settings.settings(world.store, CIC, MENTOR)["paused"] is paused
        if paused:
            with pytest.raises(Refused, match="is paused"):
                assignment.assign(world.store, CIC, request_id, MENTOR)
        else:
            assignment.assign(world.store, CIC, request_id, MENTOR)


@freeze_time("2026-11-20 15:00:00")
def test_clearing_a_pause_leaves_direct_requests_off_and_tells_the_mentor(world):
    mentor_settings.pause(world.store, MENTOR, MENTOR, start="today", until="2026-12-31")
    shown = mentor_settings.clear_pause(world.store, CIC, MENTOR)
    assert (shown["pause_from"], shown["pause_until"], shown["paused"]) == (None, None, False)
    assert shown["accept_direct_requests"] is False
    assert "--accept-direct-requests" in shown["reminder"]
    with world.store.reading() as session:
        [told] = session.execute(select(OutboxMessage).where(OutboxMessage.event == "pause_ended")).scalars().all()
    assert told.recipient == MENTOR and "--accept-direct-requests" in told.body
    with pytest.raises(Refused, match="no pause to clear"):
        mentor_settings.clear_pause(world.store, MENTOR, MENTOR)
    assert [e.action for e in settings_events(world, MENTOR)] == ["mentor.pause", "mentor.pause_clear"]


def direct_request(world, email="dee@example.com") -> MentoringRequest:
    with world.store.transaction() as session:
        request_id = intake.submit(session, intake.NewRequest(name="Dee", emails=[email], chapter="BOS01",
                                                              question="q", direct_to=MENTOR).checked())
    with world.store.reading() as session:
        return session.get(MentoringRequest, request_id)


def test_a_pause_set_in_advance_leaves_direct_requests_on_until_the_sweep_on_its_first_day(world):
    from score_cli.services import sweep
    with freeze_time("2026-11-02 15:00:00"):
        shown = mentor_settings.pause(world.store, MENTOR, MENTOR, start="2026-11-23", until="2026-12-04")
        assert shown["accept_direct_requests"] is True
        assert direct_request(world).status == "assigned"  # picked on the website before the pause: served
    with freeze_time("2026-11-23 04:30:00"):  # still Sun 22 Nov in Boston
        assert sweep.run(world.store).counts["pause_started"] == 0
    with freeze_time("2026-11-23 05:30:00"):  # Mon 23 Nov 00:30 in Boston: the first day
        assert sweep.run(world.store).counts["pause_started"] == 1
        assert mentor_settings.settings(world.store, CIC, MENTOR)["accept_direct_requests"] is False
        assert direct_request(world, "eve@example.com").status == "new"
    with freeze_time("2026-11-24 15:00:00"):  # the mentor switches them on again: the sweep leaves it
        mentor_settings.settings(world.store, MENTOR, MENTOR, SettingsChange(accept_direct_requests=True))
        assert sweep.run(world.store).counts["pause_started"] == 0


@freeze_time("2026-11-20 15:00:00")
def test_a_pause_starting_today_switches_direct_requests_off_at_once(world):
    assert mentor_settings.pause(world.store, MENTOR, MENTOR, start="today", until="2026-12-04")[
        "accept_direct_requests"] is False


def test_pause_dates_are_days_in_the_mentors_own_chapter_when_a_cic_elsewhere_assigns(world):
    from tests.world import FAR
    with freeze_time("2026-11-20 15:00:00"):
        mentor_settings.pause(world.store, FAR, FAR, start="2026-11-21", until="2026-11-30")
        request_id = world.submit()
    with freeze_time("2026-11-21 05:30:00"):  # 00:30 Sat 21 in Boston, still 23:30 Fri 20 in Austin
        assignment.assign(world.store, CIC, request_id, FAR)
    with world.store.reading() as session:
        assert session.get(MentoringRequest, request_id).status == "assigned"
