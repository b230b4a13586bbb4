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
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.sql.functions import coalesce
from sqlmodel import Session

from score_cli import clock
from score_cli.services import audit
from score_cli.services.requests import intake
from score_cli.services.mail import outbox
from score_cli.services.organisation.chapters import queue_of
from score_cli.store import ids
from score_cli.store.client_lookup import clients_by_email
from score_cli.store.hints import in_chunks
from score_cli.store.models import Chapter, Client, ClientEmail, MentoringRequest
from score_cli.domain.vocabulary import Status

BATCH = 2000
# A row without `submitted_at` repeating a request of the same client, chapter and question made
# within this time is taken for a rerun of the same export, not a new request.
REPEAT_WINDOW = timedelta(days=1)


@dataclass(eq=False)  # one object per client, compared and hashed by identity
class _Client:
    """A client of this batch: already in the store (`id` known), or first seen here.

    `phone`, `business` and `zip` gather the first value the batch's requests give for each: a
    new client is created with them, a known one gets them only where its own are empty."""

    id: int | None
    in_store: bool
    name: str = ""
    created_at: datetime | None = None
    phone: str | None = None
    business: str | None = None
    zip: str | None = None
    emails: list[str] = field(default_factory=list)  # e-mails the store does not have yet

    def gather(self, new: intake.NewRequest) -> None:
        self.phone, self.business, self.zip = self.phone or new.phone, self.business or new.business, \
            self.zip or new.zip


@dataclass
class _Row:
    new: intake.NewRequest
    client: _Client
    known: bool
    submitted_at: datetime


def write_batch(session: Session, batch: list[intake.NewRequest], chapters: dict[str, Chapter],
                coordinators: dict) -> tuple[list[int], int]:
    """Record a batch of checked requests without a `direct_to`, in the order given.

    Returns the new request numbers and how many rows were already present (the same client's
    request submitted at the same instant, or, for a row without a time, the same client, chapter
    and question within REPEAT_WINDOW, from an earlier run or earlier in this file)."""
    owners = _known_clients(session, {e for new in batch for e in new.emails})
    seen, asked = _earlier_submissions(session, {c.id: c for c in owners.values()})
    rows: list[_Row] = []
    for new in batch:
        matches = [owners[e] for e in new.emails if e in owners]
        # with several, the oldest client (as `intake.submit`), clients new in this batch last
        client = min(matches, key=lambda c: (not c.in_store, c.id or 0)) if matches else None
        when = new.submitted_at or clock.now()
        if new.submitted_at is not None and (client, when) in seen:
            continue  # already present
        last = asked.get((client, new.chapter, new.question))
        if new.submitted_at is None and last is not None and when - last < REPEAT_WINDOW:
            continue  # a rerun of an export without times
        if client is None:
            client = _Client(None, False, new.name, when)
        client.gather(new)
        for email in new.emails:
            if email not in owners:
                owners[email] = client
                client.emails.append(email)
        seen.add((client, when))
        asked[(client, new.chapter, new.question)] = max(when, last or when)
        rows.append(_Row(new, client, bool(matches), when))
    clients = list({row.client: None for row in rows})
    _insert_clients(session, [c for c in clients if not c.in_store])
    emails = [{"client_id": c.id, "email": e} for c in clients for e in c.emails]
    if emails:
        session.execute(insert(ClientEmail.__table__), emails)
    numbers = _insert_requests(session, rows, chapters)
    # after the requests: a coordinator's login may update a known client once a request is theirs
    _fill_in_known(session, [c for c in clients if c.in_store and (c.phone or c.business or c.zip)])
    _record_history(session, rows, numbers, chapters)
    _queue_messages(session, rows, numbers, chapters, coordinators)
    return numbers, len(batch) - len(rows)


def _known_clients(session: Session, emails: set[str]) -> dict[str, _Client]:
    """The clients the store already has under any of these e-mails, by e-mail."""
    by_id: dict[int, _Client] = {}
    owners: dict[str, _Client] = {}
    for chunk in in_chunks(sorted(emails)):
        for email, client_id in clients_by_email(session, chunk):
            owners[email] = by_id.get(client_id) or by_id.setdefault(client_id, _Client(client_id, True))
    return owners


