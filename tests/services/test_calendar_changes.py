"""Deadlines follow calendar changes (SPEC §5): a closure added, a chapter's zone or state changed."""

import json
from datetime import datetime, timedelta, timezone

import pytest
from freezegun import freeze_time
from sqlalchemy import select, update

from score_cli.data import data_dir
from score_cli.domain import calendar
from score_cli.services import sweep
from score_cli.services.organisation import calendar_changes
from score_cli.store.models import Assignment, AuditEvent, Chapter
from tests.helpers import score
from tests.world import CIC_AUS, FAR, MENTOR

UTC = timezone.utc


@pytest.fixture
def closures(tmp_path):
    """A closures file of our own: the shipped one plus the lines a test adds."""
    path = tmp_path / "closures.csv"
    path.write_text((data_dir() / "closures.csv").read_text())
    calendar.set_closures_path(path)

    def add(line: str) -> None:
        with path.open("a") as fh:
            fh.write(line + "\n")
        calendar.reset_cache()

    yield add
    calendar.set_closures_path(None)


def deadlines(world, request_id):
    with world.store.reading() as session:
        a = session.execute(select(Assignment).where(Assignment.request_id == request_id)).scalar_one()
        return a.accept_due_at, a.timeout_at


def events(world, request_id):
    with world.store.reading() as session:
        return session.execute(select(AuditEvent).where(AuditEvent.request_id == request_id,
                                                        AuditEvent.action == "deadlines_recomputed")).scalars().all()


def test_a_closure_added_moves_open_deadlines_once_with_one_audit_event_each(world, closures):
    with freeze_time("2026-11-18 14:00:00"):  # Wed 09:00 in Boston
        calendar_changes.recompute(world.store)  # the calendar as it was, recorded
        request_id = world.assigned(MENTOR)
    assert deadlines(world, request_id) == (datetime(2026, 11, 20, 14, tzinfo=UTC),  # Fri 09:00
                                            datetime(2026, 11, 25, 14, tzinfo=UTC))  # Wed 09:00
    closures("2026-11-23,BOS01,office move")
    with freeze_time("2026-11-19 12:00:00"):
        done = sweep.run(world.store)
    assert done.recomputed == [{"chapter": "BOS01", "recomputed": 1, "summary": "recomputed 1 deadlines in BOS01"}]
    assert done.counts["deadlines_recomputed"] == 1
    # Monday closed, Thursday is Thanksgiving: the timeout moves to Friday 27 09:00; accept due stays
    assert deadlines(world, request_id) == (datetime(2026, 11, 20, 14, tzinfo=UTC),
                                            datetime(2026, 11, 27, 14, tzinfo=UTC))
    [event] = events(world, request_id)
    assert json.loads(event.detail)["timeout_at"][1].startswith("2026-11-27 14:00:00")
    with freeze_time("2026-11-19 13:00:00"):
        assert sweep.run(world.store).recomputed == []  # nothing changed since
    assert len(events(world, request_id)) == 1


def test_a_closure_for_a_past_date_leaves_a_passed_deadline_as_it_was(world, closures):
    with freeze_time("2026-11-16 14:00:00"):  # Mon 09:00
        calendar_changes.recompute(world.store)
        request_id = world.assigned(MENTOR)
    accept_due, _ = deadlines(world, request_id)
    assert accept_due == datetime(2026, 11, 18, 14, tzinfo=UTC)
    closures("2026-11-17,BOS01,burst pipe")
    with freeze_time("2026-11-19 12:00:00"):  # Thursday: the accept-due has passed
        calendar_changes.recompute(world.store)
    assert deadlines(world, request_id) == (accept_due, datetime(2026, 11, 24, 14, tzinfo=UTC))


def test_a_chapter_that_changes_time_zone_gets_new_deadlines(world):
    with freeze_time("2026-11-21 06:00:00"):  # Sat 01:00 in Boston, still Fri 22:00 in Los Angeles
        calendar_changes.recompute(world.store)
        request_id = world.assigned(MENTOR)
    # Boston: from Mon 23 00:00, 2 business days -> Wed 25 00:00 EST; 5 (Thanksgiving skipped) -> Tue 1 Dec
    assert deadlines(world, request_id) == (datetime(2026, 11, 25, 5, tzinfo=UTC),
                                            datetime(2026, 12, 1, 5, tzinfo=UTC))
    with world.store.transaction() as session:  # as `db init --chapters` with a new zone leaves it
        session.execute(update(Chapter).where(Chapter.code == "BOS01").values(timezone="America/Los_Angeles"))
    with freeze_time("2026-11-21 12:00:00"):
        ran = score("db", "recompute-deadlines", db=world.url)
    assert ran.exit_code == 0 and ran.stdout.strip() == "recomputed 1 deadlines in BOS01"
    # Los Angeles: Fri 20 22:00 + 2 -> Tue 24 22:00 PST; + 5 -> Mon 30 22:00 PST
    assert deadlines(world, request_id) == (datetime(2026, 11, 25, 6, tzinfo=UTC),
                                            datetime(2026, 12, 1, 6, tzinfo=UTC))
    with freeze_time("2026-11-21 12:00:00"):
        again = score("db", "recompute-deadlines", db=world.url)
    assert again.stdout.strip() == "no chapter's calendar changed: every deadline is up to date"


