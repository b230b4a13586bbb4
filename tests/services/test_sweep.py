"""The nightly sweep (SPEC §5): timeouts, reminders, contact-window flags, pause expiry."""

from datetime import date, datetime, timezone

import pytest
from freezegun import freeze_time
from sqlalchemy import select, update

from score_cli.services import sweep
from score_cli.services.mail import outbox
from score_cli.services.requests import assignment, mentoring
from score_cli.domain.errors import Refused
from score_cli.store.models import (Assignment, AuditEvent, CaseTeamMember, Chapter, MentoringRequest,
                                    OutboxMessage, Volunteer)
from score_cli.services.organisation.scope import Scope
from score_cli.services.reports.stages import stage_report
from tests.helpers import dump
from tests.world import ADMIN, CIC, FAR, MENTOR, MENTOR2

UTC = timezone.utc


def sweep_at(world, when: str, **options):
    with freeze_time(when):
        return sweep.run(world.store, **options)


def assigned_at(world, when: str, mentor: str = MENTOR, **fields) -> int:
    with freeze_time(when):
        return world.assigned(mentor, **fields)


def mail(world, event: str) -> list[tuple[int, str]]:
    with world.store.reading() as session:
        return session.execute(select(OutboxMessage.request_id, OutboxMessage.recipient)
                               .where(OutboxMessage.event == event).order_by(OutboxMessage.id)).all()


def current(world, request_id: int) -> tuple[MentoringRequest, Assignment]:
    with world.store.reading() as session:
        found = session.execute(select(Assignment).where(Assignment.request_id == request_id)
                                .order_by(Assignment.id.desc()).limit(1)).scalar_one()
        return session.get(MentoringRequest, request_id), found


def sweep_history(world, request_id: int) -> list[tuple[str, str, str]]:
    with world.store.reading() as session:
        return session.execute(select(AuditEvent.action, AuditEvent.from_status, AuditEvent.to_status)
                               .where(AuditEvent.request_id == request_id, AuditEvent.actor == "sweep")
                               .order_by(AuditEvent.id)).all()


# -- timeouts -----------------------------------------------------------------------------------


def test_a_request_not_accepted_in_five_business_days_returns_to_its_chapter_queue(world):
    # Wed 18 Nov 2026 09:00 EST; five business days later is Wed 25 Nov 09:00 EST (14:00 UTC).
    request_id = assigned_at(world, "2026-11-18 14:00:00")
    assert sweep_at(world, "2026-11-25 13:59:00").counts["timed_out"] == 0
    result = sweep_at(world, "2026-11-25 14:00:00")
    assert result.counts["timed_out"] == 1
    request, found = current(world, request_id)
    assert (request.status, request.queue, request.owner_id) == ("pending_reassignment", "BOS01", None)
    assert (found.outcome, found.outcome_at) == ("timed_out", datetime(2026, 11, 25, 14, 0, tzinfo=UTC))
    assert sweep_history(world, request_id) == [("accept_reminder", "assigned", "assigned"),
                                                ("timeout", "assigned", "pending_reassignment")]
    assert mail(world, "timed_out_mentor") == [(request_id, MENTOR)]
    assert mail(world, "timed_out") == [(request_id, CIC)]
    with world.store.reading() as session:
        lead = session.execute(select(CaseTeamMember.state).where(CaseTeamMember.request_id == request_id)).scalar()
    assert lead == "removed"
    with pytest.raises(Refused, match="timed out on this request before"):
        assignment.assign(world.store, CIC, request_id, MENTOR)
    assignment.assign(world.store, CIC, request_id, MENTOR2)


def test_a_request_of_a_chapter_that_is_not_live_returns_to_the_national_queue(world):
    with world.store.transaction() as session:
        session.execute(update(Chapter).where(Chapter.code == "BOS01").values(live=False))
    request_id = assigned_at(world, "2026-11-18 14:00:00", by=ADMIN)
    sweep_at(world, "2026-11-26 07:00:00")
    request, _ = current(world, request_id)
    assert (request.status, request.queue) == ("pending_reassignment", "national")
    assert mail(world, "timed_out") == [(request_id, ADMIN)]