def _earlier_submissions(session: Session, clients: dict[int, _Client]) \
        -> tuple[set[tuple[_Client, datetime]], dict[tuple[_Client, str, str], datetime]]:
    """The known clients' requests: (client, time) pairs, and the latest time of each
    (client, chapter, question)."""
    seen: set[tuple[_Client, datetime]] = set()
    asked: dict[tuple[_Client, str, str], datetime] = {}
    for chunk in in_chunks(sorted(clients)):
        for client_id, at, chapter, question in session.execute(
                select(MentoringRequest.client_id, MentoringRequest.submitted_at, MentoringRequest.chapter_code,
                       MentoringRequest.question).where(MentoringRequest.client_id.in_(chunk))).all():
            seen.add((clients[client_id], at))
            key = (clients[client_id], chapter, question)
            asked[key] = max(at, asked.get(key, at))
    return seen, asked


def _insert_clients(session: Session, fresh: list[_Client]) -> None:
    table = Client.__table__
    for client, new_id in zip(fresh, ids.reserve(session, table, len(fresh))):
        client.id = new_id
    if fresh:
        session.execute(insert(table), [{"id": c.id, "name": c.name, "phone": c.phone, "business_name": c.business,
                                         "zip": c.zip, "created_at": c.created_at} for c in fresh])


def _fill_in_known(session: Session, known: list[_Client]) -> None:
    """A known client keeps what they had; what was missing is taken from the new requests."""
    if not known:
        return
    table = Client.__table__
    statement = (update(table).where(table.c.id == bindparam("client"))
                 .values(phone=coalesce(table.c.phone, bindparam("new_phone")),
                         business_name=coalesce(table.c.business_name, bindparam("new_business")),
                         zip=coalesce(table.c.zip, bindparam("new_zip"))))
    session.connection().execute(statement, [{"client": c.id, "new_phone": c.phone, "new_business": c.business,
                                              "new_zip": c.zip} for c in known])


def _insert_requests(session: Session, rows: list[_Row], chapters: dict[str, Chapter]) -> list[int]:
    table = MentoringRequest.__table__
    numbers = ids.reserve(session, table, len(rows))
    values = []
    for row, number in zip(rows, numbers):
        new, chapter = row.new, chapters[row.new.chapter]
        values.append({
            "id": number, "client_id": row.client.id, "chapter_code": chapter.code, "status": Status.NEW,
            "queue": queue_of(chapter), "question": new.question, "mentoring_area": new.area,
            "business_type": new.business_type, "existing_business": new.existing_business,
            "origin_url": new.origin, "client_was_known": row.known, "submitted_at": row.submitted_at,
            "status_changed_at": row.submitted_at, "version": 1,
        })
    if values:
        session.execute(insert(table), values)
    return numbers


def _record_history(session: Session, rows: list[_Row], numbers: list[int], chapters: dict[str, Chapter]) -> None:
    audit.record_many(session, [audit.event_row(
        actor=intake.ACTOR, action="submit", request_id=request_id, to_status=Status.NEW, at=row.submitted_at,
        detail={"chapter": row.new.chapter, "queue": queue_of(chapters[row.new.chapter]),
                "direct_to": None, "existing_client": row.known},
    ) for row, request_id in zip(rows, numbers)])


def _queue_messages(session: Session, rows: list[_Row], numbers: list[int], chapters: dict[str, Chapter],
                    coordinators: dict) -> None:
    messages = []
    for row, request_id in zip(rows, numbers):
        recipients = outbox.queue_watchers(session, chapters[row.new.chapter], coordinators)
        if recipients:
            values = intake.new_request_values(request_id, row.new, row.known)
            messages += [outbox.message(event="new_request", recipient=cic, request_id=request_id, values=values)
                         for cic in recipients]
    outbox.enqueue_many(session, messages)
