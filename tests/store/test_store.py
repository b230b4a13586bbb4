"""The SQLite store's settings and the UTC column type."""

import os
import stat
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from score_cli.domain.errors import Invalid, NotFound
from score_cli.store.db import Store, resolve_url
from score_cli.store.models import Client


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(store, backend):
    if backend != "sqlite":
        pytest.skip("SQLite settings")
    with store.reading() as session:
        conn = session.connection()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_postgresql_sessions_do_not_jit_compile_and_read_utc_even_after_a_rollback(store, backend):
    # JIT compiling took about half a second per report for a login whose row-level security
    # raised the plans' estimated cost; a command's rolled-back read must not bring it back.
    # Instants read in UTC come as Python's own UTC zone, which reports convert at half the cost.
    if backend != "postgresql":
        pytest.skip("a PostgreSQL setting")
    for _ in range(2):
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
            assert conn.exec_driver_sql("SHOW TimeZone").scalar() == "UTC"
            assert conn.exec_driver_sql("SELECT now()").scalar().tzinfo is timezone.utc
            conn.rollback()


def test_the_store_file_is_readable_by_its_owner_only(store, backend):
    if backend != "sqlite":
        pytest.skip("a file only on SQLite")
    path = store.url.removeprefix("sqlite:///")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_times_go_in_as_any_zone_and_come_out_as_utc(store):
    eastern = timezone(timedelta(hours=-5))
    with store.transaction() as session:
        session.add(Client(id=1, name="Cleo", created_at=datetime(2026, 11, 23, 8, 0, tzinfo=eastern)))
    with store.reading() as session:
        created = session.get(Client, 1).created_at
        raw = session.execute(text("SELECT created_at FROM client")).scalar()
    assert created == datetime(2026, 11, 23, 13, 0, tzinfo=timezone.utc)
    assert created.tzinfo == timezone.utc
    if store.backend == "sqlite":
        assert str(raw).startswith("2026-11-23 13:00:00")
    else:
        assert raw == datetime(2026, 11, 23, 13, 0, tzinfo=timezone.utc)


def test_a_naive_time_is_refused(store):
    with pytest.raises(Exception):
        with store.transaction() as session:
            session.add(Client(id=2, name="Naive", created_at=datetime(2026, 11, 23, 8, 0)))


def test_db_urls_and_paths(tmp_path):
    assert resolve_url(str(tmp_path / "x.db")) == "sqlite:///" + str(tmp_path / "x.db")
    assert resolve_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    with pytest.raises(NotFound):
        Store("sqlite:///" + str(tmp_path / "missing" / "x.db"))
    with pytest.raises(Invalid):
        resolve_url("not a url://x")
