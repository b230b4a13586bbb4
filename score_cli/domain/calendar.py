"""Business days and deadlines (SPEC §5).

A chapter's business days are Monday to Friday in its own IANA time zone, without the US
federal holidays, its state's holidays (observed dates) and the organisation's closures
(`data/closures.csv`). The local date of every result equals
``numpy.busday_offset(local_date, n, roll='forward', holidays=cal.holidays)``.

This module knows nothing about the database: the chapter helpers take any object with
``timezone``, ``state`` and ``code`` attributes.
"""

from __future__ import annotations

import csv
import os
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import date, datetime, time, timezone
from functools import lru_cache
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from score_cli.data import data_dir

FIRST_YEAR = 2000
LAST_YEAR = 2060

CLOSURES_FILE = "closures.csv"
CLOSURES_HEADER = ["date", "chapter", "reason"]
# date.fromisoformat also accepts "20261224" and week dates; the file format is stricter.
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CODE_RE = re.compile(r"[A-Za-z0-9_-]+")


class ChapterLike(Protocol):
    timezone: str
    state: str | None
    code: str


@lru_cache(maxsize=None)
def us_holidays(state: str | None, first_year: int, last_year: int) -> frozenset[date]:
    """Federal + `state` holidays (observed dates included), computed once per state.

    The two sets are united because the `holidays` package applies a state's own observance
    rule to the shared holidays: for MA it only moves Sunday holidays, so the federal
    "Independence Day (observed)" on Fri 2026-07-03 would otherwise be lost.

    Computing sixty years of holidays takes most of a second, so the result is kept in the
    user's cache directory, keyed by the `holidays` package's version.
    """
    cached = _read_cache(state, first_year, last_year)
    if cached is not None:
        return cached
    # Imported here: loading `holidays` imports every country, a cost only the commands
    # that compute deadlines should pay, and only when the cache is cold.
    import holidays

    if state is not None and state not in holidays.US.subdivisions:
        raise ValueError(f"unknown US state {state!r}")
    years = range(first_year, last_year + 1)
    days = set(holidays.country_holidays("US", years=years, observed=True))
    if state is not None:
        days |= set(holidays.country_holidays("US", subdiv=state, years=years, observed=True))
    _write_cache(state, first_year, last_year, days)
    return frozenset(days)


@lru_cache(maxsize=1)
def _cache_dir() -> tuple[Path, str] | None:
    """Where the holiday files are, and the `holidays` version they are keyed by: read once, as
    finding a package's version takes milliseconds and a national report opens sixty calendars."""
    try:
        from importlib.metadata import version

        from platformdirs import user_cache_path

        return user_cache_path("score", appauthor=False), version("holidays")
    except Exception:  # noqa: BLE001 - no cache is only slower
        return None


def _cache_file(state: str | None, first_year: int, last_year: int) -> Path | None:
    found = _cache_dir()
    if found is None:
        return None
    folder, version = found
    return folder / f"holidays-{version}-US-{state or 'federal'}-{first_year}-{last_year}.txt"


def _read_cache(state: str | None, first_year: int, last_year: int) -> frozenset[date] | None:
    path = _cache_file(state, first_year, last_year)
    try:
        text = path.read_text(encoding="ascii") if path else None
        return frozenset(date.fromisoformat(line) for line in text.split()) if text else None
    except (OSError, ValueError):
        return None


def _write_cache(state: str | None, first_year: int, last_year: int, days: set[date]) -> None:
    path = _cache_file(state, first_year, last_year)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text("\n".join(sorted(d.isoformat() for d in days)) + "\n", encoding="ascii")
        os.replace(temporary, path)  # readers never see a half-written file
    except OSError:
        pass


@lru_cache(maxsize=4)
def _weekdays(first: int, last: int) -> tuple[int, ...]:
    """The ordinals of Monday to Friday from `first` to `last`; date.fromordinal(1) is a Monday."""
    return tuple(o for o in range(first, last + 1) if (o - 1) % 7 < 5)


