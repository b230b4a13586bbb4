"""Writing many checked requests at once: the set-based half of `score intake import`.

A website export holds tens of thousands of rows. Row by row through the ORM that is a dozen
statements and several object builds per request; here a batch of rows costs a handful of
statements: one look-up of the clients already known by any of the batch's e-mails, one of their
earlier submissions (so a rerun of the same export adds nothing), then one multi-row insert each
for clients, e-mails, requests, history and notifications. The rules are those of
`intake.submit`, which still handles a row that names a mentor (`direct_to`), as that needs the
mentor's own checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.sql.functions import coalesce
from sqlmodel import Session

from score_cli import clock
from score_cli.services import audit, intake, outbox
from score_cli.store import ids
from score_cli.store.models import Chapter, Client, ClientEmail, MentoringRequest
from score_cli.vocabulary import Status

BATCH = 2000
_IN_CHUNK = 500  # values per IN (...) list: well inside every backend's parameter limit


@dataclass
class _NewClient:
    """A client first seen in this batch; the id is known once the batch's clients are inserted."""

    name: str
    phone: str | None
    business: str | None
    zip: str | None
    created_at: datetime
    emails: list[str] = field(default_factory=list)
    id: int | None = None


@dataclass
class _Row:
    new: intake.NewRequest
    client: int | _NewClient
    known: bool
    submitted_at: datetime


def write_batch(session: Session, batch: list[intake.NewRequest], chapters: dict[str, Chapter],
                coordinators: dict) -> tuple[list[int], int]:
    """Record a batch of checked requests without a `direct_to`, in the order given.

    Returns the new request numbers and how many rows were already present (the same client's
    request submitted at the same instant, from an earlier run or earlier in this file)."""
    owners = _known_clients(session, {e for new in batch for e in new.emails})
    seen = _earlier_submissions(session, set(owners.values()))
    rows: list[_Row] = []
    fresh: list[_NewClient] = []
    extra_emails: list[dict] = []
    fill_in: dict[int, dict] = {}
    present = 0
    for new in batch:
        matches = [owners[e] for e in new.emails if e in owners]
        client = _first(matches) if matches else None
        when = new.submitted_at or clock.now()
        if new.submitted_at is not None and client is not None and (_key(client), when) in seen:
            present += 1
            continue
        if client is None:
            client = _NewClient(new.name, new.phone, new.business, new.zip, when)
            fresh.append(client)
        elif isinstance(client, _NewClient):
            client.phone, client.business, client.zip = (client.phone or new.phone,
                                                         client.business or new.business, client.zip or new.zip)
        else:
            known = fill_in.setdefault(client, {"id": client, "phone": None, "business_name": None, "zip": None})
            for column, value in (("phone", new.phone), ("business_name", new.business), ("zip", new.zip)):
                known[column] = known[column] or value
        for email in new.emails:
            if email not in owners:
                owners[email] = client
                if isinstance(client, _NewClient):
                    client.emails.append(email)
                else:
                    extra_emails.append({"client_id": client, "email": email})
        seen.add((_key(client), when))
        rows.append(_Row(new, client, bool(matches), when))
    _insert_clients(session, fresh)
    extra_emails += [{"client_id": c.id, "email": e} for c in fresh for e in c.emails]
    if extra_emails:
        session.execute(insert(ClientEmail.__table__), extra_emails)
    if fill_in:
        _fill_in_known(session, list(fill_in.values()))
    ids = _insert_requests(session, rows, chapters)
    _record_history(session, rows, ids, chapters)
    _queue_messages(session, rows, ids, chapters, coordinators)
    return ids, present


def _key(client: int | _NewClient) -> int:
    """A known client's id; for a client new in this batch, the object's identity."""
    return client if isinstance(client, int) else id(client)


def _first(matches: list) -> int | _NewClient:
    """The client an existing e-mail belongs to; with several, the oldest (as `intake.submit`)."""
    known = [m for m in matches if isinstance(m, int)]
    return min(known) if known else matches[0]


