"""Metrics and conversion: the numbers worked out by hand from the dates below.

Boston is EST (UTC-5) after Sunday 1 November 2026, EDT (UTC-4) before; Austin is CST/CDT
(UTC-6/-5). Times in the tests are UTC.
"""

from datetime import date

import pytest
from freezegun import freeze_time

from score_cli.services.requests import assignment, mentoring
from score_cli.services.reports.common import Period
from score_cli.services.reports.conversion import conversion, total
from score_cli.services.reports.metrics import metrics, quantile
from score_cli.services.organisation.scope import Scope
from tests.services.test_reports import assign, at, submit
from tests.world import ADMIN, CIC, MENTOR, MENTOR2, RCIC

BOS = Scope("chapter", "BOS01")
WEEK = Period(date(2026, 11, 16), date(2026, 11, 20))


def test_quantiles_interpolate_between_ranks():
    assert quantile({1: 1, 2: 1, 3: 1, 4: 1}, 4, 0.5) == 2.5
    assert quantile({1: 1, 2: 1, 3: 1, 4: 1}, 4, 0.9) == pytest.approx(3.7)
    assert quantile({5: 3}, 3, 0.9) == 5
    assert quantile({}, 0, 0.5) is None


@pytest.fixture
def four_requests(world):
    """R1 goes all the way to a session; R2 waits for acceptance; R3 is withdrawn; R4 waits."""
    r1 = submit(world, "2026-11-16 14:00:00", name="Rae One")  # Mon 09:00 EST
    assign(world, r1, MENTOR, "2026-11-17 02:00:00")  # Mon 21:00 EST: same local day
    with at("2026-11-18 14:00:00"):
        mentoring.accept(world.store, MENTOR, r1)
    with at("2026-11-19 20:00:00"):
        mentoring.add_session(world.store, MENTOR, r1, day=date(2026, 11, 19), minutes=45, notes="intro")
    r2 = submit(world, "2026-11-17 14:00:00", name="Roy Two")
    assign(world, r2, MENTOR2, "2026-11-19 14:00:00")
    r3 = submit(world, "2026-11-18 14:00:00", name="Ria Three")
    with at("2026-11-18 16:00:00"):
        assignment.withdraw(world.store, CIC, r3, reason="duplicate")
    submit(world, "2026-11-19 14:00:00", name="Rex Four")
    return world


def test_metrics_count_completed_waiting_and_closed_for_each_interval(four_requests):
    with freeze_time("2026-11-20 18:00:00"):
        rows = {r["interval"]: r for r in metrics(four_requests.store, CIC, BOS, WEEK)}
    first = rows["submission_to_first_assignment"]
    assert (first["cohort"], first["reached_start"], first["completed"]) == (4, 4, 2)
    # R1 12 hours (0 business days: both Monday in Boston), R2 2 days (Tue -> Thu: 2)
    assert (first["mean_days"], first["median_days"], first["p90_days"]) == (1.25, 1.25, 1.85)
    assert (first["mean_business_days"], first["median_business_days"], first["p90_business_days"]) == (1.0, 1.0, 1.8)
    # R4, new since Thu 14:00: 28 hours, 1 business day; R3 withdrawn before any assignment
    assert (first["still_waiting"], first["waiting_median_days"], first["waiting_max_business_days"]) == (1, 1.17, 1)
    assert first["closed_before_reaching"] == 1
    assert first["mean_days_including_waiting"] == 1.22  # (0.5 + 2 + 1.17) / 3
    assert first["mean_business_days_including_waiting"] == 1.0
    accept = rows["assignment_to_acceptance"]
    # R1 36 hours (Mon -> Wed in Boston: 2 business days); R2 assigned Thu 14:00, still waiting
    assert (accept["reached_start"], accept["completed"], accept["median_days"]) == (2, 1, 1.5)
    assert accept["median_business_days"] == 2.0
    assert (accept["still_waiting"], accept["waiting_median_days"], accept["closed_before_reaching"]) == (1, 1.17, 0)
    session = rows["acceptance_to_first_session"]
    assert (session["completed"], session["mean_days"], session["mean_business_days"], session["still_waiting"]) == \
        (1, 1.25, 1.0, 0)
    whole = rows["submission_to_first_session"]
    assert (whole["completed"], whole["mean_days"], whole["mean_business_days"]) == (1, 3.25, 3.0)
    # waiting: R2 76 hours (3 business days) and R4 28 hours (1); R3 closed
    assert (whole["still_waiting"], whole["waiting_median_days"], whole["waiting_median_business_days"]) == \
        (2, 2.17, 2.0)
    assert (whole["waiting_max_days"], whole["waiting_max_business_days"], whole["closed_before_reaching"]) == \
        (3.17, 3, 1)
    [week] = first["weekly"]
    assert week == {"week_start": date(2026, 11, 16), "submitted": 4, "completed": 2, "mean_days": 1.25,
                    "mean_business_days": 1.0, "still_waiting": 1}


