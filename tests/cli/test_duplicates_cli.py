"""`score duplicates find`, `score withdraw --bulk` and `score client merge` at the terminal."""

import csv
import io
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from score_cli.services.requests.bulk_withdraw import withdraw_bulk
from score_cli.services.admin.integrity import check_store
from score_cli.store.db import Store
from score_cli.store.models import (Assignment, AuditEvent, CaseTeamMember, Client, ClientEmail, MentoringRequest,
                                    Note, OutboxMessage, Volunteer)
from tests.helpers import dump, score
from tests.world import CIC, MENTOR

REASON = "duplicate submission"


@pytest.fixture
def dupes(world):
    """Maria twice (same phone, other e-mail) and Tom twice (gmail dots); and a stranger."""
    maria = world.assigned(MENTOR, name="Maria García", email="maria@bakery.com", phone="(617) 555-0101",
                           zip="02139")
    maria2 = world.submit(name="maria garcia", email="mgarcia@work.com", phone="617.555.0101", zip="02139")
    tom = world.submit(name="Tom Lee", email="t.o.m.lee+score@gmail.com")
    tom2 = world.submit(name="Thomas Lee", email="tomlee@gmail.com")
    world.submit(name="Zed Stranger", email="zed@else.com")
    return maria, maria2, tom, tom2


def test_find_prints_the_plan_and_withdraw_bulk_reads_it_back_from_stdin_once(world, dupes):
    maria, maria2, tom, tom2 = dupes
    ran = score("duplicates", "find", "--format", "csv", db=world.url, actor=CIC)
    assert ran.exit_code == 0, ran.stderr
    rows = list(csv.DictReader(io.StringIO(ran.stdout)))
    assert list(rows[0]) == ["group", "id", "action", "keeper", "score", "signals", "client", "client_emails",
                             "keeper_client", "keeper_emails", "reasons", "client_id", "chapter", "status",
                             "version", "submitted_at"]
    assert [(r["client"], r["client_emails"], r["keeper_client"], r["keeper_emails"], r["signals"])
            for r in rows[1::2]] == [("maria garcia", "mgarcia@work.com", "Maria García", "maria@bakery.com",
                                      "phone; name; zip"),
                                     ("Thomas Lee", "tomlee@gmail.com", "Tom Lee", "t.o.m.lee+score@gmail.com",
                                      "email")]
    assert [(r["group"], r["id"], r["action"], r["keeper"]) for r in rows] == [
        ("1", f"MRE-{maria}", "keep", f"MRE-{maria}"), ("1", f"MRE-{maria2}", "withdraw", f"MRE-{maria}"),
        ("2", f"MRE-{tom}", "keep", f"MRE-{tom}"), ("2", f"MRE-{tom2}", "withdraw", f"MRE-{tom}")]
    assert rows[0]["reasons"] == "kept: assigned, the furthest along"
    assert rows[3]["reasons"].startswith("e-mails equal but for dots, plus-tag or case (tomlee@gmail.com); ")
    assert ran.stderr == "2 groups, 2 requests to withdraw (5 requests compared, 2 candidate pairs)\n"
    shown = score("duplicates", "find", "--format", "json", "--min-score", "0.94", db=world.url, actor=CIC).json()
    assert [(r["id"], r["action"]) for r in shown] == [(f"MRE-{tom}", "keep"), (f"MRE-{tom2}", "withdraw")]
    assert isinstance(shown[1]["reasons"], list) and shown[1]["score"] == 0.95  # a shared e-mail
    assert shown[1]["signals"] == ["email"] and shown[1]["keeper_emails"] == ["t.o.m.lee+score@gmail.com"]
    plan = ran.stdout
    ran = score("withdraw", "--bulk", "-", "--reason", REASON, "--format", "json", db=world.url, actor=CIC,
                input=plan)
    assert ran.exit_code == 0, ran.stderr
    result = ran.json()
    assert (result["applied"], result["counts"], result["message"]) == (True, {"withdrawn": 2}, "withdrew 2 requests")
    assert [(r["id"], r["keeper"], r["outcome"]) for r in result["rows"]] == [
        (f"MRE-{maria2}", f"MRE-{maria}", "withdrawn"), (f"MRE-{tom2}", f"MRE-{tom}", "withdrawn")]
    assert ran.stderr == "withdrew 2 requests\n"
    shown = score("show", f"MRE-{tom2}", "--format", "json", db=world.url, actor=CIC).json()
    assert shown["status"] == "withdrawn"
    assert shown["notes"][-1]["text"] == f"duplicate of MRE-{tom}: {REASON}"
    before = dump(world.url)
    again = score("withdraw", "--bulk", "-", "--reason", REASON, db=world.url, actor=CIC, input=plan)
    assert again.exit_code == 0
    assert again.stderr == "nothing to do: all 2 requests were already withdrawn by an earlier run\n"
    assert dump(world.url) == before
    assert score("duplicates", "find", "--format", "json", db=world.url, actor=CIC).json() == []
    for fmt in ("json", "csv"):  # `find | withdraw --bulk -` with nothing left: success
        empty = score("duplicates", "find", "--format", fmt, db=world.url, actor=CIC).stdout
        ran = score("withdraw", "--bulk", "-", "--reason", REASON, db=world.url, actor=CIC, input=empty)
        assert ran.exit_code == 0, (fmt, ran.stderr)
        assert ran.stderr.startswith("nothing to withdraw")
    assert dump(world.url) == before


