"""Shared fixtures: every test gets its own store, never the user's real one.

Tests that take `store_url`, `store` or `world` run twice: on an SQLite file and on a
PostgreSQL database (a throwaway server started for the session, see tests/pg_server.py).
Without PostgreSQL server binaries the PostgreSQL half is skipped and the summary says so
loudly; with SCORE_REQUIRE_POSTGRES=1 (as in CI) it fails instead.
"""

from __future__ import annotations

import itertools
import os
import shutil

import pytest

from score_cli.services.admin.setup import init_store
from score_cli.store.db import Store

_PG_SKIPPED: list[str] = []
_counter = itertools.count()


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory, monkeypatch):
    """Keep tests away from the user's data directory and their SCORE_* settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    for name in ("SCORE_DB", "SCORE_USER", "SCORE_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    """One migrated store with the chapters loaded, copied for each test (fast)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    init_store("sqlite:///" + str(path))
    return str(path)


@pytest.fixture(scope="session")
def postgres_admin_url():
    """An admin URL on a PostgreSQL server with a `score_template` database, or None."""
    from sqlalchemy import create_engine, text

    url = os.environ.get("SCORE_TEST_PG_URL")
    server = None
    if not url:
        from tests.pg_server import Server, find_bindir

        bindir = find_bindir()
        if bindir is None:
            yield None, "no PostgreSQL server binaries (pg_ctl) on this machine"
            return
        server = Server(bindir)
        try:
            url = server.start()
        except Exception as exc:  # noqa: BLE001 - report why, then skip or fail
            detail = getattr(exc, "stderr", "") or str(exc)
            server.stop()
            yield None, f"could not start PostgreSQL: {detail.strip()[:300]}"
            return
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS score_template"))
        conn.execute(text("CREATE DATABASE score_template"))
    template_url = url.rsplit("/", 1)[0] + "/score_template"
    init_store(template_url)
    yield (url, admin), None
    admin.dispose()
    if server is not None:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """A fresh store (schema at head, shipped chapters loaded) on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "score.db"
        shutil.copy2(request.getfixturevalue("sqlite_template"), path)
        yield "sqlite:///" + str(path)
        return
    server, why_not = request.getfixturevalue("postgres_admin_url")
    if server is None:
        if os.environ.get("SCORE_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required here (SCORE_REQUIRE_POSTGRES) but {why_not}")
        _PG_SKIPPED.append(why_not)
        pytest.skip(f"PostgreSQL half skipped: {why_not}")
    from sqlalchemy import text

    url, admin = server
    name = f"score_test_{os.getpid()}_{next(_counter)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE score_template'))
    yield url.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def store(store_url):
    s = Store(store_url)
    yield s
    s.close()


@pytest.fixture
def world(store, store_url):
    """The small organisation of tests/world.py, in a fresh store."""
    from tests.world import build

    return build(store, store_url)


@pytest.fixture
def backend(store_url) -> str:
    return "postgresql" if store_url.startswith("postgresql") else "sqlite"


def pytest_terminal_summary(terminalreporter):
    from tests.reliability import counters

    if counters.fuzz_examples or counters.state_machine_steps:
        terminalreporter.write_sep("-", "randomised tests")
        terminalreporter.write_line(f"CLI fuzz examples run: {counters.fuzz_examples}; state-machine steps run:"
                                    f" {counters.state_machine_steps}")
    if _PG_SKIPPED:
        terminalreporter.write_sep("!", "POSTGRESQL HALF OF THE SUITE SKIPPED", red=True, bold=True)
        terminalreporter.write_line(f"{len(_PG_SKIPPED)} tests did not run on PostgreSQL: {_PG_SKIPPED[0]}")
        terminalreporter.write_line("Install the PostgreSQL server binaries (apt-get install postgresql) or set"
                                    " SCORE_TEST_PG_URL to run them.")