def _chunks(values: list, size: int = _IN_CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _known_clients(session: Session, emails: set[str]) -> dict[str, int | _NewClient]:
    owners: dict[str, int | _NewClient] = {}
    for chunk in _chunks(sorted(emails)):
        owners.update(session.execute(select(ClientEmail.email, ClientEmail.client_id)
                                      .where(ClientEmail.email.in_(chunk))).all())
    return owners


def _earlier_submissions(session: Session, client_ids: set) -> set[tuple[int, datetime]]:
    seen: set[tuple[int, datetime]] = set()
    for chunk in _chunks(sorted(client_ids)):
        seen.update(session.execute(select(MentoringRequest.client_id, MentoringRequest.submitted_at)
                                    .where(MentoringRequest.client_id.in_(chunk))).all())
    return seen


def _insert_clients(session: Session, fresh: list[_NewClient]) -> None:
    table = Client.__table__
    for client, new_id in zip(fresh, ids.reserve(session, table, len(fresh))):
        client.id = new_id
    if fresh:
        session.execute(insert(table), [{"id": c.id, "name": c.name, "phone": c.phone, "business_name": c.business,
                                         "zip": c.zip, "created_at": c.created_at} for c in fresh])


def _fill_in_known(session: Session, values: list[dict]) -> None:
    """A known client keeps what they had; what was missing is taken from the new request."""
    table = Client.__table__
    statement = (update(table).where(table.c.id == bindparam("client"))
                 .values(phone=coalesce(table.c.phone, bindparam("new_phone")),
                         business_name=coalesce(table.c.business_name, bindparam("new_business")),
                         zip=coalesce(table.c.zip, bindparam("new_zip"))))
    session.connection().execute(statement, [{"client": v["id"], "new_phone": v["phone"],
                                              "new_business": v["business_name"], "new_zip": v["zip"]}
                                             for v in values])


def _client_id(client: int | _NewClient) -> int:
    return client if isinstance(client, int) else client.id


def _insert_requests(session: Session, rows: list[_Row], chapters: dict[str, Chapter]) -> list[int]:
    table = MentoringRequest.__table__
    numbers = ids.reserve(session, table, len(rows))
    values = []
    for row, number in zip(rows, numbers):
        new, chapter = row.new, chapters[row.new.chapter]
        values.append({
            "id": number, "client_id": _client_id(row.client), "chapter_code": chapter.code, "status": Status.NEW,
            "queue": intake.queue_of(chapter), "question": new.question, "mentoring_area": new.area,
            "business_type": new.business_type, "existing_business": new.existing_business,
            "origin_url": new.origin, "client_was_known": row.known, "submitted_at": row.submitted_at,
            "status_changed_at": row.submitted_at, "version": 1,
        })
    if values:
        session.execute(insert(table), values)
    return numbers


def _record_history(session: Session, rows: list[_Row], ids: list[int], chapters: dict[str, Chapter]) -> None:
    audit.record_many(session, [audit.event_row(
        actor=intake.ACTOR, action="submit", request_id=request_id, to_status=Status.NEW, at=row.submitted_at,
        detail={"chapter": row.new.chapter, "queue": intake.queue_of(chapters[row.new.chapter]),
                "direct_to": None, "existing_client": row.known},
    ) for row, request_id in zip(rows, ids)])


def _queue_messages(session: Session, rows: list[_Row], ids: list[int], chapters: dict[str, Chapter],
                    coordinators: dict) -> None:
    messages = []
    for row, request_id in zip(rows, ids):
        recipients = intake.coordinators_of(session, chapters[row.new.chapter], coordinators)
        if recipients:
            values = intake.new_request_values(request_id, row.new, row.known)
            messages += [outbox.message(event="new_request", recipient=cic, request_id=request_id, values=values)
                         for cic in recipients]
    outbox.enqueue_many(session, messages)
