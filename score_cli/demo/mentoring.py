"""The mentoring part of a request's life: from acceptance to closing (or handing back).

A mixin of `lifecycle.RequestLife`: it uses that class's clock (`_at`), `_event`, `_note`,
`_release` and friends. At acceptance a fate is drawn; `mentoring` then plays it step by
step, each step after the previous one, until the request closes, goes back to the queue,
changes owner, or time runs out (`Horizon`).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from score_cli.demo import texts
from score_cli.demo.timeline import UTC, Horizon, awake, working_time
from score_cli.demo.weighted import Weighted
from score_cli.domain.vocabulary import ContactMethod, Outcome, Status, TeamRole, TeamState

PATIENCE = 4  # from the 4th assignment on, no fate sends the request round again
FATE_WEIGHTS = (
    ("complete", 44), ("ongoing", 9), ("no_show", 5), ("no_response", 11),
    ("incorrect_contact", 4), ("unable_to_contact", 5), ("withdrawn", 6), ("returned", 5),
    ("reassigned", 2), ("stalled", 4),
)
FATES = Weighted(FATE_WEIGHTS)
FINAL_FATES = Weighted([(f, w) for f, w in FATE_WEIGHTS if f not in ("returned", "reassigned")])
UNREACHED = {
    "no_show": Status.NO_SHOW, "no_response": Status.NO_RESPONSE,
    "incorrect_contact": Status.INCORRECT_CONTACT, "unable_to_contact": Status.UNABLE_TO_CONTACT,
}
CONTACT_METHODS = Weighted(((ContactMethod.EMAIL, 60), (ContactMethod.PHONE, 35), (ContactMethod.OTHER, 5)))
SESSION_COUNTS = (1, 1, 1, 1, 1, 2, 2, 2, 3, 4, 5)  # for a request that completes
MINUTES = (30, 45, 60, 60, 60, 90, None)


class Mentoring:
    def _accept(self, t: datetime, a: dict, mentor) -> None:
        rng = self.rng
        a["outcome"], a["outcome_at"], a["accepted_at"] = Outcome.ACCEPTED, t, t
        self.lead["state"], self.lead["responded_at"] = TeamState.ACCEPTED, t
        self.fate = (FATES if len(self.assignments) < PATIENCE else FINAL_FATES).pick(rng)
        self.attempts, self.flags = 0, set()
        if rng.random() < 0.8:
            # The accept message goes to the client and counts as contact attempt 1.
            self._event(t, mentor.email, "accept", Status.CONTACTED, volunteer=mentor.id)
            self._record_contact(t, mentor, ContactMethod.EMAIL, rng.choice(texts.ACCEPT_MESSAGES))
        else:
            self._event(t, mentor.email, "accept", Status.ACCEPTED, volunteer=mentor.id)

    def mentoring(self) -> None:
        """Play the fate drawn at acceptance."""
        rng, fate = self.rng, self.fate
        if fate == "stalled":
            raise Horizon  # the owner went quiet: an orphaned case for the open-cases review
        if fate == "reassigned":
            if rng.random() < 0.5:
                self._contact(1, 4)
            t = self._at(self._later(1, 10))
            if not self._reassign(t):
                self._return(t)  # no one else is free: the owner hands it back to the queue
            return
        if fate == "returned":
            if rng.random() < 0.5:
                self._contact(1, 4)
            if self.status == Status.CONTACTED and rng.random() < 0.4:
                self._session(2, 10)  # the notes stay for the next mentor
            return self._return(self._at(self._later(1, 8)))
        if fate in UNREACHED:
            return self._unreached(fate)
        self._ensure_contacted()
        if fate == "withdrawn":
            if rng.random() < 0.3:
                self._session(2, 12)
            return self._withdraw(self._at(self._later(1, 14)), self.owner, rng.choice(texts.WITHDRAW_BY_MENTOR))
        count = rng.choice(SESSION_COUNTS) if fate == "complete" else rng.randint(3, 10)
        for i in range(count):
            self._session(1, 10) if i == 0 else self._session(7, 30)
            if i == 0 and rng.random() < 0.07:
                self._refer()
        if fate == "ongoing":
            raise Horizon  # still being mentored
        self._close(self._at(self._later(0.2, 10)), self.owner, Status.COMPLETE, "status", None)

    def _later(self, low_days: float, high_days: float) -> datetime:
        return awake(self.last + self._days(low_days, high_days), self.chapter.zone)

    def _unreached(self, fate: str) -> None:
        """The client never gets to a session: no_response after 3 attempts over two weeks,
        wrong details, unreachable, or a missed first session."""
        rng = self.rng
        if fate == "no_response":
            while self.attempts < 3:
                self._contact(3, 6)
            t = max(self.last + self._days(1, 4), self.current["accepted_at"] + self._days(14, 18))
        else:
            wanted = {"incorrect_contact": rng.randint(1, 2), "unable_to_contact": rng.randint(2, 3),
                      "no_show": rng.randint(1, 2)}[fate]
            while self.attempts < wanted:
                self._contact(1, 5)
            t = self.last + (self._days(3, 12) if fate == "no_show" else self._days(1, 5))
        t = self._at(awake(t, self.chapter.zone))
        self._close(t, self.owner, UNREACHED[fate], "status", texts.CLOSE_NOTES[fate])

    def _ensure_contacted(self) -> None:
        if self.status == Status.ACCEPTED:
            self._contact(0.2, 4)

    def _contact(self, low_days: float, high_days: float) -> None:
        rng, mentor = self.rng, self.owner
        t = self._at(self._later(low_days, high_days))
        method = CONTACT_METHODS.pick(rng)
        note = rng.choice(texts.CONTACT_NOTES[method])
        self._event(t, mentor.email, "contact", Status.CONTACTED, reason=note, volunteer=mentor.id,
                    detail=f'{{"method": "{method}", "attempt": {self.attempts + 1}}}')
        self._record_contact(t, mentor, method, note)

    def _record_contact(self, t, mentor, method: str, note: str) -> None:
        self.contacts.append({"request_id": self.id, "volunteer_id": mentor.id, "method": method,
                              "note": note, "at": t})
        self.attempts += 1

    def _session(self, low_days: float, high_days: float) -> None:
        """A session some days after the last step, entered that evening, the next morning
        or (one time in ten) late."""
        rng, ch = self.rng, self.chapter
        mentor = rng.choice(self.helpers) if self.helpers and rng.random() < 0.3 else self.owner
        day = (self.last + self._days(low_days, high_days)).astimezone(ch.zone).date()
        roll = rng.random()
        if roll < 0.7:
            entered = working_time(rng, day, ch.zone, 16, 22)
        elif roll < 0.9:
            entered = working_time(rng, day + timedelta(days=1), ch.zone, 8, 13)
        else:
            entered = working_time(rng, day + timedelta(days=rng.randint(2, 7)), ch.zone, 9, 20)
        entered = self._at(entered)
        due = self._notes_due(day)
        self._event(entered, mentor.email, "session_add", Status.IN_PROGRESS, volunteer=mentor.id)
        self.sessions.append({
            "request_id": self.id, "mentor_id": mentor.id, "session_date": day, "minutes": rng.choice(MINUTES),
            "notes": rng.choice(texts.SESSION_NOTES), "entered_at": entered, "notes_due_at": due,
            "entered_late": entered > due, "updated_at": None,
        })

    def _notes_due(self, day) -> datetime:
        """The rule of services.mentoring.notes_due_at: the end of the first business day
        after the session (00:00 local of the calendar day after it), with the demo's calendar."""
        ch = self.chapter
        due_day = ch.cal.offset_date(day + timedelta(days=1), 0)
        return datetime.combine(due_day + timedelta(days=1), time(0), tzinfo=ch.zone).astimezone(UTC)

    def _refer(self) -> None:
        """The owner brings in an active certified mentor of the district, who answers."""
        rng, owner = self.rng, self.owner
        candidates = self.w.pools.referees.get(self.chapter.district_code, [])
        on_team = {row["volunteer_id"] for row in self.team}
        choices = [p for p in candidates if p.id not in on_team]
        if not choices:
            return
        referee = choices[rng.randrange(len(choices))]
        t = self._at(self._later(0.5, 5))
        reason = rng.choice(texts.REFERRAL_REASONS)
        member = self._team_row(t, referee, TeamRole.MEMBER, TeamState.PENDING, owner, reason)
        self._event(t, owner.email, "refer", self.status, reason=reason, volunteer=referee.id,
                    detail=f'{{"mentor": "{referee.email}"}}')
        t = self._at(awake(t + self._hours(2, 72), self.chapter.zone))
        member["responded_at"] = t
        detail = f'{{"referred_by": "{owner.email}"}}'
        if rng.random() < 0.75:
            member["state"] = TeamState.ACCEPTED
            self.helpers.append(referee)
            self._event(t, referee.email, "referral_accept", self.status, volunteer=referee.id, detail=detail)
        else:
            member["state"] = TeamState.DECLINED
            self._event(t, referee.email, "referral_decline", self.status,
                        reason=rng.choice(texts.REFERRAL_DECLINES), volunteer=referee.id, detail=detail)

    def _return(self, t: datetime) -> None:
        """"Transfer to queue": the owner hands the request back with a reason."""
        mentor, reason = self.owner, self.rng.choice(texts.RETURN_REASONS)
        self._note(t, mentor, "return", reason)
        self._event(t, mentor.email, "return", Status.PENDING_REASSIGNMENT, reason=reason, volunteer=mentor.id,
                    detail=f'{{"mentor": "{mentor.email}"}}')
        self._release(t, Outcome.RETURNED, reason)
        self.excluded.add(mentor.id)
        self.queue = self._queue_code()

    def _close(self, t: datetime, actor, status: str, action: str, reason: str | None) -> None:
        self._event(t, actor.email, action, status, reason=reason)
        self.closed_at, self.queue = t, None
