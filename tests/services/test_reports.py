"""The "not yet" reports, orphaned, capacity, paused mentors, mentor activity, and who may run them.

Every state is built through the real services under a frozen clock; the expected numbers are
worked out by hand from the dates (Boston is EST, UTC-5, in these November weeks; Wednesday
11 November 2026 is Veterans Day, a federal holiday).
"""

from datetime import date, datetime, timezone

import pytest
from freezegun import freeze_time

from score_cli.services.requests import assignment, mentoring, referrals
from score_cli.services.people import mentor_settings, volunteers
from score_cli.domain.errors import Invalid, NotFound, Refused
from score_cli.services.reports.capacity import capacity
from score_cli.services.reports.common import Period
from score_cli.services.reports.mentors import mentor_activity, paused_mentors
from score_cli.services.reports.orphaned import orphaned
from score_cli.services.reports.stages import stage_report
from score_cli.services.organisation.scope import Scope
from tests.world import ADMIN, CIC, CIC_AUS, FAR, MENTOR, MENTOR2, PROVISIONAL, RCIC

NOW = "2026-11-20 15:00:00"  # Friday 10:00 in Boston
BOS = Scope("chapter", "BOS01")


def at(when: str):
    return freeze_time(when)


def submit(world, when: str, chapter="BOS01", email=None, name="Cleo Client") -> int:
    with at(when):
        email = email or f"{name.split()[0].lower()}{when[8:10]}{when[11:13]}@example.com"
        return world.submit(chapter=chapter, email=email, name=name)


def assign(world, request_id: int, mentor: str, when: str, by: str = CIC) -> None:
    with at(when):  # forced: these tests give one mentor more than a week's capacity
        assignment.assign(world.store, by, request_id, mentor, force=True)


def by_id(rows):
    return {r["id"]: r for r in rows}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


# --- not-assigned ------------------------------------------------------------------------


def test_not_assigned_rows_say_how_long_and_what_to_do(world):
    waiting = submit(world, "2026-11-16 14:00:00", name="Ann Waiting")
    declined = submit(world, "2026-11-16 15:00:00", name="Dee Declined")
    assign(world, declined, MENTOR, "2026-11-17 15:00:00")
    with at("2026-11-18 15:00:00"):
        mentoring.decline(world.store, MENTOR, declined, reason="not my field")
    in_austin = submit(world, "2026-11-16 16:00:00", chapter="AUS01", name="Tex Austin")
    with at(NOW):
        rows = stage_report(world.store, CIC, BOS, "not-assigned")
    assert [r["id"] for r in rows] == [f"MRE-{waiting}", f"MRE-{declined}"]  # oldest first, Austin not in scope
    first, second = rows
    assert first["status"] == "new" and first["client"] == "Ann Waiting" and first["owner"] is None
    assert first["business_days_in_stage"] == 4  # Mon 16 .. Fri 20: Mon, Tue, Wed, Thu
    assert first["deadline"] is None and first["deadline_passed"] is False
    assert first["next_action"] == f"assign a mentor (score assign MRE-{waiting} --suggest)"
    assert first["flags"] == []
    assert second["next_action"] == (f"declined by {MENTOR}: read the decline note (score show MRE-{declined})"
                                     f" and assign another mentor (score assign MRE-{declined} --suggest)")
    assert first["submitted_at"] == utc("2026-11-16T09:00:00-05:00")
    assert str(first["submitted_at"].utcoffset()) == "-1 day, 19:00:00"  # shown in Boston time
    assert second["status"] == "pending_reassignment"
    assert second["business_days_in_stage"] == 2  # back in the queue Wed 18: Wed, Thu
    assert second["business_days_waiting"] == 4
    with at(NOW):
        national = stage_report(world.store, ADMIN, Scope("national"), "not-assigned")
        district = stage_report(world.store, RCIC, Scope("district", world.district_of("BOS01")), "not-assigned")
    assert f"MRE-{in_austin}" in by_id(national) and len(national) == 3
    assert [r["id"] for r in district] == [f"MRE-{waiting}", f"MRE-{declined}"]