def test_the_sweep_across_thanksgiving_week_2026(world):
    # Assigned Mon 23 Nov 09:00 EST: accept due Wed 25 09:00; Thanksgiving Thursday is
    # skipped, so the timeout is Tue 1 Dec 09:00 EST. The sweep runs nightly at 02:00 EST.
    request_id = assigned_at(world, "2026-11-23 14:00:00")
    nightly = {night: sweep_at(world, f"{night} 07:00:00").counts for night in
               ["2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29",
                "2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"]}
    reminded = {night: c["reminded"] for night, c in nightly.items() if c["reminded"]}
    held = {night: c["held"] for night, c in nightly.items() if c["held"]}
    timed_out = {night: c["timed_out"] for night, c in nightly.items() if c["timed_out"]}
    assert held == {"2026-11-26": 1}  # Thanksgiving: no reminder to a volunteer
    assert reminded == {"2026-11-27": 1}  # once, on the Friday
    assert timed_out == {"2026-12-02": 1}
    assert mail(world, "accept_overdue") == [(request_id, MENTOR)]


def test_reminders_wait_for_the_mentors_own_chapters_business_day(world):
    # Fay is in Austin: Texas keeps the day after Thanksgiving, Boston does not.
    request_id = assigned_at(world, "2026-11-23 14:00:00", mentor=FAR)
    assert sweep_at(world, "2026-11-27 15:00:00").counts["held"] == 1
    assert sweep_at(world, "2026-11-28 15:00:00").counts["held"] == 1  # Saturday
    assert sweep_at(world, "2026-11-30 15:00:00").counts["reminded"] == 1  # Monday
    assert mail(world, "accept_overdue") == [(request_id, FAR)]


def test_deadlines_hold_across_the_end_of_daylight_saving_time(world):
    # Thu 29 Oct 2026 15:00 EDT (19:00 UTC). Clocks go back on Sun 1 Nov, so the deadlines
    # keep 15:00 local, now EST: accept due Mon 2 Nov 20:00 UTC, timeout Thu 5 Nov 20:00 UTC.
    request_id = assigned_at(world, "2026-10-29 19:00:00")
    assert sweep_at(world, "2026-11-02 19:59:00").counts["reminded"] == 0
    assert sweep_at(world, "2026-11-02 20:00:00").counts["reminded"] == 1
    assert sweep_at(world, "2026-11-05 19:59:00").counts["timed_out"] == 0
    assert sweep_at(world, "2026-11-05 20:00:00").counts["timed_out"] == 1
    assert sweep_history(world, request_id) == [("accept_reminder", "assigned", "assigned"),
                                                ("timeout", "assigned", "pending_reassignment")]


# -- reminders ------------------------------------------------------------------------------------


def test_the_accept_overdue_reminder_waits_out_the_weekend_and_is_sent_once(world):
    request_id = assigned_at(world, "2026-11-18 14:00:00")  # Wed; accept due Fri 20 09:00 EST
    assert sweep_at(world, "2026-11-21 15:00:00").counts["held"] == 1
    assert sweep_at(world, "2026-11-22 15:00:00").counts["held"] == 1
    assert sweep_at(world, "2026-11-23 15:00:00").counts["reminded"] == 1
    assert sweep_at(world, "2026-11-24 15:00:00").counts["reminded"] == 0
    _, found = current(world, request_id)
    assert found.reminder_sent_at == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    assert mail(world, "accept_overdue") == [(request_id, MENTOR)]


# -- contact window -------------------------------------------------------------------------------


def test_fourteen_days_after_acceptance_follow_up_then_ready_to_close_each_flagged_once(world):
    request_id = assigned_at(world, "2026-11-02 14:00:00")
    with freeze_time("2026-11-02 15:00:00"):
        mentoring.accept(world.store, MENTOR, request_id, message="Hello, when can we talk?")  # attempt 1
    assert sweep_at(world, "2026-11-16 14:59:00").counts["follow_up"] == 0  # 14 days not over
    assert sweep_at(world, "2026-11-16 15:00:00").counts["follow_up"] == 1
    assert sweep_at(world, "2026-11-17 15:00:00").counts["follow_up"] == 0
    with freeze_time("2026-11-18 15:00:00"):
        mentoring.contact(world.store, MENTOR, request_id, method="phone")
        mentoring.contact(world.store, MENTOR, request_id, method="email")  # the same day: one occasion
    assert sweep_at(world, "2026-11-19 14:00:00").counts["ready_to_close"] == 0
    with freeze_time("2026-11-19 14:30:00"):
        mentoring.contact(world.store, MENTOR, request_id, method="phone")  # a third day
    counts = sweep_at(world, "2026-11-19 15:00:00").counts
    assert (counts["ready_to_close"], counts["follow_up"]) == (1, 0)
    assert sweep_at(world, "2026-11-20 15:00:00").counts["ready_to_close"] == 0
    assert sweep_history(world, request_id) == [("follow_up", "contacted", "contacted"),
                                                ("ready_to_close", "contacted", "contacted")]


