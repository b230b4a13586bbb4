"""Every time rule of the articles, each stated once (SPEC §3, §4, §5, §6).

- accept due: assigned + 2 business days ("Accept all MRE assignments within two business days")
- timeout: assigned + 5 business days (the intake guide's "5 business days")
- session notes due: by the end of the first business day after the session
- contact window: acceptance + 14 calendar days, the local wall-clock time kept across DST
- no_response: "close out MRE after two weeks, following three attempts to contact";
  "three separate occasions within a two-week span" (see `no_response_readiness`)
- long pause: paused more than 30 days; accepted tally: the last 60 days;
  weekly capacity and direct-request limits count the last 7 days

Pure: chapters are any object with `timezone`, `state` and `code` (calendar.ChapterLike).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from score_cli.domain import calendar

ACCEPT_DUE_BUSINESS_DAYS = 2
TIMEOUT_BUSINESS_DAYS = 5
# what the history and the assignment say when the sweep returns an unaccepted assignment
TIMEOUT_REASON = "not accepted within five business days"
TIMEOUT_OUTCOME_REASON = "not accepted in time"
SESSION_NOTES_BUSINESS_DAYS = 1
CONTACT_WINDOW_DAYS = 14
CONTACT_ATTEMPTS_EXPECTED = 3
LONG_PAUSE_DAYS = 30
ACCEPTED_TALLY_DAYS = 60
WEEK = timedelta(days=7)

# A window kept in local wall-clock time ends at most this far from the same span in UTC
# (a DST change moves US clocks by one hour); SQL pre-filters with it, Python decides.
DST_SLACK = timedelta(hours=1)


@dataclass(frozen=True)
class AssignmentDeadlines:
    accept_due_at: datetime
    timeout_at: datetime


def assignment_deadlines(assigned_at: datetime, chapter: calendar.ChapterLike) -> AssignmentDeadlines:
    """Accept due and timeout of an assignment made at `assigned_at`, as UTC instants."""
    cal = calendar.calendar_for(chapter)
    return AssignmentDeadlines(cal.add_business_days(assigned_at, ACCEPT_DUE_BUSINESS_DAYS),
                               cal.add_business_days(assigned_at, TIMEOUT_BUSINESS_DAYS))


def session_notes_due_at(session_date: date, chapter: calendar.ChapterLike) -> datetime:
    """The end of the first business day after `session_date`: 00:00 local of the next calendar day."""
    cal = calendar.calendar_for(chapter)
    due_day = cal.offset_date(session_date + timedelta(days=1), SESSION_NOTES_BUSINESS_DAYS - 1)
    return datetime.combine(due_day + timedelta(days=1), time(0), tzinfo=cal.zone).astimezone(timezone.utc)


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def calendar_days_later(instant: datetime, days: int, tz: str | ZoneInfo) -> datetime:
    """`instant` + `days` calendar days at the same local wall-clock time, as a UTC instant."""
    zone = _zone(tz)
    here = instant.astimezone(zone)
    later = datetime.combine(here.date() + timedelta(days=days), here.time(), tzinfo=zone)
    return later.astimezone(timezone.utc)


def contact_window_ends(accepted_at: datetime, tz: str | ZoneInfo) -> datetime:
    """Acceptance + 14 calendar days, the local wall-clock time kept across DST."""
    return calendar_days_later(accepted_at, CONTACT_WINDOW_DAYS, tz)


def long_pause(days_paused: int | None) -> bool:
    return (days_paused or 0) > LONG_PAUSE_DAYS


@dataclass(frozen=True)
class NoResponseReadiness:
    allowed: bool
    attempts: int
    days: int  # different local days with an attempt
    missing: str | None = None  # what is missing, in a coordinator's words
    allowed_from: datetime | None = None  # the earliest it can be allowed (UTC), when known


def no_response_readiness(attempts_at: Iterable[datetime], chapter: calendar.ChapterLike,
                          now: datetime) -> NoResponseReadiness:
    """May the request be closed as no_response now?

    `attempts_at`: the times of the contact attempts the current owner made since accepting
    the request (the first message given at acceptance counts). The rule: attempts on at least
    3 different days of the chapter's calendar (its local dates), and at least 14 calendar days
    since the first of them (local wall-clock time kept), so "three separate occasions within a
    two-week span" and "close out after two weeks". When not yet, `missing` says what is
    missing and `allowed_from` the earliest moment it could be allowed (attempts still to make
    are assumed to be made one a day from today).
    """
    zone = _zone(chapter.timezone)
    times = sorted(attempts_at)
    days = sorted({t.astimezone(zone).date() for t in times})
    today = now.astimezone(zone).date()
    window_end = contact_window_ends(times[0], zone) if times else calendar_days_later(now, CONTACT_WINDOW_DAYS, zone)
    days_missing = max(0, CONTACT_ATTEMPTS_EXPECTED - len(days))
    if days_missing == 0 and window_end <= now:
        return NoResponseReadiness(True, len(times), len(days))
    missing = []
    earliest = window_end
    if days_missing:
        missing.append(f"{days_missing} more contact attempt(s) on different days (has {len(times)}"
                       f" on {len(days)} day(s); {CONTACT_ATTEMPTS_EXPECTED} days are needed)")
        first_free = today if today not in days else today + timedelta(days=1)
        last_day = first_free + timedelta(days=days_missing - 1)
        on_day = now if last_day == today else datetime.combine(last_day, time(0), tzinfo=zone)
        earliest = max(earliest, on_day.astimezone(timezone.utc))
    if window_end > now:
        since = "the first attempt" if times else "a first attempt"
        missing.append(f"{CONTACT_WINDOW_DAYS} days since {since}")
    return NoResponseReadiness(False, len(times), len(days), "; ".join(missing), earliest)
