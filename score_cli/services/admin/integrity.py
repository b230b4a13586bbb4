"""`score db check`: the database's own integrity checks and the workflow's invariants."""

from __future__ import annotations

from sqlalchemy import text

from score_cli.store.db import Store
from score_cli.domain.vocabulary import CLOSED_STATUSES, QUEUED_STATUSES, Status

_OWNED = ("assigned", "accepted", "contacted", "in_progress")


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in sorted(values))


# Each check counts the rows that break one invariant and names one of them.
INVARIANTS = {
    "a request waiting in a queue has no queue or has an owner": f"""
        SELECT id FROM mentoring_request
        WHERE status IN ({_in(QUEUED_STATUSES)}) AND (queue IS NULL OR owner_id IS NOT NULL)""",
    "an owned open request has no owner or is also in a queue": f"""
        SELECT id FROM mentoring_request
        WHERE status IN ({_in(_OWNED)}) AND (owner_id IS NULL OR queue IS NOT NULL)""",
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
    "a closed request without its closing time": f"""
        SELECT id FROM mentoring_request WHERE status IN ({_in(CLOSED_STATUSES)}) AND closed_at IS NULL""",
    "a request whose status was never recorded in its history": """
        SELECT r.id AS id FROM mentoring_request r
        WHERE NOT EXISTS (SELECT 1 FROM audit_event e
                          WHERE e.request_id = r.id AND e.to_status = r.status)""",
    "a request with a status the workflow does not know": f"""
        SELECT id FROM mentoring_request WHERE status NOT IN ({_in(Status)})""",
}


def check_store(store: Store) -> list[dict]:
    problems = []
    with store.reading() as session:
        conn = session.connection()
        if store.backend == "sqlite":
            result = conn.exec_driver_sql("PRAGMA integrity_check").scalars().all()
            if result != ["ok"]:
                problems.append({"check": "SQLite integrity_check", "count": len(result), "example": result[0]})
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                problems.append({"check": "foreign keys point at missing rows", "count": len(broken),
                                 "example": f"{broken[0][0]} row {broken[0][1]}"})
        for name, query in INVARIANTS.items():
            ids = conn.execute(text(f"SELECT COUNT(*), MIN(id) FROM ({query}) AS broken")).one()
            if ids[0]:
                problems.append({"check": name, "count": ids[0], "example": f"MRE-{ids[1]}"})
    return problems