# -- pauses -----------------------------------------------------------------------------------------


def pause(world, email: str, start: date, until: date) -> None:
    with world.store.transaction() as session:
        session.execute(update(Volunteer).where(Volunteer.email == email)
                        .values(pause_from=start, pause_until=until, accept_direct_requests=False))


def test_the_day_after_the_pause_the_sweep_clears_it_and_reminds_the_mentor(world):
    pause(world, MENTOR, date(2026, 11, 2), date(2026, 11, 19))  # until Thursday
    assert sweep_at(world, "2026-11-20 04:30:00").counts["pause_ended"] == 0  # still Thu in Boston
    assert sweep_at(world, "2026-11-20 05:30:00").counts["pause_ended"] == 1  # Fri 00:30 EST
    assert sweep_at(world, "2026-11-21 05:30:00").counts["pause_ended"] == 0
    mentor = world.volunteer(MENTOR)
    assert (mentor.pause_from, mentor.pause_until, mentor.accept_direct_requests) == (None, None, False)
    assert mail(world, "pause_ended") == [(None, MENTOR)]


def test_a_pause_ending_before_a_weekend_is_cleared_on_the_next_business_day_after_dst_starts(world):
    # Until Fri 6 Mar 2026; clocks go forward on Sun 8 Mar. 04:30 UTC on Mon 9 Mar is
    # 00:30 EDT on Monday (it would still be Sunday at the EST offset).
    pause(world, MENTOR, date(2026, 2, 2), date(2026, 3, 6))
    assert sweep_at(world, "2026-03-07 15:00:00").counts["held"] == 1
    assert sweep_at(world, "2026-03-09 03:30:00").counts["held"] == 1
    assert sweep_at(world, "2026-03-09 04:30:00").counts["pause_ended"] == 1


# -- direct-request limits --------------------------------------------------------------------------


def test_mentors_at_their_weekly_direct_request_limit_are_counted(world):
    with freeze_time("2026-11-16 15:00:00"):
        world.submit(direct_to=MENTOR)
        world.submit(direct_to=MENTOR, email="other@example.com")
    assert sweep_at(world, "2026-11-17 03:00:00").counts["direct_limit_reached"] == 1
    assert sweep_at(world, "2026-11-24 03:00:00").counts["direct_limit_reached"] == 0


# -- safety -----------------------------------------------------------------------------------------


def test_a_second_sweep_at_the_same_moment_changes_nothing(world):
    for n, when in enumerate(("2026-11-16 14:00:00", "2026-11-10 14:00:00", "2026-11-10 14:00:00")):
        assigned_at(world, when, mentor=MENTOR2, email=f"c{n}@example.com")
    first = sweep_at(world, "2026-11-18 15:00:00", batch_size=1)  # found one at a time
    assert (first.counts["timed_out"], first.counts["reminded"]) == (2, 1)
    before = dump(world.url)
    second = sweep_at(world, "2026-11-18 15:00:00")
    assert not second.anything_happened
    assert dump(world.url) == before


def test_a_dry_run_reports_and_changes_nothing(world):
    request_id = assigned_at(world, "2026-11-10 14:00:00")
    before = dump(world.url)
    result = sweep_at(world, "2026-11-18 15:00:00", dry_run=True)
    assert result.counts["timed_out"] == 1
    assert result.items == [{"kind": "timed_out", "id": request_id, "email": MENTOR, "queue": "BOS01"}]
    assert dump(world.url) == before


def test_a_reassignment_made_while_the_sweep_runs_is_never_overwritten_and_the_rest_is_done(world, monkeypatch):
    first, second, third = (assigned_at(world, "2026-11-10 14:00:00", email=f"c{n}@example.com") for n in range(3))
    found_due = sweep._Sweep._due

    def coordinator_acts_meanwhile(self, query):
        for row in found_due(self, query):
            if query is sweep._due_timeouts and row.id == 3:  # the third assignment: `third`'s
                with freeze_time("2026-11-18 15:00:00"):
                    assignment.reassign(world.store, CIC, second, MENTOR2, reason="Mo is away")
            yield row

    monkeypatch.setattr(sweep._Sweep, "_due", coordinator_acts_meanwhile)
    result = sweep_at(world, "2026-11-18 15:00:00")
    assert (result.counts["timed_out"], result.counts["skipped"]) == (2, 1)
    assert [item["id"] for item in result.items if item["kind"] == "timed_out"] == [first, third]
    request, found = current(world, second)
    assert (request.status, request.owner_id, found.outcome) == ("assigned", world.volunteer(MENTOR2).id, "open")
    assert mail(world, "timed_out_mentor") == [(first, MENTOR), (third, MENTOR)]


