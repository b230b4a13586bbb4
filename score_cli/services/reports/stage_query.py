"""The query of the "not yet" reports and `orphaned`, and its rows as plain named tuples.

One query per report: the rows with their client, owner, current assignment, latest
assignment, contact attempts and a possible duplicate, all joined or correlated in SQL; what a
report does not use is left out (NULL). The rows are what `stages.RowContext` turns into a
report's lines.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator
from datetime import date

from sqlalchemy import Date, and_, case, func, literal, select
from sqlalchemy.orm import aliased

from score_cli.domain.vocabulary import CLOSED_STATUSES, PROGRESS, Outcome
from score_cli.services.reports.common import Run, as_utc, period_where, streamed
from score_cli.store.models import Assignment, Client, ContactAttempt, MentoringRequest, Volunteer
from score_cli.store.types import UTCDateTime

STREAM_BATCH = 2000
# A duplicate further along is the one to keep: the others point at it. "Not closed" rather than
# "open": SQLite then reads a client's requests in one index range, not one probe per status.
_CLOSED = sorted(str(s) for s in CLOSED_STATUSES)


def fetch(session, query) -> Iterator:
    """The query's rows as named tuples of plain values, streamed (no ORM rows: tens of thousands)."""
    for batch in fetch_batches(session, query):
        yield from batch


def fetch_batches(session, query) -> Iterator[list]:
    """The query's rows as `fetch` gives them, a batch at a time."""
    names = [c.key for c in query.selected_columns]
    Row = namedtuple("Row", names)
    instants = [i for i, c in enumerate(query.selected_columns) if isinstance(c.type, UTCDateTime)]
    days = [i for i, c in enumerate(query.selected_columns) if isinstance(c.type, Date)]
    # SQLite gives stored text; PostgreSQL aware UTC datetimes and dates (store/db.py, `streamed`)
    text = session.connection().dialect.name == "sqlite"
    with streamed(session, query) as cursor:
        while batch := cursor.fetchmany(STREAM_BATCH):
            if not text:
                yield list(map(Row._make, batch))
                continue
            rows = []
            for raw in batch:
                values = list(raw)
                for i in instants:
                    value = values[i]
                    if value is not None:
                        values[i] = as_utc(value)
                for i in days:
                    if values[i].__class__ is str:
                        values[i] = date.fromisoformat(values[i])
                rows.append(Row._make(values))
            yield rows


def report_query(run: Run, condition, stage: str):
    """The rows with what each report needs; what a report does not use is left out (NULL)."""
    R = MentoringRequest
    contacts = stage in ("not-contacted", "not-counseled")
    queued, waiting = stage == "not-assigned", stage == "not-accepted"
    owner = aliased(Volunteer, name="owner")
    current = aliased(Assignment, name="current")
    other = aliased(MentoringRequest, name="other")
    # the latest assignment's outcome and mentor, read per request by its key: joining on a
    # subquery's value left PostgreSQL to hash every assignment a login may see
    of_request, newest = Assignment.request_id == R.id, Assignment.id.desc()
    latest_outcome = (select(Assignment.outcome).where(of_request).order_by(newest).limit(1)
                      .correlate(R).scalar_subquery())
    latest_mentor = (select(Volunteer.email).join(Assignment, Assignment.mentor_id == Volunteer.id)
                     .where(of_request).order_by(newest).limit(1).correlate(R).scalar_subquery())
    progress = case({str(k): v for k, v in PROGRESS.items()}, value=other.status, else_=0)
    duplicate = (select(other.id, other.status).where(other.client_id == R.client_id, other.id != R.id,
                                                      other.status.not_in(_CLOSED))
                 .order_by(progress.desc(), other.id).limit(1).correlate(R))
    if run.session.get_bind().dialect.name == "postgresql":
        # one index scan a row for the duplicate's number and status; joining on a subquery's
        # value left PostgreSQL to hash every request
        twin = duplicate.lateral("twin")
        twin_on, twin_id, twin_status = literal(True), twin.c.id, twin.c.status
    else:  # SQLite has no LATERAL, and reads the joined request by its key
        twin = aliased(MentoringRequest, name="twin")
        twin_id, twin_status = twin.id, twin.status
        twin_on = twin_id == duplicate.with_only_columns(other.id).scalar_subquery()
    # attempts in the current owner's contact window, as the sweep counts them
    attempts = (select(func.count()).select_from(ContactAttempt)
                .where(ContactAttempt.request_id == R.id, ContactAttempt.volunteer_id == R.owner_id,
                       ContactAttempt.at >= func.coalesce(current.accepted_at, R.submitted_at))
                .correlate(R, current).scalar_subquery())
    last_attempt = (select(func.max(ContactAttempt.at)).where(ContactAttempt.request_id == R.id)
                    .correlate(R).scalar_subquery())
    nothing = literal(None)
    query = (
        select(R.id, R.status, R.chapter_code, R.queue, R.submitted_at, R.status_changed_at,
               (R.first_accepted_at if contacts else nothing).label("first_accepted_at"), R.client_was_known,
               R.owner_id, Client.name.label("client"), owner.email.label("owner"),
               owner.status.label("owner_status"), owner.pause_from, owner.pause_until,
               *[(column if waiting else nothing).label(column.key)
                 for column in (current.assigned_at, current.accept_due_at, current.timeout_at)],
               (current.accepted_at if contacts else nothing).label("accepted_at"),
               (latest_outcome if queued else nothing).label("latest_outcome"),
               (latest_mentor if queued else nothing).label("latest_mentor"),
               (attempts if contacts else nothing).label("attempts"),
               (last_attempt if contacts else nothing).label("last_attempt"), twin_id.label("duplicate"),
               twin_status.label("duplicate_status"))
        .join(Client, Client.id == R.client_id)
        .outerjoin(owner, owner.id == R.owner_id)
        .outerjoin(current, and_(current.request_id == R.id,
                                 current.outcome.in_([Outcome.OPEN, Outcome.ACCEPTED])))
        .outerjoin(twin, twin_on)
    )
    query = (
        query
        .where(condition)
        .order_by(R.submitted_at, R.id)
    )
    if run.mine:
        query = query.where(R.owner_id == run.actor.id)
    else:
        where = run.chapter_where(R.chapter_code)
        if where is not None:
            query = query.where(where)
    in_period = period_where(run, R.submitted_at, R.chapter_code)
    if in_period is not None:
        query = query.where(in_period)
    return query
