"""`score db check` finds broken invariants; `score db backup` copies a store in use."""

import os
import sqlite3
import stat

from sqlalchemy import text

from tests.helpers import score


def target(world):
    return world.url if world.url.startswith("postgresql") else world.url.removeprefix("sqlite:///")


def test_db_check_passes_on_a_sound_store_and_names_a_broken_invariant(world):
    request_id = world.assigned()
    ok = score("db", "check", "--format", "table", db=target(world))
    assert ok.exit_code == 0 and "store is consistent" in ok.stdout
    assert score("db", "check", "--format", "json", db=target(world)).json() == []
    with world.store.transaction() as session:  # a request both owned and waiting in a queue
        session.execute(text("UPDATE mentoring_request SET queue = 'BOS01' WHERE id = :id"), {"id": request_id})
    broken = score("db", "check", "--format", "json", db=target(world))
    assert broken.exit_code == 1
    assert broken.json() == [{"check": "an owned open request has no owner or is also in a queue",
                              "count": 1, "example": f"MRE-{request_id}"}]


def test_db_backup_copies_an_sqlite_store_or_prints_the_pg_dump_command(world, tmp_path):
    world.submit()
    dest = tmp_path / "copy.db"
    ran = score("db", "backup", str(dest), db=target(world))
    assert ran.exit_code == 0
    if world.url.startswith("postgresql"):
        assert ran.stdout.startswith("pg_dump --format=custom") and str(dest) in ran.stdout
        return
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    with sqlite3.connect(dest) as copy:
        assert copy.execute("SELECT COUNT(*) FROM mentoring_request").fetchone() == (1,)
    again = score("db", "backup", str(dest), db=target(world))
    assert again.exit_code == 1 and "exists already" in again.stderr
