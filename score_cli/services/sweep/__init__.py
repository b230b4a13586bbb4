"""The nightly sweep (SPEC §5): timeouts, accept-overdue reminders, contact-window flags,
pause expiry and direct-request limits.

Set-based and index-driven: due items are found through their stored deadlines
((outcome, timeout_at), (outcome, accept_due_at), (status, submitted_at)), in keyset batches,
so the work grows with the number of due items, not with the store. Timeouts and reminders are
done many to a transaction (`sweep_batch`); the other items, and any batch that is not exactly as
found, one to a transaction that re-reads the item under the write lock: either fully done
(state, audit event, outbox messages) or untouched. An item that someone changed meanwhile
(a coordinator, another sweep) is left alone and counted as skipped; a second sweep at the
same moment finds nothing left to do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice

from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from score_cli import clock
from score_cli.domain import calendar
from score_cli.domain import deadlines as rules
from score_cli.services.requests import records
from score_cli.services.organisation import calendar_changes
from score_cli.services.sweep import batch as sweep_batch
from score_cli.services.sweep.batch import ACTOR
from score_cli.services.sweep.due import Skip as _Skip, keyset_after as _after
from score_cli.services.sweep.pauses import end_pause, ended_pauses, start_pause, starting_pauses
from score_cli.domain.errors import Conflict
from score_cli.services.timefmt import local_text
from score_cli.store.db import Store
from score_cli.store.hints import by_key_only
from score_cli.store.models import (Assignment, AuditEvent, Chapter, ContactAttempt, MentoringRequest,
                                    Volunteer)
from score_cli.domain.vocabulary import AssignmentKind, Outcome, Status, VolunteerStatus

BATCH_SIZE = 500  # due items found per read
WRITE_BATCH_SIZE = 200  # timeouts or reminders done per transaction

# What the sweep does, in the order it does it; with the rest, the keys of `--format json`.
ACTIONS = ("timed_out", "reminded", "follow_up", "ready_to_close", "pause_started", "pause_ended",
           "deadlines_recomputed")
KINDS = ACTIONS + ("direct_limit_reached", "held", "skipped", "failed")


@dataclass
class SweepResult:
    dry_run: bool = False
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    items: list[dict] = field(default_factory=list)  # {"kind", "id" or "email", ...}
    recomputed: list[dict] = field(default_factory=list)  # chapters whose calendar changed
    errors: list[str] = field(default_factory=list)

    @property
    def anything_happened(self) -> bool:
        return any(self.counts[k] for k in ACTIONS) or self.counts["failed"] > 0


class _DryRun(Exception):
    """Raised at the end of an item in a dry run, so that its transaction rolls back."""

    def __init__(self, item: dict):
        super().__init__()
        self.item = item


@dataclass(frozen=True)
class _Place:
    """A chapter, detached from any session, for calendars and queues."""

    code: str
    timezone: str
    state: str
    live: bool


def run(store: Store, *, dry_run: bool = False, batch_size: int = BATCH_SIZE,
        write_batch_size: int = WRITE_BATCH_SIZE) -> SweepResult:
    """One sweep at one moment; `dry_run` does every item and rolls each one back.

    First, deadlines of chapters whose calendar changed are recomputed (before any timeout)."""
    now = clock.now()
    recomputed = calendar_changes.recompute(store, now=now, dry_run=dry_run)
    sweep = _Sweep(store, now, dry_run, batch_size, write_batch_size)
    sweep.result.recomputed = recomputed
    sweep.result.counts["deadlines_recomputed"] = sum(r["recomputed"] for r in recomputed)
    return sweep.run()


class _Sweep:
    def __init__(self, store: Store, now: datetime, dry_run: bool, batch_size: int, write_batch_size: int):
        self.store = store
        self.now = now
        self.batch_size = batch_size
        self.write_batch_size = write_batch_size
        self.result = SweepResult(dry_run=dry_run)
        with store.reading() as session:
            self.places = {c.code: _Place(c.code, c.timezone, c.state, c.live)
                           for c in session.execute(select(Chapter)).scalars()}

    def run(self) -> SweepResult:
        coordinators: dict = {}
        self._in_batches("timed_out", self._due(_due_timeouts), "could not time out assignment",
                         lambda session, ids: sweep_batch.time_out(session, self.places, self.now, ids, coordinators))
        self._in_batches("reminded", self._working_day_only(self._due(_due_reminders)), "could not remind on assignment",
                         lambda session, ids: sweep_batch.remind(session, self.places, self.now, ids))
        self._each(None, self._window_over(self._due(_contact_windows)), _flag_contact_window,
                   "could not flag request")
        self._each("pause_started", self._begun_locally(self._due(starting_pauses)), start_pause,
                   "could not switch off direct requests of volunteer")
        self._each("pause_ended", self._working_day_only(self._over_locally(self._due(ended_pauses))), end_pause,
                   "could not end the pause of volunteer")
        self._direct_limits()
        return self.result

    # -- finding due items: keyset batches, each in a short read ----------------------------

    def _due(self, query: Callable) -> Iterator[tuple]:
        after = None
        while True:
            with self.store.reading() as session:
                rows = session.execute(query(self.now, after).limit(self.batch_size)).all()
            yield from rows
            if len(rows) < self.batch_size:
                return
            after = tuple(rows[-1])[:2]

    def today(self, chapter_code: str) -> date:
        return calendar.local_date(self.now, self.places[chapter_code].timezone)

    def _begun_locally(self, rows: Iterator[tuple]) -> Iterator[tuple]:
        return (row for row in rows if self.today(row.chapter_code) >= row.pause_from)

    def _over_locally(self, rows: Iterator[tuple]) -> Iterator[tuple]:
        """Pauses whose last day is over in the volunteer's own chapter."""
        return (row for row in rows if self.today(row.chapter_code) > row.pause_until)

    def _window_over(self, rows: Iterator[tuple]) -> Iterator[tuple]:
        """Contact windows over in the chapter's local wall-clock time (the query allows for DST)."""
        return (row for row in rows
                if rules.contact_window_ends(row.accepted_at, self.places[row.chapter_code].timezone) <= self.now)

    def _working_day_only(self, rows: Iterator[tuple]) -> Iterator[tuple]:
        """Reminders to volunteers go out only on their own chapter's business days."""
        for row in rows:
            if calendar.is_business_day(self.today(row.chapter_code), self.places[row.chapter_code]):
                yield row
            else:
                self.result.counts["held"] += 1

    # -- doing one item in its own transaction ------------------------------------------------

    def _each(self, kind: str | None, rows: Iterator[tuple], work: Callable, failure: str) -> None:
        counts = self.result.counts
        for row in rows:
            try:
                with self.store.transaction() as session:
                    item = work(self, session, row)
                    if self.result.dry_run:
                        raise _DryRun(item)
            except _DryRun as rolled_back:
                item = rolled_back.item
            except _Skip:
                counts["skipped"] += 1
                continue
            except Exception as exc:  # one bad item must not stop the night's work
                counts["failed"] += 1
                self.result.errors.append(f"{failure} {row.id}: {exc}")
                continue
            counts[kind or item["kind"]] += 1
            self.result.items.append({"kind": kind or item["kind"], **item})

    def _in_batches(self, kind: str, rows: Iterator[tuple], failure: str, batch_work: Callable) -> None:
        """Items `write_batch_size` at a time in one transaction; a batch that is not exactly as
        found, or fails, is done again one item at a time (a batch of one), so that each item is
        done, skipped or named."""

        def one(_sweep, session, row) -> dict:
            try:
                return batch_work(session, [row.id])[0]
            except sweep_batch.Incomplete:
                raise _Skip from None

        rows = iter(rows)
        while batch := list(islice(rows, self.write_batch_size)):
            try:
                with self.store.transaction() as session:
                    items = batch_work(session, [r.id for r in batch])
                    if self.result.dry_run:
                        raise _DryRun(items)
            except _DryRun as rolled_back:
                items = rolled_back.item
            except Exception:  # sweep_batch.Incomplete, or anything else: one by one tells which
                self._each(kind, iter(batch), one, failure)
                continue
            self.result.counts[kind] += len(items)
            self.result.items += [{"kind": kind, **item} for item in items]

    def _direct_limits(self) -> None:
        """`request_limit_reached` is derived (SPEC §3): recount who is at their weekly limit."""
        since = self.now - rules.WEEK
        used = (select(func.count()).select_from(Assignment)
                .where(Assignment.mentor_id == Volunteer.id, Assignment.assigned_at > since,
                       Assignment.kind == AssignmentKind.DIRECT).scalar_subquery())
        with self.store.reading() as session:
            emails = session.execute(
                select(Volunteer.email).where(Volunteer.max_direct_weekly.is_not(None),
                                              Volunteer.accept_direct_requests.is_(True),
                                              Volunteer.status == VolunteerStatus.ACTIVE,
                                              used >= Volunteer.max_direct_weekly)
                .order_by(Volunteer.email)).scalars().all()
        self.result.counts["direct_limit_reached"] = len(emails)
        self.result.items += [{"kind": "direct_limit_reached", "email": e} for e in emails]