def test_not_assigned_flags_a_chapter_without_cic_or_capacity_and_the_national_queue(world):
    portland = submit(world, "2026-11-16 14:00:00", chapter="PTM01", name="Port Land")  # live, no CIC, no mentors
    bangor = submit(world, "2026-11-16 15:00:00", chapter="BGR01", name="Bang Or")  # not live
    with at(NOW):
        rows = by_id(stage_report(world.store, ADMIN, Scope("national"), "not-assigned"))
    p, b = rows[f"MRE-{portland}"], rows[f"MRE-{bangor}"]
    assert p["flags"] == ["no_cic", "no_capacity"]
    assert p["next_action"] == ("no CIC for this chapter: the chapter manager can add one"
                                " (score volunteer grant EMAIL cic --scope chapter:PTM01)")
    assert b["queue"] == "national"
    assert b["flags"][0] == "national_queue"
    assert b["next_action"].startswith("in the National Intake Queue (BGR01 is not live)")


def test_a_second_request_from_a_client_already_being_served_is_a_possible_duplicate(world):
    served = submit(world, "2026-11-16 14:00:00", email="same@example.com", name="Sam Same")
    assign(world, served, MENTOR, "2026-11-16 15:00:00")
    again = submit(world, "2026-11-17 14:00:00", email="same@example.com", name="Sam Same")
    with at(NOW):
        [row] = stage_report(world.store, CIC, BOS, "not-assigned")
        [other] = stage_report(world.store, CIC, BOS, "not-accepted")
    assert row["id"] == f"MRE-{again}" and row["client_kind"] == "existing"
    assert row["possible_duplicate_of"] == f"MRE-{served}"
    assert row["next_action"] == (f"possible duplicate of MRE-{served} (assigned): if the client is already being"
                                  " served there, withdraw this one")
    assert other["possible_duplicate_of"] == f"MRE-{again}"
    assert "withdraw one of them" in other["next_action"]


def test_the_possible_duplicate_is_the_clients_other_open_request_furthest_along(world):
    # a closed request is never the duplicate; of the open ones the furthest along is, then the oldest
    closed = submit(world, "2026-11-09 14:00:00", email="same@example.com", name="Sam Same")
    with at("2026-11-09 15:00:00"):
        assignment.withdraw(world.store, CIC, closed, reason="client asked")
    waiting = submit(world, "2026-11-16 14:00:00", email="same@example.com", name="Sam Same")
    served = submit(world, "2026-11-16 15:00:00", email="same@example.com", name="Sam Same")
    assign(world, served, MENTOR, "2026-11-16 16:00:00")
    again = submit(world, "2026-11-17 14:00:00", email="same@example.com", name="Sam Same")
    with at(NOW):
        queued = by_id(stage_report(world.store, CIC, BOS, "not-assigned"))
        [assigned] = stage_report(world.store, CIC, BOS, "not-accepted")
    assert sorted(queued) == [f"MRE-{waiting}", f"MRE-{again}"]
    assert {row["possible_duplicate_of"] for row in queued.values()} == {f"MRE-{served}"}
    assert assigned["possible_duplicate_of"] == f"MRE-{waiting}"


def test_asked_to_the_report_also_flags_a_duplicate_written_from_another_email(world):
    with at("2026-11-16 14:00:00"):
        first = world.submit(email="dana@bakery.com", name="Dana Baker", phone="617-555-0142", business="Dana's Bakery")
    assign(world, first, MENTOR, "2026-11-16 15:00:00")
    with at("2026-11-18 09:00:00"):
        again = world.submit(email="dana.baker@gmail.com", name="Dana  Baker", phone="(617) 555-0142")
    with at(NOW):
        [plain] = stage_report(world.store, CIC, BOS, "not-assigned")
        [matched] = stage_report(world.store, CIC, BOS, "not-assigned", match_duplicates=True)
    assert plain["id"] == matched["id"] == f"MRE-{again}"
    assert plain["possible_duplicate_of"] is None and "possible_duplicate" not in plain["flags"]
    assert matched["possible_duplicate_of"] == f"MRE-{first}" and "possible_duplicate" in matched["flags"]
    assert matched["next_action"] == (f"possible duplicate of MRE-{first} (assigned): if the client is already"
                                      " being served there, withdraw this one")


