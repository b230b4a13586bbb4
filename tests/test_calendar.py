"""Business-day calendar (SPEC §5).

Expected instants are written by hand from the spec; numpy, fed days off built from the
`holidays` package and data/closures.csv by the test itself, is the independent oracle in the
properties.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from score_cli.domain import calendar as cal

UTC = timezone.utc
NY = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def eastern(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


def chapter(tz: str = "America/New_York", state: str = "NY", code: str = "NYC01"):
    return SimpleNamespace(timezone=tz, state=state, code=code)


@pytest.fixture(autouse=True)
def default_closures():
    """Every test starts from the packaged closures file and no cached calendars."""
    cal.set_closures_path(None)
    yield
    cal.set_closures_path(None)


@pytest.fixture
def closures_file(tmp_path):
    """Write a closures CSV and make it the one in use."""

    def write(body: str):
        path = tmp_path / "closures.csv"
        path.write_text("date,chapter,reason\n" + body, encoding="utf-8")
        cal.set_closures_path(path)
        return path

    return write


# -- SPEC §5 examples (Eastern) -----------------------------------------------------------


def test_friday_afternoon_plus_two_is_tuesday_same_time():
    # Fri 2026-10-16 15:00 EDT (UTC-4) -> Tue 2026-10-20 15:00 EDT.
    assert eastern(2026, 10, 16, 15) == utc(2026, 10, 16, 19)
    assert cal.add_business_days(utc(2026, 10, 16, 19), 2, chapter()) == utc(2026, 10, 20, 19)


def test_saturday_plus_two_is_wednesday_midnight():
    # Sat 2026-10-17 10:00 EDT -> rolls to Mon 00:00 -> Wed 2026-10-21 00:00 EDT = 04:00Z.
    assert cal.add_business_days(utc(2026, 10, 17, 14), 2, chapter()) == utc(2026, 10, 21, 4)


def test_thanksgiving_is_skipped():
    # Wed 2026-11-25 09:00 EST (UTC-5) -> Mon 2026-11-30 09:00 EST.
    result = cal.add_business_days(utc(2026, 11, 25, 14), 2, chapter())
    assert result == utc(2026, 11, 30, 14)
    assert result.tzinfo == UTC


def test_friday_after_thanksgiving_as_closure(closures_file):
    closures_file("2026-11-27,,Thanksgiving Friday\n")
    assert cal.add_business_days(utc(2026, 11, 25, 14), 2, chapter()) == utc(2026, 12, 1, 14)


def test_packaged_file_does_not_close_friday_after_thanksgiving():
    assert cal.is_business_day(date(2026, 11, 27), chapter())
    assert date(2026, 11, 27) not in cal.load_closures().get(None, frozenset())


def test_aware_input_in_any_zone_is_read_in_chapter_zone():
    # The same instant as the Friday example, given in Tokyo time (Sat 04:00 there).
    tokyo = datetime(2026, 10, 17, 4, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert cal.add_business_days(tokyo, 2, chapter()) == utc(2026, 10, 20, 19)


def test_zero_days_keeps_a_business_instant_and_rolls_a_weekend_one():
    assert cal.add_business_days(utc(2026, 10, 16, 19), 0, chapter()) == utc(2026, 10, 16, 19)
    assert cal.add_business_days(utc(2026, 10, 17, 14), 0, chapter()) == utc(2026, 10, 19, 4)


# -- DST ------------------------------------------------------------------------------------


def test_march_dst_change_keeps_wall_clock():
    # Fri 2026-03-06 09:00 EST (14:00Z) + 1 -> Mon 2026-03-09 09:00 EDT (13:00Z).
    assert cal.add_business_days(utc(2026, 3, 6, 14), 1, chapter()) == utc(2026, 3, 9, 13)


def test_november_dst_change_keeps_wall_clock():
    # Fri 2026-10-30 09:00 EDT (13:00Z) + 1 -> Mon 2026-11-02 09:00 EST (14:00Z).
    assert cal.add_business_days(utc(2026, 10, 30, 13), 1, chapter()) == utc(2026, 11, 2, 14)


def test_weekend_roll_across_dst_lands_on_local_midnight():
    # Sat 2026-03-07 10:00 EST -> Mon 2026-03-09 00:00 EDT = 04:00Z.
    assert cal.add_business_days(utc(2026, 3, 7, 15), 0, chapter()) == utc(2026, 3, 9, 4)


# -- holidays -------------------------------------------------------------------------------


def test_patriots_day_is_a_massachusetts_holiday_only():
    ma = chapter("America/New_York", "MA", "BOS01")
    tx = chapter("America/Chicago", "TX", "HOU01")
    assert not cal.is_business_day(date(2026, 4, 20), ma)
    assert cal.is_business_day(date(2026, 4, 20), tx)
    # Fri 2026-04-17 10:00 local + 1: Boston -> Tue 10:00 EDT, Houston -> Mon 10:00 CDT.
    assert cal.add_business_days(utc(2026, 4, 17, 14), 1, ma) == utc(2026, 4, 21, 14)
    assert cal.add_business_days(utc(2026, 4, 17, 15), 1, tx) == utc(2026, 4, 20, 15)


@pytest.mark.parametrize("state", ["NY", "MA", "TX", "CA", None])
def test_observed_independence_day(state):
    # July 4 2026 is a Saturday: the federal holiday is observed on Friday July 3, in every
    # state (MA included, though the holidays package moves only Sunday holidays there).
    ch = chapter("America/New_York", state, "X01")
    assert not cal.is_business_day(date(2026, 7, 3), ch)
    assert date(2026, 7, 3) in cal.calendar_for(ch).holidays
    # Thu 2026-07-02 09:00 EDT + 1 -> Mon 2026-07-06 09:00 EDT.
    assert cal.add_business_days(utc(2026, 7, 2, 13), 1, ch) == utc(2026, 7, 6, 13)


def test_sunday_holiday_observed_on_monday():
    # July 4 2027 is a Sunday: Monday July 5 is off.
    assert not cal.is_business_day(date(2027, 7, 5), chapter())


def test_holidays_property_is_sorted_and_has_closures():
    days = cal.calendar_for(chapter()).holidays
    assert list(days) == sorted(set(days))
    assert date(2026, 11, 26) in days  # Thanksgiving
    assert date(2026, 12, 24) in days  # packaged winter-break closure
    assert cal.calendar_for(chapter()).non_working_days == days


# -- closures -------------------------------------------------------------------------------


def test_chapter_closure_applies_to_that_chapter_only(closures_file):
    closures_file("2026-10-16,NYC01,Snow day\n2026-10-19,,Org-wide retreat\n")
    nyc, buf = chapter(code="NYC01"), chapter(code="BUF01")
    assert not cal.is_business_day(date(2026, 10, 16), nyc)
    assert cal.is_business_day(date(2026, 10, 16), buf)
    assert not cal.is_business_day(date(2026, 10, 19), nyc)
    assert not cal.is_business_day(date(2026, 10, 19), buf)
    # Thu 2026-10-15 09:00 EDT + 1: NYC skips Fri (own) and Mon (org) -> Tue; BUF -> Fri.
    assert cal.add_business_days(utc(2026, 10, 15, 13), 1, nyc) == utc(2026, 10, 20, 13)
    assert cal.add_business_days(utc(2026, 10, 15, 13), 1, buf) == utc(2026, 10, 16, 13)


def test_load_closures_groups_by_chapter(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "date,chapter,reason\n2026-12-24,,Winter break\n\n2026-10-16,NYC01,Snow\n"
        "2026-10-17,nyc01,Lower case code\n",
        encoding="utf-8",
    )
    assert cal.load_closures(path) == {
        None: frozenset({date(2026, 12, 24)}),
        "NYC01": frozenset({date(2026, 10, 16), date(2026, 10, 17)}),
    }


def test_packaged_closures_file_loads():
    org = cal.load_closures()[None]
    assert {date(2026, 12, 24), date(2026, 12, 31), date(2027, 12, 24)} <= org


def test_data_dir_env_var_overrides_packaged_file(tmp_path, monkeypatch):
    (tmp_path / "closures.csv").write_text("date,chapter,reason\n2026-10-16,,X\n", "utf-8")
    monkeypatch.setenv("SCORE_DATA_DIR", str(tmp_path))
    cal.reset_cache()
    assert cal.load_closures() == {None: frozenset({date(2026, 10, 16)})}
    assert not cal.is_business_day(date(2026, 10, 16), chapter())


@pytest.mark.parametrize(
    ("body", "line", "problem"),
    [
        ("2026-12-24,,ok\n2026-13-01,,bad month\n", 3, "does not exist"),
        ("2026/12/24,,slashes\n", 2, "YYYY-MM-DD"),
        ("20261224,,compact\n", 2, "YYYY-MM-DD"),
        ("2026-12-24,,ok\n2026-12-25,NYC01\n", 3, "3 fields"),
        ("2026-12-24,NYC 01,space\n", 2, "chapter"),
    ],
)
def test_malformed_closures_name_file_and_line(tmp_path, body, line, problem):
    path = tmp_path / "bad.csv"
    path.write_text("date,chapter,reason\n" + body, encoding="utf-8")
    with pytest.raises(ValueError, match=problem) as info:
        cal.load_closures(path)
    assert "bad.csv" in str(info.value) and f"line {line}" in str(info.value)


def test_wrong_header_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("day,chapter\n2026-12-24,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.csv, line 1: expected header"):
        cal.load_closures(path)


def test_module_imports_no_database_code_nor_numpy():
    code = (
        "import sys, score_cli.domain.calendar; "
        "print([m for m in ('sqlalchemy', 'sqlmodel', 'numpy') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- bad input ------------------------------------------------------------------------------


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        cal.add_business_days(datetime(2026, 10, 16, 15), 2, chapter())
    with pytest.raises(ValueError, match="naive"):
        cal.business_days_between(datetime(2026, 10, 16), utc(2026, 10, 20), chapter())


def test_unknown_zone_or_state_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        cal.BusinessCalendar("Mars/Olympus_Mons", "NY")
    with pytest.raises(ValueError, match="state"):
        cal.BusinessCalendar("America/New_York", "ZZ")


def test_dates_outside_the_table_are_refused():
    with pytest.raises(ValueError, match="outside"):
        cal.add_business_days(utc(1999, 6, 1, 12), 1, chapter())
    with pytest.raises(ValueError, match="outside"):
        cal.add_business_days(utc(2060, 12, 20, 12), 30, chapter())


# -- business_days_between ------------------------------------------------------------------


def test_business_days_between_hand_values():
    ch = chapter()
    # [Mon 11-23, Mon 11-30): Mon, Tue, Wed, Fri (Thanksgiving Thursday off) = 4.
    assert cal.business_days_between(eastern(2026, 11, 23, 9), eastern(2026, 11, 30, 9), ch) == 4
    assert cal.business_days_between(eastern(2026, 11, 30, 9), eastern(2026, 11, 23, 9), ch) == -4
    assert cal.business_days_between(eastern(2026, 11, 23, 9), eastern(2026, 11, 23, 18), ch) == 0
    # [Mon 12-21, Mon 2027-01-04): 21, 22, 23, 28, 29, 30 (24/31 closures, 25/1 holidays) = 6.
    assert cal.business_days_between(eastern(2026, 12, 21), eastern(2027, 1, 4), ch) == 6


def test_business_days_between_backwards_follows_numpy():
    # numpy counts (end, start] when end < start: Sat -> Fri is 0, Fri -> Sat is 1,
    # Fri -> Thu is -1.
    ch = chapter()
    fri, sat, thu = eastern(2026, 10, 16, 9), eastern(2026, 10, 17, 9), eastern(2026, 10, 15, 9)
    assert cal.business_days_between(sat, fri, ch) == 0
    assert cal.business_days_between(fri, sat, ch) == 1
    assert cal.business_days_between(fri, thu, ch) == -1


def test_business_days_between_uses_local_dates():
    # 03:00Z and 05:00Z on 2026-11-24 are Mon 22:00 and Tue 00:00 in New York.
    assert cal.business_days_between(utc(2026, 11, 24, 3), utc(2026, 11, 24, 5), chapter()) == 1


# -- properties against numpy ---------------------------------------------------------------
#
# The oracle's days off are built here, from the `holidays` package (federal and state
# observed holidays) and the packaged data/closures.csv read as plain CSV, never from the
# calendar under test; one chapter per (state, time zone) of data/chapters.csv.

DATA = Path(__file__).resolve().parents[1] / "data"


def packaged_chapters() -> list[SimpleNamespace]:
    with open(DATA / "chapters.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    first = {}
    for row in rows:
        first.setdefault((row["state"], row["timezone"]), row)
    return [chapter(row["timezone"], row["state"], row["chapter_code"]) for _, row in sorted(first.items())]


CHAPTERS = packaged_chapters()
STATES = sorted({ch.state for ch in CHAPTERS})


@lru_cache(maxsize=None)
def oracle_days_off(state: str, code: str) -> tuple[date, ...]:
    """Federal and state holidays (observed), org-wide closures and the chapter's own."""
    import holidays

    years = range(2014, 2047)  # the instants below, plus or minus 60 business days
    days = set(holidays.country_holidays("US", years=years, observed=True))
    days |= set(holidays.country_holidays("US", subdiv=state, years=years, observed=True))
    with open(DATA / "closures.csv", newline="", encoding="utf-8") as f:
        days |= {date.fromisoformat(row["date"]) for row in csv.DictReader(f) if row["chapter"] in ("", code)}
    return tuple(sorted(days))


