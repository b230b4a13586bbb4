"""The rules of the workflow state machine: each rule predicts from the model
(tests/reliability/workflow_model.py) whether its action is legal, runs it through the real
services, and fails when a legal action is refused or an illegal one succeeds, when any
request's status differs from the model's afterwards, and when a status change in the history
is not an edge of the transition table. After every step the invariants `score db check` runs
hold."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from freezegun import freeze_time
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import select

from score_cli.domain.errors import ScoreError
from score_cli.domain.vocabulary import OPEN_STATUSES, Status
from score_cli.domain.workflow import Action
from score_cli.services import sweep
from score_cli.services.admin import integrity
from score_cli.services.people import mentor_settings
from score_cli.services.requests import assignment, bulk_withdraw, intake, mentoring, referrals
from score_cli.store.db import Store
from score_cli.store.models import AuditEvent, MentoringRequest
from tests.reliability import counters
from tests.reliability.workflow_model import (CERTIFIED, CLOSING, COORDINATOR, MENTORS, REFEREES, STRANGER, ZONES,
                                              Clone, Reached, Request, may_start, no_response_due, targets)
from tests.reliability.workflow_journey import take_journey
from tests.world import MENTOR, MENTOR2


class Workflow(RuleBasedStateMachine):
    clone: Clone
    run = Reached()  # over the whole run, for the test's coverage assertion; never read by a rule

    def __init__(self):
        super().__init__()
        self.store = Store(self.clone.make())
        self.clock = freeze_time(datetime(2026, 11, 2, 15, 0, tzinfo=timezone.utc))
        self.frozen = self.clock.start()
        self.model: dict[int, Request] = {}
        self.journeys = 0
        self.own = Reached()  # this example's: its journeys steer by it, so that a replay does the same
        self.last_event = self._last_event()

    def teardown(self):
        self.clock.stop()
        self.store.close()

    # --- helpers --------------------------------------------------------------------

    def _last_event(self) -> int:
        with self.store.reading() as session:
            return session.execute(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)).scalar() or 0

    def _pick(self, data, legal) -> int:
        """Mostly a request where `legal(request)` holds; sometimes any, to see refusals."""
        fitting = sorted(i for i, r in self.model.items() if legal(r))
        if fitting and data.draw(st.integers(0, 5)) < 5:
            return data.draw(st.sampled_from(fitting))
        return data.draw(st.sampled_from(sorted(self.model)))

    def _do(self, name: str, predicted: bool, action, update=lambda: None):
        """Run `action`, which the model says is legal or not; then compare the store with the model."""
        counters.state_machine_steps += 1
        try:
            action()
            happened = True
        except ScoreError as refusal:
            happened, why = False, str(refusal)
        assert happened == predicted, (name, "done although illegal" if happened else f"refused: {why}")
        if happened:
            update()
            self._done(name)
        self._compare()

    def _compare(self):
        """Every request's status is the model's; every new status change is an edge of the table."""
        with self.store.reading() as session:
            found = dict(session.execute(select(MentoringRequest.id, MentoringRequest.status)).all())
            events = session.execute(select(AuditEvent.id, AuditEvent.action, AuditEvent.from_status,
                                            AuditEvent.to_status)
                                     .where(AuditEvent.id > self.last_event, AuditEvent.request_id.is_not(None))
                                     .order_by(AuditEvent.id)).all()
        assert found == {i: r.status for i, r in self.model.items()}, (found, self.model)
        for event_id, action, from_status, to_status in events:
            if from_status != to_status:
                edge = Action(action)
                if edge is not Action.SUBMIT:
                    assert may_start(edge, from_status), (action, from_status, to_status)
                assert to_status in targets(edge, from_status or "new"), (action, from_status, to_status)
            self.last_event = event_id
        for reached in (self.own, self.run):
            reached.statuses.update(found.values())

    def _done(self, action: str):
        for reached in (self.own, self.run):
            reached.actions.add(action)

    def _now(self) -> datetime:
        return self.frozen().replace(tzinfo=timezone.utc)

    def _today(self, chapter: str):
        return self._now().astimezone(ZONES[chapter]).date()

    def _hand_to(self, request: Request, mentor: str | None, status: str):
        if mentor != request.owner:
            request.attempt_times = []  # an earlier owner's attempts don't count (SPEC §4)
        request.owner, request.status = mentor, status
        request.assigned_at = self._now() if status == "assigned" else None

    # --- rules ----------------------------------------------------------------------

    @rule(chapter=st.sampled_from(sorted(COORDINATOR)), n=st.integers(0, 10**6))
    def submit(self, chapter, n):
        def act():
            new = intake.NewRequest(name=f"Client {n}", emails=[f"c{n}@example.com"], chapter=chapter, question="Help")
            with self.store.transaction() as session:
                self.submitted = intake.submit(session, new.checked())
        self._do("submit", True, act, lambda: self.model.__setitem__(self.submitted, Request(chapter)))

    @precondition(lambda self: self.model)
    @rule(data=st.data(), mentor=st.sampled_from(MENTORS), wrong=st.integers(0, 5))
    def assign(self, data, mentor, wrong):
        rid = self._pick(data, lambda r: may_start(Action.ASSIGN, r.status))
        r = self.model[rid]
        by = COORDINATOR[r.chapter] if wrong < 5 else COORDINATOR["AUS01" if r.chapter == "BOS01" else "BOS01"]
        legal = wrong < 5 and may_start(Action.ASSIGN, r.status) and mentor not in r.team
        self._do("assign", legal, lambda: assignment.assign(self.store, by, rid, mentor, force=True),
                 lambda: self._hand_to(r, mentor, "assigned"))

    @precondition(lambda self: self.model)
    @rule(data=st.data(), mentor=st.sampled_from(MENTORS + [None]), wrong=st.integers(0, 5))
    def reassign(self, data, mentor, wrong):
        action = Action.REASSIGN_TO_QUEUE if mentor is None else Action.REASSIGN
        rid = self._pick(data, lambda r: may_start(action, r.status))
        r = self.model[rid]
        by = COORDINATOR[r.chapter] if wrong < 5 else COORDINATOR["AUS01" if r.chapter == "BOS01" else "BOS01"]
        legal = wrong < 5 and may_start(action, r.status) and (mentor is None or (
            mentor != r.owner and mentor not in r.team))
        status = "pending_reassignment" if mentor is None else "assigned"
        self._do(str(action), legal, lambda: assignment.reassign(self.store, by, rid, mentor, reason="change",
                                                                to_queue=mentor is None, force=True),
                 lambda: self._hand_to(r, mentor, status))

    @precondition(lambda self: self.model)
    @rule(data=st.data(), wrong=st.integers(0, 5))
    def transfer(self, data, wrong):
        rid = self._pick(data, lambda r: may_start(Action.TRANSFER, r.status))
        r = self.model[rid]
        other = "AUS01" if r.chapter == "BOS01" else "BOS01"
        by = COORDINATOR[r.chapter] if wrong < 5 else COORDINATOR[other]
        legal = wrong < 5 and may_start(Action.TRANSFER, r.status)

        def moved():
            self._hand_to(r, None, "new" if r.status == "new" else "pending_reassignment")
            r.chapter = other
        self._do("transfer_chapter", legal, lambda: assignment.transfer(self.store, by, rid, other, reason="moved"),
                 moved)

    def _mentor_action(self, data, kind: str, stranger: int):
        action = {"accept": Action.ACCEPT, "decline": Action.DECLINE, "return": Action.RETURN,
                  "contact": Action.CONTACT, "session_add": Action.SESSION}[kind]
        rid = self._pick(data, lambda r: may_start(action, r.status))
        r = self.model[rid]
        actor = (r.owner or MENTOR) if stranger < 5 else STRANGER
        legal = stranger < 5 and r.owner is not None and may_start(action, r.status)
        act = {
            "accept": lambda: mentoring.accept(self.store, actor, rid),
            "decline": lambda: mentoring.decline(self.store, actor, rid, reason="busy"),
            "return": lambda: mentoring.return_to_queue(self.store, actor, rid, reason="not a fit"),
            "contact": lambda: mentoring.contact(self.store, actor, rid, method="phone"),
            "session_add": lambda: mentoring.add_session(self.store, actor, rid, day=self._today(r.chapter),
                                                         minutes=30, notes="talked"),
        }[kind]

        def update():
            if kind in ("decline", "return"):
                self._hand_to(r, None, "pending_reassignment")
                return
            r.status = {"accept": "accepted", "contact": "contacted", "session_add": "in_progress"}[kind]
            r.attempts += kind == "contact"
            if kind == "contact":
                r.attempt_times.append(self._now())
            r.sessions += kind == "session_add"
        self._do(kind, legal, act, update)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), stranger=st.integers(0, 5))
    def accept(self, data, stranger):
        self._mentor_action(data, "accept", stranger)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), stranger=st.integers(0, 5))
    def decline(self, data, stranger):
        self._mentor_action(data, "decline", stranger)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), stranger=st.integers(0, 5))
    def return_to_queue(self, data, stranger):
        self._mentor_action(data, "return", stranger)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), stranger=st.integers(0, 5))
    def contact(self, data, stranger):
        self._mentor_action(data, "contact", stranger)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), stranger=st.integers(0, 5))
    def session(self, data, stranger):
        self._mentor_action(data, "session_add", stranger)

    @precondition(lambda self: any(r.status in OPEN_STATUSES for r in self.model.values()))
    @rule(data=st.data())
    def journey(self, data):
        take_journey(self, data)

    @precondition(lambda self: any(r.status in OPEN_STATUSES for r in self.model.values()))
    @rule(data=st.data())
    def another_journey(self, data):  # journeys twice as often as other rules
        take_journey(self, data)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), status=st.sampled_from(CLOSING), by_coordinator=st.booleans(), force=st.booleans())
    def close(self, data, status, by_coordinator, force):
        rid = self._pick(data, lambda r: may_start(Action.CLOSE, r.status))
        r = self.model[rid]
        actor = COORDINATOR[r.chapter] if by_coordinator else (r.owner or STRANGER)
        force = force and by_coordinator
        legal = may_start(Action.CLOSE, r.status) and (by_coordinator or r.owner is not None)
        if status == Status.COMPLETE:
            legal = legal and r.sessions > 0
        if status == Status.NO_RESPONSE:
            legal = legal and (no_response_due(r, self._now()) or force)
        note = "client never answered" if force else None  # a forced close carries its reason
        self._do(f"status {status}", legal,
                 lambda: mentoring.set_status(self.store, actor, rid, status, force=force, note=note),
                 lambda: self._hand_to(r, None, status))

    @precondition(lambda self: self.model)
    @rule(data=st.data(), wrong=st.integers(0, 5))
    def withdraw(self, data, wrong):
        rid = self._pick(data, lambda r: may_start(Action.WITHDRAW, r.status))
        r = self.model[rid]
        by = COORDINATOR[r.chapter] if wrong < 5 else COORDINATOR["AUS01" if r.chapter == "BOS01" else "BOS01"]
        legal = wrong < 5 and may_start(Action.WITHDRAW, r.status)
        self._do("withdraw", legal, lambda: assignment.withdraw(self.store, by, rid, reason="out of scope"),
                 lambda: self._hand_to(r, None, "withdrawn"))

    @precondition(lambda self: self.model)
    @rule(data=st.data(), chapter=st.sampled_from(sorted(COORDINATOR)))
    def bulk_withdraw(self, data, chapter):
        mine = sorted(i for i, r in self.model.items() if r.chapter == chapter)
        if not mine:
            return
        ids = data.draw(st.lists(st.sampled_from(mine), min_size=1, max_size=4, unique=True))
        # all or none: every row must be open, or withdrawn before by the same plan
        legal = all(may_start(Action.WITHDRAW, self.model[i].status) or self.model[i].withdrawn_by_plan for i in ids)

        def act():
            result = bulk_withdraw.withdraw_bulk(self.store, COORDINATOR[chapter], "".join(f"MRE-{i}\n" for i in ids),
                                                 reason="duplicates found by the plan")
            if result.exit_code:
                raise ScoreError(result.message)

        def update():
            for i in ids:
                if self.model[i].status != "withdrawn":
                    self._hand_to(self.model[i], None, "withdrawn")
                    self.model[i].withdrawn_by_plan = True
        self._do("bulk_withdraw", legal, act, update)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), referee=st.sampled_from(MENTORS))
    def refer(self, data, referee):
        rid = self._pick(data, lambda r: may_start(Action.REFER, r.status))
        r = self.model[rid]
        owner = r.owner or STRANGER
        legal = (r.owner is not None and may_start(Action.REFER, r.status) and referee in CERTIFIED
                 and referee != r.owner and r.team.get(referee) not in ("pending", "accepted"))
        self._do("refer", legal, lambda: referrals.refer(self.store, owner, rid, referee, reason="expertise"),
                 lambda: r.team.__setitem__(referee, "pending"))

    @precondition(lambda self: self.model)
    @rule(data=st.data(), accept=st.booleans())
    def respond(self, data, accept):
        rid = self._pick(data, lambda r: "pending" in r.team.values())
        r = self.model[rid]
        pending = sorted(m for m, state in r.team.items() if state == "pending")
        referee = data.draw(st.sampled_from(pending)) if pending else data.draw(st.sampled_from(REFEREES))
        legal = r.team.get(referee) == "pending" and (not accept or may_start(Action.REFERRAL_RESPONSE, r.status))
        self._do("referral_response", legal,
                 lambda: referrals.respond(self.store, referee, rid, accept=accept, reason=None if accept else "no time"),
                 lambda: r.team.__setitem__(referee, "accepted" if accept else "declined"))

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def note(self, data):
        rid = data.draw(st.sampled_from(sorted(self.model)))
        by = COORDINATOR[self.model[rid].chapter]
        self._do("note", True, lambda: assignment.add_note(self.store, by, rid, "checking in"))

    @rule(mentor=st.sampled_from([MENTOR, MENTOR2]))
    def pause(self, mentor):
        # a pause of today and tomorrow hands back what awaits the mentor's acceptance
        today = self._today("BOS01")

        def update():
            for r in self.model.values():
                if r.owner == mentor and r.status == "assigned":
                    self._hand_to(r, None, "pending_reassignment")
        self._do("pause", True, lambda: mentor_settings.pause(self.store, mentor, mentor, start=today,
                                                              until=today + timedelta(days=1), return_pending=True),
                 update)

    @rule(hours=st.integers(1, 120))
    def time_passes(self, hours):
        counters.state_machine_steps += 1
        self.frozen.tick(timedelta(hours=hours))

    @rule()
    def sweep(self):
        # Five business days: surely over after 9 calendar days (at most 4 of them off), surely
        # not before 5. In between, the model takes what the store did, if the table allows it.
        now = self._now()
        waiting = {i: r for i, r in self.model.items() if r.status == "assigned"}
        due = {i for i, r in waiting.items() if now - r.assigned_at >= timedelta(days=9)}
        maybe = {i for i, r in waiting.items() if now - r.assigned_at >= timedelta(days=5)} - due
        result = {}

        def act():
            result["out"] = {item["id"] for item in sweep.run(self.store).items if item["kind"] == "timed_out"}

        def update():
            out = result["out"]
            assert due <= out <= due | maybe, (due, maybe, out)
            for i in out:
                self._hand_to(self.model[i], None, "pending_reassignment")
            if out:
                self._done("timeout")
        self._do("sweep", True, act, update)

    # --- invariants -----------------------------------------------------------------

    @invariant()
    def the_store_keeps_every_invariant_of_db_check(self):
        assert integrity.check_store(self.store) == []