# -- timeouts ---------------------------------------------------------------------------------


def _due_timeouts(now: datetime, after: tuple | None):
    return (select(Assignment.timeout_at, Assignment.id)
            .where(Assignment.outcome == Outcome.OPEN, Assignment.timeout_at <= now,
                   _after(Assignment.timeout_at, Assignment.id, after))
            .order_by(Assignment.timeout_at, Assignment.id))


def _current(session: Session, assignment_id: int, outcome: Outcome) -> tuple[Assignment, MentoringRequest]:
    """The assignment and its request, if the assignment is still the request's current one.

    On PostgreSQL both rows are locked, and rows another sweep or a coordinator holds right now
    are skipped (FOR UPDATE SKIP LOCKED); SQLite's write lock already serialises writers."""
    found = session.execute(select(Assignment).where(Assignment.id == assignment_id)
                            .with_for_update(skip_locked=True)).scalar()
    if found is None or found.outcome != outcome:
        raise _Skip
    request = session.execute(select(MentoringRequest).where(MentoringRequest.id == found.request_id)
                              .with_for_update(skip_locked=True)).scalar()
    if request is None:
        raise _Skip
    if request.owner_id != found.mentor_id:
        raise _Skip
    return found, request


# -- accept-overdue reminders -------------------------------------------------------------------


