"""A typed "today" is the chapter's local date for one chapter: the rulebook's one "today"
(SPEC §3, §5), not the date of the machine the command runs on."""

import time

import pytest
from freezegun import freeze_time

from score_cli.services.people import mentor_settings, volunteers
from tests.helpers import score
from tests.world import ADMIN

LAS_VEGAS = "LAS01"  # America/Los_Angeles, district D39
MENTOR_LV = "vega@example.org"
# 03:00 UTC on 30 November is 19:00 on 29 November in Las Vegas.
AT_NIGHT_UTC = "2026-11-30 03:00:00"


@pytest.fixture
def machine_on_utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def ids(ran) -> list[str]:
    assert ran.exit_code == 0, ran.stderr
    return [row["id"] for row in ran.json()]


def test_report_from_today_is_the_chapters_date(world, machine_on_utc):
    with freeze_time("2026-11-30 02:00:00"):  # 18:00 on the 29th in Las Vegas
        number = world.submit(chapter=LAS_VEGAS, email="lv.client@example.com")
    with freeze_time(AT_NIGHT_UTC):
        one_chapter = score("report", "not-assigned", "--chapter", LAS_VEGAS, "--from", "today", "--to", "today",
                            "--format", "json", db=world.url, actor=ADMIN)
        assert ids(one_chapter) == [f"MRE-{number}"]
        # a district: "today" is the machine's date, as the help says: the 30th, nothing submitted yet
        district = score("report", "not-assigned", "--district", "D39", "--from", "today",
                         "--format", "json", db=world.url, actor=ADMIN)
        assert ids(district) == []


def test_volunteer_list_paused_on_today_is_the_chapters_date(world, machine_on_utc):
    volunteers.add(world.store, ADMIN, volunteers.NewVolunteer(email=MENTOR_LV, name="Vera Vega", chapter=LAS_VEGAS,
                                                               classification="certified"))
    with freeze_time(AT_NIGHT_UTC):
        mentor_settings.pause(world.store, ADMIN, MENTOR_LV, start="today", until="today")  # the 29th there
        paused = score("volunteer", "list", "--chapter", LAS_VEGAS, "--paused-on", "today", "--format", "json",
                       db=world.url, actor=ADMIN)
        assert paused.exit_code == 0, paused.stderr
        assert [row["email"] for row in paused.json()] == [MENTOR_LV]


def test_a_date_that_is_no_date_is_still_refused_at_once(world):
    ran = score("report", "not-assigned", "--from", "someday", db=world.url, actor=ADMIN)
    assert ran.exit_code == 2 and "--from" in ran.stderr
