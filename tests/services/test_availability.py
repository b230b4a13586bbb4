"""Who a CIC can assign today, and who is paused (`score mentors available|paused`)."""

from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import event

from score_cli.services.requests import assignment, intake, mentoring
from score_cli.services.people import availability, mentor_settings, volunteers
from score_cli.services.organisation.scope import Scope
from score_cli.domain.errors import Refused
from tests.world import ADMIN, CIC, FAR, MENTOR, MENTOR2, PROVISIONAL, SME


def by_email(rows):
    return {r["email"]: r for r in rows}


BOSTON = Scope("chapter", "BOS01")


def test_available_mentors_are_the_active_unpaused_mentors_of_the_scope(world):
    with freeze_time("2026-11-20 15:00:00"):
        mentor_settings.pause(world.store, MENTOR2, MENTOR2, start="2026-11-20", until="2026-11-30")
        volunteers.set_status(world.store, ADMIN, SME, "inactive")
        rows = availability.available(world.store, ADMIN, BOSTON)
    assert [r["email"] for r in rows] == [MENTOR, PROVISIONAL]
    assert all(r["chapter"] == "BOS01" for r in rows)


def test_the_numbers_a_cic_weighs_before_assigning(world):
    # MENTOR ("3 per week", at most 2 direct requests a week)
    with freeze_time("2026-09-01 15:00:00"):  # accepted more than 60 days before the listing
        mentoring.accept(world.store, MENTOR, world.assigned(MENTOR, email="old@example.com"))
    with freeze_time("2026-11-02 15:00:00"):  # accepted within 60 days, assigned more than 7 days ago
        mentoring.accept(world.store, MENTOR, world.assigned(MENTOR, email="recent@example.com"))
    with freeze_time("2026-11-18 15:00:00"):  # assigned this week, not accepted
        world.assigned(MENTOR, email="new@example.com")
    with freeze_time("2026-11-19 15:00:00"), world.store.transaction() as session:
        intake.submit(session, intake.NewRequest(name="Dee", emails=["dee@example.com"], chapter="BOS01",
                                                 question="q", direct_to=MENTOR).checked())
    with freeze_time("2026-11-20 15:00:00"):
        row = by_email(availability.available(world.store, CIC, None))[MENTOR]
    assert {k: row[k] for k in ("capacity", "capacity_weekly", "cic_assignments_last_7_days",
                                "weekly_capacity_left", "cic_accepted_last_60_days", "open_requests",
                                "direct_requests_last_7_days", "max_direct_weekly", "request_limit_reached")} == {
        "capacity": "3 per week", "capacity_weekly": 3, "cic_assignments_last_7_days": 1,
        "weekly_capacity_left": 2, "cic_accepted_last_60_days": 1, "open_requests": 4,
        "direct_requests_last_7_days": 1, "max_direct_weekly": 2, "request_limit_reached": False}


def test_unknown_capacity_is_shown_as_unknown_with_a_warning(world):
    mentor_settings.settings(world.store, MENTOR2, MENTOR2, mentor_settings.SettingsChange(capacity="as many as I can"))
    row = by_email(availability.available(world.store, ADMIN, BOSTON))[MENTOR2]
    assert row["weekly_capacity_left"] is None and "not a number a week" in row["capacity_warning"]


def test_the_default_scope_is_the_actors_own_and_other_chapters_only_within_their_reach(world):
    assert FAR not in by_email(availability.available(world.store, CIC, None))
    with pytest.raises(Refused, match="may not see volunteers of chapter AUS01"):
        availability.available(world.store, CIC, Scope("chapter", "AUS01"))
    assert [r["email"] for r in availability.available(world.store, ADMIN, Scope("chapter", "AUS01"))] == [FAR]
    assert FAR in by_email(availability.available(world.store, ADMIN, Scope("national")))


@pytest.mark.parametrize("utc, mentor_is_available", [
    ("2026-12-02 04:30:00", False),  # 23:30 on 1 Dec in Boston: the last day of the pause
    ("2026-12-02 05:30:00", True),   # 00:30 on 2 Dec in Boston
])
def test_availability_reads_pause_dates_in_the_mentors_chapter_zone(world, utc, mentor_is_available):
    with freeze_time("2026-11-20 15:00:00"):
        mentor_settings.pause(world.store, MENTOR, MENTOR, start="2026-11-23", until="2026-12-01")
        mentor_settings.pause(world.store, FAR, FAR, start="2026-11-23", until="2026-12-01")
    with freeze_time(utc):
        listed = by_email(availability.available(world.store, ADMIN, Scope("national")))
    assert (MENTOR in listed) is mentor_is_available
    assert FAR not in listed  # 22:30 / 23:30 on 1 Dec in Austin: still paused either way


def test_paused_mentors_with_the_length_of_their_pause_and_long_pauses_flagged(world):
    with freeze_time("2026-11-20 15:00:00"):
        mentor_settings.pause(world.store, MENTOR, MENTOR, start="2026-11-16", until="2026-11-30")
        mentor_settings.pause(world.store, MENTOR2, MENTOR2, start="2026-11-01", until="2027-01-31")
        mentor_settings.pause(world.store, PROVISIONAL, PROVISIONAL, start="2026-12-01", until="2026-12-05")
        rows = availability.paused(world.store, CIC, None)
    assert [(r["email"], r["pause_from"], r["days_paused"], r["paused_so_far"], r["long_pause"]) for r in rows] == [
        (MENTOR2, date(2026, 11, 1), 92, 20, True),
        (MENTOR, date(2026, 11, 16), 15, 5, False),
    ]
    assert all(r["accept_direct_requests"] is False for r in rows)


def test_the_listings_are_one_query_whatever_the_number_of_mentors(world):
    def statements(run) -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(world.store.engine, "before_cursor_execute", listener)
        try:
            run()
        finally:
            event.remove(world.store.engine, "before_cursor_execute", listener)
        return len(seen)

    few = statements(lambda: availability.available(world.store, CIC, None))
    few_paused = statements(lambda: availability.paused(world.store, CIC, None))
    for n in range(15):
        volunteers.add(world.store, ADMIN, volunteers.NewVolunteer(email=f"m{n}@example.org", name=f"M {n}",
                                                                   chapter="BOS01", classification="certified"))
        assignment.assign(world.store, CIC, world.submit(email=f"c{n}@example.com"), f"m{n}@example.org")
    many = availability.available(world.store, CIC, None)
    assert len(many) == 19
    assert statements(lambda: availability.available(world.store, CIC, None)) == few
    assert statements(lambda: availability.paused(world.store, CIC, None)) == few_paused
