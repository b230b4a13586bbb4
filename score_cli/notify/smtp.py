"""Delivering the outbox over SMTP (SPEC §7): each message at most once.

A message is claimed before it is sent, by a conditional UPDATE (pending -> sending) in its
own short transaction, so two senders never both take it. No transaction is open while the
server is talking. The outcome is written as soon as the server answers:

- accepted (250 after DATA): `sent`, at once, before the next message;
- refused for now (4xx), or the connection dropped before the server accepted: back to
  `pending` with `next_attempt_at` = now + 5 min x 2^(attempts-1), until MAX_ATTEMPTS;
- refused for good (5xx), or out of attempts: `failed`, with the server's own words.

A message still `sending` when a run starts, claimed long ago, belongs to a sender that
stopped between the server's answer and the mark: the server may have it, so it is marked
failed ("interrupted") instead of being sent a second time.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.errors import MessageError
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import or_, select, update

from score_cli import clock
from score_cli.store.db import Store
from score_cli.store.models import OutboxMessage
from score_cli.domain.vocabulary import MessageStatus

SENDING = "sending"  # claimed by a sender; `next_attempt_at` holds when it was claimed
MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(minutes=5)
STALE_CLAIM = timedelta(hours=1)


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    sender: str = "score@localhost"
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0


@dataclass
class DeliveryReport:
    sent: int = 0
    deferred: int = 0  # will be retried after its backoff
    failed: int = 0
    interrupted: int = 0  # left `sending` by a sender that stopped; marked failed, not resent
    unreachable: str | None = None  # the server could not be reached: nothing more was tried
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"sent": self.sent, "deferred": self.deferred, "failed": self.failed,
                "interrupted": self.interrupted, "unreachable": self.unreachable}


_EMAIL = re.compile(r"[^\s<>@\"']+@[^\s<>@\"']+")


@dataclass(frozen=True)
class _Claimed:
    id: int
    recipient: str
    subject: str
    body: str
    event: str
    attempts: int


class _Refused(Exception):
    def __init__(self, text: str, permanent: bool):
        super().__init__(text)
        self.text = text
        self.permanent = permanent


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: 5, 10, 20, 40 minutes..."""
    return FIRST_RETRY * (2 ** max(0, attempts - 1))


def send_pending(store: Store, settings: SmtpSettings, *, limit: int | None = None) -> DeliveryReport:
    report = DeliveryReport()
    report.interrupted = _fail_stale_claims(store, clock.now())
    connection: smtplib.SMTP | None = None
    try:
        while limit is None or report.sent + report.deferred + report.failed < limit:
            if not _anything_due(store, clock.now()):
                break
            if connection is None:
                try:
                    connection = _connect(settings)
                except OSError as exc:  # refused, timed out, TLS or login failed (SMTPException too)
                    report.unreachable = f"cannot use {settings.host}:{settings.port}: {_describe(exc)}"
                    break
            message = _claim_next(store, clock.now())
            if message is None:
                break
            try:
                _send(connection, settings, message)
            except _Refused as refused:
                _record_failure(store, message, refused.text, refused.permanent, report)
                continue
            except OSError as exc:  # SMTPServerDisconnected and every SMTPException included
                # Dropped before the server accepted: not delivered, so it may be tried again.
                _record_failure(store, message, f"connection lost: {_describe(exc)}", False, report)
                _quit(connection)
                connection = None
                continue
            _mark(store, message.id, status=MessageStatus.SENT, sent_at=clock.now(), last_error=None,
                  next_attempt_at=None)
            report.sent += 1
    finally:
        if connection is not None:
            _quit(connection)
    return report


# -- the store side -------------------------------------------------------------------------


def _due(now: datetime):
    return (OutboxMessage.status == MessageStatus.PENDING,
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))


def _anything_due(store: Store, now: datetime) -> bool:
    with store.reading() as session:
        return session.execute(select(OutboxMessage.id).where(*_due(now)).limit(1)).first() is not None