def test_metrics_weekly_rows_and_an_empty_period(four_requests):
    with freeze_time("2026-11-20 18:00:00"):
        weekly = metrics(four_requests.store, CIC, BOS, WEEK, weekly=True)
        empty = metrics(four_requests.store, CIC, BOS, Period(date(2026, 10, 1), date(2026, 10, 31)))
    assert [(r["week_start"], r["interval"]) for r in weekly] == [
        (date(2026, 11, 16), "submission_to_first_assignment"), (date(2026, 11, 16), "assignment_to_acceptance"),
        (date(2026, 11, 16), "acceptance_to_first_session"), (date(2026, 11, 16), "submission_to_first_session")]
    assert weekly[3]["still_waiting"] == 2
    assert [r["cohort"] for r in empty] == [0, 0, 0, 0]
    assert empty[0]["completed"] == 0 and empty[0]["mean_days"] is None and empty[0]["weekly"] == []


def test_a_business_day_count_uses_each_chapters_local_date_across_dst(world):
    # Fri 30 Oct 23:30 EDT (Sat 03:30 UTC) -> Mon 2 Nov 00:30 EST (05:30 UTC): 50 hours, and 1 business
    # day (the Friday, which counting by UTC dates, Sat -> Mon, would miss)
    request_id = submit(world, "2026-10-31 03:30:00")
    assign(world, request_id, MENTOR, "2026-11-02 05:30:00")
    with freeze_time("2026-11-02 12:00:00"):
        [first, *_] = metrics(world.store, CIC, BOS, Period(date(2026, 10, 30), date(2026, 10, 30)))
    assert (first["completed"], first["mean_days"], first["mean_business_days"]) == (1, 2.08, 1.0)


def test_the_period_crossing_the_dst_change_reads_each_chapters_own_dates(world):
    # Sunday 1 November 2026 lasts 25 hours in Boston: 04:00 UTC Nov 1 .. 05:00 UTC Nov 2;
    # in Austin 05:00 UTC Nov 1 .. 06:00 UTC Nov 2.
    submit(world, "2026-11-01 04:30:00", name="Bo In")  # 00:30 EDT Nov 1
    submit(world, "2026-11-02 04:30:00", name="Bo Late")  # 23:30 EST Nov 1
    submit(world, "2026-11-02 05:30:00", name="Bo Next")  # 00:30 EST Nov 2: out
    submit(world, "2026-11-01 03:30:00", name="Bo Before")  # 23:30 EDT Oct 31: out
    submit(world, "2026-11-01 04:30:00", chapter="AUS01", name="Au Before")  # 23:30 CDT Oct 31: out
    submit(world, "2026-11-02 05:30:00", chapter="AUS01", name="Au Late")  # 23:30 CST Nov 1
    with freeze_time("2026-11-03 12:00:00"):
        rows = conversion(world.store, ADMIN, Scope("national"), Period(date(2026, 11, 1), date(2026, 11, 1)),
                          by="chapter")
        bos = metrics(world.store, ADMIN, BOS, Period(date(2026, 11, 1), date(2026, 11, 1)))
    assert [(r["group"], r["submitted"]) for r in rows] == [("AUS01", 1), ("BOS01", 2)]
    assert bos[0]["cohort"] == 2 and bos[0]["still_waiting"] == 2


