"""Local days and business days of many instants, in constant time each.

The aggregate reports stream up to a million rows, each with several instants. Calling the
calendar for each (a time-zone conversion and a bisect) is correct but too slow at that
scale, so this module precomputes, for the range of instants a report will meet:

- per time zone, the local day number of every "granule" of UTC time (an hour, or a quarter
  of an hour when some zone in use has a half-hour offset): the UTC offset in force at that
  instant decides the local date, DST included;
- per chapter calendar, the number of business days before each of those local days.

Then `local_day` and `business_index` are one integer division and one list lookup, and the
business days between two instants are the difference of their business indexes — the same
number `calendar.business_days_between` gives (numpy.busday_count on the local dates).
"""

from __future__ import annotations

from datetime import date, datetime

from score_cli.domain import calendar
from score_cli.services.reports.common import ChapterInfo
from score_cli.services.timefmt import zone

DAY = 86_400
UNIX_DAY_ZERO = date(1970, 1, 1).toordinal()


def _offset(tz, epoch: int) -> int:
    return int(datetime.fromtimestamp(epoch, tz).utcoffset().total_seconds())


class DayIndex:
    """Local day numbers (days since 1970-01-01 local) and business indexes per chapter."""

    def __init__(self, chapters: dict[str, ChapterInfo], lo_epoch: int, hi_epoch: int):
        lo_epoch = (lo_epoch // DAY - 2) * DAY  # whole UTC days, with a margin either side
        hi_epoch = (hi_epoch // DAY + 3) * DAY
        zones = sorted({ch.timezone for ch in chapters.values()})
        offsets = {tz: self._offsets(tz, lo_epoch, hi_epoch) for tz in zones}
        self.granule = 3600 if all(o % 3600 == 0 for day in offsets.values() for o in day) else 900
        self.first = lo_epoch // self.granule
        self.size = (hi_epoch - lo_epoch) // self.granule
        self.lo, self.hi = lo_epoch, hi_epoch
        self._days = {tz: self._local_days(tz, offsets[tz], lo_epoch) for tz in zones}
        first_day = min((days[0] for days in self._days.values()), default=0)
        last_day = max((days[-1] for days in self._days.values()), default=0)
        self.first_monday = monday_number(first_day)
        self.week_count = (last_day - self.first_monday) // 7 + 1
        _weeks = {tz: [(d - self.first_monday) // 7 for d in days] for tz, days in self._days.items()}
        self.local_days: dict[str, list[int]] = {}
        self.weeks: dict[str, list[int]] = {}  # week of each granule, counted from `first_monday`
        self.business: dict[str, list[int]] = {}
        by_calendar: dict[int, list[int]] = {}
        for code, ch in chapters.items():
            days = self._days[ch.timezone]
            cal = calendar.calendar_for(ch)
            key = id(cal)
            if key not in by_calendar:
                by_calendar[key] = self._business(cal, days)
            self.local_days[code] = days
            self.weeks[code] = _weeks[ch.timezone]
            self.business[code] = by_calendar[key]

    @staticmethod
    def _offsets(tz_name: str, lo: int, hi: int) -> list[int]:
        """The UTC offset at the start of each UTC day, and where it changes within one, each hour."""
        tz = zone(tz_name)
        return [_offset(tz, e) for e in range(lo, hi + DAY, DAY)]

    def _local_days(self, tz_name: str, day_offsets: list[int], lo: int) -> list[int]:
        tz, g = zone(tz_name), self.granule
        per_day = DAY // g
        days: list[int] = []
        for i in range(len(day_offsets) - 1):
            start = lo + i * DAY
            if day_offsets[i] == day_offsets[i + 1] == _offset(tz, start + DAY - g):
                off = day_offsets[i]
                days.extend((start + k * g + off) // DAY for k in range(per_day))
            else:  # a change of offset during this UTC day: look at every granule
                days.extend((start + k * g + _offset(tz, start + k * g)) // DAY for k in range(per_day))
        return days

    @staticmethod
    def _business(cal, days: list[int]) -> list[int]:
        """Business days before each local day (relative to the first), as calendar._index does."""
        first, last = min(days), max(days)
        before, count = [], 0
        for n in range(first, last + 1):
            before.append(count)
            if cal.is_business_day(date.fromordinal(n + UNIX_DAY_ZERO)):
                count += 1
        return [before[d - first] for d in days]

    def granule_of(self, epoch: int) -> int:
        """The position of `epoch` in the tables; ValueError outside the range they cover."""
        k = epoch // self.granule - self.first
        if not 0 <= k < self.size:
            raise ValueError(f"instant {epoch} is outside the prepared range")
        return k

    def local_date(self, code: str, epoch: int) -> date:
        return date.fromordinal(self.local_days[code][self.granule_of(epoch)] + UNIX_DAY_ZERO)

    def business_days_between(self, code: str, start: int, end: int) -> int:
        """numpy.busday_count of the local dates (end >= start)."""
        table = self.business[code]
        return table[self.granule_of(end)] - table[self.granule_of(start)]


    def week_start(self, week: int) -> date:
        """The Monday of a week counted as in `weeks`."""
        return date.fromordinal(self.first_monday + 7 * week + UNIX_DAY_ZERO)


def to_epoch(instant: datetime) -> int:
    return int(instant.timestamp())


def monday_number(local_day: int) -> int:
    """The Monday on or before a local day number (1970-01-01 was a Thursday)."""
    return local_day - (local_day + 3) % 7
