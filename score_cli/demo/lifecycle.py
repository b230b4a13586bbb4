"""One mentoring request's life, simulated forward from its submission up to `now`.

Each step picks when it happens; a step that would happen after `now` raises `Horizon` and
the request stays as it is. So every request ends in a state the workflow could have left
it in, its history has one audit event per change (written as `score_cli.services` write
them) and its times never go backwards. The mentoring part is in `demo.mentoring`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from random import Random

from score_cli.demo import texts
from score_cli.demo.mentoring import PATIENCE, Mentoring
from score_cli.demo.organisation import ChapterInfo, Person, Pools
from score_cli.demo.showcase import Script
from score_cli.demo.timeline import Horizon, awake, next_sweep, working_time
from score_cli.demo.weighted import Weighted
from score_cli.domain import deadlines as rules
from score_cli.domain.vocabulary import (
    CLOSED_STATUSES, NATIONAL_QUEUE, QUEUED_STATUSES, AssignmentKind, Outcome, Status, TeamRole,
    TeamState,
)

MAX_STEPS = 40  # a safety net only: from the PATIENCE-th assignment on, the mentor accepts
INTAKE, SWEEP = "intake", "sweep"
# The sweep's own words (services.sweep), so demo history reads like real history.
CONTACT_WINDOW = timedelta(days=rules.CONTACT_WINDOW_DAYS)
WINDOW_STATUSES = (Status.ACCEPTED, Status.CONTACTED)

ANSWERS = Weighted((("accept", 78), ("decline", 10), ("timeout", 9), ("reassign", 3)))
CIC_DELAY = Weighted(((0, 35), (1, 30), (2, 18), (3, 10), (4, 7)))  # business days


@dataclass
class World:
    """What every request's life shares: the organisation and the clock."""

    rng: Random
    now: datetime
    chapters: dict[str, ChapterInfo]
    districts: dict[str, list[ChapterInfo]]
    pools: Pools
    direct_log: dict[int, deque] = field(default_factory=dict)  # mentor id -> recent direct times


