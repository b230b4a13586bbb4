"""SPEC §8: a CIC also sees the National Intake Queue of their district's chapters that are not live."""

from sqlalchemy import update

from score_cli.domain.access import Actor, Grant, Place, Record, may_read
from score_cli.store.models import Chapter
from tests.helpers import score
from tests.world import CIC, CIC_AUS

# Worcester shares Boston's district (D02, Eastern Massachusetts); Austin is in Texas.
NOT_LIVE = "WOR01"


def cic(chapter: str, district: str) -> Actor:
    return Actor(1, "c@example.org", "C", chapter, (Grant("cic", "chapter", chapter, district=district),))


def test_the_rule_reads_a_non_live_chapter_of_the_cics_own_district_only():
    boston = cic("BOS01", "D02")
    worcester_off = Place("WOR01", "D02", "R01", live=False)
    assert may_read(boston, Record.REQUESTS, worcester_off)
    assert not may_read(boston, Record.REQUESTS, Place("WOR01", "D02", "R01", live=True))
    assert not may_read(boston, Record.REQUESTS, Place("BGR01", "D01", "R01", live=False))  # another district
    assert not may_read(boston, Record.VOLUNTEERS, worcester_off)  # requests and clients only
    assert not may_read(boston, Record.MESSAGES, worcester_off)
    manager = Actor(2, "m@example.org", "M", "BOS01",
                    (Grant("chapter_manager", "chapter", "BOS01", district="D02"),))
    assert not may_read(manager, Record.REQUESTS, worcester_off)  # the SPEC names the CIC


def test_a_cic_sees_the_national_queue_of_their_districts_chapter_that_is_not_live(world):
    with world.store.transaction() as session:
        session.execute(update(Chapter).where(Chapter.code == NOT_LIVE).values(live=False))
    number = world.submit(chapter=NOT_LIVE, email="wor.client@example.com", name="Wendy Worcester")

    shown = score("show", f"MRE-{number}", "--format", "json", db=world.url, actor=CIC)
    assert shown.exit_code == 0, shown.stderr
    assert shown.json()["queue"] == "national" and shown.json()["client"]["name"] == "Wendy Worcester"
    listed = score("queue", "list", "--chapter", NOT_LIVE, "--format", "json", db=world.url, actor=CIC)
    assert listed.exit_code == 0, listed.stderr
    assert [r["id"] for r in listed.json()] == [f"MRE-{number}"]
    report = score("report", "not-assigned", "--chapter", NOT_LIVE, "--format", "json", db=world.url, actor=CIC)
    assert report.exit_code == 0 and [r["id"] for r in report.json()] == [f"MRE-{number}"]

    # a CIC of another district is refused, naming the rule
    far = score("show", f"MRE-{number}", db=world.url, actor=CIC_AUS)
    assert far.exit_code == 1 and "National Intake Queue" in far.stderr
    far = score("queue", "list", "--chapter", NOT_LIVE, db=world.url, actor=CIC_AUS)
    assert far.exit_code == 1
    # writing stays with the national coordinators: the SPEC lets the district's CIC see, not act
    assert score("withdraw", f"MRE-{number}", "--reason", "duplicate", db=world.url, actor=CIC).exit_code == 1


def test_a_live_neighbour_chapter_stays_out_of_the_cics_reach(world):
    number = world.submit(chapter=NOT_LIVE, email="wor.client@example.com")
    assert score("show", f"MRE-{number}", db=world.url, actor=CIC).exit_code == 1
    assert score("queue", "list", "--chapter", NOT_LIVE, db=world.url, actor=CIC).exit_code == 1