def test_a_json_plan_a_plain_list_of_ids_and_a_bad_row(world, dupes, tmp_path):
    maria, maria2, tom, tom2 = dupes
    plan = tmp_path / "plan.json"
    plan.write_text(score("duplicates", "find", "--format", "json", db=world.url, actor=CIC).stdout)
    dry = score("withdraw", "--bulk", str(plan), "--reason", REASON, "--dry-run", "--format", "csv",
                db=world.url, actor=CIC)
    assert dry.exit_code == 0
    reviewed = list(csv.DictReader(io.StringIO(dry.stdout)))
    assert [r["outcome"] for r in reviewed] == ["would_withdraw"] * 2
    assert [(r["id"], r["client"], r["client_emails"], r["keeper"], r["keeper_client"], r["keeper_emails"],
             r["signals"]) for r in reviewed] == [
        (f"MRE-{maria2}", "maria garcia", "mgarcia@work.com", f"MRE-{maria}", "Maria García", "maria@bakery.com",
         "phone; name; zip"),
        (f"MRE-{tom2}", "Thomas Lee", "tomlee@gmail.com", f"MRE-{tom}", "Tom Lee", "t.o.m.lee+score@gmail.com",
         "email")]
    assert [float(r["score"]) for r in reviewed] == [0.93, 0.95]
    assert dry.stderr == "dry run: would withdraw 2 requests; nothing was changed\n"
    before = dump(world.url)
    ran = score("withdraw", "--bulk", "-", "--reason", REASON, db=world.url, actor=CIC,
                input=f"MRE-{maria2}\nMRE-999\nMRE-{tom2}\n")
    assert ran.exit_code == 3  # the only problem: a request that does not exist
    assert ran.stderr.startswith("score: refused: 1 of 3 rows are not valid, so nothing was withdrawn")
    assert dump(world.url) == before
    skipped = score("withdraw", "--bulk", "-", "--reason", REASON, "--skip-invalid", "--format", "json",
                    db=world.url, actor=CIC, input=f"MRE-{maria2}\nMRE-999\nMRE-{tom2}\n")
    assert skipped.exit_code == 0
    assert [r["outcome"] for r in skipped.json()["rows"]] == ["withdrawn", "skipped", "withdrawn"]


def test_withdraw_of_one_request_still_works_and_bad_combinations_are_usage_errors(world, dupes):
    maria, maria2, tom, tom2 = dupes
    ran = score("withdraw", f"MRE-{tom2}", "--reason", "client asked", db=world.url, actor=CIC)
    assert ran.exit_code == 0 and ran.stdout == f"MRE-{tom2} withdrawn\n"
    assert score("withdraw", "--reason", "x", db=world.url, actor=CIC).exit_code == 2
    assert score("withdraw", f"MRE-{tom}", "--bulk", "-", "--reason", "x", db=world.url, actor=CIC,
                 input="1\n").exit_code == 2
    assert score("withdraw", f"MRE-{tom}", "--dry-run", "--reason", "x", db=world.url, actor=CIC).exit_code == 2
    assert score("withdraw", "--bulk", "-", "--reason", "x\ny", db=world.url, actor=CIC, input="1\n").exit_code == 2


def test_client_merge_at_the_terminal(world, dupes):
    maria, maria2, tom, tom2 = dupes
    ran = score("client", "merge", "maria@bakery.com", "mgarcia@work.com", db=world.url, actor=CIC)
    assert ran.exit_code == 0, ran.stderr
    assert ran.stdout.endswith(f"(Maria García): 1 e-mail(s), MRE-{maria2}\n")
    shown = score("show", f"MRE-{maria2}", "--format", "json", db=world.url, actor=CIC).json()
    assert shown["client"]["emails"] == ["maria@bakery.com", "mgarcia@work.com"]
    merged = score("client", "merge", "tomlee@gmail.com", "t.o.m.lee+score@gmail.com", "--format", "json",
                   db=world.url, actor=CIC).json()
    assert merged["moved_requests"] == [f"MRE-{tom}"]
    assert score("client", "merge", "nobody@x.com", "tomlee@gmail.com", db=world.url, actor=CIC).exit_code == 3


# --- a bulk withdrawal killed half way ---------------------------------------------------

ROWS = 10_000
OWNED = 2_000  # of them assigned to a mentor, who is told
WAL_BYTES = 100_000  # the transaction has spilled this much to the WAL: it is under way