# --- not-accepted ------------------------------------------------------------------------


def test_not_accepted_shows_the_accept_deadline_and_the_timeout(world):
    fresh = submit(world, "2026-11-19 14:00:00", name="Fay Fresh")
    assign(world, fresh, MENTOR, "2026-11-19 15:00:00")  # Thu 10:00: due Mon 23 10:00
    overdue = submit(world, "2026-11-16 14:00:00", name="Otto Overdue")
    assign(world, overdue, MENTOR2, "2026-11-17 15:00:00")  # Tue 10:00: due Thu 19 10:00, timeout Tue 24
    old = submit(world, "2026-11-09 14:00:00", name="Ola Old")
    assign(world, old, MENTOR2, "2026-11-09 15:00:00")  # Mon 9 + 5 business days, Veterans Day skipped
    with at(NOW):
        rows = by_id(stage_report(world.store, CIC, BOS, "not-accepted"))
    f, o, t = rows[f"MRE-{fresh}"], rows[f"MRE-{overdue}"], rows[f"MRE-{old}"]
    assert f["deadline"] == "accept_due"
    assert f["deadline_at"] == utc("2026-11-23T10:00:00-05:00") and f["deadline_passed"] is False
    assert f["business_days_in_stage"] == 1
    assert f["next_action"] == "waiting for the mentor to accept (due Mon 23 Nov 2026 10:00 EST)"
    assert o["deadline_at"] == utc("2026-11-19T10:00:00-05:00") and o["deadline_passed"] is True
    assert o["timeout_at"] == utc("2026-11-24T10:00:00-05:00")
    assert o["flags"] == ["accept_overdue"]
    assert o["next_action"].startswith("check in with mentor2@example.org: are they able to accept?")
    assert f"(score reassign {o['id']} --to-queue --reason 'not accepted in time')" in o["next_action"]
    assert t["timeout_at"] == utc("2026-11-17T10:00:00-05:00")  # 10, 12, 13, 16, 17
    assert t["flags"] == ["timed_out"]
    assert t["business_days_in_stage"] == 8  # Mon 9 .. Fri 20 without Wed 11
    assert t["next_action"].startswith("past the 5-business-day timeout: reassign now")
    with at(NOW):
        only_overdue = stage_report(world.store, CIC, BOS, "not-accepted", overdue=True)
    assert {r["id"] for r in only_overdue} == {f"MRE-{overdue}", f"MRE-{old}"}


def test_an_owner_who_left_or_paused_comes_first_in_the_advice(world):
    left = submit(world, "2026-11-19 14:00:00", name="Lee Left")
    assign(world, left, PROVISIONAL, "2026-11-19 15:00:00")
    paused = submit(world, "2026-11-19 16:00:00", name="Pia Paused")
    assign(world, paused, FAR, "2026-11-19 17:00:00")
    with at("2026-11-19 18:00:00"):
        volunteers.set_status(world.store, ADMIN, PROVISIONAL, "inactive")
        mentor_settings.pause(world.store, ADMIN, FAR, start="2026-11-19", until="2026-12-31")
    with at(NOW):
        rows = by_id(stage_report(world.store, CIC, BOS, "not-accepted"))
    assert rows[f"MRE-{left}"]["owner_status"] == "inactive"
    assert rows[f"MRE-{left}"]["flags"] == ["owner_inactive"]
    assert rows[f"MRE-{left}"]["next_action"].startswith(
        f"owner prov@example.org is no longer active: put it back in the queue (score reassign MRE-{left} --to-queue")
    assert rows[f"MRE-{paused}"]["flags"] == ["owner_paused"]
    assert rows[f"MRE-{paused}"]["next_action"] == ("owner is paused until 2026-12-31: check in with the mentor,"
                                                    " or reassign")


