"""The model of the workflow state machine (tests/reliability/test_workflow_state_machine.py).

For each request the model keeps what the workflow's rules depend on: status, owner, chapter,
sessions, contact attempts, when it was assigned, the case team's referrals. Whether an action
may start and where it leads come from the transition table
(score_cli.domain.workflow.TRANSITIONS); the guards the table does not hold (complete needs a
session, no_response three days of attempts and two weeks) are kept here.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text

from score_cli.domain.vocabulary import CLOSED_STATUSES, Status
from score_cli.domain.workflow import TRANSITIONS, Action
from tests.world import CIC, CIC_AUS, FAR, MENTOR, MENTOR2, PROVISIONAL, SME

REFEREES = ["ref1@example.org", "ref2@example.org"]
MENTORS = [MENTOR, MENTOR2, PROVISIONAL, FAR, *REFEREES]
CERTIFIED = {MENTOR, MENTOR2, FAR, *REFEREES}
COORDINATOR = {"BOS01": CIC, "AUS01": CIC_AUS}
ZONES = {"BOS01": ZoneInfo("America/New_York"), "AUS01": ZoneInfo("America/Chicago")}
STRANGER = SME  # never an owner, a referee nor a coordinator
CLOSING = sorted(CLOSED_STATUSES - {Status.WITHDRAWN})  # withdrawn has its own rules
EXPECTED_ACTIONS = {"submit", "assign", "reassign", "reassign_to_queue", "transfer_chapter", "accept", "decline",
                    "timeout", "return", "contact", "session_add", "note", "refer", "referral_response",
                    "withdraw", "bulk_withdraw", "pause"} | {f"status {s}" for s in CLOSING}


@dataclass
class Reached:
    """The statuses seen and the actions done: of one example (which its journeys steer by), or of
    the whole run (which the test asserts on once the run is over)."""

    statuses: set[str] = field(default_factory=set)
    actions: set[str] = field(default_factory=set)

    def clear(self) -> None:
        self.statuses.clear()
        self.actions.clear()


@dataclass
class Request:
    chapter: str
    status: str = "new"
    owner: str | None = None
    assigned_at: datetime | None = None
    sessions: int = 0
    attempts: int = 0
    attempt_times: list = field(default_factory=list)  # the current owner's, since they accepted
    withdrawn_by_plan: bool = False
    team: dict[str, str] = field(default_factory=dict)  # referee -> pending | accepted | declined


def may_start(action: Action, status: str) -> bool:
    return Status(status) in TRANSITIONS[action].sources


def targets(action: Action, status: str) -> set[str]:
    transition = TRANSITIONS[action]
    if transition.target is None and not transition.choices:
        return {status}
    return {s for s in (transition.target, *transition.choices) if s is not None}


def no_response_due(r: Request, now: datetime) -> bool:
    """The articles: three attempts on three different days (the chapter's calendar days) and
    two weeks since the first, all by the current owner."""
    if not r.attempt_times:
        return False
    zone = ZONES[r.chapter]
    days = {at.astimezone(zone).date() for at in r.attempt_times}
    first = min(r.attempt_times).astimezone(zone)
    two_weeks = (first.replace(tzinfo=None) + timedelta(days=14)).replace(tzinfo=zone)
    return len(days) >= 3 and now >= two_weeks


class Fixed:
    """Stands for hypothesis' `data` when the model itself chooses: every draw answers the same."""

    def __init__(self, *answers):
        self.answers = list(answers)

    def draw(self, _strategy):
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


class Clone:
    """A fresh copy of the world's store for each run of the machine."""

    def __init__(self, url: str, admin=None):
        self.url, self.admin = url, admin
        self.count = 0

    def make(self) -> str:
        self.count += 1
        if self.url.startswith("sqlite"):
            source = self.url.removeprefix("sqlite:///")
            target = f"{source}.run{self.count}"
            shutil.copy2(source, target)
            return "sqlite:///" + target
        name = f"{self.url.rsplit('/', 1)[1]}_run{self.count}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.url.rsplit("/", 1)[1]}"'))
        return self.url.rsplit("/", 1)[0] + "/" + name