def oracle_for(ch) -> tuple[date, ...]:
    return oracle_days_off(ch.state, ch.code)


instants = st.datetimes(
    min_value=datetime(2015, 1, 1),
    max_value=datetime(2045, 12, 31, 23, 59, 59),
    timezones=st.sampled_from(
        [UTC, NY, ZoneInfo("Pacific/Honolulu"), ZoneInfo("Europe/Berlin")]
    ),
)


@lru_cache(maxsize=None)
def numpy_calendar(holidays: tuple[date, ...]) -> np.busdaycalendar:
    return np.busdaycalendar(weekmask="1111100", holidays=list(holidays))


def oracle_offset(local_day: date, n: int, holidays: tuple[date, ...]) -> date:
    out = np.busday_offset(local_day, n, roll="forward", busdaycal=numpy_calendar(holidays))
    return out.astype(object)


# The autouse fixtures only reset module state, so sharing them across examples is fine.
PROPERTY = settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def check_offset(instant: datetime, n: int, ch) -> None:
    zone = ZoneInfo(ch.timezone)
    local = instant.astimezone(zone)
    result = cal.add_business_days(instant, n, ch)

    assert result.tzinfo == UTC
    result_local = result.astimezone(zone)
    assert result_local.date() == oracle_offset(local.date(), n, oracle_for(ch))
    on_business_day = bool(np.is_busday(local.date(), busdaycal=numpy_calendar(oracle_for(ch))))
    expected_wall = local.time() if on_business_day else time(0)
    assert result_local.time() == expected_wall


