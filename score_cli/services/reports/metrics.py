"""`score report metrics`: how long clients wait at each step (SOP "Metrics and Reporting").

The cohort is the requests submitted in the period (each chapter's own dates) in the scope.
Four intervals, from the milestones each request carries (written once, when first reached):

    submission_to_first_assignment   submitted_at      -> first_assigned_at
    assignment_to_acceptance         first_assigned_at -> first_accepted_at
    acceptance_to_first_session      first_accepted_at -> first_session_at
    submission_to_first_session      submitted_at      -> first_session_at

`first_session_at` is when the first session's notes were entered (the SOP's "days to first
session notes entered"). For each interval a request that reached its start is exactly one of:

- completed: it reached the end; its duration counts in the mean, median and 90th percentile;
- still waiting: open and not at the end yet; counted with its age so far (now - start),
  reported beside the completed ones and never dropped; `mean_days_including_waiting` adds
  those ages to the completed durations: a lower bound of the true mean;
- closed before reaching: closed (withdrawn, no response, ...) without reaching the end.

Days are calendar days (exact, in days and fractions) and business days (the chapter's
calendar: numpy.busday_count on the local dates). Medians and percentiles interpolate linearly
between the two nearest ranks (numpy's default); calendar-day durations are gathered in
buckets of 0.001 day (86.4 s), each standing for its middle, so that memory stays flat whatever
the number of requests. The weekly trend gives counts and means. Instants are clamped to the
range the day tables cover; a milestone recorded before its own request's submission (broken
data) would give a negative duration and upset that week's packed sums (see `_unpack`).

The rows are streamed from one query (integers computed by the database, no ORM objects) and
each instant is placed with the precomputed tables of `days.DayIndex`. The weekly trend is by
the week (Monday to Sunday, chapter's local dates) of submission.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta, timezone
from math import floor

from sqlalchemy import and_, case, func, select

from score_cli import clock
from score_cli.services.reports.common import Period, Run, as_utc, epoch, open_run, period_where, recent, streamed
from score_cli.services.reports.days import DayIndex, to_epoch
from score_cli.services.organisation.scope import Scope
from score_cli.store.db import Store
from score_cli.store.models import MentoringRequest
from score_cli.domain.vocabulary import CLOSED_STATUSES, Status

INTERVALS = (
    ("submission_to_first_assignment", "submitted", "first assigned"),
    ("assignment_to_acceptance", "first assigned", "first accepted"),
    ("acceptance_to_first_session", "first accepted", "first session entered"),
    ("submission_to_first_session", "submitted", "first session entered"),
)
# positions of (start, end) among the instants (submitted, assigned, accepted, session)
PAIRS = ((0, 1), (1, 2), (2, 3), (0, 3))
BUCKETS_PER_DAY = 1000
DAY = 86_400
STREAM_BATCH = 20_000


def cohort_where(run: Run):
    """The requests of the report: in scope (or owned by the actor with --mine), submitted in the period."""
    R = MentoringRequest
    clauses = []
    if run.mine:
        clauses.append(R.owner_id == run.actor.id)
    else:
        where = run.chapter_where(R.chapter_code)
        if where is not None:
            clauses.append(where)
    in_period = period_where(run, R.submitted_at, R.chapter_code)
    if in_period is not None:
        clauses.append(in_period)
    return and_(*clauses) if clauses else None


# A completed (or waiting) duration is counted in one histogram per interval under one key
# that packs its calendar bucket (0.001 day) and its business days: one dict update a row.
_SHIFT = 20
_OFFSET = 1 << 19  # business days are stored as bd + _OFFSET, so negative ones fit too
_MASK = (1 << _SHIFT) - 1


def _key(seconds: int, business: int) -> int:
    return ((seconds * BUCKETS_PER_DAY // DAY) << _SHIFT) + business + _OFFSET


class _Durations:
    """The durations of one interval, unpacked from the packed histogram."""

    def __init__(self, packed: dict[int, int]):
        self.cal: dict[int, int] = defaultdict(int)
        self.bus: dict[int, int] = defaultdict(int)
        for key, count in packed.items():
            self.cal[key >> _SHIFT] += count
            self.bus[(key & _MASK) - _OFFSET] += count
        self.n = sum(packed.values())

    def summary(self, prefix: str = "") -> dict:
        n, half = self.n, 0.5 / BUCKETS_PER_DAY  # a bucket stands for its middle
        cal_sum = sum((b / BUCKETS_PER_DAY + half) * k for b, k in self.cal.items())
        bus_sum = sum(b * k for b, k in self.bus.items())
        return {
            f"{prefix}mean_days": _round(cal_sum / n) if n else None,
            f"{prefix}median_days": _round(quantile(self.cal, n, 0.5, half, 1 / BUCKETS_PER_DAY)),
            f"{prefix}p90_days": _round(quantile(self.cal, n, 0.9, half, 1 / BUCKETS_PER_DAY)),
            f"{prefix}mean_business_days": _round(bus_sum / n) if n else None,
            f"{prefix}median_business_days": _round(quantile(self.bus, n, 0.5)),
            f"{prefix}p90_business_days": _round(quantile(self.bus, n, 0.9)),
        }

    def totals(self) -> tuple[float, int]:
        half = 0.5 / BUCKETS_PER_DAY
        return (sum((b / BUCKETS_PER_DAY + half) * k for b, k in self.cal.items()),
                sum(b * k for b, k in self.bus.items()))

    def maxima(self) -> tuple[float | None, int | None]:
        if not self.n:
            return None, None
        return _round(max(self.cal) / BUCKETS_PER_DAY + 0.5 / BUCKETS_PER_DAY), max(self.bus)


def quantile(hist: dict[int, int], n: int, p: float, shift: float = 0.0, scale: float = 1.0) -> float | None:
    """The p-quantile of the values `key * scale + shift`, each counted `hist[key]` times.

    Linear interpolation between the closest ranks: rank p * (n - 1), counted from 0.
    """
    if not n:
        return None
    rank = p * (n - 1)
    lo, frac = floor(rank), rank - floor(rank)
    hi = lo + 1 if frac else lo
    seen, low_value, high_value = 0, None, None
    for key in sorted(hist):
        seen += hist[key]
        if low_value is None and seen > lo:
            low_value = key
        if seen > hi:
            high_value = key
            break
    if high_value is None:
        high_value = low_value
    return (low_value + (high_value - low_value) * frac) * scale + shift


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


# --- the query -------------------------------------------------------------------------


def _submission_bounds(session) -> tuple[datetime | None, datetime | None]:
    """The first and last submission in the store, from the (status, submitted_at) index."""
    R = MentoringRequest
    firsts = [select(func.min(R.submitted_at)).where(R.status == str(s)).scalar_subquery() for s in Status]
    lasts = [select(func.max(R.submitted_at)).where(R.status == str(s)).scalar_subquery() for s in Status]
    found = session.execute(select(*firsts, *lasts)).one()
    values = [v for v in found if v is not None]
    if not values:
        return None, None
    first = [v for v in found[: len(firsts)] if v is not None]
    last = [v for v in found[len(firsts):] if v is not None]
    return as_utc(min(first)), as_utc(max(last))


def _clamped(session, column, lo: int, hi: int):
    """Seconds since 1970 of `column`, kept within [lo, hi] (the prepared range); NULL stays NULL."""
    seconds = epoch(session, column)
    if session.get_bind().dialect.name == "sqlite":
        return func.min(func.max(seconds, lo), hi)  # SQLite's scalar min/max: NULL if any is NULL
    return case((column.is_(None), None), else_=func.least(func.greatest(seconds, lo), hi))


def metrics(store: Store, actor_email: str | None, scope: Scope | None, period: Period | None = None, *,
            weekly: bool = False) -> list[dict]:
    """One row per interval; with `weekly`, one row per (week of submission, interval)."""
    with store.reading() as session:
        now = clock.now()
        run = open_run(session, actor_email, scope, recent(period, now), now)
        first, last = _submission_bounds(session)
        done = [defaultdict(int) for _ in INTERVALS]
        waiting = [defaultdict(int) for _ in INTERVALS]
        closed_before = [0] * len(INTERVALS)
        index, trend, per_week = None, [], []
        if first is not None:
            lo_instant = first
            if run.period.start is not None:  # no local date starts more than a day before UTC's
                lo_instant = max(first, datetime.combine(run.period.start - timedelta(days=1), time(0), timezone.utc))
            lo, hi = to_epoch(lo_instant) - 2 * DAY, max(to_epoch(now), to_epoch(last)) + 2 * DAY
        if first is not None and lo < hi:  # a period starting after every request: nothing to count
            index = DayIndex(run.chapters, lo, hi)
            trend = [0] * (index.week_count * len(INTERVALS) * 2)
            per_week = [0] * index.week_count
            R = MentoringRequest
            closed = case((R.status.in_([str(s) for s in CLOSED_STATUSES]), 1), else_=0)
            marks = [R.submitted_at, R.first_assigned_at, R.first_accepted_at, R.first_session_at]
            query = select(R.chapter_code, closed, *[_clamped(session, m, index.lo, index.hi - 1) for m in marks])
            where = cohort_where(run)
            if where is not None:
                query = query.where(where)
            with streamed(session, query) as cursor:
                _stream(cursor, index, to_epoch(now), done, waiting, closed_before, trend, per_week)
        cohort = sum(per_week)
        weeks = _weeks(index, trend, per_week)
        if weekly:
            return [{"interval": name, **week[i], **run.describe()}
                    for week in weeks for i, (name, _a, _b) in enumerate(INTERVALS)]
        return [_row(run, i, cohort, done[i], waiting[i], closed_before[i], weeks) for i in range(len(INTERVALS))]


# A week's completed durations of one interval are summed in one integer: count * 2**100 +
# business days * 2**50 + seconds (one list update a row instead of three).
_COUNT, _DAYS = 100, 50


def _unpack(total: int) -> tuple[int, int, int]:
    """(count, business days, seconds) from a packed weekly sum (business days may be negative)."""
    seconds = total & ((1 << _DAYS) - 1)
    rest = (total - seconds) >> _DAYS
    count = (rest + (1 << (_COUNT - _DAYS - 1))) >> (_COUNT - _DAYS)
    return count, rest - (count << (_COUNT - _DAYS)), seconds


def _stream(cursor, index: DayIndex, now_s: int, done, waiting, closed_before, trend, per_week) -> None:
    """The one pass over the cohort, unrolled by interval: O(1) work and memory a row.

    `trend` holds, for each week and interval, 2 numbers: the packed completed durations
    (see `_unpack`) and the number still waiting.
    """
    g, g0 = index.granule, index.first
    business, weeks = index.business, index.weeks
    now_k = now_s // g - g0
    d0, d1, d2, d3 = done
    w0, w1, w2, w3 = waiting
    B, ONE, S, OFF = BUCKETS_PER_DAY, 1 << _COUNT, _SHIFT, _OFFSET
    while True:
        rows = cursor.fetchmany(STREAM_BATCH)
        if not rows:
            break
        for code, closed, s, a, c, x in rows:
            bus = business[code]
            ks = s // g - g0
            bs = bus[ks]
            week = weeks[code][ks]
            per_week[week] += 1
            t = week * 8
            # submission -> first assignment
            if a is not None:
                ba = bus[a // g - g0]
                bd = ba - bs
                d0[(((a - s) * B // DAY) << S) + bd + OFF] += 1
                trend[t] += ONE + (bd << _DAYS) + a - s
            elif closed:
                closed_before[0] += 1
            else:
                w0[(((now_s - s) * B // DAY) << S) + bus[now_k] - bs + OFF] += 1
                trend[t + 1] += 1
            # first assignment -> first acceptance
            if a is not None:
                if c is not None:
                    bc = bus[c // g - g0]
                    bd = bc - ba
                    d1[(((c - a) * B // DAY) << S) + bd + OFF] += 1
                    trend[t + 2] += ONE + (bd << _DAYS) + c - a
                elif closed:
                    closed_before[1] += 1
                else:
                    w1[(((now_s - a) * B // DAY) << S) + bus[now_k] - ba + OFF] += 1
                    trend[t + 3] += 1
            # first acceptance -> first session
            if c is not None:
                if a is None:
                    bc = bus[c // g - g0]
                if x is not None:
                    bx = bus[x // g - g0]
                    bd = bx - bc
                    d2[(((x - c) * B // DAY) << S) + bd + OFF] += 1
                    trend[t + 4] += ONE + (bd << _DAYS) + x - c
                elif closed:
                    closed_before[2] += 1
                else:
                    w2[(((now_s - c) * B // DAY) << S) + bus[now_k] - bc + OFF] += 1
                    trend[t + 5] += 1
            # submission -> first session
            if x is not None:
                if c is None:
                    bx = bus[x // g - g0]
                bd = bx - bs
                d3[(((x - s) * B // DAY) << S) + bd + OFF] += 1
                trend[t + 6] += ONE + (bd << _DAYS) + x - s
            elif closed:
                closed_before[3] += 1
            else:
                w3[(((now_s - s) * B // DAY) << S) + bus[now_k] - bs + OFF] += 1
                trend[t + 7] += 1


def _weeks(index: DayIndex | None, trend: list[int], per_week: list[int]) -> list[list[dict]]:
    """For each week with submissions: one dict per interval."""
    out = []
    for week, submitted in enumerate(per_week):
        if not submitted:
            continue
        cells = []
        for i in range(len(INTERVALS)):
            n, bd_sum, seconds = _unpack(trend[week * 8 + i * 2])
            still = trend[week * 8 + i * 2 + 1]
            cells.append({"week_start": index.week_start(week), "submitted": submitted, "completed": n,
                          "mean_days": _round(seconds / n / DAY) if n else None,
                          "mean_business_days": _round(bd_sum / n) if n else None, "still_waiting": still})
        out.append(cells)
    return out


def _row(run: Run, i: int, cohort: int, done: dict, waiting: dict, closed_before: int, weeks) -> dict:
    name, start, end = INTERVALS[i]
    completed, still = _Durations(done), _Durations(waiting)
    both = completed.n + still.n
    (cal_done, bus_done), (cal_wait, bus_wait) = completed.totals(), still.totals()
    max_days, max_business = still.maxima()
    return {
        "interval": name, "from_event": start, "to_event": end, **run.describe(),
        "cohort": cohort, "reached_start": both + closed_before,
        "completed": completed.n, **completed.summary(),
        "still_waiting": still.n, **still.summary("waiting_"),
        "waiting_max_days": max_days, "waiting_max_business_days": max_business,
        "closed_before_reaching": closed_before,
        "mean_days_including_waiting": _round((cal_done + cal_wait) / both) if both else None,
        "mean_business_days_including_waiting": _round((bus_done + bus_wait) / both) if both else None,
        "weekly": [week[i] for week in weeks],
    }
