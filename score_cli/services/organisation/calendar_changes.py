"""Deadlines follow calendar changes (SPEC §5).

An open assignment's accept-due and timeout are computed when it is made, from its chapter's
calendar: time zone, state (holidays) and the organisation's closures file. Each chapter keeps a
fingerprint of those inputs. When they change (a closure added to the file, `db init
--chapters` with a new time zone or state), the deadlines of the chapter's open assignments are
computed again from their assignment time, in one transaction per chapter, with one audit event
per request whose deadlines moved. A deadline already passed stays as it was: what was done at
it (a reminder sent) is not undone, and a closure added for a past date changes nothing done.

The check runs at the start of every `sweep` (before any timeout), after `db init`, and on
`score db recompute-deadlines`; a chapter whose inputs did not change costs one comparison.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import bindparam, select, update

from score_cli import clock
from score_cli.domain import calendar
from score_cli.domain import deadlines as rules
from score_cli.services import audit
from score_cli.store.db import Store
from score_cli.store.models import Assignment, Chapter, MentoringRequest
from score_cli.domain.vocabulary import Outcome

ACTION = "deadlines_recomputed"
ACTOR = "system"


def fingerprint(chapter) -> str:
    """What a chapter's business days are computed from, condensed."""
    closures = ",".join(sorted(d.isoformat() for d in calendar.closures_for(chapter)))
    text = f"{chapter.timezone}|{(chapter.state or '').strip().upper()}|{closures}"
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def recompute(store: Store, *, now: datetime | None = None, dry_run: bool = False) -> list[dict]:
    """Recompute the deadlines of every chapter whose calendar changed; one row per such chapter:
    {"chapter", "recomputed" (requests whose deadlines moved), "summary"}."""
    now = now or clock.now()
    with store.reading() as session:
        stale = [code for code, recorded, *inputs in session.execute(
            select(Chapter.code, Chapter.calendar_fingerprint, Chapter.timezone, Chapter.state)).all()
            if recorded != fingerprint(_Inputs(code, *inputs))]
    done = []
    for code in stale:
        with (store.reading() if dry_run else store.transaction()) as session:
            row = _chapter(session, code, now, dry_run)
        if row is not None:
            done.append(row)
    return done


class _Inputs:
    def __init__(self, code: str, timezone: str, state: str | None):
        self.code, self.timezone, self.state = code, timezone, state


def _chapter(session, code: str, now: datetime, dry_run: bool) -> dict | None:
    query = select(Chapter).where(Chapter.code == code)
    chapter = session.execute(query if dry_run else query.with_for_update()).scalar_one()
    current = fingerprint(chapter)
    if chapter.calendar_fingerprint == current:
        return None  # another run did it meanwhile
    found = session.execute(
        select(Assignment.id, Assignment.request_id, Assignment.assigned_at, Assignment.accept_due_at,
               Assignment.timeout_at, MentoringRequest.status)
        .join(MentoringRequest, MentoringRequest.id == Assignment.request_id)
        .where(MentoringRequest.chapter_code == code, Assignment.outcome == Outcome.OPEN)
        .order_by(Assignment.id)).all()
    moved, events = [], []
    for a in found:
        new = rules.assignment_deadlines(a.assigned_at, chapter)
        accept_due = new.accept_due_at if a.accept_due_at > now else a.accept_due_at
        timeout = new.timeout_at if a.timeout_at > now else a.timeout_at
        if (accept_due, timeout) == (a.accept_due_at, a.timeout_at):
            continue
        moved.append({"b_id": a.id, "b_accept_due": accept_due, "b_timeout": timeout})
        events.append(audit.event_row(
            actor=ACTOR, action=ACTION, at=now, request_id=a.request_id, from_status=a.status, to_status=a.status,
            reason=f"the business calendar of {code} changed",
            detail={"accept_due_at": [a.accept_due_at, accept_due], "timeout_at": [a.timeout_at, timeout]}))
    if moved and not dry_run:
        table = Assignment.__table__
        session.execute(update(table).where(table.c.id == bindparam("b_id"))
                        .values(accept_due_at=bindparam("b_accept_due"), timeout_at=bindparam("b_timeout")),
                        moved)
        audit.record_many(session, events)
    first_time = chapter.calendar_fingerprint is None
    if not dry_run:
        chapter.calendar_fingerprint = current
    if first_time and not moved:
        return None  # recorded for the first time, nothing to move: nothing to say
    verb = "would recompute" if dry_run else "recomputed"
    return {"chapter": code, "recomputed": len(moved), "summary": f"{verb} {len(moved)} deadlines in {code}"}
