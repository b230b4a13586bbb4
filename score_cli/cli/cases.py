"""A coordinator's commands on one request: show, note, assign, reassign, transfer, withdraw."""


from typing import Annotated, Optional

import typer

from score_cli.cli.common import RequestArg, request_number as _id
from score_cli.cli.output import ColumnsOption, FormatOption, WideOption, choose_format, explicit_format, render_object, render_rows
from score_cli.cli.safe_text import line as visible

ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (kept in the history).")]


def _after_change(ctx: typer.Context, fmt: str | None, request_id: int, line: str) -> None:
    """People get one line; scripts asking for a format get the request as `show` prints it."""
    if explicit_format(ctx, fmt):
        from score_cli.services.requests.show import show as show_request

        render_object(show_request(ctx.obj.store(), ctx.obj.actor, request_id), choose_format(ctx, fmt))
    else:
        typer.echo(visible(line))


def show(ctx: typer.Context, mre: RequestArg, fmt: FormatOption = None,
        wide: WideOption = False, columns: ColumnsOption = None) -> None:
    """Everything about one request.

    Client, status, deadlines, team, notes, sessions, history."""
    from score_cli.services.requests.show import show as show_request

    fmt = choose_format(ctx, fmt)
    result = show_request(ctx.obj.store(), ctx.obj.actor, _id(mre))
    if fmt == "table":
        from score_cli.cli.request_view import print_request

        print_request(result)
    else:
        render_object(result, fmt)


def note(ctx: typer.Context, mre: RequestArg, text: Annotated[str, typer.Argument(help="The note.")],
         fmt: FormatOption = None) -> None:
    """Add a note to a request.

    Coordinators in scope, its owner and its case team may add notes."""
    from score_cli.services.requests.assignment import add_note

    request_id = add_note(ctx.obj.store(), ctx.obj.actor, _id(mre), text)
    _after_change(ctx, fmt, request_id, f"note added to MRE-{request_id}")


def assign(
    ctx: typer.Context,
    mre: RequestArg,
    mentor: Annotated[Optional[str], typer.Argument(help="The mentor's e-mail.")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="A note for the mentor.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Assign even past a soft rule (paused, capacity, declined before).")] = False,
    suggest: Annotated[bool, typer.Option("--suggest", help="List eligible mentors, best first, with the reasons.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="With --suggest: how many.")] = 10,
    include_sme: Annotated[bool, typer.Option("--include-sme", help="Subject matter experts may be assigned too.")] = False,
    fmt: FormatOption = None,
    wide: WideOption = False,
    columns: ColumnsOption = None,
) -> None:
    """Assign a request to a mentor, or --suggest one.

    Assign a request to a mentor, or with --suggest list who is eligible."""
    if suggest:
        if mentor:
            raise typer.BadParameter("give a mentor or --suggest, not both", param_hint="MENTOR")
        _suggest(ctx, _id(mre), limit, include_sme, fmt)
        return
    if not mentor:
        raise typer.BadParameter("name the mentor's e-mail, or use --suggest", param_hint="MENTOR")
    from score_cli.services.requests.assignment import assign as assign_request

    request_id = assign_request(ctx.obj.store(), ctx.obj.actor, _id(mre), mentor, note=note, force=force,
                                include_sme=include_sme)
    _after_change(ctx, fmt, request_id, f"MRE-{request_id} assigned to {mentor.strip().lower()}")


def _suggest(ctx: typer.Context, request_id: int, limit: int, include_sme: bool, fmt: str | None) -> None:
    from score_cli.services.people.matching import suggest

    result = suggest(ctx.obj.store(), ctx.obj.actor, request_id, limit=limit, include_sme=include_sme)
    render_rows(result.rows, choose_format(ctx, fmt), ["rank", "email", "name", "chapter", "reason"],
                title=f"Mentors for {result.request} ({result.chapter})", empty="no eligible mentor")
    if result.advice:
        typer.echo(result.advice, err=True)


def reassign(
    ctx: typer.Context,
    mre: RequestArg,
    mentor: Annotated[Optional[str], typer.Argument(help="The new mentor's e-mail.")] = None,
    reason: ReasonOpt = ...,
    to_queue: Annotated[bool, typer.Option("--to-queue", help="Back to the chapter's intake queue instead.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Past a soft rule (paused, capacity, declined before).")] = False,
    include_sme: Annotated[bool, typer.Option("--include-sme", help="An SME may be the new owner.")] = False,
    fmt: FormatOption = None,
) -> None:
    """Give a request to another mentor now.

    Change the owner now, without waiting for the timeout ("Case Assignment / Change Owner")."""
    from score_cli.services.requests.assignment import reassign as reassign_request

    request_id = reassign_request(ctx.obj.store(), ctx.obj.actor, _id(mre), mentor, reason=reason,
                                  to_queue=to_queue, force=force, include_sme=include_sme)
    where = "the intake queue" if to_queue else (mentor or "").strip().lower()
    _after_change(ctx, fmt, request_id, f"MRE-{request_id} reassigned to {where}")


def transfer_chapter(ctx: typer.Context, mre: RequestArg,
                     chapter: Annotated[str, typer.Argument(help="The chapter code to move it to.")],
                     reason: ReasonOpt = ..., fmt: FormatOption = None) -> None:
    """Move a request to another chapter's queue.

    Move a request to another chapter's intake queue (the national one if that chapter is not live)."""
    from score_cli.services.requests.assignment import transfer

    request_id = transfer(ctx.obj.store(), ctx.obj.actor, _id(mre), chapter, reason=reason)
    _after_change(ctx, fmt, request_id, f"MRE-{request_id} transferred to {chapter.strip().upper()}")


def withdraw(
    ctx: typer.Context,
    mre: Annotated[Optional[str], typer.Argument(metavar="MRE", help="Request id: MRE-123 or 123.")] = None,
    reason: ReasonOpt = ...,
    bulk: Annotated[Optional[str], typer.Option("--bulk", metavar="FILE|-", help="Withdraw every request of a"
                    " plan (`duplicates find --format csv|json`) or a list of ids, one a line; - reads stdin.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="With --bulk: check every row, change nothing.")] = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="With --bulk: withdraw the valid rows and"
                            " list the others (default: all or none).")] = False,
    fmt: FormatOption = None,
) -> None:
    """Withdraw a request, or a plan of them with --bulk.

    Withdraw a request (out of scope, a duplicate, no longer interested), or a plan with --bulk."""
    if bulk is not None:
        if mre:
            raise typer.BadParameter("give a request or --bulk FILE, not both", param_hint="MRE")
        from score_cli.cli.duplicates import withdraw_bulk

        withdraw_bulk(ctx, bulk, reason, dry_run, skip_invalid, fmt)
        return
    if not mre:
        raise typer.BadParameter("name the request to withdraw, or give --bulk FILE", param_hint="MRE")
    if dry_run or skip_invalid:
        raise typer.BadParameter("--dry-run and --skip-invalid go with --bulk", param_hint="--dry-run")
    from score_cli.services.requests.assignment import withdraw as withdraw_request

    request_id = withdraw_request(ctx.obj.store(), ctx.obj.actor, _id(mre), reason=reason)
    _after_change(ctx, fmt, request_id, f"MRE-{request_id} withdrawn")
