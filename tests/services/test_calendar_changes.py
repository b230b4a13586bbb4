"""Deadlines follow calendar changes (SPEC §5): a closure added, a chapter's zone or state changed."""

import json
from datetime import datetime, timezone

import pytest
from freezegun import freeze_time
from sqlalchemy import select, update

from score_cli.data import data_dir
from score_cli.domain import calendar
from score_cli.services import sweep
from score_cli.services.organisation import calendar_changes
from score_cli.store.models import Assignment, AuditEvent, Chapter
from tests.helpers import score
from tests.world import MENTOR

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
