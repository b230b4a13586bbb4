"""Several processes working on the same requests at once, on each backend: mentors accepting
and declining, a coordinator adding notes and taking requests back, and the nightly sweep."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from freezegun import freeze_time
from sqlalchemy import select

from score_cli.services.admin import integrity
from score_cli.store.models import AuditEvent, MentoringRequest, OutboxMessage
from tests.world import CIC, MENTOR, MENTOR2

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = ["accept", "decline", "reassign", "note", "sweep"]
ROUNDS = 20
PER_ROUND = 6
SWEEP_FLAGS = ("follow_up", "ready_to_close")
AUDITED = {"accept": "accept", "decline": "decline", "reassign": "reassign_to_queue", "note": "note",
           "sweep": "timeout"}
# The e-mails each audited change queues for the request (the mentor's, and Boston's coordinator).
MESSAGES = {"accept": lambda owner: [], "note": lambda owner: [],
            "decline": lambda owner: [("declined", CIC)],
            "reassign_to_queue": lambda owner: [("owner_changed", owner)],  # the mentor who loses it is told
            "timeout": lambda owner: [("timed_out", CIC), ("timed_out_mentor", owner)]}


def race(world, rounds: list[dict], barrier: Path) -> dict[str, list[dict]]:
    """Every participant in its own process; each round starts for all of them at one release."""
    locks = []
    for n in range(len(rounds)):
        gate = open(barrier / f"round{n}", "w")
        fcntl.flock(gate, fcntl.LOCK_EX)
        locks.append(gate)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = {action: subprocess.Popen([sys.executable, "-m", "tests.reliability.race_driver", world.url, action,
                                       str(barrier)], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for action in ACTIONS}
    for proc in procs.values():
        proc.stdin.write(json.dumps(rounds) + "\n")
        proc.stdin.close()
    results: dict[str, list[dict]] = {action: [] for action in ACTIONS}
    try:
        for n, gate in enumerate(locks):
            for action, proc in procs.items():
                line = proc.stdout.readline()
                assert line == f"ready {n}\n", (action, line, proc.stderr.read()[-2000:] if not line else "")
            fcntl.flock(gate, fcntl.LOCK_UN)  # the barrier opens for everyone at once
            for action, proc in procs.items():
                line = proc.stdout.readline()
                assert line, (action, proc.stderr.read()[-2000:])
                results[action].append(json.loads(line))
    finally:
        for gate in locks:
            gate.close()
        for proc in procs.values():
            proc.wait(timeout=60)
    for action, proc in procs.items():
        assert proc.returncode == 0, (action, proc.stderr.read()[-2000:])
        proc.stderr.close()
        proc.stdout.close()
    return results


def test_racing_processes_lose_no_update_and_keep_the_invariants(world, tmp_path):
    # Each round's requests are assigned 14 days after the last round's; the round's clock is
    # 10 days after, so their five-business-day timeout has passed and the next round's has not.
    from score_cli.services.requests import assignment

    rounds, first = [], datetime(2026, 1, 5, 15, 0, tzinfo=timezone.utc)
    owners = {}
    for n in range(ROUNDS):
        at = first + timedelta(days=14 * n)
        ids = []
        with freeze_time(at):
            for k in range(PER_ROUND):
                ids.append(world.submit(email=f"race{n}.{k}@x.com"))
                owners[ids[-1]] = MENTOR2 if k % 2 == 0 else MENTOR
                assignment.assign(world.store, CIC, ids[-1], owners[ids[-1]], force=True)
        rounds.append({"ids": ids, "owners": {str(i): owners[i] for i in ids},
                       "now": (at + timedelta(days=10)).isoformat()})

    results = race(world, rounds, tmp_path)

    # the races were real: every round, each participant ran while another did, and in most
    # rounds all five were running at one moment
    together = 0
    for n in range(ROUNDS):
        windows = {action: (results[action][n]["start"], results[action][n]["end"]) for action in ACTIONS}
        for action, (start, end) in windows.items():
            assert any(s < end and start < e for other, (s, e) in windows.items() if other != action), (n, windows)
        together += max(s for s, _ in windows.values()) < min(e for _, e in windows.values())
    assert together >= ROUNDS // 2, together

    assert integrity.check_store(world.store) == []
    changed = {action: {i for r in results[action] for i in r["changed"]} for action in ACTIONS}
    leavers = {}
    with world.store.reading() as session:
        for request_id, owner in owners.items():
            events = session.execute(select(AuditEvent.action, AuditEvent.from_status, AuditEvent.to_status)
                                     .where(AuditEvent.request_id == request_id).order_by(AuditEvent.id)).all()
            # the history chains: no status change was lost or written twice
            current = None
            for _, from_status, to_status in events:
                assert from_status == current, events
                current = to_status
            assert current == session.get(MentoringRequest, request_id).status
            # exactly one way out of "assigned" won (the request then stays with its winner)
            leaving = [action for action, from_status, to_status in events[2:]
                       if from_status == "assigned" != to_status]
            assert len(leaving) == 1, events
            leavers[request_id] = leaving[0]
            # every change a participant reported is in the history, once, and no other; a later
            # round's sweep may raise the contact-window flags on an earlier round's request (its
            # 14 days have passed by then): flags, not contested changes, and they queue no mail
            actions = sorted(action for action, _, _ in events[2:] if action not in SWEEP_FLAGS)
            reported = sorted(AUDITED[a] for a in ACTIONS if request_id in changed[a])
            assert actions == reported, (events, reported)
            # one message per event: the winner's, once per recipient; none from the losers
            mails = session.execute(select(OutboxMessage.event, OutboxMessage.recipient)
                                    .where(OutboxMessage.request_id == request_id,
                                           OutboxMessage.event.not_in(["new_request", "assignment"]))).all()
            assert sorted(mails) == sorted(m for a in actions for m in MESSAGES[a](owner)), (actions, mails)
    # and the contended outcomes all happened across the rounds
    for way_out in ("accept", "decline", "timeout", "reassign_to_queue"):
        assert way_out in leavers.values(), (way_out, sorted(leavers.values()))


def test_on_postgresql_the_sweep_skips_a_request_someone_else_holds_and_takes_it_next_time(world, backend):
    import pytest
    from sqlalchemy import create_engine, text

    from score_cli.services import sweep
    from score_cli.services.requests import assignment
    from tests.world import CIC

    if backend != "postgresql":
        pytest.skip("row locks: SQLite serialises writers with its database lock instead")
    with freeze_time("2026-11-02 15:00:00"):
        held, free = world.submit(email="held@x.com"), world.submit(email="free@x.com")
        for request_id in (held, free):
            assignment.assign(world.store, CIC, request_id, MENTOR2, force=True)
    other = create_engine(world.url)
    with other.connect() as conn:
        tx = conn.begin()  # a coordinator's transaction holding one request's assignment row
        conn.execute(text("SELECT id FROM assignment WHERE request_id = :r FOR UPDATE"), {"r": held})
        first = sweep.run(world.store)
        tx.rollback()
    other.dispose()
    assert first.counts["timed_out"] == 1 and first.counts["skipped"] >= 1
    with world.store.reading() as session:
        assert session.get(MentoringRequest, held).status == "assigned"
        assert session.get(MentoringRequest, free).status == "pending_reassignment"
    second = sweep.run(world.store)
    assert second.counts["timed_out"] == 1
    with world.store.reading() as session:
        assert session.get(MentoringRequest, held).status == "pending_reassignment"
