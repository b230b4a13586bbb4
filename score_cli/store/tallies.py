"""The counts of a mentor's work that the rules need whoever asks: views over every row.

A mentor's capacity is counted over all their CIC assignments, suggestions rank by open
caseload, and the mentor-activity report counts their assignments and sessions, wherever the
requests are. On a shared PostgreSQL store a person's login reads only
the requests and assignments their role reaches (`store/security.py`); counting those would
offer a mentor who serves outside their area as free when they are not. The views (schema
0011) hold the counted columns and nothing of the client or the request, and are owned by the
store's owner, so they count every row. Read the counts here, never from `assignment`.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Integer, MetaData, String, Table

from score_cli.store.types import UTCDateTime

_VIEWS = MetaData()  # apart from the tables': the schema is made by migrations, never create_all

ASSIGNMENT_TALLY = Table(
    "assignment_tally", _VIEWS,
    Column("mentor_id", Integer), Column("kind", String), Column("assigned_at", UTCDateTime()),
    Column("accepted_at", UTCDateTime()), Column("outcome", String))
MENTOR_CASELOAD = Table("mentor_caseload", _VIEWS, Column("mentor_id", Integer), Column("status", String))
SESSION_TALLY = Table("session_tally", _VIEWS, Column("mentor_id", Integer), Column("session_date", Date),
                      Column("entered_late", Boolean))

NAMES = (ASSIGNMENT_TALLY.name, MENTOR_CASELOAD.name, SESSION_TALLY.name)