# --- not-contacted and not-counseled --------------------------------------------------------


def accepted(world, name, assigned, accepted_at, mentor=MENTOR, message=None) -> int:
    request_id = submit(world, assigned, name=name)
    assign(world, request_id, mentor, assigned)
    with at(accepted_at):
        mentoring.accept(world.store, mentor, request_id, message=message)
    return request_id


def test_not_contacted_checks_the_14_day_window_from_acceptance(world):
    recent = accepted(world, "Rae Recent", "2026-11-16 14:00:00", "2026-11-16 16:00:00")
    stale = accepted(world, "Stu Stale", "2026-11-02 14:00:00", "2026-11-02 15:00:00")
    with at(NOW):
        rows = by_id(stage_report(world.store, CIC, BOS, "not-contacted"))
    r, s = rows[f"MRE-{recent}"], rows[f"MRE-{stale}"]
    assert r["deadline"] == "contact_window" and r["deadline_at"] == utc("2026-11-30T11:00:00-05:00")
    assert r["deadline_passed"] is False and r["contact_attempts"] == 0
    assert r["business_days_in_stage"] == 4
    assert r["next_action"] == "check in with the mentor: have they been able to contact the client?"
    assert s["deadline_at"] == utc("2026-11-16T10:00:00-05:00") and s["deadline_passed"] is True
    assert s["flags"] == ["window_passed"]
    assert "unable_to_contact or withdrawn" in s["next_action"]


def test_not_counseled_follow_up_or_ready_to_close(world):
    trying = accepted(world, "Tia Trying", "2026-11-16 14:00:00", "2026-11-16 16:00:00", message="Hello!")
    silent = accepted(world, "Sid Silent", "2026-11-02 14:00:00", "2026-11-02 15:00:00", message="Hello!")
    with at("2026-11-04 15:00:00"):
        mentoring.contact(world.store, MENTOR, silent, method="phone")
    with at("2026-11-06 15:00:00"):
        mentoring.contact(world.store, MENTOR, silent, method="email")
    lagging = accepted(world, "Lou Lagging", "2026-11-02 16:00:00", "2026-11-02 17:00:00", message="Hello!")
    with at(NOW):
        rows = by_id(stage_report(world.store, CIC, BOS, "not-counseled"))
    t, s, lag = rows[f"MRE-{trying}"], rows[f"MRE-{silent}"], rows[f"MRE-{lagging}"]
    assert t["contact_attempts"] == 1 and t["flags"] == ["follow_up"]
    assert t["next_action"] == "follow up: 1 of 3 contact attempts so far"
    assert t["last_contact_at"] == utc("2026-11-16T11:00:00-05:00")
    assert s["contact_attempts"] == 3 and s["flags"] == ["window_passed", "ready_to_close"]
    assert s["next_action"].startswith("ready to close as no_response: 3 contact attempts and no session")
    assert s["business_days_in_stage"] == 13  # contacted Mon 2 (the accept message); Wed 11 is a holiday
    assert lag["flags"] == ["window_passed", "follow_up"]
    assert lag["next_action"].startswith("follow up: 1 of 3 contact attempts and the 14-day window has passed")


