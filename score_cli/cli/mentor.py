"""The mentor's commands: accept, decline, return, contact, sessions, status, settings, pauses."""


from typing import Annotated, Optional

import typer

from score_cli.cli.common import RequestArg, confirm as _done, request_number as _id
from score_cli.cli.output import ColumnsOption, FormatOption, WideOption, choose_format, render_object, render_rows
from score_cli.cli.scope_options import scoped

ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (kept as a note for the CIC).")]
EmailArg = Annotated[str, typer.Argument(help="The mentor's e-mail.")]

session_app = typer.Typer(no_args_is_help=True)
mentor_app = typer.Typer(no_args_is_help=True)
mentors_app = typer.Typer(no_args_is_help=True)


def accept(ctx: typer.Context, mre: RequestArg,
           message: Annotated[Optional[str], typer.Option("--message", help="A first e-mail to the client (counts as contact attempt 1).")] = None,
           fmt: FormatOption = None) -> None:
    """Accept a request assigned to you.

    With --message, a first message goes to the client."""
    from score_cli.services.requests.mentoring import accept as accept_request

    result = accept_request(ctx.obj.store(), ctx.obj.actor, _id(mre), message=message)
    sent = f"; message queued to {', '.join(result['message_to'])}" if result["message_to"] else ""
    _done(ctx, fmt, result, f"{result['id']} {result['status']}{sent}")


def decline(ctx: typer.Context, mre: RequestArg, reason: ReasonOpt = ..., fmt: FormatOption = None) -> None:
    """Decline a request assigned to you.

    It goes back to the intake queue."""
    from score_cli.services.requests.mentoring import decline as decline_request

    result = decline_request(ctx.obj.store(), ctx.obj.actor, _id(mre), reason=reason)
    _done(ctx, fmt, result, f"{result['id']} declined: back in the {result['queue']} queue")


def return_(ctx: typer.Context, mre: RequestArg, reason: ReasonOpt = ..., fmt: FormatOption = None) -> None:
    """Give an accepted request back to the queue.

    Give an accepted request back to the intake queue ("transfer to queue"); sessions stay."""
    from score_cli.services.requests.mentoring import return_to_queue

    result = return_to_queue(ctx.obj.store(), ctx.obj.actor, _id(mre), reason=reason)
    _done(ctx, fmt, result, f"{result['id']} returned to the {result['queue']} queue")


def contact(ctx: typer.Context, mre: RequestArg,
            method: Annotated[str, typer.Option("--method", help="email, phone or other.")],
            note: Annotated[Optional[str], typer.Option("--note", help="What happened.")] = None,
            fmt: FormatOption = None) -> None:
    """Log an attempt to contact the client.

    Three within two weeks are expected."""
    from score_cli.services.requests.mentoring import contact as log_contact

    result = log_contact(ctx.obj.store(), ctx.obj.actor, _id(mre), method=method, note=note)
    _done(ctx, fmt, result, f"{result['id']} {result['status']}: contact attempt {result['attempts']}")


@session_app.command("add")
def session_add(ctx: typer.Context, mre: RequestArg,
                day: Annotated[str, typer.Option("--date", help="The day of the session (2026-11-23, 11/23/2026, today).")],
                notes: Annotated[str, typer.Option("--notes", help="Session notes.")],
                minutes: Annotated[Optional[int], typer.Option("--minutes", help="Length in minutes.")] = None,
                fmt: FormatOption = None) -> None:
    """Record a mentoring session.

    Notes are due the business day after it."""
    from score_cli.services.requests.mentoring import add_session

    result = add_session(ctx.obj.store(), ctx.obj.actor, _id(mre), day=day, minutes=minutes, notes=notes)
    late = " (entered late)" if result["entered_late"] else ""
    _done(ctx, fmt, result, f"{result['id']} {result['status']}: session {result['session']} on {result['date']}{late}")


