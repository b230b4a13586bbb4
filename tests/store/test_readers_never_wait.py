"""A long write (an import) in another process does not hold up reading: `show` and `queue list`
answer at once while the writer's transaction is open, on SQLite (WAL) and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import create_engine, text

from tests.helpers import score
from tests.world import CIC, MENTOR

HOLDER = """
import sys
from sqlalchemy import create_engine, text
engine = create_engine(sys.argv[1])
with engine.connect() as conn:
    conn.execute(text("UPDATE client SET name = name || ' (importing)'"))
    conn.execute(text("UPDATE mentoring_request SET question = question || ' (importing)'"))
    print("holding", flush=True)
    sys.stdin.read()  # until the test has read
    conn.commit()
print("committed", flush=True)
"""


def test_show_and_queue_list_answer_while_another_process_holds_a_write_transaction(world, store_url, backend,
                                                                                   monkeypatch):
    monkeypatch.setenv("SCORE_BUSY_TIMEOUT_MS", "500")  # a reader that waited would fail with exit 4
    monkeypatch.setenv("PGOPTIONS", "-c lock_timeout=500")  # the same on PostgreSQL
    world.submit(name="Wendy Waiting")
    world.assigned(MENTOR, name="Alan Assigned", email="alan@example.com")
    db = store_url if backend == "postgresql" else store_url.removeprefix("sqlite:///")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, store_url], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding", holder.stderr.read()
        shown = score("show", "MRE-1", "--format", "json", db=db, actor=CIC)
        queue = score("queue", "list", "--chapter", "BOS01", "--format", "json", db=db, actor=CIC)
        if backend == "sqlite":  # the writer really holds the lock: another writer is turned away
            note = score("note", "MRE-1", "a note", db=db, actor=CIC)
            assert note.exit_code == 4, note.stderr
        assert holder.poll() is None  # still inside its transaction
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert shown.exit_code == 0, shown.stderr
    assert queue.exit_code == 0, queue.stderr
    assert shown.json()["client"]["name"] == "Wendy Waiting"  # the uncommitted write was not seen
    assert "Wendy Waiting" in queue.stdout and "(importing)" not in queue.stdout
    assert holder.stdout.read().strip() == "committed"
    engine = create_engine(store_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM client ORDER BY id")).scalars().first() == "Wendy Waiting (importing)"
    engine.dispose()