def test_ready_to_close_is_the_no_response_rule_that_close_applies(world, monkeypatch):
    """SPEC §4: 3 attempts by the current owner since acceptance, on 3 different days of the
    chapter's calendar, the first 14 calendar days ago or more. The report and `close` agree."""
    def contacts(request_id, *times, mentor=MENTOR):
        for when in times:
            with at(when):
                mentoring.contact(world.store, mentor, request_id, method="phone")

    # three attempts, all on Mon 2 Nov in Boston (the accept message is the first)
    one_day = accepted(world, "Dot Oneday", "2026-11-02 14:00:00", "2026-11-02 15:00:00", message="Hello!")
    contacts(one_day, "2026-11-02 17:00:00", "2026-11-02 19:00:00")
    # three days, but the first on Tue 10 Nov: 10 days ago at NOW, not 14
    late_start = accepted(world, "Lee Latestart", "2026-11-02 14:00:00", "2026-11-02 15:00:00")
    contacts(late_start, "2026-11-10 15:00:00", "2026-11-12 15:00:00", "2026-11-16 15:00:00")
    # the previous mentor's three attempts do not count for the new owner, who made two
    handed_over = accepted(world, "Hal Handover", "2026-10-26 14:00:00", "2026-10-26 15:00:00", mentor=MENTOR2,
                           message="Hello!")
    contacts(handed_over, "2026-10-27 15:00:00", "2026-10-28 15:00:00", mentor=MENTOR2)
    with at("2026-11-02 14:00:00"):
        assignment.reassign(world.store, CIC, handed_over, MENTOR, reason="mentor moved away")
    with at("2026-11-02 15:00:00"):
        mentoring.accept(world.store, MENTOR, handed_over, message="Hello, I am your new mentor")
    contacts(handed_over, "2026-11-04 15:00:00")
    # three days, the first 18 days ago: ready
    ready = accepted(world, "Rhea Ready", "2026-11-02 14:00:00", "2026-11-02 15:00:00", message="Hello!")
    contacts(ready, "2026-11-04 15:00:00", "2026-11-06 15:00:00")

    monkeypatch.setattr("score_cli.services.reports.stage_query.STREAM_BATCH", 3)  # rows read in several batches
    with at(NOW):
        rows = by_id(stage_report(world.store, CIC, BOS, "not-counseled"))
    flags = {number: rows[f"MRE-{number}"]["flags"] for number in (one_day, late_start, handed_over, ready)}
    assert flags == {one_day: ["window_passed", "follow_up"], late_start: ["window_passed", "follow_up"],
                     handed_over: ["window_passed", "follow_up"], ready: ["window_passed", "ready_to_close"]}
    assert "2 more contact attempt(s) on different days" in rows[f"MRE-{one_day}"]["next_action"]
    assert "14 days since the first attempt" in rows[f"MRE-{late_start}"]["next_action"]
    assert "from Tue 24 Nov 2026" in rows[f"MRE-{late_start}"]["next_action"]
    for number in (one_day, late_start, handed_over):  # `close` refuses exactly these
        with at(NOW), pytest.raises(Refused, match="as no_response yet"):
            mentoring.set_status(world.store, MENTOR, number, "no_response")
    with at(NOW):
        assert mentoring.set_status(world.store, MENTOR, ready, "no_response")


def test_the_period_limits_rows_by_submission_date_and_limit_caps_them(world):
    first = submit(world, "2026-11-16 14:00:00", name="Ann First")
    submit(world, "2026-11-18 14:00:00", name="Bo Second")
    third = submit(world, "2026-11-19 04:30:00", name="Cy Third")  # Wed 18 23:30 in Boston
    with at(NOW):
        rows = stage_report(world.store, CIC, BOS, "not-assigned", Period(date(2026, 11, 17), date(2026, 11, 18)))
        limited = stage_report(world.store, CIC, BOS, "not-assigned", limit=1)
    assert [r["client"] for r in rows] == ["Bo Second", "Cy Third"]
    assert [r["id"] for r in limited] == [f"MRE-{first}"]
    assert third


def test_an_empty_report_is_an_empty_list(world):
    with at(NOW):
        for stage in ("not-assigned", "not-accepted", "not-contacted", "not-counseled"):
            assert stage_report(world.store, CIC, BOS, stage) == []
        assert orphaned(world.store, CIC, BOS) == []


# --- orphaned ----------------------------------------------------------------------------------


