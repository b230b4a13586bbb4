"""`intake import` written in batches: the same requests, clients and e-mails as one at a time."""

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from score_cli.services.requests import intake_batch
from score_cli.services.requests.intake_import import import_requests
from score_cli.store.models import AuditEvent, Client, ClientEmail, MentoringRequest, OutboxMessage
from tests.world import ADMIN, CIC, CIC_AUS, MENTOR

HEADER = "name,email,chapter,question,phone,business,direct_to,submitted_at\n"


def requests(world) -> list[MentoringRequest]:
    with world.store.reading() as session:
        return list(session.execute(select(MentoringRequest).order_by(MentoringRequest.id)).scalars())


def client_of(world, request: MentoringRequest) -> tuple[Client, list[str]]:
    with world.store.reading() as session:
        emails = session.execute(select(ClientEmail.email).where(ClientEmail.client_id == request.client_id)
                                 .order_by(ClientEmail.id)).scalars().all()
        return session.get(Client, request.client_id), emails


@pytest.mark.parametrize("batch", [2000, 2])  # one batch, and a client seen again in a later batch
def test_a_client_who_appears_twice_in_one_export_is_one_client(world, monkeypatch, batch):
    monkeypatch.setattr(intake_batch, "BATCH", batch)
    result = import_requests(world.store, HEADER +
                             "Ann Apple,ann@apple.com,BOS01,Pricing,,,,\n"
                             "Bob Bean,bob@bean.com,BOS01,Loans,,,,\n"
                             "Ann Apple,ANN@apple.com;ann@home.org,BOS01,Hiring,617-555-0101,Apple Pies,,\n")
    assert (result.imported, result.already_present) == (3, 0)
    ann1, bob, ann2 = requests(world)
    assert ann1.client_id == ann2.client_id != bob.client_id
    assert (ann1.client_was_known, bob.client_was_known, ann2.client_was_known) == (False, False, True)
    client, emails = client_of(world, ann2)
    assert emails == ["ann@apple.com", "ann@home.org"]
    assert (client.name, client.phone, client.business_name) == ("Ann Apple", "617-555-0101", "Apple Pies")


def test_a_client_already_in_the_store_keeps_their_details_and_gains_the_missing_ones(world):
    world.submit(email="cleo@shop.com", name="Cleo Client", phone="617-555-0100")
    import_requests(world.store, HEADER + "Cleo C.,Cleo@Shop.com,BOS01,Again,508-555-0199,Cleo's Catering,,\n")
    first, second = requests(world)
    assert second.client_id == first.client_id and second.client_was_known is True
    client, emails = client_of(world, second)
    assert (client.name, client.phone, client.business_name) == ("Cleo Client", "617-555-0100", "Cleo's Catering")
    assert emails == ["cleo@shop.com"]


def test_rows_that_name_a_mentor_keep_their_place_in_the_file(world):
    with freeze_time("2026-11-23 15:00:00"):
        result = import_requests(world.store, HEADER +
                                 "Ann,ann@x.com,BOS01,Pricing,,,,\n"
                                 f"Bea,bea@x.com,BOS01,Taxes,,,{MENTOR},\n"
                                 "Cal,cal@x.com,BOS01,Hiring,,,,\n")
    assert result.imported == 3
    rows = requests(world)
    assert [r.question for r in rows] == ["Pricing", "Taxes", "Hiring"]
    assert [r.status for r in rows] == ["new", "assigned", "new"]
    assert rows[1].owner_id == world.volunteer(MENTOR).id


def test_the_coordinators_of_each_queue_hear_of_each_request_once(world):
    import_requests(world.store, HEADER +
                    "Ann Apple,ann@x.com,BOS01,Pricing,,,,\n"
                    "Bob Bean,bob@x.com,AUS01,Loans,,,,\n"
                    "Cal Corn,cal@x.com,BGR01,Hiring,,,,\n")  # Bangor is not live: the admins watch it
    with world.store.reading() as session:
        mail = session.execute(select(OutboxMessage.request_id, OutboxMessage.recipient, OutboxMessage.subject,
                                      OutboxMessage.body).order_by(OutboxMessage.id)).all()
        history = session.execute(select(AuditEvent.request_id, AuditEvent.action, AuditEvent.to_status)
                                  .where(AuditEvent.request_id.is_not(None)).order_by(AuditEvent.id)).all()
    assert [(m.request_id, m.recipient) for m in mail] == [(1, CIC), (2, CIC_AUS), (3, ADMIN)]
    assert mail[0].subject == "New mentoring request MRE-1 in BOS01"
    assert "Client:    Ann Apple (new client)" in mail[0].body and "Question:  Pricing" in mail[0].body
    assert mail[2].subject == "New mentoring request MRE-3 in BGR01"
    assert history == [(1, "submit", "new"), (2, "submit", "new"), (3, "submit", "new")]


def test_the_same_row_twice_in_one_file_is_imported_once(world):
    row = "Ann,ann@x.com,BOS01,Pricing,,,,2026-11-02T10:00:00-05:00\n"
    result = import_requests(world.store, HEADER + row + row)
    assert (result.imported, result.already_present) == (1, 1)
    again = import_requests(world.store, HEADER + row)
    assert (again.imported, again.already_present) == (0, 1)
    assert len(requests(world)) == 1


def test_the_import_writes_as_it_reads_and_a_late_bad_row_undoes_it_all(world, monkeypatch):
    """Memory holds one batch, not the file: batches are written before the file's end is read;
    a bad row after them still leaves nothing written."""
    monkeypatch.setattr(intake_batch, "BATCH", 2)
    read_to_the_end = []
    written_while_reading = []

    def lines(rows: list[str]):
        yield HEADER
        yield from rows
        read_to_the_end.append(True)

    good = [f"C{n},c{n}@x.com,BOS01,Question {n},,,,\n" for n in range(6)]
    result = import_requests(world.store, lines(good),
                             on_progress=lambda done, total: written_while_reading.append(not read_to_the_end))
    assert result.imported == 6 and written_while_reading[:2] == [True, True]
    assert len(requests(world)) == 6

    late_bad = [f"D{n},d{n}@x.com,BOS01,Question {n},,,,\n" for n in range(5)] + ["Eve,eve@x.com,NOPE1,Q,,,,\n"]
    result = import_requests(world.store, lines(late_bad))
    assert (result.imported, result.rejected) == (0, [{"line": 7, "reason": "no chapter with code 'NOPE1'"}])
    assert result.as_dict()["first_id"] is None
    assert len(requests(world)) == 6  # the batches written before line 7 were rolled back