def _claim_next(store: Store, now: datetime) -> _Claimed | None:
    """Take the oldest due message for this sender alone (pending -> sending)."""
    with store.transaction() as session:
        while True:
            row = session.execute(select(OutboxMessage).where(*_due(now))
                                  .order_by(OutboxMessage.id).limit(1)).scalar()
            if row is None:
                return None
            taken = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.status == MessageStatus.PENDING)
                .values(status=SENDING, attempts=OutboxMessage.attempts + 1, next_attempt_at=now)
                .execution_options(synchronize_session=False))
            if taken.rowcount == 1:
                return _Claimed(row.id, row.recipient, row.subject, row.body, row.event, row.attempts + 1)
            session.expunge(row)  # another sender took it between the read and the update


def _mark(store: Store, message_id: int, **values) -> None:
    with store.transaction() as session:
        session.execute(update(OutboxMessage)
                        .where(OutboxMessage.id == message_id, OutboxMessage.status == SENDING)
                        .values(**values).execution_options(synchronize_session=False))


def _record_failure(store: Store, message: _Claimed, error: str, permanent: bool, report: DeliveryReport) -> None:
    if permanent or message.attempts >= MAX_ATTEMPTS:
        _mark(store, message.id, status=MessageStatus.FAILED, last_error=error, next_attempt_at=None)
        report.failed += 1
        # The recipient may be a client: name the message, never the address, since cron mails
        # this line on; `score notify list --failed` shows the whole reply to those who may see it.
        report.errors.append(f"message {message.id} ({message.event}) failed: {_EMAIL.sub('<address>', error)}")
    else:
        _mark(store, message.id, status=MessageStatus.PENDING, last_error=error,
              next_attempt_at=clock.now() + backoff(message.attempts))
        report.deferred += 1


def _fail_stale_claims(store: Store, now: datetime) -> int:
    with store.transaction() as session:
        return session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == SENDING, OutboxMessage.next_attempt_at <= now - STALE_CLAIM)
            .values(status=MessageStatus.FAILED,
                    last_error="interrupted while sending: the server may have received it, so it"
                               " was not sent again")
            .execution_options(synchronize_session=False)).rowcount


# -- the SMTP side --------------------------------------------------------------------------


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    connection = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        connection.ehlo()
        if settings.starttls:
            connection.starttls(context=ssl.create_default_context())
            connection.ehlo()
        if settings.user:
            connection.login(settings.user, settings.password or "")
    except BaseException:
        _quit(connection)
        raise
    return connection


def _quit(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (OSError, smtplib.SMTPException):
        connection.close()


def _build(settings: SmtpSettings, message: _Claimed) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(clock.now())
    domain = settings.sender.rpartition("@")[2].strip("> ") or "score.invalid"
    mail["Message-ID"] = make_msgid(idstring=f"score-outbox-{message.id}", domain=domain)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to us
    mail["X-Score-Event"] = message.event
    mail.set_content(message.body)
    return mail


def _send(connection: smtplib.SMTP, settings: SmtpSettings, message: _Claimed) -> None:
    """Returns once the server has accepted the message; raises _Refused if it said no, or
    for good if the message cannot be written at all (a line break in its subject, say)."""
    try:
        mail = _build(settings, message)
    except (ValueError, TypeError, MessageError) as exc:
        raise _Refused(f"not a valid message: {' '.join(str(exc).split())}", True) from None
    try:
        refused = connection.send_message(mail, from_addr=settings.sender, to_addrs=[message.recipient])
    except UnicodeError as exc:  # an address the server cannot take as it is written
        raise _Refused(f"not a valid message: {' '.join(str(exc).split())}", True) from None
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        raise _Refused(_reply(code, text), code >= 500) from None
    except smtplib.SMTPResponseException as exc:  # sender refused, data refused, ...
        raise _Refused(_reply(exc.smtp_code, exc.smtp_error), exc.smtp_code >= 500) from None
    if refused:  # only one recipient, so a partial refusal cannot happen; be safe anyway
        code, text = next(iter(refused.values()))
        raise _Refused(_reply(code, text), code >= 500)


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(str(text).split())}"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc.smtp_code, exc.smtp_error)
    return str(exc) or type(exc).__name__
