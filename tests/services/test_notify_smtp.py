"""Delivering the outbox to a real SMTP server on loopback (aiosmtpd), started by each test."""

from datetime import datetime, timedelta, timezone
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from freezegun import freeze_time
from sqlalchemy import select, update

from score_cli.notify import smtp
from score_cli.notify.smtp import SmtpSettings, send_pending
from score_cli.services.mail import outbox
from score_cli.services.people import volunteers
from score_cli.store.models import OutboxMessage
from tests.helpers import score

UTC = timezone.utc
# freezegun must not stop the SMTP server's event loop clock (it runs in its own thread)
NOT_THE_SERVER = ["asyncio", "aiosmtpd", "selectors"]


class Loopback(Controller):
    """aiosmtpd on 127.0.0.1 with a port the system picks."""

    def __init__(self, handler, **options):
        super().__init__(handler, hostname="127.0.0.1", port=0, **options)

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class Accepting:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 2.0.0 OK: queued"


class Refusing(Accepting):
    """Refuses mail to one address, with the given reply; accepts the rest."""

    def __init__(self, address, reply):
        super().__init__()
        self.address, self.reply = address, reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.address:
            return self.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"


class Dropping(Accepting):
    """Hangs up in the middle of the message to one address, before answering the DATA."""

    def __init__(self, address):
        super().__init__()
        self.address = address

    async def handle_DATA(self, server, session, envelope):
        if envelope.rcpt_tos == [self.address]:
            server.transport.abort()
            return "250 never seen"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def serve():
    running = []

    def start(handler, **options):
        controller = Loopback(handler, **options)
        controller.start()
        running.append(controller)
        return SmtpSettings(host="127.0.0.1", port=controller.port, sender="score@example.org", timeout=5)

    yield start
    for controller in running:
        controller.stop()


def queue(store, *recipients: str) -> list[int]:
    with store.transaction() as session:
        for n, recipient in enumerate(recipients):
            outbox.enqueue(session, event="waiting_client", recipient=recipient, request_id=None, occurrence=n,
                           values={"client_name": f"Client {n}", "request": f"MRE-{n}"})
        return session.execute(select(OutboxMessage.id).order_by(OutboxMessage.id)).scalars().all()


def state(store) -> dict[str, tuple]:
    with store.reading() as session:
        rows = session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()
        return {m.recipient: (m.status, m.attempts, m.last_error) for m in rows}


def test_each_message_is_sent_once_and_marked_sent(store, serve):
    handler = Accepting()
    settings = serve(handler)
    queue(store, "a@example.com", "b@example.com")
    with freeze_time("2026-11-23 12:00:00", ignore=NOT_THE_SERVER):
        report = send_pending(store, settings)
    assert (report.sent, report.deferred, report.failed) == (2, 0, 0)
    assert [(frm, to) for frm, to, _ in handler.received] == [("score@example.org", ["a@example.com"]),
                                                               ("score@example.org", ["b@example.com"])]
    mail = handler.received[0][2]
    assert mail["Subject"] == "We are still finding you a SCORE mentor"
    assert "Dear Client 0," in mail.get_payload()
    assert mail["Auto-Submitted"] == "auto-generated"
    with store.reading() as session:
        sent_at = session.execute(select(OutboxMessage.sent_at)).scalars().all()
    assert sent_at == [datetime(2026, 11, 23, 12, 0, tzinfo=UTC)] * 2
    assert send_pending(store, settings).sent == 0  # never twice
    assert len(handler.received) == 2


def test_a_refusal_for_good_fails_at_once_with_the_servers_words(store, serve):
    handler = Refusing("nobody@example.com", "550 5.1.1 <nobody@example.com>: no such user")
    settings = serve(handler)
    queue(store, "nobody@example.com", "b@example.com")
    report = send_pending(store, settings)
    assert (report.sent, report.failed) == (1, 1)
    assert state(store) == {"nobody@example.com": ("failed", 1, "550 5.1.1 <nobody@example.com>: no such user"),
                            "b@example.com": ("sent", 1, None)}
    assert [to for _, to, _ in handler.received] == [["b@example.com"]]


def test_a_refusal_for_now_is_retried_with_growing_waits_then_failed(store, serve):
    settings = serve(Refusing("busy@example.com", "451 4.3.0 mailbox busy, try later"))
    [message_id] = queue(store, "busy@example.com")
    start = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    tried_at, attempts = [], 0
    for minutes in (0, 4, 5, 14, 15, 34, 35, 74, 75, 200):  # waits of 5, 10, 20 and 40 minutes
        with freeze_time(start + timedelta(minutes=minutes), ignore=NOT_THE_SERVER):
            send_pending(store, settings)
        if state(store)["busy@example.com"][1] > attempts:
            attempts += 1
            tried_at.append(minutes)
    assert tried_at == [0, 5, 15, 35, 75]
    assert state(store) == {"busy@example.com": ("failed", 5, "451 4.3.0 mailbox busy, try later")}
    with store.reading() as session:
        assert session.get(OutboxMessage, message_id).next_attempt_at is None


def test_a_dropped_connection_is_retried_later_and_the_next_message_goes_on_a_new_one(store, serve):
    handler = Dropping("drop@example.com")
    settings = serve(handler)
    queue(store, "drop@example.com", "b@example.com")
    with freeze_time("2026-11-23 12:00:00", ignore=NOT_THE_SERVER):
        report = send_pending(store, settings)
    assert (report.sent, report.deferred, report.failed) == (1, 1, 0)
    status, attempts, error = state(store)["drop@example.com"]
    assert (status, attempts) == ("pending", 1) and error.startswith("connection lost")
    with store.reading() as session:
        retry = session.execute(select(OutboxMessage.next_attempt_at)
                                .where(OutboxMessage.recipient == "drop@example.com")).scalar_one()
    assert retry == datetime(2026, 11, 23, 12, 5, tzinfo=UTC)
    assert [to for _, to, _ in handler.received] == [["b@example.com"]]


