"""Merging two client records: "you can email to consolidate duplicate client records"."""

import json

import pytest
from sqlalchemy import select

from score_cli.services import duplicates
from score_cli.services.duplicates import client_merge
from score_cli.services.requests import show
from score_cli.domain.errors import Invalid, NotFound, Refused
from score_cli.services.admin.integrity import check_store
from score_cli.store.models import AuditEvent, Client, ClientEmail, MentoringRequest
from tests.helpers import dump
from tests.world import ADMIN, CIC, CIC_AUS, MENTOR, RCIC


def client_of(world, request_id):
    with world.store.reading() as session:
        return session.get(MentoringRequest, request_id).client_id


@pytest.fixture
def pair(world):
    """The same person twice: once with a phone, once with a business and ZIP."""
    first = world.assigned(MENTOR, name="Cleo Client", email="cleo@one.com", phone="617-555-0100")
    second = world.submit(name="Cleo Client", email="cleo@two.com", business="Cleo's Catering", zip="02139")
    return first, second


def test_merge_moves_emails_fills_missing_fields_and_repoints_requests(world, pair):
    first, second = pair
    keep, other = client_of(world, first), client_of(world, second)
    merged = client_merge.merge(world.store, CIC, str(keep), "cleo@two.com")
    assert merged == {"client_id": keep, "name": "Cleo Client", "emails": ["cleo@one.com", "cleo@two.com"],
                      "phone": "617-555-0100", "business": "Cleo's Catering", "zip": "02139",
                      "requests": [f"MRE-{first}", f"MRE-{second}"], "merged_client_id": other,
                      "moved_emails": ["cleo@two.com"], "moved_requests": [f"MRE-{second}"],
                      "filled": ["business", "zip"]}
    with world.store.reading() as session:
        assert session.get(Client, other) is None
        assert session.execute(select(ClientEmail.email).where(ClientEmail.client_id == keep)
                               .order_by(ClientEmail.email)).scalars().all() == ["cleo@one.com", "cleo@two.com"]
        summary = session.execute(select(AuditEvent).where(AuditEvent.action == "client_merge",
                                                           AuditEvent.request_id.is_(None))).scalar_one()
    assert client_of(world, second) == keep
    detail = json.loads(summary.detail)
    assert detail["removed_client"] == {"id": other, "name": "Cleo Client", "phone": None,
                                        "business": "Cleo's Catering", "zip": "02139", "emails": ["cleo@two.com"]}
    shown = show.show(world.store, CIC, second)
    assert shown["client"]["emails"] == ["cleo@one.com", "cleo@two.com"]
    assert [(h["action"], h["actor"]) for h in shown["history"]][-1] == ("client_merge", CIC)
    assert check_store(world.store) == []


def test_the_kept_records_own_values_win(world):
    first = world.submit(name="Cleo Client", email="cleo@one.com", phone="617-555-0100", zip="02139")
    second = world.submit(name="Cleo C.", email="cleo@two.com", phone="617-555-0199", zip="02446")
    merged = client_merge.merge(world.store, CIC, "cleo@one.com", "cleo@two.com")
    assert (merged["name"], merged["phone"], merged["zip"], merged["filled"]) == (
        "Cleo Client", "617-555-0100", "02139", [])
    assert client_of(world, second) == client_of(world, first)


def test_after_a_merge_the_requests_are_the_same_clients(world, pair):
    first, second = pair
    client_merge.merge(world.store, CIC, "cleo@one.com", "cleo@two.com")
    found = duplicates.find(world.store, CIC, None)
    assert [(r["id"], r["action"]) for r in found.rows] == [(f"MRE-{first}", "keep"), (f"MRE-{second}", "withdraw")]
    assert found.rows[1]["reasons"][0] == "same client record"


def test_who_may_merge_and_what_cannot_be_merged(world, pair):
    first, second = pair
    austin = world.submit(chapter="AUS01", name="Cleo Client", email="cleo@austin.com")
    before = dump(world.url)
    with pytest.raises(Refused, match="requests in BOS01"):
        client_merge.merge(world.store, CIC_AUS, "cleo@austin.com", "cleo@one.com")
    with pytest.raises(Refused, match="requests in AUS01"):
        client_merge.merge(world.store, CIC, "cleo@one.com", "cleo@austin.com")
    with pytest.raises(Refused):
        client_merge.merge(world.store, MENTOR, "cleo@one.com", "cleo@two.com")
    assert dump(world.url) == before
    client_merge.merge(world.store, RCIC, "cleo@one.com", "cleo@two.com")  # the district's RCIC
    client_merge.merge(world.store, ADMIN, "cleo@one.com", "cleo@austin.com")
    assert client_of(world, austin) == client_of(world, first)
    with pytest.raises(NotFound, match="no client with e-mail nobody@x.com"):
        client_merge.merge(world.store, CIC, "cleo@one.com", "nobody@x.com")
    with pytest.raises(NotFound, match="no client with id 999"):
        client_merge.merge(world.store, CIC, "999", "cleo@one.com")
    with pytest.raises(Invalid, match="same client"):
        client_merge.merge(world.store, CIC, "cleo@one.com", "Cleo@One.com")
    with pytest.raises(Invalid, match="client id or one of the client's e-mails"):
        client_merge.merge(world.store, CIC, "cleo", "cleo@one.com")
