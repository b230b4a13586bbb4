"""The "not yet" reports: one row per open request, with what to do next.

    not-assigned    new, pending_reassignment   (no deadline applies in the SOP)
    not-accepted    assigned                    accept due: assigned + 2 business days
                                                (and the timeout, + 5, after which the sweep
                                                returns it)
    not-contacted   accepted                    contact window: accepted + 14 calendar days
    not-counseled   contacted                   contact window: accepted + 14 calendar days

"Accepted" is the acceptance of the current owner's assignment (a request reassigned after an
acceptance starts a new window); contact attempts are counted from it, as the sweep does. Days
in stage are business days, in the chapter's calendar, since the request entered its status
(for not-accepted: since the current assignment).
`next_action` is the open-cases review guide's advice for the row, most pressing first;
`flags` lists every condition found. "Possible duplicate" is another open request of the same
client (matched by any of their e-mails at intake); with `match_duplicates`, also a request
that `score duplicates find` would withdraw in favour of another (the fuzzier matches).

The query and its rows are `stage_query`'s; this module turns them into a report's lines.
`orphaned` (services/reports/orphaned.py) shares both.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator

from score_cli import clock
from score_cli.domain import calendar
from score_cli.domain import deadlines as rules
from score_cli.domain.errors import Invalid
from score_cli.domain.vocabulary import NATIONAL_QUEUE, Outcome, Status, VolunteerStatus
from score_cli.domain.workflow import OWNED
from score_cli.services.organisation.scope import Scope
from score_cli.services.people.eligibility import paused_on
from score_cli.services.reports.capacity import chapter_capacity
from score_cli.services.reports.common import Period, Run, coordinated_chapters, label, open_run
from score_cli.services.reports.read_ahead import read_ahead
from score_cli.services.reports.stage_query import fetch_batches, report_query
from score_cli.services.requests.mentoring import owners_attempts
from score_cli.services.timefmt import local_text, zone
from score_cli.store.db import Store
from score_cli.store.models import MentoringRequest

STAGES = {
    "not-assigned": (Status.NEW, Status.PENDING_REASSIGNMENT),
    "not-accepted": (Status.ASSIGNED,),
    "not-contacted": (Status.ACCEPTED,),
    "not-counseled": (Status.CONTACTED,),
}


def stage_report(store: Store, actor_email: str | None, scope: Scope | None, stage: str,
                 period: Period | None = None, *, overdue: bool = False, limit: int | None = None,
                 match_duplicates: bool = False) -> list[dict]:
    return list(stage_rows(store, actor_email, scope, stage, period, overdue=overdue, limit=limit,
                           match_duplicates=match_duplicates))


def stage_rows(store: Store, actor_email: str | None, scope: Scope | None, stage: str,
               period: Period | None = None, *, overdue: bool = False, limit: int | None = None,
               match_duplicates: bool = False) -> Iterator[dict]:
    """The rows one at a time, read as they are produced (the report holds a read transaction).

    `match_duplicates` also runs `score duplicates find` over the scope, so that a request the
    matcher would withdraw (another e-mail, the same phone or name and business...) points at
    the one to keep; it compares every request in the scope, so it is slow on a national one."""
    if stage not in STAGES:
        raise Invalid(f"unknown report {stage!r}: one of {', '.join(STAGES)}")
    matched = _matched_duplicates(store, actor_email, scope) if match_duplicates else {}
    with store.reading() as session:
        run = open_run(session, actor_email, scope, period, clock.now())
        R = MentoringRequest
        query = report_query(run, R.status.in_([str(s) for s in STAGES[stage]]), stage)
        context = RowContext(run, stage)
        batches = context.prepared(fetch_batches(session, query))
        if session.connection().dialect.name == "postgresql":
            batches = read_ahead(batches)
        count = 0
        for batch in batches:
            for r in batch:
                if r.duplicate is None and r.id in matched:
                    r = r._replace(duplicate=matched[r.id][0], duplicate_status=matched[r.id][1])
                row = context.row(r)
                if overdue and not row["deadline_passed"]:
                    continue
                yield row
                count += 1
                if limit and count >= limit:
                    return


def _matched_duplicates(store: Store, actor_email: str | None, scope: Scope | None) -> dict[int, tuple[int, str]]:
    """Request number -> (the request to keep, its status), for each one the matcher would withdraw."""
    from score_cli.services import duplicates
    from score_cli.services.validate import request_id as number

    found = duplicates.find(store, actor_email, scope)
    status = {row["id"]: row["status"] for row in found.rows}
    return {number(row["id"]): (number(row["keeper"]), status[row["keeper"]])
            for row in found.rows if row["action"] == "withdraw"}


# what the rows of one chapter share, looked up once a chapter: its record, time zone, business
# calendar and today's local date
Place = namedtuple("Place", "chapter zone calendar today")


# --- the rows ----------------------------------------------------------------------------


class RowContext:
    """What the rows of one report share: the chapters' coordinators, capacity, duplicates' state."""

    def __init__(self, run: Run, stage: str):
        self.run, self.stage = run, stage
        self.coordinated = coordinated_chapters(run.session, run.chapters) if stage == "not-assigned" else set()
        self._capacity: dict | None = None
        self._business: dict[tuple, int] = {}
        self._places: dict[str, Place] = {}
        self.attempt_times: dict[int, list] = {}

    def prepared(self, batches: Iterator[list]) -> Iterator[list]:
        """The batches as they come, with what their rows need from the store read first, in the
        thread that reads them (`read_ahead`): the chapters' capacity for the not-assigned report,
        and each batch's contact attempts for the not-counseled report (one query a batch), so
        that "ready to close" is the no_response rule of `close`."""
        for batch in batches:
            if self.stage == "not-assigned":
                self.capacities()
            if self.stage == "not-counseled":
                # `r.attempts` counts the same attempts (the owner's since accepting), so a request
                # with fewer than the rule's number cannot be ready: its times are not read (most are so)
                enough = {r.id: (r.owner_id, r.accepted_at) for r in batch
                          if (r.attempts or 0) >= rules.CONTACT_ATTEMPTS_EXPECTED}
                self.attempt_times.update(owners_attempts(self.run.session, enough))
            yield batch

    def capacities(self) -> dict:
        if self._capacity is None:
            self._capacity = chapter_capacity(self.run, sorted(self.run.in_scope))
        return self._capacity

    def capacity(self, code: str):
        return self.capacities().get(code)

    def place(self, code: str) -> Place:
        found = self._places.get(code)
        if found is None:
            ch = self.run.chapters[code]
            found = self._places[code] = Place(ch, zone(ch.timezone), calendar.calendar_for(ch),
                                               self.run.today(ch.timezone))
        return found

    def business_days(self, local_start, place: Place) -> int:
        """Business days from `local_start` (in the chapter's zone) to now: one calendar call per
        calendar and local date, since the count depends on nothing else (chapters of one state
        share a calendar)."""
        key = (place.calendar, local_start.date())
        found = self._business.get(key)
        if found is None:
            found = self._business[key] = place.calendar.business_days_between(local_start, self.run.now)
        return found

    def base(self, r) -> tuple[dict, Place]:
        place = self.place(r.chapter_code)
        submitted = r.submitted_at.astimezone(place.zone)
        return {
            "id": label(r.id), "status": r.status, "chapter": r.chapter_code, "queue": r.queue,
            "client": r.client, "client_kind": "existing" if r.client_was_known else "new",
            "owner": r.owner, "owner_status": r.owner_status,
            "submitted_at": submitted,
            "business_days_waiting": self.business_days(submitted, place),
        }, place

    def row(self, r) -> dict:
        now = self.run.now
        row, place = self.base(r)
        tz = place.zone
        status = r.status
        since, deadline, deadline_at, timeout_at = r.status_changed_at, None, None, None
        if status == Status.ASSIGNED:
            since = r.assigned_at or r.status_changed_at
            deadline, deadline_at, timeout_at = "accept_due", r.accept_due_at, r.timeout_at
        elif status == Status.ACCEPTED or status == Status.CONTACTED:
            accepted = r.accepted_at or r.first_accepted_at or r.status_changed_at
            if status == Status.ACCEPTED:
                since = accepted
            deadline, deadline_at = "contact_window", rules.contact_window_ends(accepted, tz)
        counting = status == Status.ACCEPTED or status == Status.CONTACTED
        since = since.astimezone(tz)
        row["in_stage_since"] = since
        row["business_days_in_stage"] = self.business_days(since, place)
        row["deadline"] = deadline
        row["deadline_at"] = deadline_at and deadline_at.astimezone(tz)
        row["deadline_passed"] = bool(deadline_at and deadline_at <= now)
        row["timeout_at"] = timeout_at and timeout_at.astimezone(tz)
        row["contact_attempts"] = r.attempts if counting else None
        row["last_contact_at"] = r.last_attempt.astimezone(tz) if counting and r.last_attempt else None
        row["possible_duplicate_of"] = label(r.duplicate) if r.duplicate else None
        row["flags"], row["next_action"] = self.advice(r, row, place, deadline_at, timeout_at)
        return row

    def advice(self, r, row, place: Place, deadline_at, timeout_at) -> tuple[list[str], str]:
        """Every flag that applies, and the guide's next action for the most pressing one."""
        now, flags, actions = self.run.now, [], []

        def note(flag: str, action: str | None = None) -> None:
            flags.append(flag)
            if action:
                actions.append(action)

        mre = row["id"]
        active = r.owner_status == VolunteerStatus.ACTIVE
        if r.owner and not active:
            note("owner_inactive", f"owner {r.owner} is no longer active: put it back in the queue (score reassign"
                 f" {mre} --to-queue --reason 'mentor no longer active'), assign another mentor (score assign {mre}"
                 " --suggest) and, as time has passed, let the client know a new mentor is found")
        if r.duplicate:
            other = r.duplicate_status
            served = other in OWNED
            note("possible_duplicate",
                 f"possible duplicate of {label(r.duplicate)} ({other}): "
                 + ("if the client is already being served there, withdraw this one" if served
                    else f"withdraw one of them (score withdraw {mre} --reason duplicate)"))
        if r.owner and active and paused_on(r, place.today):
            note("owner_paused", f"owner is paused until {r.pause_until or 'further notice'}: check in with the"
                 " mentor, or reassign")
        stage_action = getattr(self, "_" + r.status)(r, row, place.chapter, note, deadline_at, timeout_at, now, mre)
        if stage_action:
            actions.append(stage_action)
        return flags, actions[0] if actions else "none"

    # one method per status: the stage's own advice (flags added through `note`)

    def _new(self, r, row, ch, note, deadline_at, timeout_at, now, mre):
        if r.queue == NATIONAL_QUEUE:
            note("national_queue", f"in the National Intake Queue ({ch.code} is not live): a national coordinator"
                 " assigns it or transfers it to a live chapter")
        if ch.code not in self.coordinated:
            note("no_cic", f"no CIC for this chapter: the chapter manager can add one"
                 f" (score volunteer grant EMAIL cic --scope chapter:{ch.code})")
        cap = self.capacity(ch.code)
        if cap is not None and ch.live and cap.short:
            note("no_capacity", f"no mentor capacity left in {ch.code} this week: widen to the district or region"
                 f" (score assign {mre} --suggest) or transfer; tell the client about webinars meanwhile"
                 f" (score notify waiting-clients --older-than 3)")
        previous = {Outcome.DECLINED: "declined by {}: read the decline note (score show {}) and assign another"
                                      " mentor (score assign {} --suggest)",
                    Outcome.TIMED_OUT: "timed out with {}: assign another mentor (score assign {} --suggest)",
                    Outcome.RETURNED: "returned by {}: read the return note (score show {}) and assign another"
                                      " mentor (score assign {} --suggest)",
                    Outcome.REASSIGNED: "taken back from {}: assign another mentor (score assign {} --suggest)"}
        if r.status == Status.PENDING_REASSIGNMENT and r.latest_outcome in previous:
            return previous[r.latest_outcome].format(r.latest_mentor, mre, mre)
        return f"assign a mentor (score assign {mre} --suggest)"

    _pending_reassignment = _new

    def _assigned(self, r, row, ch, note, deadline_at, timeout_at, now, mre):
        if timeout_at and timeout_at <= now:
            note("timed_out")
            return (f"past the 5-business-day timeout: reassign now (score reassign {mre} --to-queue --reason"
                    " 'not accepted in time'), or the nightly sweep returns it to the queue")
        if deadline_at and deadline_at <= now:
            note("accept_overdue")
            return (f"check in with {r.owner}: are they able to accept? The CIC can change the owner without"
                    f" waiting for the timeout (score reassign {mre} --to-queue --reason 'not accepted in time')")
        return f"waiting for the mentor to accept (due {local_text(deadline_at, ch.timezone)})"

    def _accepted(self, r, row, ch, note, deadline_at, timeout_at, now, mre):
        if deadline_at <= now:
            note("window_passed")
            return ("check in with the mentor: no contact recorded in the 14-day contact window; perhaps the"
                    " status should be unable_to_contact or withdrawn")
        return "check in with the mentor: have they been able to contact the client?"

    def _contacted(self, r, row, ch, note, deadline_at, timeout_at, now, mre):
        attempts = r.attempts or 0
        if deadline_at <= now:
            note("window_passed")
            weighed = self.attempt_times.get(r.id)  # None: too few attempts to be ready (`prepared`)
            ready = None if weighed is None else rules.no_response_readiness(weighed, ch, now)
            if ready is not None and ready.allowed:
                note("ready_to_close")
                return (f"ready to close as no_response: {ready.attempts} contact attempts and no session in the"
                        f" 14-day contact window, on {ready.days} different days (score status {mre} no_response)")
            note("follow_up")
            if ready is not None:
                when = (f" (from {local_text(ready.allowed_from, ch.timezone)} at the earliest)"
                        if ready.allowed_from else "")
                return (f"follow up: not yet ready to close as no_response, it needs {ready.missing}{when}; if the"
                        " client can't be reached, keep trying on another day")
            return (f"follow up: {attempts} of {rules.CONTACT_ATTEMPTS_EXPECTED} contact attempts and the 14-day window has"
                    " passed; if the client can't be reached, set the status to unable_to_contact or withdrawn")
        if attempts < rules.CONTACT_ATTEMPTS_EXPECTED:
            note("follow_up")
            return f"follow up: {attempts} of {rules.CONTACT_ATTEMPTS_EXPECTED} contact attempts so far"
        return (f"check in with {r.owner}: if they've met the client, they just need to record the session"
                f" (score session add {mre} --date DATE --notes TEXT)")