def test_an_unreachable_server_claims_nothing(store, serve):
    settings = serve(Accepting())
    queue(store, "a@example.com")
    closed = SmtpSettings(host="127.0.0.1", port=1, timeout=2)
    report = send_pending(store, closed)
    assert report.unreachable.startswith("cannot use 127.0.0.1:1")
    assert state(store) == {"a@example.com": ("pending", 0, None)}
    assert send_pending(store, settings).sent == 1


def test_a_message_another_sender_holds_is_not_sent_and_one_interrupted_long_ago_is_failed(store, serve):
    handler = Accepting()
    settings = serve(handler)
    queue(store, "interrupted@example.com", "inflight@example.com")
    with freeze_time("2026-11-23 11:00:00", ignore=NOT_THE_SERVER):
        smtp._claim_next(store, smtp.clock.now())  # a sender claimed it and died
    with freeze_time("2026-11-23 11:59:00", ignore=NOT_THE_SERVER):
        smtp._claim_next(store, smtp.clock.now())  # a sender is sending it right now
    with freeze_time("2026-11-23 12:00:00", ignore=NOT_THE_SERVER):
        report = send_pending(store, settings)
    assert (report.sent, report.interrupted) == (0, 1)
    assert handler.received == []
    found = state(store)
    assert found["interrupted@example.com"][:2] == ("failed", 1)
    assert "may have received it, so it was not sent again" in found["interrupted@example.com"][2]
    assert found["inflight@example.com"] == ("sending", 1, None)


def test_notify_send_logs_in_and_respects_the_limit(store, store_url, serve, monkeypatch):
    def authenticate(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"relay", b"s3cret"), handled=False)

    handler = Accepting()
    settings = serve(handler, authenticator=authenticate, auth_require_tls=False)
    queue(store, "a@example.com", "b@example.com", "c@example.com")
    monkeypatch.setenv("SMTP_PASSWORD", "s3cret")
    ran = score("notify", "send", "--smtp", f"127.0.0.1:{settings.port}", "--user", "relay",
                "--password-env", "SMTP_PASSWORD", "--from", "intake@example.org", "--limit", "2", db=store_url)
    assert (ran.exit_code, ran.stdout) == (0, "sent 2, to retry 0, failed 0\n")
    assert [frm for frm, _, _ in handler.received] == ["intake@example.org"] * 2

    monkeypatch.setenv("SMTP_PASSWORD", "wrong")
    ran = score("notify", "send", "--smtp", f"127.0.0.1:{settings.port}", "--user", "relay",
                "--password-env", "SMTP_PASSWORD", db=store_url)
    assert ran.exit_code == 1 and "535" in ran.stderr
    assert state(store)["c@example.com"] == ("pending", 0, None)


def test_notify_list_shows_failed_messages_with_the_error(store, store_url, serve):
    settings = serve(Refusing("nobody@example.com", "550 5.1.1 no such user"))
    queue(store, "nobody@example.com", "b@example.com")
    with store.transaction() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.recipient == "b@example.com")
                        .values(next_attempt_at=datetime(2999, 1, 1, tzinfo=UTC)))
    send_pending(store, settings)
    volunteers.ensure_admin(store, "admin@example.org")
    admin = "admin@example.org"
    failed = score("notify", "list", "--failed", "--format", "json", db=store_url, actor=admin).json()
    assert [(m["recipient"], m["status"], m["last_error"]) for m in failed] == [
        ("nobody@example.com", "failed", "550 5.1.1 no such user")]
    pending = score("notify", "list", "--pending", "--format", "json", db=store_url, actor=admin).json()
    assert [m["recipient"] for m in pending] == ["b@example.com"]
    assert score("notify", "list", "--pending", "--failed", db=store_url, actor=admin).exit_code == 2


def test_what_notify_send_prints_never_names_a_clients_address(store, store_url, serve):
    handler = Refusing("cleo@shop.com", "550 5.1.1 <cleo@shop.com>: no such user")
    settings = serve(handler)
    queue(store, "cleo@shop.com")
    ran = score("notify", "send", "--smtp", f"127.0.0.1:{settings.port}", "--from", "intake@example.org", db=store_url)
    assert ran.exit_code == 1
    assert "550 5.1.1 <<address>>: no such user" in ran.stderr
    assert "cleo@shop.com" not in ran.stdout + ran.stderr
    assert state(store)["cleo@shop.com"][2] == "550 5.1.1 <cleo@shop.com>: no such user"  # kept for notify list


def test_one_message_that_cannot_be_written_fails_alone_and_the_rest_are_sent(store, serve):
    handler = Accepting()
    settings = serve(handler)
    queue(store, "a@example.com", "b@example.com", "c@example.com")
    with store.transaction() as session:  # a subject written before input refused line breaks
        session.execute(update(OutboxMessage).where(OutboxMessage.recipient == "b@example.com")
                        .values(subject="Hello\nBcc: everyone@example.com"))
    report = send_pending(store, settings)
    assert (report.sent, report.failed) == (2, 1)
    assert [to for _, to, _ in handler.received] == [["a@example.com"], ["c@example.com"]]
    status, attempts, error = state(store)["b@example.com"]
    assert (status, attempts) == ("failed", 1) and error.startswith("not a valid message:")
    assert "linefeed" in error
