"""Every listing and report as a table at 60, 80, 100 and 200 columns, on a small demo store:
no line longer than the terminal, no request id or e-mail cut, the columns left out named."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from freezegun import freeze_time

from score_cli.demo import populate
from score_cli.services.admin.setup import init_store
from score_cli.store.db import Store
from tests.helpers import score

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)
ADMIN = "admin@example.org"
CIC = "cic.bos01@example.org"
WIDTHS = (60, 80, 100, 200)
REPORTS = ("not-assigned", "not-accepted", "not-contacted", "not-counseled", "conversion", "mentor-activity",
           "metrics", "paused-mentors", "orphaned", "capacity")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> str:
    url = "sqlite:///" + str(tmp_path_factory.mktemp("widths") / "demo.db")
    init_store(url)
    store = Store(url)
    try:
        populate(store.engine, requests=600, volunteers=300, now=NOW)
    finally:
        store.close()
    return url


def _a_request(db: str, actor: str) -> str:
    with freeze_time(NOW):
        rows = score("queue", "list", "--sort", "stage", "--format", "json", db=db, actor=actor).json()
    return rows[0]["id"]


def _listings(db: str) -> list[tuple[str, list[str]]]:
    mre = _a_request(db, ADMIN)
    commands = [
        (ADMIN, ["queue", "list", "--national"]),
        (CIC, ["queue", "list"]),
        (CIC, ["mentors", "available"]),
        (ADMIN, ["mentors", "paused", "--national"]),
        (CIC, ["volunteer", "list"]),
        (ADMIN, ["duplicates", "find", "--national"]),
        (ADMIN, ["chapter", "list"]),
        (ADMIN, ["notify", "list"]),
        (ADMIN, ["show", mre]),
        (ADMIN, ["session", "list", mre]),
        (CIC, ["assign", _a_request(db, CIC), "--suggest"]),
    ]
    commands += [(ADMIN, ["report", name, "--national"]) for name in REPORTS]
    commands += [(CIC, ["report", name]) for name in REPORTS]
    return commands


def _header(table: str) -> list[str]:
    """The column names of the first table in `table`, a name wrapped over lines joined again."""
    lines = table.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("┃"))
    end = next(i for i, line in enumerate(lines) if line.startswith("┡"))
    parts = [line.split("┃")[1:-1] for line in lines[first:end]]
    return [" ".join(p[i].strip() for p in parts if p[i].strip()) for i in range(len(parts[0]))]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"[│┃]", line) if cell.strip()]


def test_every_table_fits_the_terminal_and_keeps_ids_and_emails_whole(demo_db, monkeypatch):
    checked = 0
    for actor, args in _listings(demo_db):
        with freeze_time(NOW):
            as_json = score(*args, "--format", "json", db=demo_db, actor=actor)
        assert as_json.exit_code == 0, (args, as_json.stderr)
        whole = set(re.findall(r"MRE-\d+|[\w.+-]+@[\w.-]+\.\w+", as_json.stdout))
        for width in WIDTHS:
            monkeypatch.setenv("COLUMNS", str(width))
            with freeze_time(NOW):
                ran = score(*args, "--format", "table", db=demo_db, actor=actor)
            assert ran.exit_code == 0, (args, width, ran.stderr)
            for line in ran.stdout.splitlines():
                assert len(line) <= width, (args, width, line)
                for cell in (_cells(line) if line[:1] == "│" else ()):
                    for token in re.findall(r"MRE-\S*|\S*@\S*", cell):
                        token = token.rstrip(",;:.)")
                        if not token.endswith("…"):
                            assert token in whole, (args, width, cell)
                            checked += 1
    assert checked > 500  # the tables did show ids and e-mails


def test_a_narrow_queue_keeps_the_important_columns_and_names_the_others(demo_db, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    with freeze_time(NOW):
        ran = score("queue", "list", "--format", "table", db=demo_db, actor=CIC)
        wide = score("queue", "list", "--format", "table", "--wide", db=demo_db, actor=CIC)
        picked = score("queue", "list", "--format", "table", "--columns", "id,area", db=demo_db, actor=CIC)
        unknown = score("queue", "list", "--format", "table", "--columns", "id,shoe_size", db=demo_db, actor=CIC)
    header = _header(ran.stdout)
    assert {"id", "status", "client", "waiting (bd)"} <= set(header) and "area" not in header
    assert "more columns (" in ran.stdout and "--wide" in ran.stdout
    wide_header = _header(wide.stdout)
    assert {"area", "timeout", "timed out", "chapter"} <= set(wide_header)
    assert "more columns" not in wide.stdout
    assert _header(picked.stdout) == ["id", "area"]
    assert unknown.exit_code == 2 and "no column shoe_size" in unknown.stderr
