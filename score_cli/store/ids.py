"""Taking a run of new row ids up front, so that many rows can be inserted without RETURNING.

A multi-row INSERT ... RETURNING gives no promise about the order of the ids it returns, and
asking SQLAlchemy to keep the order makes SQLite insert one row at a time. With the ids taken
first, the rows go in as one executemany and each child row knows its parent's id.
"""

from __future__ import annotations

from sqlalchemy import Table, func, select, text
from sqlmodel import Session


def reserve(session: Session, table: Table, count: int) -> list[int]:
    """`count` unused ids for `table`, ascending, for use within this transaction.

    PostgreSQL takes them from the table's sequence, so other writers never receive them.
    SQLite writes through `BEGIN IMMEDIATE`, so no other writer runs until this transaction
    ends and the ids after the largest one are free."""
    if count <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(text("SELECT nextval(pg_get_serial_sequence(:table, 'id'))"
                                    " FROM generate_series(1, :count)"),
                               {"table": table.name, "count": count}).scalars().all()
        return sorted(rows)
    largest = session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(largest + 1, largest + 1 + count))
