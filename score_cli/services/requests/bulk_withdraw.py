"""`score withdraw --bulk`: withdrawing many requests at once, all or none.

The input is the plan `score duplicates find --format csv|json` prints (its rows whose
action is `withdraw`; the `keeper` column names the request each one duplicates) or a plain
list of request ids, one a line. Every row is checked before anything is written: unknown
id, already closed, outside the actor's scope, the keeper of its group, changed since the plan
was made (its `version`), no longer sharing an identity signal with its keeper (a conflict,
exit 4: the signals are computed again from the store as it is now). Then all valid rows
are applied in one transaction, or none (`skip_invalid` applies the valid ones and lists the
rest). A request withdrawn before with the same reason is "already done", so a rerun of the
same plan changes nothing and says so.

The work is set-based, so 10,000 rows on a store of a million requests take seconds: the
requests are read in chunks with `IN (...)`, updated in chunks with
`WHERE (id, version) IN (...)` (a row changed by someone else meanwhile makes the whole run
fail with a conflict), and the notes, audit events (one per request) and owners' messages
are inserted as batches.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, select, tuple_, update
from sqlmodel import Session

from score_cli import clock
from score_cli.services import audit, validate
from score_cli.services.duplicates import recheck
from score_cli.services.duplicates.recheck import PairNow
from score_cli.services.duplicates.signals import Candidate
from score_cli.services.mail import outbox
from score_cli.services.organisation import permissions
from score_cli.domain.errors import Conflict, Invalid, NotFound, Refused, ScoreError
from score_cli.domain.vocabulary import request_label as label
from score_cli.domain.access import Relation, relation_rule
from score_cli.domain.workflow import TRANSITIONS, Action, allowed
from score_cli.store.db import Store
from score_cli.store.hints import by_key_only, in_chunks
from score_cli.store.models import Assignment, AuditEvent, Client, MentoringRequest, Note, Volunteer
from score_cli.domain.vocabulary import CLOSED_STATUSES, Outcome, Status


# --- reading the plan -------------------------------------------------------------------


@dataclass
class PlanRow:
    line: int
    text: str  # the id as written
    request_id: int | None = None
    keeper_id: int | None = None
    group: str | None = None
    problem: ScoreError | None = None  # the row itself is malformed
    version: int | None = None  # the request's version when the plan was made


@dataclass
class Plan:
    rows: list[PlanRow]  # the rows to withdraw, in input order
    keepers: set[int] = field(default_factory=set)  # every request the plan keeps


def _unquote(cell) -> str:
    """A cell as `duplicates find` wrote it, undoing the spreadsheet-safe quote."""
    text = "" if cell is None else str(cell).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]
    return text


def _request_id(text: str) -> tuple[int | None, ScoreError | None]:
    try:
        return validate.request_id(text), None
    except Invalid as exc:
        return None, exc


def parse_plan(content: str) -> Plan:
    """The plan's rows to withdraw, from the CSV or JSON of `duplicates find` or a list of ids."""
    lines = [(n, line.strip()) for n, line in enumerate(content.splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line and not line.startswith("#")]
    if not lines:
        return Plan([])  # `duplicates find` found nothing: nothing to withdraw
    first = lines[0][1]
    if first[0] in "[{":
        return _from_records(_json_records(content))
    header = [_unquote(c).lower() for c in next(csv.reader([first]))]
    if "id" in header:
        reader = csv.DictReader(io.StringIO(content))
        reader.fieldnames = [_unquote(c).lower() for c in reader.fieldnames or []]
        try:
            records = [(reader.line_num, row) for row in reader if any((v or "").strip() for v in row.values())]
        except csv.Error as exc:
            raise Invalid(f"the plan is not valid CSV (line {reader.line_num}): {exc}") from None
        return _from_records(records)
    plan = Plan([])
    for number, line in lines:
        request_id, problem = _request_id(line)
        plan.rows.append(PlanRow(number, line, request_id, problem=problem))
    return plan


def _json_records(content: str) -> list[tuple[int, dict]]:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise Invalid(f"the plan is not valid JSON (line {exc.lineno}): {exc.msg}") from None
    except (ValueError, RecursionError):  # a number of thousands of digits, or nesting without end
        raise Invalid("the plan is not valid JSON: a number too long or nesting too deep to read") from None
    if isinstance(data, dict) and isinstance(data.get("rows"), list):
        data = data["rows"]
    if not isinstance(data, list):
        raise Invalid("a JSON plan must be an array of rows, as `score duplicates find --format json` prints")
    records = []
    for number, item in enumerate(data, 1):
        records.append((number, item if isinstance(item, dict) else {"id": item}))
    return records


def _from_records(records: list[tuple[int, dict]]) -> Plan:
    """Rows of a CSV or JSON plan; `line` is the CSV line or the JSON row number."""
    plan = Plan([])
    for number, record in records:
        record = {str(k).strip().lower(): v for k, v in record.items()}
        action = _unquote(record.get("action")).lower() or "withdraw"
        text = _unquote(record.get("id"))
        request_id, problem = _request_id(text)
        keeper_text = _unquote(record.get("keeper"))
        keeper_id = None
        if keeper_text:
            keeper_id, keeper_problem = _request_id(keeper_text)
            problem = problem or keeper_problem
            if keeper_id is not None:
                plan.keepers.add(keeper_id)
        if action == "keep":
            if request_id is not None:
                plan.keepers.add(request_id)
            continue
        if action != "withdraw":
            continue  # "none": already closed when the plan was made
        group = _unquote(record.get("group")) or None
        version_text = _unquote(record.get("version"))
        version = int(version_text) if version_text.isdigit() else None
        plan.rows.append(PlanRow(number, text, request_id, keeper_id, group, problem, version))
    return plan


# --- checking and applying ---------------------------------------------------------------


@dataclass
class BulkResult:
    rows: list[dict]
    dry_run: bool
    applied: bool
    counts: dict[str, int]
    message: str
    exit_code: int = 0

    def as_dict(self) -> dict:
        return {"dry_run": self.dry_run, "applied": self.applied, "message": self.message,
                "counts": self.counts, "rows": self.rows}


@dataclass
class _Target:
    row: PlanRow
    request: tuple | None = None  # (id, status, chapter, owner_id, version, client name, owner e-mail, owner name)
    problem: ScoreError | None = None
    outcome: str = ""
    detail: str | None = None
    now: PairNow | None = None  # what the request and its keeper share in the store now
    client: Candidate | None = None  # the request's client as the store has it now
    visible: bool = False  # the actor may see the clients' names


def withdraw_bulk(store: Store, actor_email: str | None, content: str, *, reason: str, dry_run: bool = False,
                  skip_invalid: bool = False) -> BulkResult:
    reason = validate.text_field(reason, what="--reason", one_line=True)
    plan = parse_plan(content)
    if not plan.rows:
        with store.reading() as session:
            permissions.load_actor(session, actor_email)
        return BulkResult([], dry_run, False, {}, "nothing to withdraw: the plan has no rows whose action is"
                                                  " withdraw")
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        targets = _check(session, actor, plan, reason)
        invalid = [t for t in targets if t.problem is not None]
        valid = [t for t in targets if t.problem is None and not t.outcome]
        refused = bool(invalid) and not skip_invalid
        if valid and not refused and not dry_run:
            _apply(session, actor, valid, reason, clock.now())
    for t in valid:
        t.outcome = "not_applied" if refused else "would_withdraw" if dry_run else "withdrawn"
    for t in invalid:
        t.outcome = "skipped" if skip_invalid else "invalid"
    return _result(targets, dry_run=dry_run, applied=bool(valid) and not refused and not dry_run, refused=refused)


def _check(session: Session, actor, plan: Plan, reason: str) -> list[_Target]:
    targets = [_Target(row, problem=row.problem) for row in plan.rows]
    wanted = {t.row.request_id for t in targets if t.row.request_id} | {t.row.keeper_id for t in targets
                                                                          if t.row.keeper_id}
    found = _requests(session, sorted(wanted))
    candidates = recheck.candidates(session, list(found))
    done_before = _withdrawn_with(session, [i for i, r in found.items() if r[1] == Status.WITHDRAWN], reason)
    coordinated: dict[str, bool] = {}
    seen: dict[int, int] = {}
    for t in targets:
        if t.problem is not None:
            continue
        rid, keeper = t.row.request_id, t.row.keeper_id
        request = found.get(rid)
        if rid in seen:
            t.outcome = "repeated"
            t.detail = f"listed before on line {seen[rid]}"
            continue
        seen[rid] = t.row.line
        t.request = request
        if request is None:
            t.problem = NotFound(f"no request {label(rid)}")
        elif rid == keeper or rid in plan.keepers:
            t.problem = Refused(f"{label(rid)} is the request to keep in its group, not a duplicate")
        elif keeper is not None and keeper not in found:
            t.problem = NotFound(f"its keeper {label(keeper)} does not exist")
        elif request[1] == Status.WITHDRAWN and rid in done_before:
            t.outcome = "already_done"
        elif not allowed(Action.WITHDRAW, request[1]):
            t.problem = Refused(f"{label(rid)} is already closed ({request[1]})")
        elif keeper is not None and found[keeper][1] in CLOSED_STATUSES - {Status.COMPLETE}:
            t.problem = Refused(f"its keeper {label(keeper)} is {found[keeper][1]} now: this may be the client's"
                                " only open request (run `score duplicates find` again)")
        else:
            chapter = request[2]
            if chapter not in coordinated:  # the actor's standing per chapter, asked once, not per row
                coordinated[chapter] = permissions.may(actor, "request.coordinate",
                                                       permissions.place_of(session, chapter))
            relations = ({Relation.COORDINATOR} if coordinated[chapter] else set()) | (
                {Relation.OWNER} if request[3] == actor.id else set())
            t.visible = bool(relations & TRANSITIONS[Action.WITHDRAW].who)
            t.client = candidates.get(rid)
            if keeper is not None:
                t.now = recheck.pair_now(candidates, rid, keeper)
            if not t.visible:
                t.problem = Refused(f"{label(rid)} is outside {actor.email}'s scope: only"
                                    f" {relation_rule(TRANSITIONS[Action.WITHDRAW].who)} may withdraw it")
            elif t.row.version is not None and t.row.version != request[4]:
                t.problem = Conflict(f"{label(rid)} changed since the plan was made: run `score duplicates find`"
                                     " again")
            elif t.now is not None and not t.now.identity:
                t.problem = Conflict(f"{label(rid)} no longer shares an e-mail, a phone, or a name with a business"
                                     f" or ZIP with its keeper {label(keeper)}: run `score duplicates find` again")
    return targets


def _requests(session: Session, ids: list[int]) -> dict[int, tuple]:
    r = MentoringRequest
    found = {}
    for chunk in in_chunks(ids):
        rows = session.execute(
            select(r.id, r.status, r.chapter_code, r.owner_id, r.version, Client.name, Volunteer.email,
                   Volunteer.name)
            .join(Client, Client.id == r.client_id)
            .outerjoin(Volunteer, Volunteer.id == r.owner_id)
            .where(r.id.in_(chunk))
        ).all()
        found.update((row[0], tuple(row)) for row in rows)
    return found


def _withdrawn_with(session: Session, ids: list[int], reason: str) -> set[int]:
    """The requests an earlier run withdrew with this same reason."""
    done = set()
    for chunk in in_chunks(ids):
        done.update(session.execute(
            select(AuditEvent.request_id).where(AuditEvent.request_id.in_(chunk),
                                                AuditEvent.action == str(Action.WITHDRAW),
                                                AuditEvent.reason == reason)
        ).scalars())
    return done


def _apply(session: Session, actor, targets: list[_Target], reason: str, now: datetime) -> None:
    r = MentoringRequest
    for chunk in in_chunks(targets):
        keys = [(t.request[0], t.request[4]) for t in chunk]
        result = session.execute(
            # `id IN` lets SQLite find the rows by key; the pairs then check each version
            update(r).where(r.id.in_([k[0] for k in keys]), tuple_(r.id, r.version).in_(keys))
            .values(status=str(Status.WITHDRAWN), status_changed_at=now, closed_at=now, queue=None,
                    version=r.version + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != len(chunk):
            raise Conflict(f"{len(chunk) - result.rowcount} of the requests changed while this ran:"
                           " nothing was withdrawn; run it again")
        session.execute(
            update(Assignment)
            .where(Assignment.request_id.in_([k[0] for k in keys]),
                   by_key_only(Assignment.outcome).in_([Outcome.OPEN, Outcome.ACCEPTED]))
            .values(outcome=str(Outcome.WITHDRAWN), outcome_at=now, reason=reason)
            .execution_options(synchronize_session=False)
        )
    notes, events, messages = [], [], []
    for t in targets:
        rid, status, _, owner_id, _, client_name, owner_email, owner_name = t.request
        keeper = t.row.keeper_id
        text = f"duplicate of {label(keeper)}: {reason}" if keeper else reason
        notes.append({"request_id": rid, "author_id": actor.id, "kind": "withdraw", "text": text, "created_at": now})
        detail = {"bulk": True}
        if keeper:
            detail["duplicate_of"] = label(keeper)
        if t.row.group:
            detail["group"] = t.row.group
        events.append(audit.event_row(actor=actor.email, action=str(Action.WITHDRAW), request_id=rid,
                                      from_status=status, to_status=str(Status.WITHDRAWN), reason=reason,
                                      detail=detail, at=now))
        if owner_id is not None and owner_id != actor.id:
            messages.append(outbox.message(event="withdrawn", recipient=owner_email, request_id=rid, values={
                "request": label(rid), "mentor_name": owner_name, "actor_name": actor.name,
                "client_name": client_name, "reason": text}))
    if notes:
        session.execute(insert(Note.__table__), notes)
    audit.record_many(session, events)
    outbox.enqueue_many(session, messages)


# --- reporting --------------------------------------------------------------------------

_EXIT = {Refused: 1, NotFound: 3, Invalid: 2, Conflict: 4}


def _result(targets: list[_Target], *, dry_run: bool, applied: bool, refused: bool) -> BulkResult:
    rows, counts = [], {}
    for t in targets:
        counts[t.outcome] = counts.get(t.outcome, 0) + 1
        detail = t.problem.message if t.problem else t.detail
        if t.outcome == "already_done":
            detail = "withdrawn before with this reason"
        now, shown = t.now, t.visible and t.now is not None
        client = t.client if t.visible else None
        rows.append({"line": t.row.line, "id": label(t.row.request_id) if t.row.request_id else t.row.text,
                     "keeper": label(t.row.keeper_id) if t.row.keeper_id else None,
                     "status": t.request[1] if t.request else None, "outcome": t.outcome, "detail": detail,
                     "client": client.client_name.strip() if client else None,
                     "client_emails": list(client.emails_shown) if client else [],
                     "keeper_client": now.keeper.client_name.strip() if shown else None,
                     "keeper_emails": list(now.keeper.emails_shown) if shown else [],
                     "signals": now.signals if shown else [], "score": now.score if shown else None})
    problems = [t.problem for t in targets if t.problem is not None]
    ready = counts.get("withdrawn", 0) + counts.get("would_withdraw", 0) + counts.get("not_applied", 0)
    done = counts.get("already_done", 0)
    exit_code = 0
    if refused:
        codes = {_EXIT.get(type(p), 1) for p in problems}
        exit_code = 1 if 1 in codes else min(codes)
        message = (f"{'dry run: ' if dry_run else ''}refused: {len(problems)} of {len(targets)} rows are not"
                   f" valid, so nothing was withdrawn (fix them, or use --skip-invalid to withdraw the {ready}"
                   " valid ones)")
    elif not ready:
        message = f"nothing to do: all {done} requests were already withdrawn by an earlier run" if done else \
            "nothing to do: no valid row"
    elif dry_run:
        message = f"dry run: would withdraw {ready} request{'s' if ready != 1 else ''}; nothing was changed"
    else:
        message = f"withdrew {ready} request{'s' if ready != 1 else ''}"
    extras = [f"{done} already done"] if done and ready else []
    if problems and not refused:
        extras.append(f"{len(problems)} invalid row{'s' if len(problems) != 1 else ''} skipped")
    if extras and not refused:
        message += " (" + ", ".join(extras) + ")"
    return BulkResult(rows, dry_run, applied, counts, message, exit_code)
