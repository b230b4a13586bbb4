"""`score sweep` as cron runs it: summary lines, --quiet, --format json, --dry-run, exit codes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from score_cli.services.mail import outbox
from score_cli.store.models import AuditEvent, MentoringRequest, OutboxMessage
from tests.helpers import dump, score
from tests.world import PROVISIONAL

ROOT = Path(__file__).resolve().parents[2]
COUNTS = {"timed_out": 0, "reminded": 0, "follow_up": 0, "ready_to_close": 0, "pause_started": 0, "pause_ended": 0,
          "deadlines_recomputed": 0,
          "direct_limit_reached": 0, "held": 0, "skipped": 0, "failed": 0}


def overdue(world, count: int = 1) -> list[int]:
    """Requests assigned on Mon 1 Jun 2026, long past their timeout (Mon 8 Jun) by now."""
    with freeze_time("2026-06-01 14:00:00"):
        return [world.assigned(PROVISIONAL, email=f"client{n}@example.com") for n in range(count)]


def test_a_quiet_night_prints_one_line_per_kind_or_nothing_with_quiet(store_url):
    with freeze_time("2026-11-24 07:00:00"):
        ran = score("sweep", db=store_url)
        quiet = score("sweep", "--quiet", db=store_url)
    assert ran.exit_code == 0
    assert ran.stdout.splitlines() == [
        "0  timed out, back in the queue",
        "0  accept-overdue reminders queued",
        "0  flagged for contact follow-up",
        "0  flagged ready to close as no_response",
        "0  pauses begun: direct requests switched off",
        "0  pauses ended, mentors reminded",
        "0  deadlines recomputed after a calendar change",
        "0  mentors at their weekly direct-request limit",
        "0  reminders held until a business day",
        "0  skipped: changed by someone else meanwhile",
        "0  failed (the next run retries them)",
    ]
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")


def test_json_gives_the_counts_by_kind_and_quiet_still_reports_work_done(world):
    overdue(world, 2)
    with freeze_time("2026-11-24 07:00:00"):
        ran = score("sweep", "--quiet", "--format", "json", db=world.url)
        again = score("sweep", "--format", "json", db=world.url)
    assert ran.exit_code == 0
    assert ran.json() == {**COUNTS, "timed_out": 2}
    assert again.json() == COUNTS


def test_a_dry_run_says_what_would_happen_and_changes_nothing(world):
    [request_id] = overdue(world)
    before = dump(world.url)
    with freeze_time("2026-11-24 07:00:00"):
        ran = score("sweep", "--dry-run", db=world.url)
    assert ran.exit_code == 0
    assert ran.stdout.splitlines()[:3] == ["dry run: nothing was changed",
                                           f"  would time out MRE-{request_id} ({PROVISIONAL})",
                                           "1  timed out, back in the queue"]
    assert dump(world.url) == before


def test_a_failed_item_makes_the_exit_code_non_zero(world, monkeypatch):
    overdue(world)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(outbox, "enqueue", broken)
    monkeypatch.setattr(outbox, "enqueue_many", broken)
    with freeze_time("2026-11-24 07:00:00"):
        ran = score("sweep", "--quiet", db=world.url)
    assert ran.exit_code == 1
    assert "1  failed (the next run retries them)" in ran.stdout
    assert "disk full" in ran.stderr and "next run retries them" in ran.stderr


def test_a_missing_store_exits_3(tmp_path):
    ran = score("sweep", db=str(tmp_path / "nowhere.db"))
    assert ran.exit_code == 3 and "no store at" in ran.stderr


# `python -m score_cli ARGS` that first loads everything, says "ready" and waits for "go" on
# stdin, so that the two sweeps really start at the same moment rather than a second apart.
STARTING_TOGETHER = """
import runpy, sys
import score_cli.cli, score_cli.services.sweep, score_cli.domain.calendar as calendar
calendar.us_holidays("MA", calendar.FIRST_YEAR, calendar.LAST_YEAR)
print("ready", flush=True)
sys.stdin.readline()
sys.argv[0] = "score"
runpy.run_module("score_cli", run_name="__main__")
"""


def test_two_sweeps_started_together_return_each_request_once(backend, request):
    """Two real processes on one SQLite file, against the real clock."""
    if backend != "sqlite":
        pytest.skip("one SQLite file; PostgreSQL's races are covered by the conditional updates")
    world = request.getfixturevalue("world")
    ids = overdue(world, 10)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", STARTING_TOGETHER, "--db", world.url, "sweep", "--format", "json"]
    runs = [subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env) for _ in range(2)]
    assert [run.stdout.readline() for run in runs] == ["ready\n", "ready\n"]
    for run in runs:
        run.stdin.write("go\n")
        run.stdin.flush()
    results = [run.communicate(timeout=60) + (run.returncode,) for run in runs]
    assert [(code, err) for _, err, code in results] == [(0, ""), (0, "")]
    counts = [json.loads(out) for out, _, _ in results]
    assert sum(c["timed_out"] for c in counts) == 10
    assert sum(c["failed"] for c in counts) == 0
    with world.store.reading() as session:
        timeouts = session.execute(select(AuditEvent.request_id).where(AuditEvent.action == "timeout")).scalars()
        messages = session.execute(select(OutboxMessage.request_id)
                                   .where(OutboxMessage.event == "timed_out_mentor")).scalars()
        statuses = session.execute(select(MentoringRequest.status).where(MentoringRequest.id.in_(ids))).scalars()
        assert sorted(timeouts) == ids and sorted(messages) == ids
        assert set(statuses) == {"pending_reassignment"}