class BusinessCalendar:
    """Business days of one (time zone, state, closures) combination.

    Holidays for FIRST_YEAR..LAST_YEAR are computed once (per state, shared); every lookup
    afterwards is a bisect on a sorted table of business-day ordinals.
    """

    def __init__(
        self,
        tz: str,
        state: str | None,
        closures: Iterable[date] = (),
        *,
        first_year: int = FIRST_YEAR,
        last_year: int = LAST_YEAR,
    ) -> None:
        try:
            self.zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {tz!r}") from exc
        state = (state or "").strip().upper() or None
        self.tz = tz
        self.state = state
        self.first = date(first_year, 1, 1)
        self.last = date(last_year, 12, 31)

        off = us_holidays(state, first_year, last_year) | frozenset(closures)
        self._non_working = tuple(sorted(off))

        # the weekdays with the days off cut out, slice by slice (a national report opens sixty)
        weekdays = _weekdays(self.first.toordinal(), self.last.toordinal())
        cuts = set()
        for day in off:
            i = bisect_left(weekdays, day.toordinal())
            if i < len(weekdays) and weekdays[i] == day.toordinal():  # a day off on a weekend cuts nothing
                cuts.add(i)
        self._table = []
        start = 0
        for i in sorted(cuts):
            self._table.extend(weekdays[start:i])
            start = i + 1
        self._table.extend(weekdays[start:])

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.tz!r}, {self.state!r}, {len(self._non_working)} days off)"

    @property
    def holidays(self) -> tuple[date, ...]:
        """Sorted holiday and closure dates (weekend ones included), to feed numpy as-is."""
        return self._non_working

    non_working_days = holidays

    # -- helpers -------------------------------------------------------------------------

    def _check_range(self, d: date) -> None:
        if not self.first <= d <= self.last:
            raise ValueError(f"{d} is outside the supported range {self.first}..{self.last}")

    def local(self, instant: datetime) -> datetime:
        """`instant` in the chapter's zone; naive datetimes are refused (they mean nothing)."""
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError(f"naive datetime {instant!r}: an aware instant is required")
        return instant.astimezone(self.zone)

    def _index(self, d: date) -> int:
        """Position of the first business day on or after `d` (numpy's roll='forward')."""
        self._check_range(d)
        return bisect_left(self._table, d.toordinal())

    # -- queries -------------------------------------------------------------------------

    def is_business_day(self, d: date) -> bool:
        """Whether `d` is a business day; an aware datetime is read at its local date."""
        if isinstance(d, datetime):
            d = self.local(d).date()
        i = self._index(d)
        return i < len(self._table) and self._table[i] == d.toordinal()

    def offset_date(self, d: date, n: int) -> date:
        """numpy.busday_offset(d, n, roll='forward') over this calendar."""
        i = self._index(d)
        j = i + n
        # i == len: the roll itself would leave the table, so even a negative n is unknown.
        if i == len(self._table) or not 0 <= j < len(self._table):
            raise ValueError(f"{d} + {n} business days is outside {self.first}..{self.last}")
        return date.fromordinal(self._table[j])

    def add_business_days(self, instant: datetime, n: int) -> datetime:
        """`instant` + `n` business days, as an aware UTC datetime (SPEC §5).

        The local wall-clock time is kept, or 00:00 when the local day of `instant` is not a
        business day. If that wall-clock time does not exist or is ambiguous on the result
        day (a DST change on a weekday, not the case in US zones), fold=0 decides: a time in
        a gap is read with the offset before the change (02:30 becomes 03:30), an ambiguous
        time is its first occurrence.
        """
        local = self.local(instant)
        d = local.date()
        wall = local.time() if self.is_business_day(d) else time(0)
        result = datetime.combine(self.offset_date(d, n), wall, tzinfo=self.zone)
        return result.astimezone(timezone.utc)

    def business_days_between(self, start: datetime, end: datetime) -> int:
        """numpy.busday_count on the local dates a, b: business days in [a, b) when a <= b.

        When b < a numpy counts (b, a] negated, so the result is not simply antisymmetric:
        from Saturday back to Friday is 0, from Friday to Saturday is 1.
        """
        a, b = self.local(start).date(), self.local(end).date()
        if a <= b:
            return self._index(b) - self._index(a)
        self._check_range(a)
        self._check_range(b)
        return -(bisect_right(self._table, a.toordinal()) - bisect_right(self._table, b.toordinal()))


