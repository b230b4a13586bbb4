"""Showcase scripts: forced choices for a few recent requests.

However small the demo, the tour needs an assignment past its accept-due, one past its
timeout that the sweep has not handled yet, requests back in the queue after a decline and
after a timeout, a stale new request and one waiting in the national queue. A request whose
submission time fits a script, while that script's quota lasts, plays it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from score_cli.demo.organisation import ChapterInfo
from score_cli.demo.timeline import next_sweep


@dataclass(frozen=True)
class Script:
    """Forced choices for a few recent requests, so that the sweep, `queue --overdue` and the
    not-assigned report always have something to show, however small the demo."""

    name: str
    answers: tuple = ()  # forced answers to the first assignments ("ignored": never answered)
    hold_after: int | None = None  # the queue is not worked once this many assignments ended


SCRIPTS = (
    Script("overdue_accept", answers=("ignored",)),
    Script("past_timeout", answers=("ignored",)),
    Script("pending_after_decline", answers=("decline",), hold_after=1),
    Script("pending_after_timeout", answers=("timeout",), hold_after=1),
    Script("stale_new", hold_after=0),
    Script("national_waiting", hold_after=0),  # in the national queue: a chapter not live
)
QUICK_ASSIGN = timedelta(hours=3)  # a scripted request is assigned within 3 hours


def script_fits(script: Script, submitted: datetime, now: datetime, chapter: ChapterInfo) -> bool:
    """Whether a request submitted then, assigned within QUICK_ASSIGN, ends up as the script
    wants at `now` (deadlines are monotonic in the assignment time, so bounds suffice)."""
    age, cal = now - submitted, chapter.cal
    if age > timedelta(days=26) or age < timedelta(hours=4):
        return False
    if (script.name == "national_waiting") == chapter.live:
        return False
    latest = submitted + QUICK_ASSIGN
    if script.name == "national_waiting":
        return timedelta(days=1) < age < timedelta(days=25)
    if script.name == "overdue_accept":
        return cal.add_business_days(latest, 2) < now - timedelta(hours=1) < cal.add_business_days(submitted, 5)
    if script.name == "past_timeout":
        return now - timedelta(days=3) < cal.add_business_days(submitted, 5) <= cal.add_business_days(latest, 5) < now
    if script.name == "pending_after_decline":
        return timedelta(days=3) < age < timedelta(days=10)
    if script.name == "pending_after_timeout":
        return next_sweep(cal.add_business_days(latest, 5)) + timedelta(minutes=10) < now
    return timedelta(days=10) < age < timedelta(days=25)  # stale_new