def test_a_crash_while_writing_a_batch_leaves_it_untouched_and_the_next_run_does_it(world, monkeypatch):
    first, second = (assigned_at(world, "2026-11-10 14:00:00", email=f"c{n}@example.com") for n in range(2))
    before = dump(world.url)
    real_enqueue_many = outbox.enqueue_many

    def killed_while_queuing_mail(session, rows):
        raise KeyboardInterrupt  # the process is killed in the middle of the batch

    monkeypatch.setattr(outbox, "enqueue_many", killed_while_queuing_mail)
    with pytest.raises(KeyboardInterrupt):
        sweep_at(world, "2026-11-18 15:00:00")
    assert dump(world.url) == before

    monkeypatch.setattr(outbox, "enqueue_many", real_enqueue_many)
    assert sweep_at(world, "2026-11-18 15:05:00").counts["timed_out"] == 2
    assert mail(world, "timed_out_mentor") == [(first, MENTOR), (second, MENTOR)]


def test_an_item_that_fails_is_named_and_the_rest_of_its_batch_is_done(world, monkeypatch):
    first, second = (assigned_at(world, "2026-11-10 14:00:00", email=f"c{n}@example.com") for n in range(2))
    real_enqueue, real_enqueue_many = outbox.enqueue, outbox.enqueue_many

    def refuses_mail_for_the_second(session, rows=None, **message):
        for row in (rows if rows is not None else [message]):
            if row["request_id"] == second:
                raise RuntimeError("mail queue unavailable")
        return real_enqueue_many(session, rows) if rows is not None else real_enqueue(session, **message)

    monkeypatch.setattr(outbox, "enqueue", refuses_mail_for_the_second)
    monkeypatch.setattr(outbox, "enqueue_many", refuses_mail_for_the_second)
    result = sweep_at(world, "2026-11-18 15:00:00")
    assert (result.counts["timed_out"], result.counts["failed"]) == (1, 1)
    assert result.errors == ["could not time out assignment 2: mail queue unavailable"]
    assert current(world, first)[0].status == "pending_reassignment"
    assert (current(world, second)[0].status, current(world, second)[1].outcome) == ("assigned", "open")
    assert sweep_history(world, second) == []


def test_due_items_are_read_through_the_deadline_indexes(store):
    if store.backend != "sqlite":
        pytest.skip("query plans are SQLite's")
    now = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
    with store.reading() as session:
        plans = {}
        for name, query in (("timeouts", sweep._due_timeouts), ("reminders", sweep._due_reminders)):
            compiled = query(now, (now, 7)).compile(session.get_bind(), compile_kwargs={"literal_binds": True})
            rows = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
            plans[name] = " ".join(r[3] for r in rows)
    assert "INDEX ix_assignment_outcome_timeout (outcome=? AND timeout_at>? AND timeout_at<?)" in plans["timeouts"]
    assert "INDEX ix_assignment_outcome_accept_due (outcome=? AND accept_due_at>? AND accept_due_at<?)" \
        in plans["reminders"]


def test_the_contact_window_keeps_the_local_wall_clock_time_across_dst(world):
    # accepted Sat 7 Mar 2026 09:17 EST; clocks go forward on 8 Mar: the window ends 21 Mar 09:17 EDT
    request_id = assigned_at(world, "2026-03-06 14:00:00")
    with freeze_time("2026-03-07 14:17:00"):
        mentoring.accept(world.store, MENTOR, request_id)
    assert sweep_at(world, "2026-03-21 13:16:00").counts["follow_up"] == 0
    assert sweep_at(world, "2026-03-21 13:17:00").counts["follow_up"] == 1
    with freeze_time("2026-03-21 12:00:00"):
        [row] = stage_report(world.store, CIC, Scope("chapter", "BOS01"), "not-contacted")
    assert row["deadline_at"].isoformat() == "2026-03-21T09:17:00-04:00"
