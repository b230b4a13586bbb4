"""The workflow's invariants: what every store written by score keeps, whatever happened.

Each is a query selecting the ids of the requests that break it. `score db check` runs them
all; the tests run the same list after random walks through the workflow and on the demo store.
"""

from __future__ import annotations

from score_cli.domain.vocabulary import CLOSED_STATUSES, QUEUED_STATUSES, Status

OWNED = ("assigned", "accepted", "contacted", "in_progress")
WORKING = ("accepted", "contacted", "in_progress")


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in sorted(values))


def _first(column: str, table: str, time_column: str) -> str:
    """The request's milestone `column` is the earliest `time_column` of its rows in `table`."""
    return f"""
        SELECT r.id AS id FROM mentoring_request r
        WHERE r.{column} IS DISTINCT FROM (SELECT MIN(s.{time_column}) FROM {table} s WHERE s.request_id = r.id)"""


INVARIANTS: dict[str, str] = {
    # -- owner or queue ----------------------------------------------------------------------
    "a request waiting in a queue has an owner, or is not in its chapter's queue": f"""
        SELECT r.id AS id FROM mentoring_request r JOIN chapter c ON c.code = r.chapter_code
        WHERE r.status IN ({_in(QUEUED_STATUSES)}) AND (r.owner_id IS NOT NULL OR r.queue IS NULL
              OR r.queue <> CASE WHEN c.live THEN c.code ELSE 'national' END)""",
    "an owned open request has no owner or is also in a queue": f"""
        SELECT id FROM mentoring_request
        WHERE status IN ({_in(OWNED)}) AND (owner_id IS NULL OR queue IS NOT NULL)""",
    # -- assignments -------------------------------------------------------------------------
    "an assigned request without exactly one open assignment to its owner": f"""
        SELECT r.id AS id FROM mentoring_request r
        WHERE r.status = '{Status.ASSIGNED}' AND 1 <> (
            SELECT COUNT(*) FROM assignment a
            WHERE a.request_id = r.id AND a.outcome = 'open' AND a.mentor_id = r.owner_id)""",
    "an open assignment on a request that is not assigned": f"""
        SELECT a.request_id AS id FROM assignment a JOIN mentoring_request r ON r.id = a.request_id
        WHERE a.outcome = 'open' AND r.status <> '{Status.ASSIGNED}'""",
    "an assignment both accepted and timed out": """
        SELECT request_id AS id FROM assignment WHERE outcome = 'timed_out' AND accepted_at IS NOT NULL""",
    "an ended assignment without its time, or an open one with it": """
        SELECT request_id AS id FROM assignment WHERE (outcome = 'open') = (outcome_at IS NOT NULL)""",
    "a working request without its owner's acceptance": f"""
        SELECT r.id AS id FROM mentoring_request r
        WHERE r.status IN ({_in(WORKING)}) AND NOT EXISTS (
            SELECT 1 FROM assignment a WHERE a.request_id = r.id AND a.mentor_id = r.owner_id
            AND a.outcome = 'accepted' AND a.accepted_at IS NOT NULL)""",
    "a timeout not by the sweep, or before the assignment's timeout": """
        SELECT request_id AS id FROM audit_event WHERE action = 'timeout' AND actor <> 'sweep'
        UNION SELECT request_id AS id FROM assignment WHERE outcome = 'timed_out' AND outcome_at < timeout_at""",
    # -- the case team -----------------------------------------------------------------------
    "an owned open request without its lead": f"""
        SELECT r.id AS id FROM mentoring_request r
        WHERE r.status IN ({_in(OWNED)}) AND 1 <> (
            SELECT COUNT(*) FROM case_team_member t WHERE t.request_id = r.id AND t.role = 'lead'
            AND t.volunteer_id = r.owner_id
            AND t.state = CASE WHEN r.status = 'assigned' THEN 'pending' ELSE 'accepted' END)""",
    "a current lead who is not the owner, or a removed lead without its time": """
        SELECT t.request_id AS id FROM case_team_member t JOIN mentoring_request r ON r.id = t.request_id
        WHERE t.role = 'lead' AND ((t.state IN ('pending', 'accepted') AND t.volunteer_id IS DISTINCT FROM r.owner_id)
              OR (t.state = 'removed' AND t.responded_at IS NULL) OR t.state = 'declined')""",
    # -- closing -----------------------------------------------------------------------------
    "a closed request without its closing time, or an open one with it": f"""
        SELECT id FROM mentoring_request WHERE (closed_at IS NULL) = (status IN ({_in(CLOSED_STATUSES)}))""",
    "a complete request without a session": """
        SELECT r.id AS id FROM mentoring_request r WHERE r.status = 'complete'
        AND NOT EXISTS (SELECT 1 FROM mentoring_session s WHERE s.request_id = r.id)""",
    "a withdrawn request without its note": """
        SELECT r.id AS id FROM mentoring_request r WHERE r.status = 'withdrawn' AND NOT EXISTS (
            SELECT 1 FROM note n WHERE n.request_id = r.id AND n.kind = 'withdraw' AND n.created_at = r.closed_at)""",
    "a decline or a return without its note": """
        SELECT a.request_id AS id FROM assignment a WHERE a.outcome IN ('declined', 'returned') AND NOT EXISTS (
            SELECT 1 FROM note n WHERE n.request_id = a.request_id AND n.author_id = a.mentor_id
            AND n.kind IN ('decline', 'return') AND n.created_at = a.outcome_at)""",
    # -- milestones --------------------------------------------------------------------------
    "first_assigned_at is not the first assignment's time":
        _first("first_assigned_at", "assignment", "assigned_at"),
    "first_accepted_at is not the first acceptance's time":
        _first("first_accepted_at", "assignment", "accepted_at"),
    "first_contacted_at is not the first contact attempt's time":
        _first("first_contacted_at", "contact_attempt", "at"),
    "first_session_at is not the first session's time":
        _first("first_session_at", "mentoring_session", "entered_at"),
    "a contact or a session before the first acceptance": """
        SELECT id FROM mentoring_request WHERE first_contacted_at < first_accepted_at
        OR first_session_at < first_accepted_at OR (first_contacted_at IS NOT NULL AND first_accepted_at IS NULL)""",
    "a session's lateness wrong": """
        SELECT request_id AS id FROM mentoring_session WHERE entered_late <> (entered_at > notes_due_at)""",
    # -- the history -------------------------------------------------------------------------
    "a request whose last event does not give its status": """
        SELECT r.id AS id FROM mentoring_request r WHERE r.status IS DISTINCT FROM (
            SELECT e.to_status FROM audit_event e WHERE e.request_id = r.id ORDER BY e.id DESC LIMIT 1)""",
    "a history not chained from status to status": """
        SELECT request_id AS id FROM (
            SELECT request_id, from_status, LAG(to_status) OVER (PARTITION BY request_id ORDER BY id) AS before
            FROM audit_event WHERE request_id IS NOT NULL) AS chain
        WHERE from_status IS DISTINCT FROM before""",
    "a history going back in time": """
        SELECT request_id AS id FROM (
            SELECT request_id, at, LAG(at) OVER (PARTITION BY request_id ORDER BY id) AS before
            FROM audit_event WHERE request_id IS NOT NULL) AS times WHERE at < before""",
    "status_changed_at is not the last change of status": """
        SELECT r.id AS id FROM mentoring_request r WHERE r.status_changed_at <> (
            SELECT MAX(e.at) FROM audit_event e WHERE e.request_id = r.id
            AND e.to_status IS DISTINCT FROM e.from_status)""",
    "a request with a status the workflow does not know": f"""
        SELECT id FROM mentoring_request WHERE status NOT IN ({_in(Status)})""",
}