@session_app.command("edit")
def session_edit(ctx: typer.Context, mre: RequestArg,
                 session_id: Annotated[int, typer.Argument(metavar="SESSION", help="The session number (see `score session list`).")],
                 day: Annotated[Optional[str], typer.Option("--date", help="The corrected day.")] = None,
                 minutes: Annotated[Optional[int], typer.Option("--minutes", help="The corrected length.")] = None,
                 notes: Annotated[Optional[str], typer.Option("--notes", help="The corrected notes.")] = None,
                 fmt: FormatOption = None) -> None:
    """Correct a session (its author or the request's owner)."""
    from score_cli.services.requests.mentoring import edit_session

    result = edit_session(ctx.obj.store(), ctx.obj.actor, _id(mre), session_id, day=day, minutes=minutes, notes=notes)
    _done(ctx, fmt, result, f"{result['id']}: session {result['session']} corrected")


@session_app.command("list")
def session_list(ctx: typer.Context, mre: RequestArg, fmt: FormatOption = None,
        wide: WideOption = False, columns: ColumnsOption = None) -> None:
    """List a request's sessions.

    Each with its number and whether its notes came late."""
    from score_cli.services.requests.mentoring import list_sessions

    rows = list_sessions(ctx.obj.store(), ctx.obj.actor, _id(mre))
    render_rows(rows, choose_format(ctx, fmt), ["session", "date", "mentor", "minutes", "entered_late", "notes"],
                title="Sessions", empty="no session recorded")


def status(ctx: typer.Context, mre: RequestArg,
           new_status: Annotated[str, typer.Argument(metavar="STATUS", help="complete, withdrawn, no_show, no_response, incorrect_contact or unable_to_contact.")],
           note: Annotated[Optional[str], typer.Option("--note", help="A note for the record.")] = None,
           force: Annotated[bool, typer.Option("--force", help="Coordinators: close as no_response with fewer than 3 attempts.")] = False,
           fmt: FormatOption = None) -> None:
    """Close a request with its final status.

    By its owner, or by a CIC in scope."""
    from score_cli.services.requests.mentoring import set_status

    result = set_status(ctx.obj.store(), ctx.obj.actor, _id(mre), new_status, note=note, force=force)
    _done(ctx, fmt, result, f"{result['id']} {result['status']}")


# --- settings and pauses ---------------------------------------------------------------


def _print_settings(ctx: typer.Context, fmt: str | None, result: dict, lines: list[str] = ()) -> None:
    if result.get("capacity_warning"):
        typer.echo(f"warning: {result['capacity_warning']}", err=True)
    for line in lines:
        typer.echo(line, err=True)
    render_object(result, choose_format(ctx, fmt), title=f"{result['name']} ({result['email']})")


@mentor_app.command("settings")
def settings(
    ctx: typer.Context,
    email: EmailArg,
    direct: Annotated[Optional[bool], typer.Option("--accept-direct-requests/--no-accept-direct-requests", help="Take requests clients send you directly.", show_default=False)] = None,
    max_direct: Annotated[Optional[int], typer.Option("--max-direct-weekly", help="At most N direct requests a week.")] = None,
    unlimited: Annotated[bool, typer.Option("--unlimited", help="No weekly limit on direct requests.")] = False,
    outside: Annotated[Optional[bool], typer.Option("--serve-outside-local-area/--local-only", help="May other chapters pick you (co-mentoring).", show_default=False)] = None,
    capacity: Annotated[Optional[str], typer.Option("--capacity", help='CIC assignments a week, as you would write it: "3 per week", "1 every other week", "DR Only".')] = None,
    expertise: Annotated[Optional[list[str]], typer.Option("--expertise", help="A mentoring area or industry; repeat for several (replaces the list).")] = None,
    fmt: FormatOption = None,
) -> None:
    """Show a mentor's request settings, or change them.

    Show a mentor's request settings; with options, change them first."""
    from score_cli.services.people.mentor_settings import SettingsChange, settings as mentor_settings

    change = SettingsChange(accept_direct_requests=direct, max_direct_weekly=max_direct, unlimited=unlimited,
                            serve_outside_local_area=outside, capacity=capacity, expertise=expertise)
    _print_settings(ctx, fmt, mentor_settings(ctx.obj.store(), ctx.obj.actor, email, change))