def test_orphaned_lists_requests_whose_owner_or_team_member_left(world):
    owner_left = submit(world, "2026-11-16 14:00:00", name="Ora Owner")
    assign(world, owner_left, PROVISIONAL, "2026-11-16 15:00:00")
    team_left = accepted(world, "Tom Team", "2026-11-16 16:00:00", "2026-11-16 17:00:00")
    with at("2026-11-17 15:00:00"):
        referrals.refer(world.store, MENTOR, team_left, MENTOR2, reason="pricing expert")
        referrals.respond(world.store, MENTOR2, team_left, accept=True)
        volunteers.set_status(world.store, ADMIN, PROVISIONAL, "resigned")
        volunteers.set_status(world.store, ADMIN, MENTOR2, "inactive")
    fine = accepted(world, "Fin Fine", "2026-11-16 18:00:00", "2026-11-16 19:00:00")
    with at(NOW):
        rows = by_id(orphaned(world.store, CIC, BOS))
    assert set(rows) == {f"MRE-{owner_left}", f"MRE-{team_left}"} and f"MRE-{fine}" not in rows
    o, t = rows[f"MRE-{owner_left}"], rows[f"MRE-{team_left}"]
    assert o["owner_status"] == "resigned" and o["flags"] == ["owner_inactive"] and o["inactive_team"] == []
    assert o["next_action"].startswith(
        f"owner prov@example.org is no longer active: put it back in the queue (score reassign MRE-{owner_left}")
    assert t["owner"] == MENTOR and t["inactive_team"] == ["mentor2@example.org (inactive)"]
    assert t["flags"] == ["team_member_inactive"]
    assert t["next_action"].startswith(f"a case team member is no longer active: {MENTOR} can refer")
    assert f"(score refer MRE-{team_left} EMAIL --reason TEXT)" in t["next_action"]


# --- capacity ----------------------------------------------------------------------------------


def test_capacity_weighs_waiting_requests_against_capacity_left(world):
    # BOS01 mentors: mentor (3 per week), mentor2 (5/week), prov (no capacity written): sme excluded.
    for day in ("16", "17", "18", "19"):
        submit(world, f"2026-11-{day} 14:00:00", name=f"Wai Ting{day}")
    taken = submit(world, "2026-11-16 13:00:00", name="Tak En")
    assign(world, taken, MENTOR, "2026-11-16 15:00:00")  # one of mentor's 3 this week
    with at(NOW):
        [bos] = capacity(world.store, CIC, BOS)
    assert bos["waiting"] == 4 and bos["mentors"] == 3 and bos["paused"] == 0 and bos["available"] == 3
    assert bos["unknown_capacity"] == 1  # prov wrote nothing: available, but unknown
    assert bos["weekly_capacity"] == 8 and bos["capacity_left"] == 7
    assert bos["business_days_to_clear"] == 0
    assert bos["oldest_waiting_business_days"] == 4
    with at("2026-11-20 16:00:00"):
        mentor_settings.pause(world.store, ADMIN, MENTOR2, start="2026-11-20", until="2026-11-30")
        volunteers.set_status(world.store, ADMIN, "prov@example.org", "inactive")
        [short] = capacity(world.store, CIC, BOS)
    # 4 waiting, mentor has 2 left of 3: the other 2 at 3 a week take ceil(5 * 2 / 3) = 4 business days
    assert (short["available"], short["weekly_capacity"], short["capacity_left"]) == (1, 3, 2)
    assert short["business_days_to_clear"] == 4
    assert short["next_action"].startswith("short of capacity this week (4 waiting, 2 places left)")


