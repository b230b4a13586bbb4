"""Shared fixtures: every test gets its own store, never the user's real one.

Tests that take `store_url`, `store` or `world` run twice: on an SQLite file and on a
PostgreSQL database (a throwaway server started for the session, see tests/pg_server.py).
Without PostgreSQL server binaries the PostgreSQL half is skipped and the summary says so
loudly; with SCORE_REQUIRE_POSTGRES=1 (as in CI) it fails instead.

The suite runs on every core (pytest-xdist): each worker process has its own session, so its
own templates and its own PostgreSQL server. Stores are copied from templates built once per
session: the migrated store with the chapters, and the same with tests/world.py's people.
What the summary reports travels from the workers in each test's report (`user_properties`).
"""

from __future__ import annotations

import itertools
import os
import shutil

import pytest

from score_cli.services.admin.setup import init_store
from score_cli.store.db import Store
from tests.reliability import counters
from tests.helpers import PG_SKIPPED, postgres_database

_counter = itertools.count()
# What the end-of-run summary says, gathered from the test reports (of every worker).
_summary: dict = {"fuzz examples": 0, "state-machine steps": 0, "lines": [], "pg skipped": []}


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


@pytest.fixture(autouse=True)
def randomised_test_counts(request):
    """How many examples and steps a randomised test ran, for the summary."""
    before = {"fuzz examples": counters.fuzz_examples, "state-machine steps": counters.state_machine_steps}
    yield
    after = {"fuzz examples": counters.fuzz_examples, "state-machine steps": counters.state_machine_steps}
    for name, count in after.items():
        if count > before[name]:
            request.node.user_properties.append((name, count - before[name]))


@pytest.fixture
def summary_line(request):
    """`summary_line(text)`: a line for the end-of-run summary, whichever worker ran the test."""
    return lambda text: request.node.user_properties.append(("line", text))


@pytest.fixture(scope="session")
def sqlite_world_template(sqlite_template, tmp_path_factory) -> str:
    """The template with tests/world.py's organisation built in it, copied for `world` tests."""
    from tests.world import build

    path = tmp_path_factory.mktemp("world") / "world.db"
    shutil.copy2(sqlite_template, path)
    store = Store("sqlite:///" + str(path))
    build(store, store.url)
    store.close()
    return str(path)


@pytest.fixture(scope="session")
def postgres_world_template(postgres_admin_url) -> str:
    """The PostgreSQL template database with tests/world.py's organisation built in it."""
    from sqlalchemy import text

    from tests.world import build

    (url, admin), _ = postgres_admin_url
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS score_world"))
        conn.execute(text("CREATE DATABASE score_world TEMPLATE score_template"))
    store = Store(url.rsplit("/", 1)[0] + "/score_world")
    build(store, store.url)
    store.close()
    return "score_world"


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
    """A fresh store (schema at head, shipped chapters loaded) on each backend; for a test that
    takes `world`, with the world's organisation in it too."""
    with_world = "world" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "score.db"
        shutil.copy2(request.getfixturevalue("sqlite_world_template" if with_world else "sqlite_template"), path)
        yield "sqlite:///" + str(path)
        return
    template = request.getfixturevalue("postgres_world_template") if with_world else "score_template"
    url, drop = postgres_database(request, f"score_test_{os.getpid()}_{next(_counter)}", template)
    yield url
    drop()


@pytest.fixture
def store(store_url):
    s = Store(store_url)
    yield s
    s.close()


@pytest.fixture
def world(store, store_url):
    """The small organisation of tests/world.py, in a fresh store: copied from its template, or
    built here when the test asked for `world` only once running (`request.getfixturevalue`),
    after its store was copied from the plain template."""
    from sqlalchemy import select

    from score_cli.store.models import Volunteer
    from tests.world import ADMIN, World, build

    with store.reading() as session:
        built = session.execute(select(Volunteer.id).where(Volunteer.email == ADMIN)).first() is not None
    return World(store, store_url) if built else build(store, store_url)


@pytest.fixture
def backend(store_url) -> str:
    return "postgresql" if store_url.startswith("postgresql") else "sqlite"


# The longest tests, started first: the workers share out the rest, and none is left with one
# of these at the end while the other waits.
LONGEST_FIRST = ("tests/test_permission_matrix.py::test_the_permission_matrix[", "tests/reliability/")


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        return next((n for n, start in enumerate(LONGEST_FIRST) if item.nodeid.startswith(start)), len(LONGEST_FIRST))

    items.sort(key=rank)  # stable: within a rank, the collection's order


def pytest_runtest_logreport(report):
    """Gather what the tests tell the summary. Under xdist the reports of every worker come
    here, in the controller; a test's properties are in its teardown report once and for all."""
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if PG_SKIPPED in reason:
            _summary["pg skipped"].append(reason.split(PG_SKIPPED + ": ", 1)[-1])
    if report.when != "teardown":
        return
    for name, value in report.user_properties:
        if name == "line":
            _summary["lines"].append(value)
        elif name in _summary:
            _summary[name] += value


def pytest_terminal_summary(terminalreporter):
    if _summary["fuzz examples"] or _summary["state-machine steps"] or _summary["lines"]:
        terminalreporter.write_sep("-", "randomised tests and the permission matrix")
        for line in _summary["lines"]:
            terminalreporter.write_line(line)
        if _summary["fuzz examples"] or _summary["state-machine steps"]:
            terminalreporter.write_line(f"CLI fuzz examples run: {_summary['fuzz examples']}; state-machine steps"
                                        f" run: {_summary['state-machine steps']}")
    skipped = _summary["pg skipped"]
    if skipped:
        terminalreporter.write_sep("!", "POSTGRESQL HALF OF THE SUITE SKIPPED", red=True, bold=True)
        terminalreporter.write_line(f"{len(skipped)} tests did not run on PostgreSQL: {skipped[0]}")
        terminalreporter.write_line("Install the PostgreSQL server binaries (apt-get install postgresql) or set"
                                    " SCORE_TEST_PG_URL to run them.")
