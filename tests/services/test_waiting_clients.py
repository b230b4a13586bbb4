"""`score notify waiting-clients`: the "still finding you a mentor" e-mail (SPEC §7)."""

from freezegun import freeze_time
from sqlalchemy import select, update

from score_cli.services.requests import assignment
from score_cli.services.mail.notifications import waiting_clients
from score_cli.store.models import Chapter, OutboxMessage
from tests.helpers import dump, score
from tests.world import ADMIN, CIC, MENTOR


def submitted(world, when: str, **fields) -> int:
    with freeze_time(when):
        return world.submit(**fields)


def waiting_mail(world) -> list[tuple[int, str]]:
    with world.store.reading() as session:
        return session.execute(select(OutboxMessage.request_id, OutboxMessage.recipient)
                               .where(OutboxMessage.event == "waiting_client").order_by(OutboxMessage.id)).all()


def run_at(world, when: str, older_than: int, **options) -> list[dict]:
    with freeze_time(when):
        return waiting_clients(world.store, options.pop("actor", ADMIN), options.pop("scope", None), older_than,
                               **options)


def test_a_client_waiting_more_than_n_business_days_gets_the_email_once(world):
    # Submitted Fri 20 Nov 2026, 10:00 in Boston. By Wed 25 it has waited Fri, Mon, Tue = 3
    # business days; Thanksgiving Thursday is the 4th.
    request_id = submitted(world, "2026-11-20 15:00:00", email="cleo@example.com")
    assert run_at(world, "2026-11-25 20:00:00", older_than=3) == []
    rows = run_at(world, "2026-11-26 20:00:00", older_than=3)
    assert [(r["id"], r["business_days_waiting"], r["recipient"], r["queued"]) for r in rows] == [
        (f"MRE-{request_id}", 4, "cleo@example.com", True)]
    assert rows[0]["submitted_at"].isoformat() == "2026-11-20T10:00:00-05:00"  # Boston's own time
    again = run_at(world, "2026-11-27 20:00:00", older_than=3)
    assert [(r["id"], r["queued"]) for r in again] == [(f"MRE-{request_id}", False)]
    assert waiting_mail(world) == [(request_id, "cleo@example.com")]


def test_the_email_greets_the_client_and_points_to_webinars_and_the_directory(world):
    submitted(world, "2026-11-02 15:00:00", name="Cleo Client")
    run_at(world, "2026-11-20 15:00:00", older_than=3)
    with world.store.reading() as session:
        body = session.execute(select(OutboxMessage.body).where(OutboxMessage.event == "waiting_client")).scalar_one()
    assert body.startswith("Dear Cleo Client,")
    assert "webinars" in body and "mentor directory" in body


def test_only_requests_still_in_an_intake_queue_count(world):
    waiting = submitted(world, "2026-11-02 15:00:00", email="a@example.com")
    owned = submitted(world, "2026-11-02 15:00:00", email="b@example.com")
    back = submitted(world, "2026-11-02 15:00:00", email="c@example.com")
    with freeze_time("2026-11-03 15:00:00"):
        assignment.assign(world.store, CIC, owned, MENTOR)
        assignment.assign(world.store, CIC, back, MENTOR)
        assignment.reassign(world.store, CIC, back, None, reason="wrong area", to_queue=True)
    rows = run_at(world, "2026-11-20 15:00:00", older_than=5)
    assert sorted((r["id"], r["status"]) for r in rows) == [(f"MRE-{waiting}", "new"),
                                                               (f"MRE-{back}", "pending_reassignment")]


def test_requests_in_the_national_queue_count_by_their_chapters_calendar(world):
    with world.store.transaction() as session:
        session.execute(update(Chapter).where(Chapter.code == "AUS01").values(live=False))
    # Submitted Wed 25 Nov in Austin; Texas also keeps the day after Thanksgiving.
    request_id = submitted(world, "2026-11-25 16:00:00", chapter="AUS01")
    assert run_at(world, "2026-11-30 20:00:00", older_than=1) == []  # only Wednesday so far
    rows = run_at(world, "2026-12-01 20:00:00", older_than=1)
    assert [(r["id"], r["queue"], r["business_days_waiting"]) for r in rows] == [(f"MRE-{request_id}", "national", 2)]


def test_the_command_queues_and_a_dry_run_changes_nothing(world):
    submitted(world, "2026-11-02 15:00:00")
    before = dump(world.url)
    with freeze_time("2026-11-20 15:00:00"):
        dry = score("notify", "waiting-clients", "--older-than", "3", "--dry-run", db=world.url, actor=ADMIN)
        assert (dry.exit_code, dry.stdout) == (0, "would queue 1 e-mail(s) to waiting clients; 0 had it already\n")
        assert dump(world.url) == before
        ran = score("notify", "waiting-clients", "--older-than", "3", db=world.url, actor=ADMIN)
        assert ran.stdout == "queued 1 e-mail(s) to waiting clients; 0 had it already\n"
        rerun = score("notify", "waiting-clients", "--older-than", "3", "--format", "json", db=world.url, actor=ADMIN).json()
    # Mon 2 to Thu 19 Nov, without Veterans Day (Wed 11)
    assert [(r["queued"], r["business_days_waiting"]) for r in rerun] == [(False, 13)]
    assert score("notify", "waiting-clients", "--older-than", "-1", db=world.url, actor=ADMIN).exit_code == 2


def test_a_cic_mails_the_waiting_clients_of_their_own_chapter_and_a_mentor_none(world):
    boston = submitted(world, "2026-11-02 15:00:00", email="bo@example.com")
    submitted(world, "2026-11-02 15:00:00", chapter="AUS01", email="tex@example.com")
    rows = run_at(world, "2026-11-20 20:00:00", older_than=3, actor=CIC, dry_run=True)
    assert [r["id"] for r in rows] == [f"MRE-{boston}"]
    before = dump(world.url)
    for argv, who in ((["--national"], CIC), ([], MENTOR)):
        ran = score("notify", "waiting-clients", "--older-than", "3", *argv, db=world.url, actor=who)
        assert ran.exit_code == 1 and "may not" in ran.stderr
    assert dump(world.url) == before