# -- closures file -------------------------------------------------------------------------

Closures = dict[str | None, frozenset[date]]


def default_closures_path() -> Path:
    """`closures.csv` in the data directory (SCORE_DATA_DIR overrides it)."""
    return data_dir() / CLOSURES_FILE


def load_closures(path: str | Path | None = None) -> Closures:
    """Read a closures CSV: {None: organisation-wide dates, chapter code: its own dates}.

    Raises ValueError naming the file and line for any malformed row.
    """
    path = Path(path) if path is not None else default_closures_path()
    found: dict[str | None, set[date]] = {}
    # utf-8-sig: the file is often edited in a spreadsheet, which adds a BOM.
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)

        def bad(problem: str) -> ValueError:
            return ValueError(f"{path}, line {reader.line_num}: {problem}")

        header = next(reader, None)
        if header is None or [h.strip().lower() for h in header] != CLOSURES_HEADER:
            raise bad(f"expected header {','.join(CLOSURES_HEADER)!r}, got {header!r}")
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # blank lines are harmless
            if len(row) != 3:
                raise bad(f"expected 3 fields (date,chapter,reason), got {len(row)}")
            raw_date, raw_code, _reason = (cell.strip() for cell in row)
            if not _DATE_RE.fullmatch(raw_date):
                raise bad(f"date {raw_date!r} is not YYYY-MM-DD")
            try:
                day = date.fromisoformat(raw_date)
            except ValueError:
                raise bad(f"date {raw_date!r} does not exist") from None
            if raw_code and not _CODE_RE.fullmatch(raw_code):
                raise bad(f"chapter {raw_code!r} is not a chapter code")
            found.setdefault(raw_code.upper() or None, set()).add(day)
    return {code: frozenset(days) for code, days in found.items()}


# -- per-chapter helpers -----------------------------------------------------------------

_closures_path: Path | None = None  # None: the packaged file (or SCORE_DATA_DIR's)


def set_closures_path(path: str | Path | None) -> None:
    """Use another closures file (tests, a future --closures option); None restores default."""
    global _closures_path
    _closures_path = Path(path) if path is not None else None
    reset_cache()


@lru_cache(maxsize=1)
def _current_closures() -> Closures:
    return load_closures(_closures_path)


@lru_cache(maxsize=512)  # 250 chapters share far fewer (zone, state, closures) combinations
def _calendar(tz: str, state: str | None, closures: frozenset[date]) -> BusinessCalendar:
    return BusinessCalendar(tz, state, closures)


def reset_cache() -> None:
    """Forget loaded closures and built calendars (after the file changes, and in tests)."""
    _current_closures.cache_clear()
    _calendar.cache_clear()


def closures_for(chapter: ChapterLike) -> frozenset[date]:
    """The organisation's closures that apply to a chapter: org-wide ones and its own."""
    closures = _current_closures()
    code = (getattr(chapter, "code", None) or "").strip().upper()
    return closures.get(None, frozenset()) | closures.get(code, frozenset())


def calendar_for(chapter: ChapterLike) -> BusinessCalendar:
    """The (cached) calendar of a chapter: its zone, its state, org-wide + its own closures."""
    state = (chapter.state or "").strip().upper() or None
    return _calendar(chapter.timezone, state, closures_for(chapter))


def is_business_day(d: date, chapter: ChapterLike) -> bool:
    return calendar_for(chapter).is_business_day(d)


def add_business_days(instant: datetime, n: int, chapter: ChapterLike) -> datetime:
    return calendar_for(chapter).add_business_days(instant, n)


def business_days_between(start: datetime, end: datetime, chapter: ChapterLike) -> int:
    return calendar_for(chapter).business_days_between(start, end)


def local_date(instant: datetime, timezone_name: str) -> date:
    """The rulebook's "today" for a chapter: the date in its own time zone at `instant` (pause
    days, the day a deadline falls on, the day a session is dated)."""
    return instant.astimezone(_zone(timezone_name)).date()


@lru_cache(maxsize=128)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
