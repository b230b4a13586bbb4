"""`score notify`: the outbox: list it, deliver it, queue the waiting-clients e-mail."""


import os
from typing import Annotated, Optional

import typer

from score_cli.cli.output import ColumnsOption, FormatOption, WideOption, choose_format, explicit_format, render_object, render_rows
from score_cli.cli.scope_options import scoped

notify_app = typer.Typer(no_args_is_help=True)

# JSON gives every field (subject, times...); the table keeps to what fits a terminal.
MESSAGE_COLUMNS = ["id", "status", "event", "request", "recipient", "attempts", "last_error"]


@notify_app.command("list")
@scoped
def notify_list(
    ctx: typer.Context, scope=None,
    pending: Annotated[bool, typer.Option("--pending", help="Only messages waiting to be sent.")] = False,
    failed: Annotated[bool, typer.Option("--failed", help="Only messages that could not be delivered.")] = False,
    limit: Annotated[int, typer.Option("--limit", help="At most this many, newest first.")] = 100,
    fmt: FormatOption = None,
    wide: WideOption = False,
    columns: ColumnsOption = None,
) -> None:
    """List outbox messages, newest first.

    Without a scope option: the messages of your own scope (your own mail for a mentor)."""
    from score_cli.domain.errors import Invalid
    from score_cli.services.mail.notifications import list_messages

    if pending and failed:
        raise Invalid("give --pending or --failed, not both")
    status = "pending" if pending else "failed" if failed else None
    rows = list_messages(ctx.obj.store(), ctx.obj.actor, scope, status=status, limit=limit)
    render_rows(rows, choose_format(ctx, fmt), MESSAGE_COLUMNS, title="Outbox", empty="no messages")


@notify_app.command("send")
def notify_send(
    ctx: typer.Context,
    smtp: Annotated[str, typer.Option("--smtp", envvar="SCORE_SMTP", show_envvar=True,
                                      help="The SMTP server, HOST:PORT.")] = "localhost:25",
    starttls: Annotated[bool, typer.Option("--starttls", help="Upgrade the connection with STARTTLS.")] = False,
    user: Annotated[Optional[str], typer.Option("--user", envvar="SCORE_SMTP_USER",
                                                help="Log in as this user (with --password-env).")] = None,
    password_env: Annotated[Optional[str], typer.Option(
        "--password-env", metavar="VAR", help="Name of the environment variable holding the password.")] = None,
    sender: Annotated[str, typer.Option("--from", envvar="SCORE_MAIL_FROM", show_envvar=True,
                                        help="The From address.")] = "score@localhost",
    limit: Annotated[Optional[int], typer.Option("--limit", help="Try at most this many messages.")] = None,
    fmt: FormatOption = None,
) -> None:
    """Deliver pending messages over SMTP.

    Each marked as soon as the server answers.

    A refused message (4xx) or a dropped connection is retried later with growing waits,
    up to 5 attempts; a 5xx refusal fails at once. No message is ever sent twice. Exit 0
    when done (retries pending included), 1 when a message failed or the server could not
    be used.
    """
    from score_cli.notify.smtp import SmtpSettings, send_pending

    settings = SmtpSettings(*_host_port(smtp), sender=_address(sender), starttls=starttls,
                            user=user, password=_password(user, password_env))
    if limit is not None and limit < 1:
        raise typer.BadParameter("must be at least 1", param_hint="--limit")
    report = send_pending(ctx.obj.store(), settings, limit=limit)
    if explicit_format(ctx, fmt):
        render_object(report.as_dict(), choose_format(ctx, fmt))
    elif report.sent or report.deferred or report.failed or report.interrupted:
        typer.echo(f"sent {report.sent}, to retry {report.deferred}, failed {report.failed}"
                   + (f", interrupted earlier {report.interrupted}" if report.interrupted else ""))
    for error in report.errors:
        typer.echo(f"score: {error}", err=True)
    if report.unreachable:
        typer.echo(f"score: {report.unreachable}", err=True)
    if report.unreachable or report.failed or report.interrupted:
        raise typer.Exit(1)


@notify_app.command("waiting-clients")
@scoped
def notify_waiting_clients(
    ctx: typer.Context,
    older_than: Annotated[int, typer.Option("--older-than", metavar="N",
                                            help="Business days since submission.")],
    scope=None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List who would get it; queue nothing.")] = False,
    fmt: FormatOption = None,
    wide: WideOption = False,
    columns: ColumnsOption = None,
) -> None:
    """Tell clients waiting long that we are still looking.

    Queue the "still finding you a mentor" e-mail to clients waiting over N business days.

    Counts business days of the request's chapter since submission, for requests still new or
    pending reassignment. A request's client never gets it twice, however often this runs.
    """
    from score_cli.services.mail.notifications import waiting_clients

    rows = waiting_clients(ctx.obj.store(), ctx.obj.actor, scope, older_than, dry_run=dry_run)
    if explicit_format(ctx, fmt):
        render_rows(rows, choose_format(ctx, fmt), ["id", "chapter", "status", "business_days_waiting",
                                                    "recipient", "queued"])
        return
    new = sum(1 for r in rows if r["queued"])
    verb = "would queue" if dry_run else "queued"
    typer.echo(f"{verb} {new} e-mail(s) to waiting clients; {len(rows) - new} had it already")


def _host_port(text: str) -> tuple[str, int]:
    host, colon, port = text.strip().rpartition(":")
    if not colon:
        host, port = text.strip(), "25"
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise typer.BadParameter(f"expected HOST:PORT, got {text!r}", param_hint="--smtp")
    return host, int(port)


def _address(text: str) -> str:
    if "@" not in text or any(c in text for c in "\r\n"):
        raise typer.BadParameter(f"not an e-mail address: {text!r}", param_hint="--from")
    return text.strip()


def _password(user: str | None, variable: str | None) -> str | None:
    if variable is None:
        if user:
            raise typer.BadParameter("--user needs --password-env VAR (the password is never an option)",
                                     param_hint="--user")
        return None
    if not user:
        raise typer.BadParameter("--password-env needs --user", param_hint="--password-env")
    value = os.environ.get(variable)
    if value is None:
        raise typer.BadParameter(f"the environment variable {variable} is not set", param_hint="--password-env")
    return value
