"""The Client Intake Queue: open requests not yet in progress, the work first (SPEC §4, issues 3, 19)."""

from __future__ import annotations

from score_cli import clock
from score_cli.domain import calendar
from score_cli.services import validate
from score_cli.services.organisation import permissions
from score_cli.domain.access import MINE, Record
from score_cli.domain.errors import Invalid
from score_cli.services.organisation.scope import Scope, chapter_sql, resolve
from score_cli.services.timefmt import local
from score_cli.store.db import Store
from score_cli.store.sql import AT, FLAG, query
from score_cli.domain.vocabulary import QUEUED_STATUSES, Status

# The request stays in the intake queue until a session is recorded.
IN_QUEUE = (Status.NEW, Status.PENDING_REASSIGNMENT, Status.ASSIGNED, Status.ACCEPTED, Status.CONTACTED)

# Plain SQL (store/sql.py): the listing a coordinator opens the day with.
_QUEUE = """SELECT r.id, r.status, r.chapter_code, r.queue, r.submitted_at, r.status_changed_at, r.mentoring_area,
 r.client_was_known, client.name AS client, volunteer.email AS owner, assignment.accept_due_at, assignment.timeout_at,
 chapter.timezone, chapter.state
FROM mentoring_request r
JOIN client ON client.id = r.client_id
JOIN chapter ON chapter.code = r.chapter_code
LEFT JOIN volunteer ON volunteer.id = r.owner_id  -- the owner
LEFT JOIN assignment ON assignment.request_id = r.id AND assignment.outcome = 'open'
WHERE r.status IN :statuses"""
# The orders `queue list --sort` offers. "work": requests waiting for a mentor (oldest first),
# then assignments past their accept-due time (longest overdue first), then the rest by time in
# their stage (longest first).
_WAITING = "r.status IN (" + ", ".join(f"'{s}'" for s in sorted(QUEUED_STATUSES)) + ")"
_OVERDUE = "assignment.accept_due_at < :now"
SORTS = {
    "work": f"CASE WHEN {_WAITING} THEN 0 WHEN {_OVERDUE} THEN 1 ELSE 2 END,"
            f" CASE WHEN {_WAITING} THEN r.submitted_at WHEN {_OVERDUE} THEN assignment.accept_due_at"
            " ELSE r.status_changed_at END, r.id",
    "submitted": "r.submitted_at, r.id",
    "stage": "r.status_changed_at, r.id",
    "accept-due": "CASE WHEN assignment.accept_due_at IS NULL THEN 1 ELSE 0 END, assignment.accept_due_at, r.id",
    "id": "r.id",
}
_TYPES = dict(submitted_at=AT, status_changed_at=AT, client_was_known=FLAG, accept_due_at=AT, timeout_at=AT)


def list_queue(store: Store, actor_email: str | None, scope: Scope | None, *, stage: str | None = None,
               overdue: bool = False, unassigned: bool = False, limit: int | None = None,
               sort: str = "work") -> list[dict]:
    order = SORTS.get((sort or "").strip().lower().replace("_", "-"))
    if order is None:
        raise Invalid(f"--sort must be one of {', '.join(SORTS)}, not {sort!r}")
    statuses = list(IN_QUEUE)
    if stage is not None:
        statuses = [Status(validate.choice(stage, IN_QUEUE, what="--stage"))]
    if unassigned:
        statuses = [s for s in statuses if s in QUEUED_STATUSES]
    now = clock.now()
    with store.rows() as conn:
        actor = permissions.load_actor(conn, actor_email)
        scope = resolve(conn, actor, scope, Record.REQUESTS)
        sql, params = _QUEUE, {"statuses": [str(s) for s in statuses]}
        if scope.kind == MINE:
            sql += " AND r.owner_id = :owner"
            params["owner"] = actor.id
        else:
            where, scope_params = chapter_sql(scope, "r.chapter_code")
            if where:
                sql += " AND " + where
                params.update(scope_params)
        if overdue:
            sql += " AND " + _OVERDUE
        params["now"] = now
        sql += " ORDER BY " + order
        if limit:
            sql += " LIMIT :limit"
            params["limit"] = limit
        rows = conn.execute(query(sql, lists=("statuses",), times=("now",) if ":now" in sql else (),
                                  **_TYPES), params).all()
    calendars: dict[str, calendar.BusinessCalendar] = {}  # a national queue spans many chapters
    return [_row(r, now, calendars) for r in rows]


class _ChapterRef:
    __slots__ = ("code", "timezone", "state")

    def __init__(self, code, timezone, state):
        self.code, self.timezone, self.state = code, timezone, state


def _row(r, now, calendars: dict) -> dict:
    (number, status, chapter_code, queue, submitted, changed, area, known, client, owner_email,
     accept_due, timeout, tz, state) = r
    days = calendars.get(chapter_code)
    if days is None:
        days = calendars[chapter_code] = calendar.calendar_for(_ChapterRef(chapter_code, tz, state))
    return {
        "id": f"MRE-{number}",
        "status": status,
        "chapter": chapter_code,
        "queue": queue,
        "client": client,
        "client_kind": "existing" if known else "new",
        "area": area,
        "submitted_at": local(submitted, tz),
        "business_days_waiting": days.business_days_between(submitted, now),
        "business_days_in_stage": days.business_days_between(changed, now),
        "owner": owner_email,
        "accept_due_at": local(accept_due, tz),
        "accept_overdue": bool(accept_due and accept_due < now),
        "timeout_at": local(timeout, tz),
        "timed_out": bool(timeout and timeout < now),
    }