def chapters_file(tmp_path, **zones):
    """The shipped chapters file with some chapters moved to another time zone."""
    lines = (data_dir() / "chapters.csv").read_text().splitlines()
    header = lines[0].split(",")
    code_at, zone_at = header.index("chapter_code"), header.index("timezone")
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        if cells[code_at] in zones:
            cells[zone_at] = zones[cells[code_at]]
        out.append(",".join(cells))
    path = tmp_path / "chapters.csv"
    path.write_text("\n".join(out) + "\n")
    return path


def test_db_init_with_a_chapter_moved_to_another_zone_recomputes_and_says_so(world, tmp_path):
    with freeze_time("2026-11-21 06:00:00"):  # Sat 01:00 in Boston, still Fri 22:00 in Los Angeles
        score("db", "init", db=world.url)  # the shipped calendar, recorded
        request_id = world.assigned(MENTOR)
        in_austin = world.assigned(FAR, chapter="AUS01", by=CIC_AUS, email="tex@example.com")
    # Austin's calendar does not change: its deadlines stay as they were made, even one set by hand
    with world.store.transaction() as session:
        session.execute(update(Assignment).where(Assignment.request_id == in_austin)
                        .values(timeout_at=datetime(2026, 12, 9, 15, tzinfo=UTC)))
    before = deadlines(world, request_id)
    # Boston: from Mon 23 00:00 EST, 2 business days -> Wed 25 00:00 EST; 5 (Thanksgiving) -> Tue 1 Dec 00:00
    assert before == (datetime(2026, 11, 25, 5, tzinfo=UTC), datetime(2026, 12, 1, 5, tzinfo=UTC))
    moved = chapters_file(tmp_path, BOS01="America/Los_Angeles")
    with freeze_time("2026-11-21 12:00:00"):
        ran = score("db", "init", "--chapters", str(moved), db=world.url)
    assert ran.exit_code == 0, ran.stderr
    assert "recomputed 1 deadlines in BOS01" in ran.stdout.splitlines()
    assert "deadlines in" not in ran.stdout.replace("recomputed 1 deadlines in BOS01", "")  # no other chapter
    # Los Angeles: Fri 20 22:00 PST + 2 business days -> Tue 24 22:00 PST (Wed 25 06:00 UTC), one hour
    # later than Boston's midnight; + 5 -> Mon 30 22:00 PST (Tue 1 Dec 06:00 UTC)
    after = deadlines(world, request_id)
    assert after == (datetime(2026, 11, 25, 6, tzinfo=UTC), datetime(2026, 12, 1, 6, tzinfo=UTC))
    assert after[0] - before[0] == timedelta(hours=1)
    assert len(events(world, request_id)) == 1
    assert deadlines(world, in_austin)[1] == datetime(2026, 12, 9, 15, tzinfo=UTC) and not events(world, in_austin)
    with freeze_time("2026-11-21 13:00:00"):  # the same file again: nothing to recompute
        again = score("db", "init", "--chapters", str(moved), db=world.url)
    assert "deadlines in" not in again.stdout and len(events(world, request_id)) == 1


def test_db_init_with_a_zone_change_and_no_open_assignment_says_nothing_moved(store_url, tmp_path):
    with freeze_time("2026-11-21 06:00:00"):
        score("db", "init", db=store_url)
    moved = chapters_file(tmp_path, BOS01="America/Los_Angeles")
    with freeze_time("2026-11-21 12:00:00"):
        ran = score("db", "init", "--chapters", str(moved), db=store_url)
    assert ran.exit_code == 0, ran.stderr
    # the change is seen (and said), and no other chapter is named
    assert [line for line in ran.stdout.splitlines() if "deadlines in" in line] == ["recomputed 0 deadlines in BOS01"]
