"""Suggesting mentors (SPEC §6): tiers, expertise, load, pauses, capacity, earlier declines."""

from datetime import date, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import update

from score_cli.services.requests import assignment, mentoring
from score_cli.services.people import matching, volunteers
from score_cli.domain.errors import Refused
from score_cli.store.models import Assignment, Volunteer
from tests.world import ADMIN, CIC, FAR, MENTOR, MENTOR2, PROVISIONAL, SME


def add(world, email, chapter, classification="certified", **settings):
    volunteers.add(world.store, ADMIN, volunteers.NewVolunteer(
        email=email, name=email.split("@")[0].title(), chapter=chapter, classification=classification, **settings))


def set_columns(world, email, **values):
    with world.store.transaction() as session:
        session.execute(update(Volunteer).where(Volunteer.email == email).values(**values))


def emails(result):
    return [row["email"] for row in result.rows]


def district_neighbour(world):
    """A live chapter in BOS01's district, and one in its region but another district."""
    from sqlalchemy import select

    from score_cli.store.models import Chapter, District

    with world.store.reading() as session:
        bos = session.get(Chapter, "BOS01")
        region = session.get(District, bos.district_code).region_code
        same_district = session.execute(select(Chapter.code).where(
            Chapter.district_code == bos.district_code, Chapter.code != "BOS01", Chapter.live.is_(True))
            .order_by(Chapter.code)).scalars().first()
        same_region = session.execute(select(Chapter.code).join(District, District.code == Chapter.district_code)
                                      .where(District.region_code == region, Chapter.district_code != bos.district_code,
                                             Chapter.live.is_(True)).order_by(Chapter.code)).scalars().first()
    return same_district, same_region


def test_tiers_come_in_order_and_outsiders_only_if_they_serve_outside_their_area(world):
    near, regional = district_neighbour(world)
    add(world, "district@example.org", near, serve_outside_local_area=True)
    add(world, "region@example.org", regional, serve_outside_local_area=True)
    add(world, "homebody@example.org", near)  # does not serve outside: never suggested
    request_id = world.submit()
    result = matching.suggest(world.store, CIC, request_id, limit=50)
    tiers = {row["email"]: row["tier"] for row in result.rows}
    assert tiers["district@example.org"] == "same district"
    assert tiers["region@example.org"] == "same region"
    assert tiers[FAR] == "any chapter"
    assert "homebody@example.org" not in tiers
    order = emails(result)
    local = [MENTOR, MENTOR2, PROVISIONAL]
    assert set(order[:3]) == set(local)
    assert order[3:] == ["district@example.org", "region@example.org", FAR]
    assert SME not in order


def test_expertise_then_fewer_open_assignments_rank_first_within_a_tier(world):
    # MENTOR knows Marketing & Sales; MENTOR2 and PROVISIONAL do not.
    busy = world.submit(email="busy@x.com")
    assignment.assign(world.store, CIC, busy, MENTOR2)
    request_id = world.submit(area="Marketing & Sales")
    order = emails(matching.suggest(world.store, CIC, request_id))
    assert order[:3] == [MENTOR, PROVISIONAL, MENTOR2]
    first = matching.suggest(world.store, CIC, request_id).rows[0]
    assert first["expertise_match"] is True and "expertise matches" in first["reason"]


def test_with_equal_load_fewer_acceptances_in_the_last_60_days_rank_first(world):
    # MIA accepted one 30 days ago, PAT one 70 days ago (too old to count); each has one open.
    with freeze_time("2026-09-14 15:00:00"):
        mentoring.accept(world.store, PROVISIONAL, world.assigned(PROVISIONAL, email="old@x.com"))
    with freeze_time("2026-10-24 15:00:00"):
        mentoring.accept(world.store, MENTOR2, world.assigned(MENTOR2, email="recent@x.com"))
    with freeze_time("2026-11-23 15:00:00"):
        mentoring.accept(world.store, MENTOR, world.assigned(MENTOR, email="now@x.com"))
        rows = matching.suggest(world.store, CIC, world.submit(email="target@x.com")).rows
    counts = {row["email"]: (row["open_assignments"], row["accepted_60_days"]) for row in rows}
    assert counts[PROVISIONAL] == (1, 0) and counts[MENTOR2] == (1, 1) and counts[MENTOR] == (1, 1)
    assert [row["email"] for row in rows[:3]] == [PROVISIONAL, MENTOR2, MENTOR]  # then by e-mail ("2" < "@")


