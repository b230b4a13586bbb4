"""A random walk through the workflow (hypothesis stateful testing), checking after every step
the invariants the organisation relies on:

- every open request has exactly one owner or sits in exactly one queue (`db check`);
- no assignment is both accepted and timed out (`db check`);
- every change of status has exactly one audit event (the history chains from `new` to the
  current status with no gap and no repeat);
- a referee who declined has no access to the request;
- a closed request never changes without an audit event;
- a refused action changes nothing.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone

from freezegun import freeze_time
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import func, select, text

from score_cli.services.requests import records
from score_cli.services.organisation import access
from score_cli.services.requests import assignment, mentoring, referrals
from score_cli.services.admin import integrity
from score_cli.domain.errors import ScoreError
from score_cli.services.organisation.permissions import load_actor
from score_cli.store.db import Store
from score_cli.store.models import AuditEvent, CaseTeamMember, MentoringRequest, Volunteer
from score_cli.domain.vocabulary import CLOSED_STATUSES
from tests.reliability import counters
from tests.world import ADMIN, CIC, CIC_AUS, FAR, MENTOR, MENTOR2, PROVISIONAL

MENTORS = [MENTOR, MENTOR2, PROVISIONAL, FAR, "ref1@example.org", "ref2@example.org"]
CHAPTERS = ["BOS01", "AUS01", "BGR01"]
CLOSING = ["complete", "withdrawn", "no_show", "no_response", "incorrect_contact", "unable_to_contact"]
EXAMPLES = 15
STEPS = 40


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


class Workflow(RuleBasedStateMachine):
    clone: Clone

    def __init__(self):
        super().__init__()
        self.store = Store(self.clone.make())
        self.clock = freeze_time(datetime(2026, 11, 2, 15, 0, tzinfo=timezone.utc))
        self.frozen = self.clock.start()
        self.ids: list[int] = []
        self.closed: dict[int, tuple[int, int]] = {}  # request -> (version, audit events) when seen closed

    def teardown(self):
        self.clock.stop()
        self.store.close()

    # --- helpers --------------------------------------------------------------------

    def _row(self, request_id: int) -> MentoringRequest:
        with self.store.reading() as session:
            return session.get(MentoringRequest, request_id)

    def _email(self, volunteer_id: int | None) -> str | None:
        if volunteer_id is None:
            return None
        with self.store.reading() as session:
            return session.get(Volunteer, volunteer_id).email

    def _pick(self, data, *statuses: str) -> int:
        """Mostly a request where the action is legal; sometimes any request, to test refusals."""
        with self.store.reading() as session:
            fitting = session.execute(select(MentoringRequest.id).where(
                MentoringRequest.id.in_(self.ids), MentoringRequest.status.in_(statuses))).scalars().all()
        if fitting and data.draw(st.integers(0, 5)) > 0:
            return data.draw(st.sampled_from(sorted(fitting)))
        return data.draw(st.sampled_from(self.ids))

    def _coordinator(self, request_id: int, wrong: bool) -> str:
        """The coordinator of the request's chapter, or (to test refusals) someone else's."""
        chapter = self._row(request_id).chapter_code
        right = {"BOS01": CIC, "AUS01": CIC_AUS}.get(chapter, ADMIN)
        return (CIC_AUS if right == CIC else CIC) if wrong else right

    def _attempt(self, request_id: int, action):
        """Run an action; a refusal must leave the request exactly as it was."""
        counters.state_machine_steps += 1
        before = self._row(request_id)
        try:
            action()
        except ScoreError:
            after = self._row(request_id)
            assert (after.status, after.version, after.owner_id, after.queue) == (
                before.status, before.version, before.owner_id, before.queue)

    # --- rules ----------------------------------------------------------------------

    @rule(chapter=st.sampled_from(CHAPTERS), n=st.integers(0, 10**6))
    def submit(self, chapter, n):
        from score_cli.services.requests import intake

        counters.state_machine_steps += 1
        new = intake.NewRequest(name=f"Client {n}", emails=[f"c{n}@example.com"], chapter=chapter, question="Help")
        with self.store.transaction() as session:
            self.ids.append(intake.submit(session, new.checked()))

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), mentor=st.sampled_from(MENTORS), wrong=st.integers(0, 4), force=st.integers(0, 3))
    def assign(self, data, mentor, wrong, force):
        rid = self._pick(data, "new", "pending_reassignment")
        by = self._coordinator(rid, wrong == 0)
        self._attempt(rid, lambda: assignment.assign(self.store, by, rid, mentor, force=force > 0))

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), mentor=st.sampled_from(MENTORS + [None]), wrong=st.integers(0, 4))
    def reassign(self, data, mentor, wrong):
        rid = self._pick(data, "assigned", "accepted", "contacted", "in_progress")
        by = self._coordinator(rid, wrong == 0)
        self._attempt(rid, lambda: assignment.reassign(self.store, by, rid, mentor, reason="change",
                                                       to_queue=mentor is None, force=True))

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), chapter=st.sampled_from(CHAPTERS), wrong=st.integers(0, 4))
    def transfer(self, data, chapter, wrong):
        rid = self._pick(data, "new", "pending_reassignment", "assigned", "accepted", "contacted", "in_progress")
        by = self._coordinator(rid, wrong == 0)
        self._attempt(rid, lambda: assignment.transfer(self.store, by, rid, chapter, reason="moved"))

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), message=st.booleans())
    def accept(self, data, message):
        rid = self._pick(data, "assigned")
        owner = self._email(self._row(rid).owner_id) or MENTOR
        self._attempt(rid, lambda: mentoring.accept(self.store, owner, rid, message="Hello" if message else None))

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), kind=st.sampled_from(["decline", "return", "contact", "session"]),
          stranger=st.integers(0, 4))
    def mentor_action(self, data, kind, stranger):
        rid = self._pick(data, *{"decline": ["assigned"], "return": ["accepted", "contacted", "in_progress"],
                                 "contact": ["accepted", "contacted"],
                                 "session": ["accepted", "contacted", "in_progress"]}[kind])
        actor = MENTOR2 if stranger == 0 else (self._email(self._row(rid).owner_id) or MENTOR)
        act = {
            "decline": lambda: mentoring.decline(self.store, actor, rid, reason="busy"),
            "return": lambda: mentoring.return_to_queue(self.store, actor, rid, reason="not a fit"),
            "contact": lambda: mentoring.contact(self.store, actor, rid, method="phone"),
            "session": lambda: mentoring.add_session(self.store, actor, rid, day=(self.frozen() - timedelta(days=1)).date(),
                                                     minutes=30, notes="talked"),
        }[kind]
        self._attempt(rid, act)

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), status=st.sampled_from(CLOSING), by_cic=st.booleans(), force=st.booleans())
    def close(self, data, status, by_cic, force):
        rid = self._pick(data, "assigned", "accepted", "contacted", "in_progress")
        actor = self._coordinator(rid, False) if by_cic else (self._email(self._row(rid).owner_id) or MENTOR)
        self._attempt(rid, lambda: mentoring.set_status(self.store, actor, rid, status, force=force))

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), referred=st.sampled_from(MENTORS))
    def refer(self, data, referred):
        rid = self._pick(data, "accepted", "contacted", "in_progress")
        owner = self._email(self._row(rid).owner_id) or MENTOR
        self._attempt(rid, lambda: referrals.refer(self.store, owner, rid, referred, reason="expertise"))

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), referee=st.sampled_from(MENTORS), accept=st.booleans())
    def respond(self, data, referee, accept):
        rid = self._pick(data, "accepted", "contacted", "in_progress")
        with self.store.reading() as session:
            pending = session.execute(select(Volunteer.email).join(
                CaseTeamMember, CaseTeamMember.volunteer_id == Volunteer.id).where(
                CaseTeamMember.request_id == rid, CaseTeamMember.state == "pending",
                CaseTeamMember.role == "member")).scalars().first()
        if pending and data.draw(st.integers(0, 4)) > 0:
            referee = pending
        self._attempt(rid, lambda: referrals.respond(self.store, referee, rid, accept=accept,
                                                     reason=None if accept else "no time"))

    @rule(hours=st.integers(1, 80))
    def time_passes(self, hours):
        counters.state_machine_steps += 1
        self.frozen.tick(timedelta(hours=hours))

    # --- invariants -----------------------------------------------------------------

    @invariant()
    def store_is_consistent(self):
        assert integrity.check_store(self.store) == []

    @invariant()
    def every_status_change_has_exactly_one_audit_event(self):
        with self.store.reading() as session:
            for rid in self.ids:
                status = session.get(MentoringRequest, rid).status
                chain = session.execute(select(AuditEvent.from_status, AuditEvent.to_status)
                                        .where(AuditEvent.request_id == rid).order_by(AuditEvent.id)).all()
                current = None
                for from_status, to_status in chain:
                    assert from_status == current, (rid, chain)
                    current = to_status
                assert current == status, (rid, chain, status)

    @invariant()
    def a_declined_referee_has_no_access(self):
        with self.store.reading() as session:
            declined = session.execute(select(CaseTeamMember.request_id, Volunteer.email)
                                       .join(Volunteer, Volunteer.id == CaseTeamMember.volunteer_id)
                                       .where(CaseTeamMember.state == "declined")).all()
            for rid, email in declined:
                request = session.get(MentoringRequest, rid)
                entry = records.team_entry(session, rid, load_actor(session, email).id)
                if entry.state == "declined" and request.owner_id != entry.volunteer_id:
                    actor = load_actor(session, email)
                    if not access.coordinates(session, actor, request):
                        assert not access.may_see(session, actor, request), (rid, email)

    @invariant()
    def a_closed_request_never_changes_without_an_audit_event(self):
        with self.store.reading() as session:
            for rid in self.ids:
                row = session.get(MentoringRequest, rid)
                events = session.execute(select(func.count()).select_from(AuditEvent)
                                         .where(AuditEvent.request_id == rid)).scalar_one()
                if rid in self.closed:
                    version, seen = self.closed[rid]
                    assert row.version - version <= events - seen, (rid, row.version, version, events, seen)
                if row.status in CLOSED_STATUSES:
                    self.closed[rid] = (row.version, events)


def test_the_workflow_keeps_its_invariants_under_random_actions(world):
    from score_cli.services.people import volunteers

    for email in ("ref1@example.org", "ref2@example.org"):
        volunteers.add(world.store, ADMIN, volunteers.NewVolunteer(email=email, name=email.split("@")[0],
                                                                   chapter="BOS01", classification="certified"))
    world.store.close()
    admin = None
    if world.url.startswith("postgresql"):
        from sqlalchemy import create_engine

        admin = create_engine(world.url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    Workflow.clone = Clone(world.url, admin)
    try:
        run_state_machine_as_test(Workflow, settings=settings(
            max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    finally:
        if admin is not None:
            admin.dispose()
