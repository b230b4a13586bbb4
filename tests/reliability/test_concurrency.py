"""Several processes working on the same requests at once, on each backend: mentors accepting
and declining, a coordinator adding notes and taking requests back, and the nightly sweep."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from freezegun import freeze_time
from sqlalchemy import select

from score_cli.services.admin import integrity
from score_cli.store.models import AuditEvent, MentoringRequest
from tests.world import MENTOR, MENTOR2

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = ["accept", "decline", "reassign", "note", "sweep"]


def test_racing_processes_lose_no_update_and_keep_the_invariants(world):
    # Assigned eight days ago: past their timeout, so the sweep races the mentors for them.
    from score_cli.services.requests import assignment
    from tests.world import CIC

    ids = []
    with freeze_time("2026-11-10 15:00:00"):
        for n in range(12):
            ids.append(world.submit(email=f"race{n}@x.com"))
            assignment.assign(world.store, CIC, ids[-1], MENTOR if n % 2 else MENTOR2, force=True)
    owners = json.dumps({str(i): (MENTOR2 if n % 2 == 0 else MENTOR) for n, i in enumerate(ids)})
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-m", "tests.reliability.race_driver", world.url, action,
                               *map(str, ids)], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for action in ACTIONS]
    outputs = [p.communicate(owners + "\n", timeout=240) for p in procs]
    for (out, err), p in zip(outputs, procs):
        assert p.returncode == 0, err[-2000:]
    changed = {action: set(json.loads(out.strip().splitlines()[-1])) for action, (out, _) in zip(ACTIONS, outputs)}

    assert integrity.check_store(world.store) == []
    with world.store.reading() as session:
        for request_id in ids:
            events = session.execute(select(AuditEvent.actor, AuditEvent.action, AuditEvent.from_status,
                                            AuditEvent.to_status).where(AuditEvent.request_id == request_id)
                                     .order_by(AuditEvent.id)).all()
            # the history chains: no status change was lost or written twice
            current = None
            for _, _, from_status, to_status in events:
                assert from_status == current, events
                current = to_status
            assert current == session.get(MentoringRequest, request_id).status
            # every change a participant reported is in the history, once
            actions = [action for _, action, _, _ in events[2:]]
            for name, audit_action in (("accept", "accept"), ("decline", "decline"), ("note", "note"),
                                       ("reassign", "reassign_to_queue")):
                assert actions.count(audit_action) == (1 if request_id in changed[name] else 0), (name, events)
            # only one way out of "assigned" can win
            leaving = [a for a in actions if a in ("accept", "decline", "timeout")]
            assert len(leaving) <= 1, events


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