def test_conversion_counts_every_step_reached_and_how_requests_closed(world):
    done = submit(world, "2026-11-02 14:00:00", name="Cal Complete")
    assign(world, done, MENTOR, "2026-11-02 15:00:00")
    with at("2026-11-03 15:00:00"):
        mentoring.accept(world.store, MENTOR, done, message="Hello!")
        mentoring.add_session(world.store, MENTOR, done, day=date(2026, 11, 3), minutes=60, notes="good")
        mentoring.set_status(world.store, MENTOR, done, "complete")
    silent = submit(world, "2026-11-02 16:00:00", name="Sil Ent")
    assign(world, silent, MENTOR2, "2026-11-02 17:00:00")
    with at("2026-11-03 15:00:00"):
        mentoring.accept(world.store, MENTOR2, silent)
        mentoring.contact(world.store, MENTOR2, silent, method="phone")
    with at("2026-11-20 15:00:00"):
        mentoring.set_status(world.store, CIC, silent, "no_response", force=True, note="no reply in weeks")
    declined = submit(world, "2026-11-04 14:00:00", name="Dec Lined")
    assign(world, declined, MENTOR2, "2026-11-04 15:00:00")
    with at("2026-11-05 15:00:00"):
        mentoring.decline(world.store, MENTOR2, declined, reason="away")
    gone = submit(world, "2026-11-05 14:00:00", name="Wit Drawn")
    with at("2026-11-05 15:00:00"):
        assignment.withdraw(world.store, CIC, gone, reason="out of scope")
    submit(world, "2026-11-06 14:00:00", name="Wai Ting")
    submit(world, "2026-11-06 15:00:00", chapter="WOR01", name="Wor Cester")
    with freeze_time("2026-11-20 18:00:00"):
        [bos] = conversion(world.store, CIC, BOS, Period(date(2026, 11, 1), date(2026, 11, 20)))
        district = world.district_of("BOS01")
        by_chapter = conversion(world.store, RCIC, Scope("district", district), Period(date(2026, 11, 1), None))
        [whole] = conversion(world.store, RCIC, Scope("district", district), Period(date(2026, 11, 1), None),
                             by="district")
        recent = conversion(world.store, CIC, BOS)  # the last 13 weeks
    assert bos["group"] == "BOS01" and bos["group_kind"] == "chapter"
    assert (bos["submitted"], bos["assigned"], bos["accepted"], bos["contacted"], bos["counseled"]) == (5, 3, 2, 2, 1)
    assert (bos["assigned_pct"], bos["accepted_pct"], bos["contacted_pct"], bos["counseled_pct"]) == \
        (60.0, 40.0, 40.0, 20.0)
    assert (bos["open"], bos["open_pct"]) == (2, 40.0)
    assert (bos["closed_complete"], bos["closed_no_response"], bos["closed_withdrawn"]) == (1, 1, 1)
    assert (bos["closed_no_show"], bos["closed_no_show_pct"]) == (0, 0.0)
    assert [(r["group"], r["submitted"]) for r in by_chapter] == [("BOS01", 5), ("WOR01", 1)]
    assert (whole["group"], whole["submitted"], whole["assigned"], whole["assigned_pct"]) == (district, 6, 3, 50.0)
    assert total(by_chapter)["submitted"] == 6 and total(by_chapter)["counseled_pct"] == 16.7
    assert recent[0]["submitted"] == 5 and recent[0]["from"] == date(2026, 8, 22)


def test_conversion_of_an_empty_scope_is_empty(world):
    with freeze_time("2026-11-20 18:00:00"):
        assert conversion(world.store, CIC, BOS) == []


def test_metrics_from_a_future_date_are_empty_not_an_error(four_requests):
    with freeze_time("2026-11-20 18:00:00"):
        rows = metrics(four_requests.store, CIC, BOS, Period(date(2027, 3, 1), None))
        weekly = metrics(four_requests.store, CIC, BOS, Period(date(2027, 3, 1), None), weekly=True)
    assert [(r["cohort"], r["completed"], r["still_waiting"], r["mean_days"]) for r in rows] == [(0, 0, 0, None)] * 4
    assert weekly == []