@PROPERTY
@given(instant=instants, n=st.integers(0, 60), ch=st.sampled_from(CHAPTERS))
def test_add_business_days_matches_numpy(instant, n, ch):
    check_offset(instant, n, ch)


@PROPERTY
@given(instant=instants, n=st.integers(-60, -1), ch=st.sampled_from(CHAPTERS))
def test_negative_offsets_match_numpy(instant, n, ch):
    check_offset(instant, n, ch)


@PROPERTY
@given(start=instants, end=instants, ch=st.sampled_from(CHAPTERS))
def test_business_days_between_matches_numpy(start, end, ch):
    zone = ZoneInfo(ch.timezone)
    a, b = start.astimezone(zone).date(), end.astimezone(zone).date()
    expected = int(np.busday_count(a, b, busdaycal=numpy_calendar(oracle_for(ch))))
    assert cal.business_days_between(start, end, ch) == expected


@settings(max_examples=200, deadline=None)
@given(day=st.dates(date(2015, 1, 1), date(2045, 12, 31)), ch=st.sampled_from(CHAPTERS))
def test_is_business_day_matches_numpy(day, ch):
    c = cal.calendar_for(ch)
    assert c.is_business_day(day) == bool(np.is_busday(day, busdaycal=numpy_calendar(oracle_for(ch))))


@pytest.mark.parametrize("state", STATES)
def test_each_states_days_off_are_the_oracles(state):
    ch = next(c for c in CHAPTERS if c.state == state)
    mine = [d for d in cal.calendar_for(ch).holidays if date(2014, 1, 1) <= d <= date(2046, 12, 31)]
    assert mine == list(oracle_for(ch))


def test_offset_then_count_round_trips():
    # n business days after a business day are exactly n business days away.
    ch = chapter()
    start = eastern(2026, 11, 20, 9)
    for n in range(0, 40):
        end = cal.add_business_days(start, n, ch)
        assert cal.business_days_between(start, end, ch) == n
        assert end - start >= timedelta(days=n)