def _due_reminders(now: datetime, after: tuple | None):
    return (select(Assignment.accept_due_at, Assignment.id, Volunteer.chapter_code)
            .join(Volunteer, Volunteer.id == Assignment.mentor_id)
            .where(Assignment.outcome == Outcome.OPEN, Assignment.accept_due_at <= now,
                   Assignment.timeout_at > now, Assignment.reminder_sent_at.is_(None),
                   _after(Assignment.accept_due_at, Assignment.id, after))
            .order_by(Assignment.accept_due_at, Assignment.id))


# -- contact window: follow up, or ready to close as no_response ------------------------------

WINDOW_STATUSES = (Status.ACCEPTED, Status.CONTACTED)  # accepted, no session yet


def _contact_windows(now: datetime, after: tuple | None):
    """Accepted assignments past the window whose due flag was not raised since acceptance."""
    attempts = (select(func.count()).select_from(ContactAttempt)
                .where(ContactAttempt.request_id == MentoringRequest.id,
                       ContactAttempt.volunteer_id == Assignment.mentor_id,
                       ContactAttempt.at >= Assignment.accepted_at)
                .correlate(MentoringRequest, Assignment).scalar_subquery())
    kind = case((attempts >= rules.CONTACT_ATTEMPTS_EXPECTED, "ready_to_close"), else_="follow_up")
    flagged = (select(AuditEvent.id).where(AuditEvent.request_id == MentoringRequest.id,
                                           AuditEvent.action == kind,
                                           AuditEvent.at >= Assignment.accepted_at)
               .correlate(MentoringRequest, Assignment).exists())
    # Driven by the requests still waiting for a session, (status, submitted_at) index.
    return (select(MentoringRequest.submitted_at, MentoringRequest.id, Assignment.id.label("assignment_id"),
                   Assignment.accepted_at, MentoringRequest.chapter_code)
            .join(Assignment, and_(Assignment.request_id == MentoringRequest.id,
                                   by_key_only(Assignment.outcome) == Outcome.ACCEPTED))
            .where(MentoringRequest.status.in_(WINDOW_STATUSES),
                   Assignment.accepted_at <= now - timedelta(days=rules.CONTACT_WINDOW_DAYS) + rules.DST_SLACK,
                   ~flagged,
                   _after(MentoringRequest.submitted_at, MentoringRequest.id, after))
            .order_by(MentoringRequest.submitted_at, MentoringRequest.id))


def _flagged_since(session: Session, request_id: int, action: str, since: datetime) -> bool:
    return session.execute(select(AuditEvent.id).where(
        AuditEvent.request_id == request_id, AuditEvent.action == action, AuditEvent.at >= since
    ).limit(1)).first() is not None


def _flag_contact_window(sweep: _Sweep, session: Session, row) -> dict:
    """14 days after acceptance: ready to close when the no_response rule allows it, else follow up."""
    found, request = _current(session, row.assignment_id, Outcome.ACCEPTED)
    place = sweep.places[request.chapter_code]
    if request.status not in WINDOW_STATUSES or rules.contact_window_ends(found.accepted_at, place.timezone) > sweep.now:
        raise _Skip
    times = session.execute(select(ContactAttempt.at).where(
        ContactAttempt.request_id == request.id, ContactAttempt.volunteer_id == found.mentor_id,
        ContactAttempt.at >= found.accepted_at)).scalars().all()
    attempts = len(times)
    ready = rules.no_response_readiness(times, place, sweep.now).allowed
    kind = "ready_to_close" if ready else "follow_up"
    if _flagged_since(session, request.id, kind, found.accepted_at):
        raise _Skip
    mentor = session.get(Volunteer, found.mentor_id)
    accepted = local_text(found.accepted_at, place.timezone)
    reason = (f"{attempts} contact attempts and no session since acceptance on {accepted}: ready to close"
              " as no_response" if kind == "ready_to_close" else
              f"{attempts} of {rules.CONTACT_ATTEMPTS_EXPECTED} contact attempts (on different days, the first"
              f" {rules.CONTACT_WINDOW_DAYS} days ago or more) since"
              f" acceptance on {accepted}: follow up")
    try:
        records.change(session, request, actor=ACTOR, action=kind, reason=reason, at=sweep.now,
                        detail={"mentor": mentor.email, "attempts": attempts, "accepted_at": found.accepted_at})
    except Conflict:
        raise _Skip from None
    return {"kind": kind, "id": request.id, "email": mentor.email, "attempts": attempts}