class RequestLife(Mentoring):
    def __init__(self, world: World, request: dict, chapter: ChapterInfo, *, script: Script | None = None,
                 duplicate_of: int | None = None, area: str | None = None, business_type: str | None = None):
        self.w, self.rng = world, world.rng
        self.request = request
        self.id = request["id"]
        self.chapter = chapter
        self.script = script
        self.duplicate_of = duplicate_of
        self.topics = (area, business_type)
        self.status: str | None = None
        self.last: datetime = request["submitted_at"]
        self.status_changed: datetime = self.last
        self.queue: str | None = None
        self.owner: Person | None = None
        self.current: dict | None = None  # the assignment the owner holds
        self.lead: dict | None = None
        self.helpers: list[Person] = []  # accepted referees: they may record sessions
        self.excluded: set[int] = set()  # declined, timed out or returned: not picked again
        self.fate: str | None = None
        self.attempts = 0  # contact attempts since the current owner accepted
        self.flags: set[str] = set()  # contact-window flags the sweep raised since acceptance
        self.ended = 0  # assignments that ended without acceptance
        self.reminders = 0  # the sweep's reminders are audited but do not bump the version
        self.closed_at: datetime | None = None
        self.events: list[dict] = []
        self.assignments: list[dict] = []
        self.team: list[dict] = []
        self.notes: list[dict] = []
        self.contacts: list[dict] = []
        self.sessions: list[dict] = []
        self.transfers: list[dict] = []

    # -- the driver --------------------------------------------------------------------

    def live(self) -> None:
        try:
            self.submit()
            for _ in range(MAX_STEPS):
                if self.status in CLOSED_STATUSES:
                    break
                if self.status in QUEUED_STATUSES:
                    self.cic_turn()
                elif self.status == Status.ASSIGNED:
                    self.mentor_answer()
                else:
                    self.mentoring()
        except Horizon:
            self._nightly_sweeps(self.w.now)  # what the sweep did while nothing else happened

    # -- bookkeeping -------------------------------------------------------------------

    def _at(self, t: datetime) -> datetime:
        """The time of the next step: never after `now`, never before the last step; the
        nightly sweeps in between run first."""
        if t > self.w.now:
            raise Horizon
        self._nightly_sweeps(t)
        return t if t > self.last else self.last

    def _event(self, t, actor: str, action: str, to: str, *, reason=None, volunteer=None, detail=None):
        self.events.append({
            "at": t, "actor": actor, "action": action, "request_id": self.id, "volunteer_id": volunteer,
            "from_status": self.status, "to_status": to, "reason": reason, "detail": detail,
        })
        if to != self.status:
            self.status_changed = t
        self.status, self.last = to, t

    def _note(self, t, author: Person | None, kind: str, text: str) -> None:
        self.notes.append({"request_id": self.id, "author_id": author.id if author else None,
                           "kind": kind, "text": text, "created_at": t})

    def _queue_code(self) -> str:
        return self.chapter.code if self.chapter.live else NATIONAL_QUEUE

    def _coordinator(self) -> Person:
        """The chapter's CIC works its queue; the district RCIC works the national queue."""
        ch = self.chapter
        return self.rng.choice(ch.cics) if ch.live and ch.cics else ch.rcic

    def _hours(self, low: float, high: float) -> timedelta:
        return timedelta(hours=self.rng.uniform(low, high))

    def _days(self, low: float, high: float) -> timedelta:
        return timedelta(days=self.rng.uniform(low, high))

    def _nightly_sweeps(self, until: datetime) -> None:
        """What `score sweep` did at 06:00 UTC each night until `until`, while the request
        sat still: remind an owner whose accept-due passed, flag a contact window.
        Scripted never-answered assignments are left for the tour's own sweep."""
        a = self.current
        if a is None:
            return
        if self.status == Status.ASSIGNED and a["reminder_sent_at"] is None:
            if self.script and "ignored" in self.script.answers:
                return
            run = next_sweep(a["accept_due_at"])
            if run <= until and run < a["timeout_at"]:
                a["reminder_sent_at"] = run
                self.reminders += 1
                self._event(run, SWEEP, "accept_reminder", self.status, volunteer=self.owner.id,
                            detail=_mentor_detail(self.owner))
        elif self.status in WINDOW_STATUSES and a["accepted_at"] is not None:
            run = next_sweep(max(a["accepted_at"] + CONTACT_WINDOW, self.last))
            kind = "ready_to_close" if self.attempts >= rules.CONTACT_ATTEMPTS_EXPECTED else "follow_up"
            if run <= until and kind not in self.flags:
                self.flags.add(kind)
                reason = (f"{self.attempts} contact attempts and no session since acceptance: ready to close"
                          " as no_response" if kind == "ready_to_close" else
                          f"only {self.attempts} of 3 contact attempts in the 14 days since acceptance: follow up")
                self._event(run, SWEEP, kind, self.status, reason=reason, detail=_mentor_detail(self.owner))

    # -- submission --------------------------------------------------------------------

    def submit(self) -> None:
        t = self.last
        mentor, refusal = (None, None) if self.script else self._direct_choice(t)
        self.request["direct_mentor_id"] = mentor.id if mentor else None
        if mentor is not None and refusal is None:
            self._event(t, INTAKE, "submit", Status.ASSIGNED, detail=f'{{"direct_to": "{mentor.email}"}}')
            self._assign(t, mentor, AssignmentKind.DIRECT, None)
            if mentor.max_direct is not None:  # only a limit needs the count
                self.w.direct_log.setdefault(mentor.id, deque()).append(t)
            return
        self.queue = self._queue_code()
        self._event(t, INTAKE, "submit", Status.NEW)
        if refusal:
            self._note(t, None, "system", refusal)

    def _direct_choice(self, t: datetime) -> tuple[Person | None, str | None]:
        """About one client in ten picks a mentor on the website; popular mentors are picked
        more often, so some reach their weekly limit."""
        rng, code = self.rng, self.chapter.code
        roll = rng.random()
        accepting, refusing = self.w.pools.direct.get(code), self.w.pools.not_direct.get(code)
        if roll < 0.10 and accepting:
            mentor = accepting[int(len(accepting) * rng.random() ** 2)]
            if mentor.paused_on(t.astimezone(self.chapter.zone).date()):
                return mentor, texts.DIRECT_REFUSED.format(email=mentor.email, why="is paused")
            if mentor.max_direct is not None:
                recent = self.w.direct_log.get(mentor.id, deque())
                while recent and recent[0] <= t - rules.WEEK:
                    recent.popleft()
                if len(recent) >= mentor.max_direct:
                    why = f"has reached the weekly limit of {mentor.max_direct} direct requests"
                    return mentor, texts.DIRECT_REFUSED.format(email=mentor.email, why=why)
            return mentor, None
        if roll < 0.115 and refusing:
            mentor = refusing[rng.randrange(len(refusing))]
            return mentor, texts.DIRECT_REFUSED.format(email=mentor.email, why="does not accept direct requests")
        return None, None

    # -- the intake queue --------------------------------------------------------------

    def cic_turn(self) -> None:
        script, rng = self.script, self.rng
        if script and script.hold_after is not None and self.ended >= script.hold_after:
            raise Horizon
        coordinator = self._coordinator()
        if script:
            t = self._at(self.last + timedelta(minutes=rng.uniform(10, 170)))  # within QUICK_ASSIGN
        else:
            t = self._at(self._cic_time(CIC_DELAY.pick(rng)))
            if self.duplicate_of and rng.random() < 0.55:
                return self._withdraw(t, coordinator, f"Duplicate of MRE-{self.duplicate_of}.")
            if rng.random() < 0.025:
                return self._withdraw(t, coordinator, rng.choice(texts.WITHDRAW_OUT_OF_SCOPE))
            if self.status == Status.NEW and not self.transfers and rng.random() < 0.012:
                if self._transfer(t, coordinator):
                    return
        mentor = self._pick_mentor(t)
        if mentor is None:
            raise Horizon  # nobody eligible: it waits in the queue
        note = rng.choice(texts.CIC_NOTES) if rng.random() < 0.25 else None
        self._event(t, coordinator.email, "assign", Status.ASSIGNED, reason=note, volunteer=mentor.id,
                    detail=_mentor_detail(mentor))
        self._assign(t, mentor, AssignmentKind.CIC, coordinator.id)
        if note:
            self._note(t, coordinator, "note", note)

    def _cic_time(self, business_days: int) -> datetime:
        """Office hours on the business day `business_days` after the last step."""
        ch = self.chapter
        day = ch.cal.add_business_days(self.last, business_days).astimezone(ch.zone).date()
        t = working_time(self.rng, day, ch.zone, 8, 18)
        if t <= self.last + timedelta(minutes=5):  # that day's office hours are over
            t = self.last + timedelta(minutes=self.rng.uniform(10, 180))
            if t.astimezone(ch.zone).hour not in range(8, 18):
                day = ch.cal.offset_date(day + timedelta(days=1), 0)
                t = working_time(self.rng, day, ch.zone, 8, 18)
        return t

    def _pick_mentor(self, t: datetime) -> Person | None:
        """An eligible mentor, by the tiers of SPEC §6: mostly of the chapter, else one of
        the district who serves outside their area, and only when the district has nobody
        free, one of the region; an expertise match is preferred on the first tries."""
        ch, rng, pools = self.chapter, self.rng, self.w.pools
        local = pools.local.get(ch.code, [])
        district = pools.outside.get(ch.district_code, [])
        day = t.astimezone(ch.zone).date()
        for attempt in range(10):
            pool = local if local and (not district or (attempt < 6 and rng.random() < 0.85)) else district
            if not pool:
                break
            m = pool[rng.randrange(len(pool))]
            if self._free(m, day) and (attempt >= 2 or self._knows_topic(m)):
                return m
        region = pools.region.get(ch.region_code, [])
        for _ in range(6 if region else 0):
            m = region[rng.randrange(len(region))]
            if self._free(m, day):
                return m
        return None

    def _free(self, m: Person, day) -> bool:
        return m.id not in self.excluded and m is not self.owner and not m.paused_on(day)

    def _knows_topic(self, m: Person) -> bool:
        return self.topics[0] in m.expertise or self.topics[1] in m.expertise

    def _assign(self, t: datetime, mentor: Person, kind: str, by: int | None) -> None:
        cal = self.chapter.cal
        self.current = {
            "request_id": self.id, "mentor_id": mentor.id, "assigned_by_id": by, "kind": kind,
            "assigned_at": t, "accept_due_at": cal.add_business_days(t, 2),
            "timeout_at": cal.add_business_days(t, 5), "outcome": Outcome.OPEN, "outcome_at": None,
            "accepted_at": None, "reminder_sent_at": None, "reason": None,
        }
        self.assignments.append(self.current)
        self.lead = self._team_row(t, mentor, TeamRole.LEAD, TeamState.PENDING, None, None)
        self.owner, self.queue = mentor, None

    def _team_row(self, t, person: Person, role: str, state: str, by: Person | None, reason) -> dict:
        row = {"request_id": self.id, "volunteer_id": person.id, "role": role, "state": state,
               "referred_by_id": by.id if by else None, "reason": reason, "created_at": t,
               "responded_at": None}
        self.team.append(row)
        return row

    def _release(self, t: datetime, outcome: str, reason: str | None) -> None:
        """The owner gives the request up: their assignment ends and their lead place is
        marked removed (kept, as the services keep it, for the history)."""
        a = self.current
        a["outcome"], a["outcome_at"], a["reason"] = outcome, t, reason
        self.lead["state"], self.lead["responded_at"] = TeamState.REMOVED, t
        self.current = self.lead = self.owner = None
        self.helpers = []

    def _transfer(self, t: datetime, coordinator: Person) -> bool:
        targets = [c for c in self.w.districts[self.chapter.district_code] if c is not self.chapter and c.live]
        if not targets:
            return False
        target = self.rng.choice(targets)
        reason = self.rng.choice(texts.TRANSFER_REASONS)
        self.transfers.append({"request_id": self.id, "from_chapter": self.chapter.code,
                               "to_chapter": target.code, "to_national_queue": not target.live,
                               "by_id": coordinator.id, "reason": reason, "at": t})
        self._event(t, coordinator.email, "transfer_chapter", self.status, reason=reason,
                    detail=f'{{"from": "{self.chapter.code}", "to": "{target.code}", "queue": "{target.code}"}}')
        self.chapter = target
        self.queue = self._queue_code()
        return True

    def _withdraw(self, t: datetime, actor: Person, reason: str) -> None:
        """A CIC (from the queue) or the owner withdraws: a note keeps the reason."""
        self._note(t, actor, "withdraw", reason)
        self._close(t, actor, Status.WITHDRAWN, "withdraw", reason)

    # -- the mentor's answer -----------------------------------------------------------

    def mentor_answer(self) -> None:
        rng, a, mentor = self.rng, self.current, self.owner
        forced = self.script.answers if self.script else ()
        index = len(self.assignments) - 1
        if index < len(forced):
            answer = forced[index]
        elif index + 1 >= PATIENCE:
            answer = "accept"
        else:
            answer = ANSWERS.pick(rng)
        if answer == "ignored":
            raise Horizon
        if answer == "reassign":
            t = self._at(self._before_timeout(a, self._hours(2, 50)))
            if self._reassign(t):
                return
            answer = "timeout"  # no one else is free: the CIC lets the timeout happen
        if answer == "timeout":
            t = self._at(next_sweep(a["timeout_at"]) + timedelta(seconds=rng.uniform(5, 300)))
            self._event(t, SWEEP, "timeout", Status.PENDING_REASSIGNMENT, reason=rules.TIMEOUT_REASON,
                        volunteer=mentor.id, detail=_mentor_detail(mentor))
            return self._back_to_queue(t, Outcome.TIMED_OUT, rules.TIMEOUT_OUTCOME_REASON, mentor)
        if answer == "accept":
            spread = rng.choice(((0.3, 20), (0.3, 20), (20, 60), (60, 110)))
            return self._accept(self._at(self._before_timeout(a, self._hours(*spread))), a, mentor)
        t = self._at(self._before_timeout(a, self._hours(1, 40)))
        reason = rng.choice(texts.DECLINE_REASONS)
        self._note(t, mentor, "decline", reason)
        self._event(t, mentor.email, "decline", Status.PENDING_REASSIGNMENT, reason=reason,
                    volunteer=mentor.id, detail=_mentor_detail(mentor))
        self._back_to_queue(t, Outcome.DECLINED, reason, mentor)

    def _before_timeout(self, a: dict, delay: timedelta) -> datetime:
        t = awake(a["assigned_at"] + delay, self.chapter.zone)
        if t >= a["timeout_at"]:
            t = a["timeout_at"] - self._hours(1, 6)
        return max(t, a["assigned_at"] + timedelta(minutes=5))

    def _back_to_queue(self, t: datetime, outcome: str, reason: str, mentor: Person) -> None:
        self._release(t, outcome, reason)
        self.excluded.add(mentor.id)
        self.ended += 1
        self.queue = self._queue_code()

    def _reassign(self, t: datetime) -> bool:
        """A CIC changes the owner without waiting for the timeout, if anyone else is free."""
        coordinator = self._coordinator()
        mentor = self._pick_mentor(t)
        if mentor is None:
            return False
        reason = self.rng.choice(texts.REASSIGN_REASONS)
        self._release(t, Outcome.REASSIGNED, reason)
        self._event(t, coordinator.email, "reassign", Status.ASSIGNED, reason=reason, volunteer=mentor.id,
                    detail=_mentor_detail(mentor))
        self._assign(t, mentor, AssignmentKind.CIC, coordinator.id)
        return True

    # -- rows --------------------------------------------------------------------------

    def write(self, batch) -> None:
        """The request row in its final state, then everything that happened to it."""
        r = self.request
        r.update(
            chapter_code=self.chapter.code, queue=self.queue, status=self.status,
            owner_id=self.owner.id if self.owner else None, status_changed_at=self.status_changed,
            closed_at=self.closed_at,
            # 1 at submission, +1 per change; the sweep's reminders are audit-only
            version=len(self.events) - self.reminders,
            first_assigned_at=_first(a["assigned_at"] for a in self.assignments),
            first_accepted_at=_first(a["accepted_at"] for a in self.assignments),
            first_contacted_at=_first(c["at"] for c in self.contacts),
            first_session_at=_first(s["entered_at"] for s in self.sessions),
        )
        batch.add("mentoring_request", r)
        for table, rows in (("assignment", self.assignments), ("case_team_member", self.team),
                            ("note", self.notes), ("contact_attempt", self.contacts),
                            ("mentoring_session", self.sessions), ("chapter_transfer", self.transfers),
                            ("audit_event", self.events)):
            for row in rows:
                batch.add(table, row)


def _mentor_detail(mentor: Person) -> str:
    return f'{{"mentor": "{mentor.email}"}}'  # e-mails hold no quotes: no json.dumps per event


def _first(values) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None