@pytest.fixture(scope="module")
def big(tmp_path_factory, sqlite_template):
    """A store with one keeper and 10,000 duplicates of it, and the plan that withdraws them."""
    from tests.world import build

    folder = tmp_path_factory.mktemp("bulk")
    path = folder / "big.db"
    shutil.copy2(sqlite_template, path)
    store = Store("sqlite:///" + str(path))
    build(store, store.url)
    now = datetime.now(timezone.utc) - timedelta(days=1)
    with store.transaction() as session:
        mentor_id = session.execute(select(Volunteer.id).where(Volunteer.email == MENTOR)).scalar_one()
        ids = range(1, ROWS + 2)
        owned = set(range(2, OWNED + 2))
        session.execute(insert(Client.__table__), [{"id": i, "name": "Cleo Client", "phone": "617-555-0101",
                                                     "created_at": now} for i in ids])
        session.execute(insert(ClientEmail.__table__), [{"client_id": i, "email": f"cleo{i}@example.com"} for i in ids])
        session.execute(insert(MentoringRequest.__table__), [
            {"id": i, "client_id": i, "chapter_code": "BOS01", "question": "How do I price catering?",
             "status": "assigned" if i in owned else "new", "queue": None if i in owned else "BOS01",
             "owner_id": mentor_id if i in owned else None, "submitted_at": now, "status_changed_at": now,
             "first_assigned_at": now if i in owned else None, "version": 1} for i in ids])
        session.execute(insert(Assignment.__table__), [
            {"request_id": i, "mentor_id": mentor_id, "kind": "cic", "assigned_at": now, "outcome": "open",
             "accept_due_at": now + timedelta(days=2), "timeout_at": now + timedelta(days=5)} for i in owned])
        session.execute(insert(CaseTeamMember.__table__), [
            {"request_id": i, "volunteer_id": mentor_id, "role": "lead", "state": "pending", "created_at": now}
            for i in owned])
        session.execute(insert(AuditEvent.__table__), [
            {"at": now, "actor": "intake", "action": "submit", "request_id": i, "from_status": None,
             "to_status": "new"} for i in ids]
            + [{"at": now, "actor": CIC, "action": "assign", "request_id": i, "from_status": "new",
                "to_status": "assigned"} for i in owned])
    store.close()
    assert check_store(Store("sqlite:///" + str(path))) == []
    plan = folder / "plan.csv"
    plan.write_text("group,id,action,keeper\n1,MRE-1,keep,MRE-1\n"
                    + "".join(f"1,MRE-{i},withdraw,MRE-1\n" for i in range(2, ROWS + 2)))
    return path, plan


def counts(url):
    store = Store(url)
    try:
        with store.reading() as session:
            return {
                "withdrawn": session.execute(select(func.count()).where(MentoringRequest.status == "withdrawn")).scalar(),
                "events": session.execute(select(func.count()).select_from(AuditEvent)).scalar(),
                "notes": session.execute(select(func.count()).select_from(Note)).scalar(),
                "mail": session.execute(select(func.count()).where(OutboxMessage.event == "withdrawn")).scalar(),
            }, check_store(store)
    finally:
        store.close()


def bulk_command(db: Path, plan: Path) -> list[str]:
    return [sys.executable, "-m", "score_cli", "--db", str(db), "--as", CIC, "withdraw", "--bulk", str(plan),
            "--reason", REASON, "--format", "json"]


def test_a_bulk_withdrawal_killed_half_way_leaves_all_or_none_applied(big, tmp_path):
    """SIGKILL once the transaction's first pages reach the WAL file (or later, if it finished first)."""
    source, plan = big
    db = tmp_path / "score.db"
    shutil.copy2(source, db)
    url = "sqlite:///" + str(db)
    before, _ = counts(url)
    wal = Path(str(db) + "-wal")
    proc = subprocess.Popen(bulk_command(db, plan), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if wal.exists() and wal.stat().st_size >= WAL_BYTES:
                break
            try:
                proc.wait(timeout=0.002)
            except subprocess.TimeoutExpired:
                pass
    finally:
        proc.kill()
        proc.wait()
    after, problems = counts(url)
    assert problems == []
    if after["withdrawn"] == 0:
        assert after == before
    else:
        assert after == {"withdrawn": ROWS, "events": before["events"] + ROWS, "notes": before["notes"] + ROWS,
                         "mail": OWNED}
    # Running the plan again finishes the job (or finds it done), as if nothing had happened.
    store = Store(url)
    again = withdraw_bulk(store, CIC, plan.read_text(), reason=REASON)
    store.close()
    assert again.counts in ({"withdrawn": ROWS}, {"already_done": ROWS})
    final, problems = counts(url)
    assert problems == [] and final["withdrawn"] == ROWS and final["events"] == before["events"] + ROWS
