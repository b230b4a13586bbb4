"""The demo's tour: every command it prints works for the person it names and shows something,
and the same seed gives the same demo however often, and on whatever day, it is built."""

from __future__ import annotations

import csv
import io
import re
import shlex
from datetime import datetime, timedelta, timezone

from freezegun import freeze_time

from score_cli import clock
from score_cli.services.admin.demo_store import build_demo_store
from tests.helpers import score
from tests.test_demo import _dump

MONDAY = datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)


def _build_at(monkeypatch, when: datetime, path, **sizes) -> dict:
    with monkeypatch.context() as patch:
        patch.setattr(clock, "now", lambda: when)
        return build_demo_store("sqlite:///" + str(path), seed=sizes.pop("seed", 1), **sizes)


def _tour_commands(tour: str) -> tuple[str, list[list[str]]]:
    actor = re.search(r"export SCORE_USER=(\S+)", tour).group(1)
    commands = [shlex.split(line.split("#")[0])[1:] for line in tour.splitlines()
                if line.strip().startswith("score ")]
    return actor, commands


def test_every_command_of_the_tour_works_and_shows_something(tmp_path, monkeypatch):
    db = tmp_path / "demo.db"
    with monkeypatch.context() as patch:  # built on a Monday afternoon
        patch.setattr(clock, "now", lambda: MONDAY)
        ran = score("--db", str(db), "demo")
    assert ran.exit_code == 0, ran.stderr
    actor, commands = _tour_commands(ran.stdout)
    assert actor == "cic.bos01@example.org" and len(commands) >= 10
    # run late in the day the demo was built, as someone trying it after lunch would
    with freeze_time(MONDAY + timedelta(hours=6)):
        for args in commands:
            asked = args if "--format" in args else [*args, "--format", "json"]
            out = score(*asked, db=str(db), actor=actor)
            assert out.exit_code == 0, (args, out.stderr)
            if "csv" in asked:
                rows = list(csv.DictReader(io.StringIO(out.stdout)))
            else:
                shown = out.json()
                rows = shown if isinstance(shown, list) else [shown]
                if args[0] == "sweep":  # counts by kind: something to do tonight
                    rows = [kind for kind, n in shown.items() if n]
            assert rows, f"`score {' '.join(args)}` shows nothing to {actor}"
            if args[:2] == ["queue", "list"] and "--overdue" not in args and "--national" not in args:
                assert rows[0]["status"] in ("new", "pending_reassignment")  # the work comes first


def test_the_same_seed_gives_the_same_demo_all_day_and_another_seed_another(tmp_path, monkeypatch):
    sizes = dict(requests=400, volunteers=200)
    morning = _build_at(monkeypatch, datetime(2026, 11, 24, 5, 10, tzinfo=timezone.utc), tmp_path / "a.db", **sizes)
    evening = _build_at(monkeypatch, datetime(2026, 11, 24, 23, 45, tzinfo=timezone.utc), tmp_path / "b.db", **sizes)
    other = _build_at(monkeypatch, datetime(2026, 11, 24, 23, 45, tzinfo=timezone.utc), tmp_path / "c.db",
                      seed=2, **sizes)
    assert morning["waiting"] == evening["waiting"]
    first = _dump("sqlite:///" + str(tmp_path / "a.db"))
    assert _dump("sqlite:///" + str(tmp_path / "b.db")) == first
    different = _dump("sqlite:///" + str(tmp_path / "c.db"))
    assert different["mentoring_request"] != first["mentoring_request"]
    assert other["waiting"] is not None


def _as_built(path, day: str) -> dict:
    """Ids, names and statuses of the demo, and every date as its distance from the day built."""
    from sqlalchemy import create_engine, text

    built = datetime.fromisoformat(day + "T05:00:00+00:00")
    engine = create_engine("sqlite:///" + str(path))

    def days(value) -> str | None:  # SQLite gives text: "2026-11-20 14:03:00.000000" or "2026-11-20"
        if value is None:
            return None
        moment = datetime.fromisoformat(str(value))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
        return str(moment - built) if " " in str(value) else str(moment.date() - built.date())

    with engine.connect() as conn:
        requests = [(r.id, r.status, r.chapter_code, r.name, days(r.submitted_at), days(r.status_changed_at),
                     days(r.closed_at)) for r in conn.execute(text(
                         "SELECT r.id, r.status, r.chapter_code, c.name, r.submitted_at, r.status_changed_at,"
                         " r.closed_at FROM mentoring_request r JOIN client c ON c.id = r.client_id ORDER BY r.id"))]
        people = [(v.id, v.email, v.name, v.status, days(v.pause_from), days(v.pause_until)) for v in conn.execute(
            text("SELECT id, email, name, status, pause_from, pause_until FROM volunteer ORDER BY id"))]
        assignments = [(a.id, a.request_id, a.mentor_id, a.outcome, days(a.assigned_at), days(a.timeout_at))
                       for a in conn.execute(text("SELECT id, request_id, mentor_id, outcome, assigned_at, timeout_at"
                                                  " FROM assignment ORDER BY id"))]
    engine.dispose()
    return {"requests": requests, "people": people, "assignments": assignments}


def test_the_same_seed_gives_the_same_demo_on_another_day_with_the_same_day_offsets(tmp_path):
    sizes = dict(requests=300, volunteers=150, seed=3)
    with freeze_time("2026-11-24 16:30:00"):  # a Tuesday afternoon
        tuesday = build_demo_store("sqlite:///" + str(tmp_path / "tue.db"), **sizes)
    with freeze_time("2027-03-05 09:15:00"):  # a Friday morning, months later
        friday = build_demo_store("sqlite:///" + str(tmp_path / "fri.db"), **sizes)
    assert tuesday["waiting"] == friday["waiting"]
    first, second = _as_built(tmp_path / "tue.db", "2026-11-24"), _as_built(tmp_path / "fri.db", "2027-03-05")
    assert len(first["requests"]) == 300 and first["requests"][0][4].startswith("-")  # dates before the day
    for part in ("requests", "people", "assignments"):
        assert second[part] == first[part], part
