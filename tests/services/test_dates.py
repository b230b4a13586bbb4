"""Dates as people type them."""

import os
import time
from datetime import date

import pytest
from freezegun import freeze_time

from score_cli.domain.errors import Invalid
from score_cli.services.validate import calendar_date


@pytest.fixture
def in_new_york():
    """The terminal's clock set to New York, as `TZ` does for a command."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_today_is_the_date_on_the_terminal_not_the_date_in_greenwich(in_new_york):
    with freeze_time("2026-11-24 03:30:00"):  # 22:30 on the 23rd in New York
        assert calendar_date("today") == date(2026, 11, 23)
        assert calendar_date(" Today ") == date(2026, 11, 23)
    with freeze_time("2026-11-24 05:30:00"):  # 00:30 on the 24th
        assert calendar_date("today") == date(2026, 11, 24)


@pytest.mark.parametrize("typed", ["2026-11-23", "11/23/2026", "23 Nov 2026", "Nov 23, 2026"])
def test_the_ways_people_write_a_date(typed):
    assert calendar_date(typed) == date(2026, 11, 23)


@pytest.mark.parametrize("typed", ["", "tomorrow", "2026-02-30", "13/45/2026"])
def test_a_date_that_is_not_one_is_named(typed):
    with pytest.raises(Invalid, match="not a valid --from"):
        calendar_date(typed, what="--from")


@pytest.mark.parametrize("typed", ["Nov 3", "3 November", "11/3"])
def test_a_date_without_a_year_is_in_this_year(typed):
    with freeze_time("2026-11-24 15:00:00"):
        assert calendar_date(typed) == date(2026, 11, 3)
