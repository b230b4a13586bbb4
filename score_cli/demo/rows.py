"""Writing the demo: primary keys from counters and one Core INSERT per table and batch.

Keys are handed out here so nothing ever has to be read back; rows are plain dicts.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection

from score_cli.store import models

# In foreign-key order: a batch is inserted table by table in this order.
TABLES = {
    "volunteer": models.Volunteer.__table__,
    "volunteer_role": models.VolunteerRole.__table__,
    "volunteer_expertise": models.VolunteerExpertise.__table__,
    "client": models.Client.__table__,
    "client_email": models.ClientEmail.__table__,
    "mentoring_request": models.MentoringRequest.__table__,
    "assignment": models.Assignment.__table__,
    "case_team_member": models.CaseTeamMember.__table__,
    "note": models.Note.__table__,
    "contact_attempt": models.ContactAttempt.__table__,
    "mentoring_session": models.MentoringSession.__table__,
    "chapter_transfer": models.ChapterTransfer.__table__,
    "audit_event": models.AuditEvent.__table__,
}


class Ids:
    """The next primary key of every table, starting after what the store already holds
    (`db init` has written an audit event, for one)."""

    def __init__(self, conn: Connection):
        self._next = {}
        for name, table in TABLES.items():
            self._next[name] = (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1

    def peek(self, table: str) -> int:
        return self._next[table]

    def take(self, table: str) -> int:
        value = self._next[table]
        self._next[table] = value + 1
        return value


class Batch:
    """Rows waiting to be written; `add` gives each row its key unless it has one, and moves
    its times and dates by `shift` (the demo of another day: `timeline.demo_shift`)."""

    def __init__(self, ids: Ids, shift: timedelta = timedelta(0)):
        self.ids = ids
        self.shift = shift
        self.rows: dict[str, list[dict]] = {name: [] for name in TABLES}

    def add(self, table: str, row: dict) -> dict:
        if "id" not in row:
            row["id"] = self.ids.take(table)
        if self.shift:
            for key, value in row.items():
                if isinstance(value, date):  # a datetime is a date too
                    row[key] = value + self.shift
        self.rows[table].append(row)
        return row

    def write(self, conn: Connection) -> None:
        for name, table in TABLES.items():
            rows = self.rows[name]
            if rows:
                conn.execute(table.insert(), rows)
                rows.clear()


def sync_sequences(conn: Connection) -> None:
    """PostgreSQL: keys were given explicitly, so move each serial past them."""
    if conn.dialect.name != "postgresql":
        return
    for name in TABLES:
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
        ))