def test_capacity_over_two_weeks_counts_the_last_14_days(world):
    # prov writes "1 every other week" (half an assignment a week) and was given a client 10 days ago
    mentor_settings.settings(world.store, PROVISIONAL, PROVISIONAL,
                             mentor_settings.SettingsChange(capacity="1 every other week"))
    given = submit(world, "2026-11-10 14:00:00", name="Gus Given")
    assign(world, given, PROVISIONAL, "2026-11-10 15:00:00")
    with at(NOW):
        [bos] = capacity(world.store, CIC, BOS)
        [prov] = [r for r in mentor_activity(world.store, CIC, BOS) if r["email"] == PROVISIONAL]
    # mentor 3 + mentor2 5 + prov 1/2 a week; left: 3 + 5 + 0 (prov's one place in 14 days is taken)
    assert (bos["unknown_capacity"], bos["weekly_capacity"], bos["capacity_left"]) == (0, 8.5, 8)
    assert (prov["capacity_weekly"], prov["cic_assignments_last_7_days"], prov["weekly_remaining"]) == (0.5, 0, 0)
    with at("2026-11-24 16:00:00"):  # 14 days and an hour later: the place is free again
        [bos] = capacity(world.store, CIC, BOS)
    assert bos["capacity_left"] == 9


def test_capacity_of_a_chapter_with_no_mentor_never_clears(world):
    submit(world, "2026-11-16 14:00:00", chapter="PTM01")
    with at(NOW):
        [row] = capacity(world.store, ADMIN, Scope("chapter", "PTM01"))
    assert row["waiting"] == 1 and row["weekly_capacity"] == 0 and row["business_days_to_clear"] is None
    assert row["next_action"].startswith("no mentor available in PTM01 (it has no mentors)")


# --- mentors ----------------------------------------------------------------------------------


def test_mentor_activity_counts_the_periods_assignments_and_flags_repeats(world):
    for i, when in enumerate(("2026-11-02 15:00:00", "2026-11-03 15:00:00", "2026-11-04 15:00:00")):
        request_id = submit(world, when.replace("15:", "14:"), name=f"Cli Ent{i}")
        assign(world, request_id, MENTOR2, when)
        with at(when.replace("15:", "16:")):
            mentoring.decline(world.store, MENTOR2, request_id, reason="busy")
    kept = accepted(world, "Kay Kept", "2026-11-16 14:00:00", "2026-11-16 15:00:00", mentor=MENTOR2)
    with at("2026-11-17 15:00:00"):
        mentoring.add_session(world.store, MENTOR2, kept, day=date(2026, 11, 16), minutes=60, notes="intro")
    with at("2026-11-19 15:00:00"):
        mentoring.add_session(world.store, MENTOR2, kept, day=date(2026, 11, 17), minutes=30, notes="late ones")
    direct = submit(world, "2026-11-18 14:00:00", name="Dir Ect")
    assign(world, direct, MENTOR2, "2026-11-18 15:00:00")
    with at(NOW):
        rows = by_id_email(mentor_activity(world.store, CIC, BOS, Period(date(2026, 11, 1), date(2026, 11, 20))))
        since_16 = by_id_email(mentor_activity(world.store, CIC, BOS, Period(date(2026, 11, 16), None)))
        flagged = mentor_activity(world.store, CIC, BOS, Period(date(2026, 11, 1), None), flagged=True)
    m2 = rows[MENTOR2]
    assert (m2["cic_assignments"], m2["accepted"], m2["declined"], m2["timed_out"]) == (5, 1, 3, 0)
    assert (m2["open_now"], m2["awaiting_acceptance"]) == (2, 1)
    # sessions of Mon 16 (entered Tue 17, due end of Tue 17: on time) and Tue 17 (entered Thu 19: late)
    assert (m2["sessions"], m2["late_session_notes"]) == (2, 1)
    assert m2["capacity_weekly"] == 5 and m2["cic_assignments_last_7_days"] == 2 and m2["weekly_remaining"] == 3
    assert m2["flags"] == ["repeated_declines"] and m2["follow_up"] is True
    assert rows[MENTOR]["cic_assignments"] == 0 and rows[MENTOR]["flags"] == []
    assert since_16[MENTOR2]["declined"] == 0 and since_16[MENTOR2]["cic_assignments"] == 2
    assert [r["email"] for r in flagged] == [MENTOR2]
    assert "sme@example.org" in rows and FAR not in rows  # BOS01 only


