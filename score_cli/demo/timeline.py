"""Time for the demo: when requests arrive, and local working hours in a chapter.

Deadlines come from `score_cli.domain.calendar`, so the demo agrees with what the services compute.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, datetime, time, timedelta, timezone
from itertools import accumulate
from random import Random
from zoneinfo import ZoneInfo

from score_cli.domain import calendar

UTC = timezone.utc
DAYS_OF_HISTORY = 365
# Web submissions follow US office hours loosely; the profile is read in US Central time.
_CENTRAL_OFFSET = timedelta(hours=-6)
_HOUR_WEIGHT = (
    0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.4, 0.7, 1.0, 1.2, 1.3, 1.3,
    1.2, 1.3, 1.3, 1.2, 1.1, 1.0, 0.9, 0.9, 0.8, 0.7, 0.5, 0.3,
)
_WEEKEND_WEIGHT = 0.45
_GROWTH = 0.8  # the newest day gets 1.8 times the requests of the oldest: demand grows


class SubmissionClock:
    """Submission instants for request 0..n-1, increasing with the index.

    Request i lands at quantile (i + u)/n of a density over the last 365 days that grows
    toward `now` and follows weekdays and office hours. Increasing with i means request
    ids follow submission order, as they do in a real store, and the generator can
    stream requests in time order (the weekly direct-request limit depends on that).
    """

    def __init__(self, now: datetime, n: int):
        self.start = now - timedelta(days=DAYS_OF_HISTORY)
        self.n = max(n, 1)
        hours = DAYS_OF_HISTORY * 24
        weights = []
        for h in range(hours):
            central = self.start + timedelta(hours=h) + _CENTRAL_OFFSET
            w = _HOUR_WEIGHT[central.hour] * (1 + _GROWTH * h / hours)
            weights.append(w * (_WEEKEND_WEIGHT if central.weekday() >= 5 else 1.0))
        self._weights = weights
        self._cumulative = list(accumulate(weights))
        self._total = self._cumulative[-1]

    def at(self, i: int, jitter: float) -> datetime:
        target = (i + jitter) / self.n * self._total
        hour = min(bisect_left(self._cumulative, target), len(self._weights) - 1)
        before = self._cumulative[hour - 1] if hour else 0.0
        fraction = min(max((target - before) / self._weights[hour], 0.0), 0.999)
        return self.start + timedelta(hours=hour + fraction)


class Horizon(Exception):
    """The next step of a request would happen after `now`: its simulation stops there."""


def local_instant(day: date, minutes: float, zone: ZoneInfo) -> datetime:
    """`minutes` after local midnight of `day`, as an aware UTC instant."""
    m = int(minutes)
    return datetime.combine(day, time(m // 60, m % 60), tzinfo=zone).astimezone(UTC)


def working_time(rng: Random, day: date, zone: ZoneInfo, first_hour: int, last_hour: int) -> datetime:
    """A random moment of `day` between first_hour:00 and last_hour:00 local."""
    return local_instant(day, rng.uniform(first_hour * 60, last_hour * 60 - 1), zone)


def awake(t: datetime, zone: ZoneInfo) -> datetime:
    """People act between 07:00 and 22:00 local; a later hour moves to the next morning."""
    local = t.astimezone(zone)
    if 7 <= local.hour < 22:
        return t
    day = local.date() + timedelta(days=1) if local.hour >= 22 else local.date()
    return local_instant(day, 7 * 60 + local.minute, zone)


def demo_now(t: datetime) -> datetime:
    """The moment a demo built at `t` is built as of: 05:00 UTC of the day (of the day before,
    before 05:00), an hour before the nightly sweep."""
    t = t.astimezone(UTC)
    anchor = t.replace(hour=5, minute=0, second=0, microsecond=0)
    return anchor if anchor <= t else anchor - timedelta(days=1)


# The one moment every demo is simulated as of (a Monday, 05:00 UTC); a demo built on another
# day is that simulation moved by whole days (`demo_shift`), so the same seed gives the same
# requests, ids, names and statuses on any day, with every date the same number of days from
# the day it is built.
REFERENCE = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


def demo_shift(t: datetime) -> timedelta:
    """How far a demo built at `t` moves the simulation of `REFERENCE`: whole days."""
    return demo_now(t) - REFERENCE


def next_sweep(t: datetime) -> datetime:
    """The nightly `score sweep` runs at 06:00 UTC (01:00 Eastern)."""
    run = t.replace(hour=6, minute=0, second=0, microsecond=0)
    return run if run > t else run + timedelta(days=1)


def calendars(chapters, now: datetime) -> dict[str, calendar.BusinessCalendar]:
    """One business calendar per chapter, as `calendar.calendar_for` builds it, but over the
    years the demo touches only: the default 61-year range costs about 1.5 s to build for
    every state, a third of the demo's budget; the answers are the same inside the range.
    """
    # The closures calendar_for uses (the packaged file, or set_closures_path's).
    closures = calendar._current_closures()
    first, last = (now - timedelta(days=DAYS_OF_HISTORY + 30)).year, (now + timedelta(days=60)).year
    shared: dict[tuple, calendar.BusinessCalendar] = {}
    result = {}
    for ch in chapters:
        days = closures.get(None, frozenset()) | closures.get(ch.code, frozenset())
        key = (ch.timezone, ch.state, days)
        if key not in shared:
            shared[key] = calendar.BusinessCalendar(ch.timezone, ch.state, days,
                                                    first_year=first, last_year=last)
        result[ch.code] = shared[key]
    return result