def pause(
    ctx: typer.Context,
    email: EmailArg,
    start: Annotated[Optional[str], typer.Option("--from", help="First day of the pause (chapter's calendar).")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Last day of the pause.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="End the pause now.")] = False,
    return_pending: Annotated[bool, typer.Option("--return-pending", help="Send requests still awaiting your acceptance back to the queue.")] = False,
    fmt: FormatOption = None,
) -> None:
    """Pause a mentor, or end the pause with --clear.

    Pause a mentor (direct requests are switched off too), or end the pause with --clear."""
    from score_cli.services.people import mentor_settings
    from score_cli.domain.errors import Invalid

    if clear:
        if start or until or return_pending:
            raise Invalid("--clear takes no --from, --until or --return-pending")
        result = mentor_settings.clear_pause(ctx.obj.store(), ctx.obj.actor, email)
        _print_settings(ctx, fmt, result, [f"{result['email']}: pause cleared"]
                        + ([result["reminder"]] if result["reminder"] else []))
        return
    if not (start and until):
        raise Invalid("give --from DATE and --until DATE (or --clear)")
    result = mentor_settings.pause(ctx.obj.store(), ctx.obj.actor, email, start=start, until=until,
                                   return_pending=return_pending)
    direct = ("direct requests switched off" if not result["accept_direct_requests"] else
              f"direct requests stay on until {result['pause_from']}, when the nightly sweep switches them off")
    lines = [f"{result['email']}: paused {result['pause_from']} .. {result['pause_until']}; {direct}"]
    waiting = [r["id"] for r in result["awaiting_acceptance"]]
    if result["returned_to_queue"]:
        lines.append(f"returned to the queue: {', '.join(result['returned_to_queue'])}")
    elif waiting:
        lines.append(f"still awaiting acceptance: {', '.join(waiting)} (accept them, or --return-pending)")
    _print_settings(ctx, fmt, result, lines)


AVAILABLE_COLUMNS = ["email", "name", "chapter", "classification", "capacity", "weekly_capacity_left", "capacity_reading",
                     "cic_accepted_last_60_days", "open_requests", "direct_requests_last_7_days",
                     "serve_outside_local_area", "capacity_warning"]
PAUSED_COLUMNS = ["email", "name", "chapter", "pause_from", "pause_until", "days_paused", "long_pause"]


@mentors_app.command("available")
@scoped
def mentors_available(ctx: typer.Context, scope=None, fmt: FormatOption = None,
                      wide: WideOption = False, columns: ColumnsOption = None) -> None:
    """Mentors who can take a request today.

    Active mentors not paused today, with capacity left and recent load (default: your scope)."""
    from score_cli.services.people.availability import available

    rows = available(ctx.obj.store(), ctx.obj.actor, scope)
    render_rows(rows, choose_format(ctx, fmt), AVAILABLE_COLUMNS, title="Available mentors",
                headers={"weekly_capacity_left": "capacity left", "capacity_reading": "of",
                         "cic_accepted_last_60_days": "accepted 60d",
                         "direct_requests_last_7_days": "direct 7d", "serve_outside_local_area": "outside",
                         "capacity_warning": "warning"},
                empty="no mentor available in this scope")


@mentors_app.command("paused")
@scoped
def mentors_paused(ctx: typer.Context, scope=None, fmt: FormatOption = None,
                   wide: WideOption = False, columns: ColumnsOption = None) -> None:
    """Mentors paused today.

    Each with the length of its pause (over 30 days flagged)."""
    from score_cli.services.people.availability import paused

    rows = paused(ctx.obj.store(), ctx.obj.actor, scope)
    render_rows(rows, choose_format(ctx, fmt), PAUSED_COLUMNS, title="Paused mentors",
                empty="no mentor paused in this scope")
