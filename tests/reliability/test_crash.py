"""A process killed (SIGKILL) in the middle of a transaction of an import, a sweep or a bulk
withdrawal leaves the store consistent: `db check` passes, each transaction is all or nothing,
and a rerun finishes the work with nothing done twice.

The store layer's test hook (SCORE_TEST_PAUSE_AFTER_ROWS) holds the command inside its
transaction once it has written that many rows and says so on stderr; the test kills it there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from freezegun import freeze_time
from sqlalchemy import func, select

from score_cli.services.admin import integrity
from score_cli.services.requests import assignment, intake
from score_cli.store.db import PAUSE_AFTER_ROWS, PAUSED
from score_cli.store.models import Assignment, AuditEvent, MentoringRequest, OutboxMessage
from tests.world import ADMIN, CIC, FAR, MENTOR, MENTOR2, PROVISIONAL

ROOT = Path(__file__).resolve().parents[2]


def command(url: str, *args: str) -> list[str]:
    db = url if url.startswith("postgresql") else url.removeprefix("sqlite:///")
    return [sys.executable, "-m", "score_cli", "--db", db, *args]


def kill_inside_transaction(url: str, *args: str, after_rows: int) -> int:
    """Run the command until the hook holds it mid-transaction, SIGKILL it; the rows written."""
    env = dict(os.environ, **{PAUSE_AFTER_ROWS: str(after_rows)})
    proc = subprocess.Popen(command(url, *args), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    said = []
    for line in proc.stderr:  # blocks until the hook speaks, or the command ends
        said.append(line)
        if line.startswith(PAUSED):
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, f"the command ended before the hook held it: {''.join(said)[-1000:]}"
    return int(said[-1].removeprefix(PAUSED).split()[0])


def rerun(url: str, *args: str) -> str:
    done = subprocess.run(command(url, *args), cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-1000:]
    return done.stdout


def count(store, model, *where) -> int:
    with store.reading() as session:
        return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def submit_many(world, n: int, prefix: str) -> list[int]:
    with world.store.transaction() as session:
        return [intake.submit(session, intake.NewRequest(name=f"Client {i}", emails=[f"{prefix}{i}@x.com"],
                                                         chapter="BOS01", question="Help").checked())
                for i in range(n)]


def test_an_import_killed_inside_its_transaction_leaves_nothing_and_a_rerun_imports_each_row_once(world, tmp_path):
    rows = 1000
    export = tmp_path / "export.csv"
    export.write_text("name,email,chapter,question,submitted_at\n" + "".join(
        f"Client {n},client{n}@example.com,BOS01,Question {n},2026-11-0{1 + n % 9}T10:{n % 60:02d}:00-05:00\n"
        for n in range(rows)))
    events, mails = count(world.store, AuditEvent), count(world.store, OutboxMessage)

    assert kill_inside_transaction(world.url, "intake", "import", str(export), after_rows=rows) >= rows
    assert integrity.check_store(world.store) == []
    # one transaction: rows were written when it died, and none of them stayed
    assert count(world.store, MentoringRequest) == 0
    assert (count(world.store, AuditEvent), count(world.store, OutboxMessage)) == (events, mails)

    rerun(world.url, "intake", "import", str(export))
    assert count(world.store, MentoringRequest) == rows
    assert count(world.store, AuditEvent, AuditEvent.action == "submit") == rows
    assert integrity.check_store(world.store) == []


def test_a_sweep_killed_inside_its_second_batch_keeps_the_first_and_the_rerun_finishes_it(world):
    # 300 overdue assignments: the sweep times them out 200 to a transaction (WRITE_BATCH_SIZE).
    mentors = [MENTOR, MENTOR2, PROVISIONAL, FAR]
    with freeze_time("2026-11-02 15:00:00"):  # long before today: every timeout has passed
        ids = submit_many(world, 300, "sweep")
        for n, request_id in enumerate(ids):
            assignment.assign(world.store, CIC, request_id, mentors[n % 4], force=True)
    timed_out = (Assignment.outcome == "timed_out",)
    # a timeout writes 5 rows (assignment, request, audit event, two messages): 1,000 a batch,
    # so 1,250 rows is halfway through the second batch
    assert kill_inside_transaction(world.url, "sweep", after_rows=1250) >= 1250

    def whole_or_untouched():
        with world.store.reading() as session:
            for request_id in ids:
                r = session.get(MentoringRequest, request_id)
                outcome = session.execute(select(Assignment.outcome).where(Assignment.request_id == request_id)
                                          ).scalar_one()
                events = session.execute(select(func.count()).select_from(AuditEvent).where(
                    AuditEvent.request_id == request_id, AuditEvent.action == "timeout")).scalar_one()
                mails = session.execute(select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.request_id == request_id, OutboxMessage.event == "timed_out_mentor")).scalar_one()
                if outcome == "timed_out":
                    assert (r.status, r.queue, events, mails) == ("pending_reassignment", "BOS01", 1, 1)
                else:
                    assert (outcome, r.status, events, mails) == ("open", "assigned", 0, 0)

    whole_or_untouched()
    assert count(world.store, Assignment, *timed_out) == 200  # the first batch committed, the second not
    assert integrity.check_store(world.store) == []

    rerun(world.url, "sweep", "--format", "json")
    whole_or_untouched()
    assert count(world.store, Assignment, *timed_out) == len(ids)
    assert integrity.check_store(world.store) == []


def test_a_bulk_withdrawal_killed_inside_its_transaction_withdraws_none_and_the_rerun_all_once(world, tmp_path):
    ids = submit_many(world, 120, "bulk")
    plan = tmp_path / "plan.txt"
    plan.write_text("".join(f"MRE-{i}\n" for i in ids))
    reason = ("--reason", "duplicate of an earlier request")

    assert kill_inside_transaction(world.url, "--as", ADMIN, "withdraw", "--bulk", str(plan), *reason,
                                   after_rows=150) >= 150
    assert integrity.check_store(world.store) == []
    assert count(world.store, MentoringRequest, MentoringRequest.status == "withdrawn") == 0
    assert count(world.store, AuditEvent, AuditEvent.action == "withdraw") == 0

    rerun(world.url, "--as", ADMIN, "withdraw", "--bulk", str(plan), *reason)
    assert count(world.store, MentoringRequest, MentoringRequest.status == "withdrawn") == len(ids)
    assert count(world.store, AuditEvent, AuditEvent.action == "withdraw") == len(ids)
    rerun(world.url, "--as", ADMIN, "withdraw", "--bulk", str(plan), *reason)  # already done: nothing twice
    assert count(world.store, AuditEvent, AuditEvent.action == "withdraw") == len(ids)
    assert integrity.check_store(world.store) == []