def test_a_short_list_is_still_the_best_of_everyone_and_counts_every_exclusion(world):
    assignment.assign(world.store, CIC, world.submit(email="a@x.com"), MENTOR)
    assignment.assign(world.store, CIC, world.submit(email="b@x.com"), PROVISIONAL)
    set_columns(world, FAR, pause_from=date(2026, 1, 1), pause_until=date(2030, 1, 1))
    request_id = world.submit(email="target@x.com")
    one = matching.suggest(world.store, CIC, request_id, limit=1)
    assert emails(one) == [MENTOR2]  # the only local mentor with nothing open
    assert one.rows[0]["rank"] == 1 and one.excluded["paused"] == 1
    two = matching.suggest(world.store, CIC, request_id, limit=2)
    assert emails(two) == [MENTOR2, MENTOR]  # one open each: then by e-mail


@pytest.mark.parametrize("capacity, assigned_this_week, suggested", [
    ("3 per week", 2, True),
    ("3 per week", 3, False),
    ("5/week", 4, True),
    ("DR Only", 0, False),        # direct requests only: never a CIC assignment
    ("DR-only", 0, False),        # ... however it is written
    ("only DR", 0, False),
    ("Not taking new clients", 0, False),
    ("2-3 per week", 2, False),   # a range is its lower bound
    ("1e9 per week", 9, True),    # unreadable: flagged, counted as available
    ("whenever I can", 9, True),  # unknown capacity counts as available, flagged
])
def test_weekly_capacity_from_what_mentors_write(world, capacity, assigned_this_week, suggested):
    add(world, "cap@example.org", "BOS01", capacity=capacity)
    with freeze_time("2026-11-23 15:00:00"):
        for n in range(assigned_this_week):
            other = world.submit(email=f"c{n}@x.com")
            assignment.assign(world.store, CIC, other, "cap@example.org", force=True)
        request_id = world.submit(email="target@x.com")
        rows = {r["email"]: r for r in matching.suggest(world.store, CIC, request_id, limit=50).rows}
    assert ("cap@example.org" in rows) is suggested
    if capacity == "whenever I can":
        assert "capacity unknown ('whenever I can')" in rows["cap@example.org"]["flags"]


@pytest.mark.parametrize("capacity", ["1 every other week", "0.5 per week", "1 every 2 weeks", "1/2 week"])
def test_one_every_other_week_is_full_for_14_days_after_an_assignment(world, capacity):
    """SPEC §6: a capacity of 1 in 2 weeks counts the CIC assignments of the last 14 days."""
    from score_cli.services.people import availability, mentor_settings

    add(world, "half@example.org", "BOS01", capacity=capacity)
    with freeze_time("2026-11-02 15:00:00"):
        given = world.submit(email="first@x.com")
        assignment.assign(world.store, CIC, given, "half@example.org")
    with freeze_time("2026-11-12 15:00:00"):  # 10 days on: the one assignment fills the 2 weeks
        request_id = world.submit(email="second@x.com")
        assert "half@example.org" not in emails(matching.suggest(world.store, CIC, request_id, limit=50))
        with pytest.raises(Refused, match="no capacity left.*14 days"):
            assignment.assign(world.store, CIC, request_id, "half@example.org")
        [row] = [r for r in availability.available(world.store, CIC, None) if r["email"] == "half@example.org"]
        assert (row["weekly_capacity_left"], row["capacity_weekly"], row["capacity_warning"]) == (0, 0.5, None)
        shown = mentor_settings.settings(world.store, CIC, "half@example.org")
        assert (shown["weekly_capacity_left"], shown["capacity_window_days"]) == (0, 14)
    with freeze_time("2026-11-16 16:00:00"):  # 14 days and an hour on: room again
        rows = {r["email"]: r for r in matching.suggest(world.store, CIC, request_id, limit=50).rows}
        assert rows["half@example.org"]["weekly_capacity_left"] == 1
        assert "capacity left 1 of 1 every 2 weeks" in rows["half@example.org"]["reason"]
        [row] = [r for r in availability.available(world.store, CIC, None) if r["email"] == "half@example.org"]
        assert row["weekly_capacity_left"] == 1
        assignment.assign(world.store, CIC, request_id, "half@example.org")


