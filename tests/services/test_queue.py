"""The Client Intake Queue by scope: a chapter, its district, its region, national, or mine."""

import pytest
from sqlalchemy import select

from score_cli.domain.errors import Invalid, NotFound
from score_cli.services.organisation.queue import list_queue
from score_cli.services.organisation.scope import Scope
from score_cli.store.models import Chapter, District
from tests.world import ADMIN, CIC, MENTOR


@pytest.fixture
def spread(world):
    """One request in BOS01, one elsewhere in its district, one elsewhere in its region, one in AUS01."""
    with world.store.reading() as session:
        district, region = session.execute(select(District.code, District.region_code).join(
            Chapter, Chapter.district_code == District.code).where(Chapter.code == "BOS01")).one()
        neighbour = session.execute(select(Chapter.code).where(
            Chapter.district_code == district, Chapter.code != "BOS01").order_by(Chapter.code)).scalars().first()
        regional = session.execute(select(Chapter.code).join(District, District.code == Chapter.district_code).where(
            District.region_code == region, District.code != district).order_by(Chapter.code)).scalars().first()
    numbers = {chapter: f"MRE-{world.submit(chapter=chapter)}" for chapter in ("BOS01", neighbour, regional, "AUS01")}
    return district, region, numbers, neighbour, regional


def ids(store, scope, **options):
    return [row["id"] for row in list_queue(store, ADMIN, scope, **options)]


def test_a_district_lists_its_chapters_and_a_region_its_districts(world, spread):
    district, region, numbers, neighbour, regional = spread
    assert ids(world.store, Scope("chapter", "BOS01")) == [numbers["BOS01"]]
    assert ids(world.store, Scope("district", district)) == [numbers["BOS01"], numbers[neighbour]]
    assert ids(world.store, Scope("region", region)) == [numbers["BOS01"], numbers[neighbour], numbers[regional]]
    assert ids(world.store, Scope("national")) == list(numbers.values())
    assert ids(world.store, Scope("national"), limit=2) == [numbers["BOS01"], numbers[neighbour]]


def test_mine_lists_what_the_acting_mentor_owns(world, spread):
    owned = world.assigned(MENTOR)
    rows = list_queue(world.store, MENTOR, Scope("mine"))
    assert [(r["id"], r["owner"], r["status"]) for r in rows] == [(f"MRE-{owned}", MENTOR, "assigned")]
    with pytest.raises(Invalid, match="who is acting"):
        list_queue(world.store, None, Scope("mine"))


def test_a_coordinator_without_a_scope_sees_their_own_chapter(world, spread):
    _, _, numbers, _, _ = spread
    assert [r["id"] for r in list_queue(world.store, CIC, None)] == [numbers["BOS01"]]


def test_a_scope_that_does_not_exist_is_named(world):
    with pytest.raises(NotFound, match="no district with code 'D999'"):
        list_queue(world.store, ADMIN, Scope("district", "D999"))
