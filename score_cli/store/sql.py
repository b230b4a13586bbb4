"""Reads written as SQL text, for the commands a person waits on at a terminal.

`show`, `queue list` and `assign --suggest` read through these instead of the SQLModel
classes: building the ORM classes costs more than the queries themselves (see
benchmarks/), and a read needs rows, not objects. Only columns whose values the
database driver cannot type by itself are named: times, flags and dates.

Statements take `:name` parameters, so one text serves SQLite and PostgreSQL; a name in
`lists` takes a Python sequence and becomes an IN list; `times` names the parameters that
take aware datetimes (stored as naive UTC text on SQLite).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Date, bindparam, text
from sqlalchemy.sql.elements import TextClause

from score_cli.store.types import UTCDateTime

AT = UTCDateTime()  # an aware UTC time
FLAG = Boolean()  # SQLite keeps 0 and 1
DAY = Date()  # SQLite keeps ISO text


def query(statement: str, *, lists: tuple[str, ...] = (), times: tuple[str, ...] = (), **types) -> TextClause:
    """`statement` with its IN-list and time parameters and the types of its result columns."""
    clause = text(statement)
    params = [bindparam(name, expanding=True) for name in lists] + [bindparam(name, type_=AT) for name in times]
    if params:
        clause = clause.bindparams(*params)
    return clause.columns(**types) if types else clause
