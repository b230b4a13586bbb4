"""The demo store: a small organisation whose history obeys the workflow's rules.

One small demo is built once for the module; every rule is a query counting the rows that
break it, which must be 0.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import bindparam, text

import score_cli.demo as demo_package
from score_cli.domain import calendar
from score_cli.demo import populate
from score_cli.services.admin import invariants
from score_cli.services.admin.setup import init_store
from score_cli.store.db import Store
from score_cli.store.types import UTCDateTime
from score_cli.domain.vocabulary import Status
from tests.helpers import postgres_database

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)
SMALL = dict(requests=600, volunteers=300, now=NOW)
# One worker runs the module, so that the demo is built once per backend, not on every worker.
pytestmark = pytest.mark.xdist_group("demo")
AFTER_ACCEPTANCE = "('accepted', 'contacted', 'in_progress', 'complete', 'no_show', 'no_response'," \
                   " 'incorrect_contact', 'unable_to_contact')"


def _build(url: str, seed: int = 1, on_progress=None, *, init: bool = True) -> dict:
    if init:
        init_store(url)
    store = Store(url)
    try:
        return populate(store.engine, seed=seed, on_progress=on_progress, **SMALL)
    finally:
        store.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request, tmp_path_factory):
    """The small demo, built once per backend (PostgreSQL as in conftest's `store_url`)."""
    dropper = None
    if request.param == "sqlite":
        url, init = "sqlite:///" + str(tmp_path_factory.mktemp("demo") / "demo.db"), True
    else:
        url, dropper = postgres_database(request, f"score_demo_{os.getpid()}")
        init = False  # the template database has the schema and the chapters
    progress: list[int] = []
    # Small batches here, the default ones in the same-seed test: the data must not depend on them.
    saved, demo_package.BATCH_SIZE = demo_package.BATCH_SIZE, 250
    try:
        counts = _build(url, on_progress=progress.append, init=init)
    finally:
        demo_package.BATCH_SIZE = saved
    store = Store(url)
    try:
        # A reading connection: it must not hold the write lock while other tests write.
        with store.engine.connect().execution_options(score_read_only=True) as conn:
            yield SimpleNamespace(conn=conn, counts=counts, progress=progress, url=url, backend=request.param)
    finally:
        store.close()
        if dropper:
            dropper()


def scalar(conn, sql: str, **params):
    """One value; datetimes are bound as the store binds them (naive UTC text on SQLite)."""
    binds = [bindparam(k, v, type_=UTCDateTime()) if isinstance(v, datetime) else bindparam(k, v)
             for k, v in params.items() if f":{k}" in sql]
    return conn.execute(text(sql).bindparams(*binds)).scalar()


def utc(value) -> datetime:
    """A time read with raw SQL (SQLite gives text) as an aware UTC datetime."""
    return UTCDateTime().process_result_value(value, None)


def day(value) -> date:
    return date.fromisoformat(str(value))


# -- the shape of the demo -----------------------------------------------------------------


def test_counts_and_progress(demo):
    assert demo.counts["requests"] == 600
    assert scalar(demo.conn, "SELECT COUNT(*) FROM mentoring_request") == 600
    assert demo.counts["volunteers"] == scalar(demo.conn, "SELECT COUNT(*) FROM volunteer")
    assert sum(demo.counts["by_status"].values()) == 600
    assert demo.progress == [250, 500, 600]


def test_every_status_appears(demo):
    found = {row[0] for row in demo.conn.execute(text("SELECT DISTINCT status FROM mentoring_request"))}
    assert found == {s.value for s in Status}


def test_the_tour_cast_exists_with_its_roles(demo):
    def roles(email):
        return set(demo.conn.execute(text(
            "SELECT r.role, r.scope_kind, r.scope_code FROM volunteer_role r"
            " JOIN volunteer v ON v.id = r.volunteer_id WHERE v.email = :e"), {"e": email}))

    assert scalar(demo.conn, "SELECT name FROM volunteer WHERE email = 'admin@example.org'") == "Ada Admin"
    assert roles("admin@example.org") == {("admin", "national", "")}
    assert roles("cic.bos01@example.org") == {("cic", "chapter", "BOS01"), ("mentor", "chapter", "BOS01")}
    assert scalar(demo.conn, "SELECT classification FROM volunteer WHERE email = 'cic.bos01@example.org'") \
        == "certified"
    assert roles("manager.nyc01@example.org") == {("chapter_manager", "chapter", "NYC01")}
    assert roles("membership.aus01@example.org") == {("membership_chair", "chapter", "AUS01")}
    district = scalar(demo.conn, "SELECT district_code FROM chapter WHERE code = 'HOU01'")
    assert roles(f"rcic.{district.lower()}@example.org") == {("rcic", "district", district)}
    # every chapter and district has its people
    chapters = scalar(demo.conn, "SELECT COUNT(*) FROM chapter")
    for prefix in ("cic", "manager", "membership"):
        assert scalar(demo.conn, f"SELECT COUNT(*) FROM volunteer v JOIN chapter c"
                                 f" ON v.email = '{prefix}.' || lower(c.code) || '@example.org'") == chapters
    assert scalar(demo.conn, "SELECT COUNT(*) FROM volunteer v JOIN district d"
                             " ON v.email = 'rcic.' || lower(d.code) || '@example.org'") \
        == scalar(demo.conn, "SELECT COUNT(*) FROM district")


def test_volunteers_look_like_the_directory(demo):
    c = demo.conn
    assert scalar(c, "SELECT COUNT(*) FROM volunteer v WHERE v.classification IS NOT NULL AND NOT EXISTS"
                     " (SELECT 1 FROM volunteer_role r WHERE r.volunteer_id = v.id AND r.role = 'mentor'"
                     " AND r.scope_kind = 'chapter' AND r.scope_code = v.chapter_code)") == 0
    for status in ("active", "inactive", "resigned"):
        assert scalar(c, "SELECT COUNT(*) FROM volunteer WHERE status = :s", s=status) > 0
    for cls in ("certified", "provisional", "sme"):
        assert scalar(c, "SELECT COUNT(*) FROM volunteer WHERE classification = :s", s=cls) > 0
    # "DR Only" parses to 0 weekly; blank and unparseable texts to unknown
    assert scalar(c, "SELECT COUNT(*) FROM volunteer WHERE capacity_text = 'DR Only'"
                     " AND capacity_assignments IS DISTINCT FROM 0") == 0
    assert scalar(c, "SELECT COUNT(*) FROM volunteer WHERE capacity_text = '3 per week'"
                     " AND capacity_assignments IS DISTINCT FROM 3") == 0
    assert scalar(c, "SELECT COUNT(*) FROM volunteer WHERE capacity_text = 'Flexible'"
                     " AND capacity_assignments IS NOT NULL") == 0
    # paused mentors do not accept direct requests; some have been paused for over 30 days
    assert scalar(c, "SELECT COUNT(*) FROM volunteer WHERE pause_from IS NOT NULL") > 0
    assert scalar(c, "SELECT COUNT(*) FROM volunteer WHERE pause_from IS NOT NULL"
                     " AND accept_direct_requests") == 0
    assert scalar(c, "SELECT COUNT(*) FROM volunteer_expertise") >= scalar(
        c, "SELECT COUNT(*) FROM volunteer WHERE classification IS NOT NULL")
    assert scalar(c, "SELECT COUNT(*) FROM volunteer WHERE email NOT LIKE '%@example.org'") == 0


# -- the workflow's rules hold for every request ---------------------------------------

# The rules every store keeps (`score db check` runs the same list) ...
@pytest.mark.parametrize("rule", list(invariants.INVARIANTS))
def test_shared_invariant_holds_for_every_request(demo, rule):
    assert scalar(demo.conn, f"SELECT COUNT(*) FROM ({invariants.INVARIANTS[rule]}) AS broken") == 0, rule


# ... and the ones only the demo's generated history keeps.
DEMO_INVARIANTS = {
    # a coordinator may --force it with fewer; the demo never does
    "no_response with fewer than 3 attempts":
        "SELECT COUNT(*) FROM mentoring_request r WHERE r.status = 'no_response' AND"
        " (SELECT COUNT(*) FROM contact_attempt c WHERE c.request_id = r.id) < 3",
    "version is not the number of changes":
        "SELECT COUNT(*) FROM mentoring_request r WHERE r.version <>"
        " (SELECT COUNT(*) FROM audit_event e WHERE e.request_id = r.id AND e.action <> 'accept_reminder')",
    "beyond accepted without the owner's acceptance":
        f"SELECT COUNT(*) FROM mentoring_request r WHERE r.status IN {AFTER_ACCEPTANCE} AND NOT EXISTS"
        " (SELECT 1 FROM assignment a WHERE a.request_id = r.id AND a.mentor_id = r.owner_id"
        " AND a.outcome = 'accepted' AND a.accepted_at IS NOT NULL)",
    "history does not start with a submission by intake":
        "SELECT COUNT(*) FROM mentoring_request r WHERE NOT EXISTS (SELECT 1 FROM audit_event e"
        " WHERE e.request_id = r.id AND e.action = 'submit' AND e.actor = 'intake'"
        " AND e.from_status IS NULL AND e.at = r.submitted_at"
        " AND e.id = (SELECT MIN(id) FROM audit_event WHERE request_id = r.id))",
    # the store's own db.init event is stamped by the real clock when the store is made
    "something after now":
        "SELECT (SELECT COUNT(*) FROM audit_event WHERE at > :now AND action != 'db.init')"
        " + (SELECT COUNT(*) FROM assignment WHERE assigned_at > :now OR outcome_at > :now)"
        " + (SELECT COUNT(*) FROM contact_attempt WHERE at > :now)"
        " + (SELECT COUNT(*) FROM mentoring_session WHERE entered_at > :now)"
        " + (SELECT COUNT(*) FROM mentoring_request WHERE submitted_at > :now)",
    # SPEC §6 tiers: the chapter, else the district's mentors who serve outside their area;
    # the region's only when the district has nobody free (rare, in small demos).
    "assigned mentor not an active mentor of the chapter or serving the district":
        "SELECT COUNT(*) FROM assignment a JOIN mentoring_request r ON r.id = a.request_id"
        " JOIN volunteer v ON v.id = a.mentor_id JOIN chapter vc ON vc.code = v.chapter_code"
        " JOIN chapter rc ON rc.code = r.chapter_code"
        " WHERE v.status <> 'active' OR v.classification NOT IN ('certified', 'provisional')"
        " OR NOT EXISTS (SELECT 1 FROM volunteer_role x WHERE x.volunteer_id = v.id AND x.role = 'mentor')"
        " OR NOT (v.chapter_code = r.chapter_code"
        "         OR (v.serve_outside_local_area AND (vc.district_code = rc.district_code"
        "             OR (SELECT region_code FROM district WHERE code = vc.district_code)"
        "              = (SELECT region_code FROM district WHERE code = rc.district_code))))",
    "direct assignment not to a mentor accepting direct requests, or by someone":
        "SELECT COUNT(*) FROM assignment a JOIN volunteer v ON v.id = a.mentor_id"
        " JOIN mentoring_request r ON r.id = a.request_id WHERE a.kind = 'direct'"
        " AND (NOT v.accept_direct_requests OR a.assigned_by_id IS NOT NULL OR r.direct_mentor_id <> v.id"
        "      OR a.assigned_at <> r.submitted_at)",
    "CIC assignment not made by a coordinator of the chapter or the district":
        "SELECT COUNT(*) FROM assignment a JOIN mentoring_request r ON r.id = a.request_id"
        " JOIN chapter c ON c.code = r.chapter_code WHERE a.kind = 'cic' AND NOT EXISTS"
        " (SELECT 1 FROM volunteer_role x WHERE x.volunteer_id = a.assigned_by_id AND"
        "  ((x.role = 'cic' AND x.scope_code = c.code) OR (x.role = 'rcic' AND x.scope_code = c.district_code)))",
    "assignment event not matched by an assignment row":
        "SELECT ABS((SELECT COUNT(*) FROM assignment) - (SELECT COUNT(*) FROM audit_event"
        " WHERE action IN ('submit', 'assign', 'reassign') AND to_status = 'assigned'))",
    "each assignment has its lead row":
        "SELECT ABS((SELECT COUNT(*) FROM assignment)"
        " - (SELECT COUNT(*) FROM case_team_member WHERE role = 'lead'))",
    "accept reminder not matching the assignment":
        "SELECT (SELECT COUNT(*) FROM assignment WHERE reminder_sent_at IS NOT NULL AND"
        " (reminder_sent_at < accept_due_at OR reminder_sent_at >= timeout_at"
        "  OR reminder_sent_at > COALESCE(outcome_at, reminder_sent_at)))"
        " + ABS((SELECT COUNT(*) FROM assignment WHERE reminder_sent_at IS NOT NULL)"
        "       - (SELECT COUNT(*) FROM audit_event WHERE action = 'accept_reminder'))",
    "referee not an active certified mentor, or not referred by the owner":
        "SELECT COUNT(*) FROM case_team_member t JOIN volunteer v ON v.id = t.volunteer_id"
        " JOIN mentoring_request r ON r.id = t.request_id WHERE t.role = 'member' AND"
        " (v.status <> 'active' OR v.classification <> 'certified' OR t.referred_by_id IS DISTINCT FROM r.owner_id"
        "  OR t.reason IS NULL OR (t.state = 'pending') <> (t.responded_at IS NULL))",
    "timeout not by the sweep, or before the timeout":
        "SELECT (SELECT COUNT(*) FROM audit_event WHERE action = 'timeout' AND actor <> 'sweep')"
        " + (SELECT COUNT(*) FROM assignment WHERE outcome = 'timed_out' AND outcome_at < timeout_at)"
        " + ABS((SELECT COUNT(*) FROM assignment WHERE outcome = 'timed_out')"
        "       - (SELECT COUNT(*) FROM audit_event WHERE action = 'timeout'))",
    "accepted after the timeout":
        "SELECT COUNT(*) FROM assignment WHERE accepted_at >= timeout_at OR accepted_at < assigned_at",
}


@pytest.mark.parametrize("rule", list(DEMO_INVARIANTS))
def test_rule_holds_for_every_request(demo, rule):
    assert scalar(demo.conn, DEMO_INVARIANTS[rule], now=NOW) == 0, rule


def test_sessions_are_entered_on_or_after_their_local_day(demo):
    rows = demo.conn.execute(text(
        "SELECT s.session_date, s.entered_at, c.timezone FROM mentoring_session s"
        " JOIN mentoring_request r ON r.id = s.request_id JOIN chapter c ON c.code = r.chapter_code")).all()
    assert rows
    assert [r for r in rows if utc(r[1]).astimezone(ZoneInfo(r[2])).date() < day(r[0])] == []


def test_no_response_is_closed_after_the_two_week_contact_window(demo):
    rows = demo.conn.execute(text(
        "SELECT closed_at, first_accepted_at FROM mentoring_request WHERE status = 'no_response'")).all()
    assert rows
    assert [r for r in rows if utc(r[0]) - utc(r[1]) < timedelta(days=14)] == []


def test_some_requests_went_through_every_kind_of_step(demo):
    actions = {row[0] for row in demo.conn.execute(text("SELECT DISTINCT action FROM audit_event"))}
    assert {"submit", "assign", "reassign", "accept", "decline", "timeout", "return", "contact",
            "session_add", "status", "withdraw", "refer", "referral_accept", "accept_reminder",
            "follow_up", "ready_to_close", "transfer_chapter"} <= actions
    c = demo.conn
    assert scalar(c, "SELECT COUNT(*) FROM assignment WHERE kind = 'direct'") > 0
    assert scalar(c, "SELECT COUNT(*) FROM mentoring_request WHERE client_was_known") > 0
    assert scalar(c, "SELECT COUNT(*) FROM mentoring_request WHERE queue = 'national'") > 0
    assert scalar(c, "SELECT COUNT(*) FROM mentoring_session WHERE entered_late") > 0
    assert scalar(c, "SELECT COUNT(*) FROM (SELECT client_id FROM client_email GROUP BY client_id"
                     " HAVING COUNT(*) > 1) AS x") > 0
    # duplicate submissions: the same name and phone on two client rows a few days apart
    assert scalar(c, "SELECT COUNT(*) FROM client a JOIN client b ON b.id > a.id AND b.phone = a.phone"
                     " AND lower(trim(b.name)) = lower(trim(a.name))") > 0


def test_mentors_come_from_outside_the_district_only_rarely(demo):
    outside = scalar(demo.conn,
                     "SELECT COUNT(*) FROM assignment a JOIN mentoring_request r ON r.id = a.request_id"
                     " JOIN volunteer v ON v.id = a.mentor_id JOIN chapter vc ON vc.code = v.chapter_code"
                     " JOIN chapter rc ON rc.code = r.chapter_code WHERE vc.district_code <> rc.district_code")
    assert outside < 0.03 * scalar(demo.conn, "SELECT COUNT(*) FROM assignment")


def test_the_sweep_and_overdue_lists_have_work(demo):
    c = demo.conn
    assert scalar(c, "SELECT COUNT(*) FROM assignment WHERE outcome = 'open' AND timeout_at <= :now",
                  now=NOW) > 0
    assert scalar(c, "SELECT COUNT(*) FROM assignment WHERE outcome = 'open' AND accept_due_at <= :now"
                     " AND timeout_at > :now", now=NOW) > 0


def test_recent_requests_are_mostly_open_and_old_ones_mostly_closed(demo):
    open_share = ("SELECT AVG(CASE WHEN closed_at IS NULL THEN 1.0 ELSE 0.0 END) FROM mentoring_request"
                  " WHERE submitted_at {} :since")
    assert scalar(demo.conn, open_share.format(">"), since=NOW - timedelta(days=7)) > 0.6
    assert scalar(demo.conn, open_share.format("<"), since=NOW - timedelta(days=180)) < 0.25


def test_deadlines_are_the_calendars(demo):
    rows = demo.conn.execute(text(
        "SELECT a.assigned_at, a.accept_due_at, a.timeout_at, c.code, c.timezone, c.state"
        " FROM assignment a JOIN mentoring_request r ON r.id = a.request_id"
        " JOIN chapter c ON c.code = r.chapter_code")).all()
    assert len(rows) > 300
    # Every deadline: due before timeout, on a weekday where the chapter is.
    for _assigned, due, timeout, _code, tz, _state in rows:
        assert utc(due) < utc(timeout)
        assert utc(timeout).astimezone(ZoneInfo(tz)).weekday() < 5
    # A sample against the calendar itself (each state's calendar costs a little to build).
    sample = [row for row in rows if row[5] in ("MA", "NY", "TX", "CA", "HI", "AZ")]
    assert len(sample) > 50
    for assigned, due, timeout, code, tz, state in sample:
        chapter = SimpleNamespace(code=code, timezone=tz, state=state)
        assert calendar.add_business_days(utc(assigned), 2, chapter) == utc(due)
        assert calendar.add_business_days(utc(assigned), 5, chapter) == utc(timeout)


def test_session_notes_are_due_as_the_service_computes_it(demo):
    from score_cli.services.requests.mentoring import notes_due_at

    rows = demo.conn.execute(text(
        "SELECT s.session_date, s.notes_due_at, c.code, c.timezone, c.state FROM mentoring_session s"
        " JOIN mentoring_request r ON r.id = s.request_id JOIN chapter c ON c.code = r.chapter_code"
        " WHERE c.state IN ('MA', 'NY', 'TX', 'CA', 'HI', 'AZ')")).all()
    assert len(rows) > 20
    for session_day, due, code, tz, state in rows:
        chapter = SimpleNamespace(code=code, timezone=tz, state=state)
        assert notes_due_at(day(session_day), chapter) == utc(due)


# -- reproducible ------------------------------------------------------------------------

DUMPS = {
    "volunteer": "SELECT * FROM volunteer ORDER BY id",
    "volunteer_role": "SELECT * FROM volunteer_role ORDER BY id",
    "client_email": "SELECT * FROM client_email ORDER BY id",
    "mentoring_request": "SELECT * FROM mentoring_request ORDER BY id",
    "assignment": "SELECT * FROM assignment ORDER BY id",
    "mentoring_session": "SELECT * FROM mentoring_session ORDER BY id",
    # db init writes its own event, stamped with the wall clock
    "audit_event": "SELECT * FROM audit_event WHERE request_id IS NOT NULL ORDER BY id",
}


def _dump(url: str) -> dict:
    store = Store(url)
    try:
        with store.engine.connect().execution_options(score_read_only=True) as conn:
            return {name: conn.execute(text(sql)).all() for name, sql in DUMPS.items()}
    finally:
        store.close()


def test_same_seed_same_demo_other_seed_other_demo(demo, tmp_path, sqlite_template):
    if demo.backend != "sqlite":
        pytest.skip("the generator's determinism is checked once, on SQLite")
    again, other = tmp_path / "again.db", tmp_path / "other.db"
    for path, seed in ((again, 1), (other, 2)):
        shutil.copy2(sqlite_template, path)  # a fresh store with the chapters, without migrating
        _build("sqlite:///" + str(path), seed=seed, init=False)
    again, other = "sqlite:///" + str(again), "sqlite:///" + str(other)
    first = _dump(demo.url)
    assert _dump(again) == first
    different = _dump(other)
    for name in ("volunteer", "mentoring_request", "assignment", "audit_event"):
        assert different[name] != first[name], name


def test_the_demo_refuses_a_store_that_is_not_empty(demo):
    from score_cli.domain.errors import Refused

    store = Store(demo.url)
    try:
        with pytest.raises(Refused):
            populate(store.engine, requests=10, volunteers=10, now=NOW)
    finally:
        store.close()


def test_db_check_finds_nothing_wrong(demo):
    from score_cli.services.admin.integrity import check_store

    store = Store(demo.url)
    try:
        assert check_store(store) == []
    finally:
        store.close()


def test_the_tour_shows_bostons_coordinator_a_boston_request_even_when_none_is_waiting(world):
    from score_cli.services.admin.demo_store import tour_request
    from tests.world import MENTOR

    world.submit(chapter="AUS01")  # waiting, but in Austin's queue
    owned = world.assigned(MENTOR)  # Boston's only request, already with a mentor
    assert tour_request(world.store, "BOS01") == owned
    waiting = world.submit()
    assert tour_request(world.store, "BOS01") == waiting


def _files(path) -> dict:
    """The store's bytes: the file and what its write-ahead log holds (an empty log holds nothing)."""
    return {p.name: p.read_bytes() for p in (path, path.with_name(path.name + "-wal"))
            if p.exists() and p.stat().st_size}


@pytest.mark.parametrize("flags", [[], ["--replace"], ["--keep"], ["--seed", "7", "--requests", "10"]])
def test_the_demo_never_replaces_a_store_with_real_data(tmp_path, flags):
    from tests.helpers import score

    path = tmp_path / "score.db"
    db = str(path)
    assert score("db", "init", "--admin", "ada@example.org", db=db).exit_code == 0
    assert score("volunteer", "add", "val@example.org", "--name", "Val Mentor", "--chapter", "BOS01",
                 db=db, actor="ada@example.org").exit_code == 0
    assert score("intake", "submit", "--name", "Ann Client", "--email", "ann@example.com", "--chapter", "BOS01",
                 "--question", "How do I price my cakes?", db=db).exit_code == 0
    before = _files(path)
    ran = score("demo", "--volunteers", "50", *flags, db=db)
    assert ran.exit_code == 1
    assert str(path) in ran.stderr and "--db" in ran.stderr and "Demo store ready" not in ran.stdout
    assert _files(path) == before
    assert not path.with_name("score.db.building").exists()


def test_the_demo_rebuilds_a_store_it_made_and_a_new_file(tmp_path):
    from tests.helpers import score

    db = str(tmp_path / "demo.db")
    for _ in range(2):
        ran = score("demo", "--requests", "20", "--volunteers", "50", db=db)
        assert ran.exit_code == 0, ran.stderr
        assert "Demo store ready" in ran.stdout
    empty = tmp_path / "empty.db"
    empty.touch()
    assert score("demo", "--requests", "20", "--volunteers", "50", db=str(empty)).exit_code == 0
    (tmp_path / "notes.txt").write_text("my notes")
    ran = score("demo", "--requests", "20", "--volunteers", "50", db=str(tmp_path / "notes.txt"))
    assert ran.exit_code == 1 and (tmp_path / "notes.txt").read_text() == "my notes"


def test_the_duplicate_finder_is_never_wrong_on_the_planted_duplicates_and_look_alikes(demo):
    """Precision 1.0 on a small store: every planned withdrawal is the same person as its keeper."""
    from score_cli.demo import truth as planted
    from score_cli.services import duplicates

    truth = planted.read(demo.conn)
    client_of = dict(demo.conn.execute(text("SELECT id, client_id FROM mentoring_request")).all())
    store = Store(demo.url)
    try:
        found = duplicates.find(store, "admin@example.org", None, include_all=True)
    finally:
        store.close()
    judged = planted.judge_plan(found.rows, truth, client_of)
    kinds = {kind for _, _, kind, _ in truth.duplicates} | {kind for _, _, kind in truth.look_alikes}
    assert kinds == {"another_email", "name_typo", "phone_retyped", "business_renamed",
                     "common_question", "common_name", "office_phone"}
    assert any(other for *_, other in truth.duplicates)  # some wrote to another chapter
    assert judged["wrong"] == 0 and judged["precision"] == 1.0
    assert judged["grouped"] >= 10 and judged["grouped_wrong"] == 0  # closed ones too: the groups are right
    assert judged["look_alikes"] >= 5 and judged["look_alikes_grouped"] == 0
    assert judged["planted"] >= 10 and judged["recall"] >= 0.9
