"""A process killed (SIGKILL) in the middle of an import or a sweep leaves the store consistent:
`db check` passes, each item is done completely or not at all, and a rerun finishes the work
with nothing done twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from freezegun import freeze_time
from sqlalchemy import func, select

from score_cli.services.requests import assignment
from score_cli.services.admin import integrity
from score_cli.store.models import Assignment, AuditEvent, MentoringRequest, OutboxMessage
from tests.world import CIC, FAR, MENTOR, MENTOR2, PROVISIONAL

ROOT = Path(__file__).resolve().parents[2]


def start(url: str, *args: str) -> subprocess.Popen:
    db = url if url.startswith("postgresql") else url.removeprefix("sqlite:///")
    return subprocess.Popen([sys.executable, "-m", "score_cli", "--db", db, *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill_when(proc: subprocess.Popen, ready, limit: int = 2000) -> bool:
    """SIGKILL the process as soon as `ready()` says it is in the middle of its work.

    Waits on the process itself in short bounded steps; returns False if it finished first."""
    for _ in range(limit):
        try:
            proc.wait(timeout=0.01)
            return False
        except subprocess.TimeoutExpired:
            if ready():
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
                return True
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    return True


def count(store, model, *where) -> int:
    with store.reading() as session:
        return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_an_import_killed_midway_leaves_all_or_nothing_and_a_rerun_imports_each_row_once(world, tmp_path):
    rows = 3000
    export = tmp_path / "export.csv"
    export.write_text("name,email,chapter,question,submitted_at\n" + "".join(
        f"Client {n},client{n}@example.com,BOS01,Question {n},2026-11-0{1 + n % 9}T10:{n % 60:02d}:00-05:00\n"
        for n in range(rows)))
    proc = start(world.url, "intake", "import", str(export))
    # it has begun writing once the outbox or requests grow, or its WAL does on SQLite
    wal = Path(world.url.removeprefix("sqlite:///") + "-wal")
    kill_when(proc, lambda: (wal.exists() and wal.stat().st_size > 200_000) or count(
        world.store, MentoringRequest) > 0)
    assert integrity.check_store(world.store) == []
    assert count(world.store, MentoringRequest) in (0, rows)  # one transaction: all or nothing

    rerun = start(world.url, "intake", "import", str(export))
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err[-1000:]
    assert count(world.store, MentoringRequest) == rows
    assert integrity.check_store(world.store) == []


def test_a_sweep_killed_midway_leaves_each_item_whole_and_the_rerun_finishes_it(world):
    mentors = [MENTOR, MENTOR2, PROVISIONAL, FAR]
    ids = []
    with freeze_time("2026-11-02 15:00:00"):  # long before today: every timeout has passed
        for n in range(160):
            ids.append(world.submit(email=f"sweep{n}@x.com"))
            assignment.assign(world.store, CIC, ids[-1], mentors[n % 4], force=True)
    timed_out = (Assignment.outcome == "timed_out",)
    proc = start(world.url, "sweep")
    kill_when(proc, lambda: count(world.store, Assignment, *timed_out) >= 5)

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
    assert integrity.check_store(world.store) == []

    rerun = start(world.url, "sweep", "--format", "json")
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err[-1000:]
    whole_or_untouched()
    assert count(world.store, Assignment, *timed_out) == len(ids)
    assert integrity.check_store(world.store) == []