def test_a_pause_counts_by_the_chapters_own_calendar_day(world):
    set_columns(world, MENTOR2, pause_from=date(2026, 11, 20), pause_until=date(2026, 12, 1))
    request_id = world.submit()
    # 23:30 on 1 Dec in Boston is 04:30 UTC on 2 Dec: still paused there.
    with freeze_time("2026-12-02 04:30:00"):
        assert MENTOR2 not in emails(matching.suggest(world.store, CIC, request_id))
    # 00:30 on 2 Dec in Boston (05:30 UTC): the pause is over.
    with freeze_time("2026-12-02 05:30:00"):
        assert MENTOR2 in emails(matching.suggest(world.store, CIC, request_id))
    with freeze_time("2026-11-19 23:00:00"):  # 18:00 on 19 Nov in Boston: not yet paused
        assert MENTOR2 in emails(matching.suggest(world.store, CIC, request_id))


def test_a_mentor_who_declined_this_request_is_not_suggested_and_needs_force(world):
    request_id = world.assigned(MENTOR)
    assignment.reassign(world.store, CIC, request_id, None, reason="declined by phone", to_queue=True)
    with world.store.transaction() as session:  # as a decline leaves it
        session.execute(update(Assignment).where(Assignment.request_id == request_id).values(outcome="declined"))
    assert MENTOR not in emails(matching.suggest(world.store, CIC, request_id))
    with pytest.raises(Refused, match="declined this request before.*--force"):
        assignment.assign(world.store, CIC, request_id, MENTOR)
    assignment.assign(world.store, CIC, request_id, MENTOR, force=True)


def test_when_nobody_is_eligible_it_says_why_and_what_to_do(world):
    for email in (MENTOR, MENTOR2, PROVISIONAL, FAR):
        set_columns(world, email, pause_from=date(2026, 1, 1), pause_until=date(2030, 1, 1))
    request_id = world.submit()
    result = matching.suggest(world.store, CIC, request_id)
    assert result.rows == []
    assert result.excluded["paused"] == 4
    assert "4 paused" in result.advice and "transfer" in result.advice


def test_only_a_coordinator_in_scope_gets_suggestions(world):
    request_id = world.submit()
    with pytest.raises(Refused):
        matching.suggest(world.store, MENTOR, request_id)


@freeze_time("2026-11-18 15:00:00")
def test_the_suggestions_are_exactly_the_mentors_the_rulebook_finds_eligible(world):
    """`assign --suggest` filters in SQL; `domain.eligibility` is the definition. Every way of
    being left out is present here, and the two must pick the same mentors."""
    from score_cli.domain import eligibility as rules
    from score_cli.services.people import eligibility
    from score_cli.services.organisation.chapters import get_chapter
    from score_cli.store.models import Volunteer
    from sqlalchemy import select

    add(world, "paused@example.org", "BOS01")
    set_columns(world, "paused@example.org", pause_from=date(2026, 11, 1), pause_until=date(2026, 12, 1))
    add(world, "full@example.org", "BOS01", capacity="1 per week")
    add(world, "unknown@example.org", "BOS01", capacity="when I can")
    add(world, "stayhome@example.org", "AUS01")  # does not serve outside Austin
    add(world, "gone@example.org", "BOS01")
    add(world, "half.full@example.org", "BOS01", capacity="1 every other week")
    add(world, "half.free@example.org", "BOS01", capacity="1 every other week")
    volunteers.set_status(world.store, ADMIN, "gone@example.org", "inactive")
    busy = world.submit(email="busy@example.com")
    assignment.assign(world.store, CIC, busy, "full@example.org")
    for mentor, days in (("half.full@example.org", 10), ("half.free@example.org", 15)):
        with freeze_time(clock_now() - timedelta(days=days)):
            assignment.assign(world.store, CIC, world.submit(email=f"{days}@example.com"), mentor)
    number = world.submit()
    assignment.assign(world.store, CIC, number, MENTOR)
    mentoring.decline(world.store, MENTOR, number, reason="too busy")

    suggested = set(emails(matching.suggest(world.store, CIC, number, limit=500)))
    with world.store.reading() as session:
        chapter = get_chapter(session, "BOS01")
        everyone = session.execute(select(Volunteer)).scalars().all()
        eligible = {v.email for v in everyone
                    if rules.eligible(eligibility.candidate(session, v, number, clock_now()), "BOS01",
                                      date(2026, 11, 18))}
    assert chapter.code == "BOS01"
    assert suggested == eligible
    # each way of being left out was tried: the rulebook gives a reason for each of these
    assert {"paused@example.org", "full@example.org", "stayhome@example.org", "gone@example.org", MENTOR, SME,
            ADMIN, "half.full@example.org"} & suggested == set()
    assert {"unknown@example.org", FAR, MENTOR2, PROVISIONAL, "half.free@example.org"} <= suggested


def clock_now():
    from score_cli import clock

    return clock.now()
