"""`score chapter` and `score volunteer`: the organisation and its people."""


from typing import Annotated, Optional

import typer

from score_cli.cli.common import confirm as _confirm
from score_cli.cli.output import ColumnsOption, FormatOption, WideOption, choose_format, explicit_format, render_object, render_rows
from score_cli.cli.safe_text import line, shorten_quoted
from score_cli.cli.scope_options import scoped

chapter_app = typer.Typer(no_args_is_help=True)
volunteer_app = typer.Typer(no_args_is_help=True)

VOLUNTEER_COLUMNS = ["email", "name", "chapter", "status", "classification", "roles",
                     "capacity", "paused", "accept_direct_requests"]


@chapter_app.command("list")
def chapter_list(ctx: typer.Context, fmt: FormatOption = None,
        wide: WideOption = False, columns: ColumnsOption = None,
                 live: Annotated[Optional[bool], typer.Option("--live/--not-live", help="Only live (or not live) chapters.")] = None) -> None:
    """List the chapters and where they belong.

    List the chapters with their district, region, state, time zone and live flag."""
    from score_cli.services.organisation.hierarchy import list_chapters

    store = ctx.obj.store()
    with store.reading() as session:
        rows = list_chapters(session)
    if live is not None:
        rows = [r for r in rows if r["live"] is live]
    render_rows(rows, choose_format(ctx, fmt),
                ["code", "name", "state", "timezone", "live", "district", "region"], title="Chapters")


@volunteer_app.command("add")
def volunteer_add(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The volunteer's e-mail.")],
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    chapter: Annotated[str, typer.Option("--chapter", help="Home chapter code.")],
    classification: Annotated[Optional[str], typer.Option("--classification", help="certified, provisional or sme (implies the mentor role).")] = None,
    role: Annotated[Optional[list[str]], typer.Option("--role", help="A role; repeat for several. Scope defaults to the home chapter.")] = None,
    fmt: FormatOption = None,
) -> None:
    """Add a volunteer to the directory."""
    from score_cli.services import validate
    from score_cli.services.people import volunteers

    new = volunteers.NewVolunteer(
        email=validate.email(email),
        name=validate.text_field(name, what="--name", limit=200, one_line=True),
        chapter=chapter.strip().upper(),
        classification=volunteers.classification(classification),
        roles=[volunteers.parse_grant(r, None, chapter.strip().upper()) for r in role or []],
    )
    result = volunteers.add(ctx.obj.store(), ctx.obj.actor, new)
    _confirm(ctx, fmt, result, f"added {result['email']} to {result['chapter']}")


@volunteer_app.command("import")
def volunteer_import(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="CSV file, or - for standard input.")],
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Add the valid rows and list the rest.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row; write nothing.")] = False,
    fmt: FormatOption = None,
) -> None:
    """Add volunteers from a CSV file.

    Header: email,name,chapter,classification,roles,status,
    accept_direct_requests,max_direct_weekly,serve_outside_local_area,capacity,expertise.

    Every row is checked first; one bad row means nothing is written, unless --skip-invalid.
    Volunteers already in the directory are left as they are.
    """
    from score_cli.cli.files import read_lines
    from score_cli.services.people.volunteer_import import import_volunteers

    result = import_volunteers(ctx.obj.store(), ctx.obj.actor, read_lines(file),
                               skip_invalid=skip_invalid, dry_run=dry_run)
    if explicit_format(ctx, fmt):
        render_object(result.as_dict(), choose_format(ctx, fmt))
    else:
        for problem in result.rejected:
            said = f"line {problem['line']}: {problem['email'] or '-'}: {problem['reason']}"
            typer.echo(line(shorten_quoted(said)), err=True)
        verb = "would add" if dry_run else "added"
        if result.rejected and not skip_invalid:
            typer.echo(f"nothing written: {len(result.rejected)} row(s) rejected"
                       " (fix them, or use --skip-invalid)", err=True)
        else:
            typer.echo(f"{verb} {len(result.added)}, already present {len(result.unchanged)},"
                       f" rejected {len(result.rejected)}")
    if result.rejected and not skip_invalid:
        raise typer.Exit(result.exit_code)


@volunteer_app.command("list")
@scoped
def volunteer_list(
    ctx: typer.Context, scope=None,
    role: Annotated[Optional[str], typer.Option("--role", help="Only volunteers holding this role.")] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="active, inactive or resigned.")] = None,
    paused_on: Annotated[Optional[str], typer.Option(
        "--paused-on", help="Only volunteers paused on this date (DATE or today: the chapter's date for one"
                            " chapter, the machine's for a wider scope).")] = None,
    fmt: FormatOption = None,
    wide: WideOption = False,
    columns: ColumnsOption = None,
) -> None:
    """List volunteers in a scope (default: your own)."""
    from score_cli.services.people.volunteers import list_volunteers

    rows = list_volunteers(ctx.obj.store(), ctx.obj.actor, scope,
                           role=role, status=status, paused_on=paused_on)
    render_rows(rows, choose_format(ctx, fmt), VOLUNTEER_COLUMNS, title="Volunteers")


@volunteer_app.command("show")
def volunteer_show(ctx: typer.Context, email: Annotated[str, typer.Argument(help="The volunteer's e-mail.")],
                   fmt: FormatOption = None) -> None:
    """Everything about one volunteer.

    Roles, settings, pause, capacity."""
    from score_cli.services.people.volunteers import show

    result = show(ctx.obj.store(), ctx.obj.actor, email)
    render_object(result, choose_format(ctx, fmt), title=result["name"])


@volunteer_app.command("set-status")
def volunteer_set_status(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The volunteer's e-mail.")],
    status: Annotated[str, typer.Argument(help="active, inactive or resigned.")],
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (kept in the history).")] = None,
    fmt: FormatOption = None,
) -> None:
    """Make a volunteer active, inactive or resigned.

    Only active ones get new assignments."""
    from score_cli.services.people.volunteers import set_status

    result = set_status(ctx.obj.store(), ctx.obj.actor, email, status, reason)
    _confirm(ctx, fmt, result, f"{result['email']} is {'now' if result['changed'] else 'already'} {result['status']}")


@volunteer_app.command("grant")
def volunteer_grant(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The volunteer's e-mail.")],
    role: Annotated[str, typer.Argument(help="mentor, cic, rcic, chapter_manager, membership_chair or admin.")],
    scope: Annotated[Optional[str], typer.Option("--scope", help="chapter:CODE, district:CODE, region:CODE or national.")] = None,
    fmt: FormatOption = None,
) -> None:
    """Give a volunteer a role, within a scope."""
    from score_cli.services.people.volunteers import grant

    result = grant(ctx.obj.store(), ctx.obj.actor, email, role, scope)
    _confirm(ctx, fmt, result, f"{result['email']} now holds: {', '.join(result['roles'])}")


@volunteer_app.command("revoke")
def volunteer_revoke(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The volunteer's e-mail.")],
    role: Annotated[str, typer.Argument(help="mentor, cic, rcic, chapter_manager, membership_chair or admin.")],
    scope: Annotated[Optional[str], typer.Option(
        "--scope", help="chapter:CODE, district:CODE, region:CODE or national (default: the one the"
                        " volunteer holds).")] = None,
    fmt: FormatOption = None,
) -> None:
    """Take a role away from a volunteer."""
    from score_cli.services.people.volunteers import revoke

    result = revoke(ctx.obj.store(), ctx.obj.actor, email, role, scope)
    left = ", ".join(result["roles"]) or "no roles"
    _confirm(ctx, fmt, result, f"{result['email']} no longer holds {result['revoked']}; now holds: {left}")