def by_id_email(rows):
    return {r["email"]: r for r in rows}


def test_paused_mentors_shows_long_pauses_and_what_still_waits(world):
    waiting = submit(world, "2026-11-16 14:00:00")
    assign(world, waiting, MENTOR, "2026-11-16 15:00:00")
    with at("2026-11-17 15:00:00"):
        mentor_settings.pause(world.store, ADMIN, MENTOR, start="2026-11-17", until="2026-12-31")
        mentor_settings.pause(world.store, ADMIN, MENTOR2, start="2026-11-18", until="2026-11-25")
        mentor_settings.pause(world.store, ADMIN, FAR, start="2026-12-01", until="2026-12-05")
    with at(NOW):
        rows = by_id_email(paused_mentors(world.store, ADMIN, Scope("national")))
        december = by_id_email(paused_mentors(world.store, ADMIN, Scope("national"),
                                              Period(date(2026, 12, 1), date(2026, 12, 3))))
    assert set(rows) == {MENTOR, MENTOR2}  # far@ starts in December
    m = rows[MENTOR]
    assert (m["days_paused"], m["paused_so_far"], m["long_pause"]) == (45, 4, True)
    assert m["awaiting_acceptance"] == 1 and m["flags"] == ["awaiting_acceptance", "long_pause"]
    assert m["next_action"].startswith("1 assignment(s) still awaiting acceptance: return them to the queue")
    m2 = rows[MENTOR2]
    assert (m2["days_paused"], m2["paused_so_far"], m2["long_pause"]) == (8, 3, False)
    assert m2["next_action"] == "back on 2026-11-26"
    assert set(december) == {MENTOR, FAR}


# --- who may run reports -----------------------------------------------------------------------


def test_reports_need_a_reporting_role_covering_the_scope(world):
    submit(world, "2026-11-16 14:00:00")
    with at(NOW):
        with pytest.raises(Refused, match="may not see requests and their clients of chapter BOS01"):
            stage_report(world.store, MENTOR, BOS, "not-assigned")
        with pytest.raises(Refused, match="district"):
            stage_report(world.store, CIC, Scope("district", world.district_of("BOS01")), "not-assigned")
        with pytest.raises(Refused):
            stage_report(world.store, CIC_AUS, BOS, "not-assigned")
        with pytest.raises(Refused):
            capacity(world.store, RCIC, Scope("national"))
        with pytest.raises(NotFound):
            stage_report(world.store, ADMIN, Scope("chapter", "NOPE1"), "not-assigned")
        with pytest.raises(Invalid):
            stage_report(world.store, None, Scope("mine"), "not-assigned")
        assert len(stage_report(world.store, RCIC, BOS, "not-assigned")) == 1  # the district covers BOS01
        assert len(stage_report(world.store, CIC, None, "not-assigned")) == 1  # default: the CIC's chapter
        with pytest.raises(Invalid, match="who is acting"):  # no --as: nothing is shown
            stage_report(world.store, None, None, "not-assigned")
        assert len(stage_report(world.store, ADMIN, None, "not-assigned")) == 1  # the admin's own: national


def test_a_mentor_sees_their_own_requests_with_mine_by_default(world):
    mine = submit(world, "2026-11-18 14:00:00", name="Mia Mine")
    assign(world, mine, MENTOR, "2026-11-18 15:00:00")
    other = submit(world, "2026-11-18 16:00:00", name="Oto Other")
    assign(world, other, MENTOR2, "2026-11-18 17:00:00")
    with at(NOW):
        rows = stage_report(world.store, MENTOR, None, "not-accepted")
        own = mentor_activity(world.store, MENTOR, Scope("mine"))
        chapter = capacity(world.store, MENTOR, Scope("mine"))
    assert [r["id"] for r in rows] == [f"MRE-{mine}"]
    assert [r["email"] for r in own] == [MENTOR]
    assert [r["chapter"] for r in chapter] == ["BOS01"]
