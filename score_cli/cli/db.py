"""`score db`: create, upgrade, back up and check the store."""


from typing import Annotated

import typer

from score_cli.cli.output import ColumnsOption, FormatOption, WideOption, choose_format, render_rows

app = typer.Typer(no_args_is_help=True)


@app.command("init")
def init(
    ctx: typer.Context,
    chapters: Annotated[str | None, typer.Option("--chapters", help="Chapters CSV (default: the shipped data/chapters.csv).")] = None,
    admin: Annotated[str | None, typer.Option("--admin", help="E-mail of the first admin volunteer.")] = None,
    admin_name: Annotated[str | None, typer.Option("--admin-name", help="The admin's name.")] = None,
) -> None:
    """Create the store and load the organisation.

    Create the store (or bring it up to date) and load the organisation."""
    from score_cli.services.admin.setup import init_store

    result = init_store(ctx.obj.url(), chapters_file=chapters, admin_email=admin, admin_name=admin_name)
    typer.echo(f"store ready at {result['store']} (schema {result['schema']}, {result['chapters']} chapters"
               + (f", admin {result['admin']})" if result["admin"] else ")"))
    for chapter in result["recomputed"]:
        typer.echo(chapter["summary"])


@app.command("recompute-deadlines")
def recompute_deadlines(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would move; change nothing.")] = False,
) -> None:
    """Recompute open deadlines after a calendar change.

    In chapters whose calendar changed (closures file, time zone, state). The nightly sweep does
    this first too."""
    from score_cli.services.organisation.calendar_changes import recompute

    done = recompute(ctx.obj.store(), dry_run=dry_run)
    for chapter in done:
        typer.echo(chapter["summary"])
    if not done:
        typer.echo("no chapter's calendar changed: every deadline is up to date")


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Bring an older store up to this version's schema."""
    from score_cli.services.admin.setup import upgrade_store

    before, after = upgrade_store(ctx.obj.url())
    if before == after:
        typer.echo(f"store already at schema {after}")
    else:
        typer.echo(f"store upgraded from schema {before} to {after}")


@app.command("backup")
def backup(ctx: typer.Context, dest: Annotated[str, typer.Argument(help="File to write the copy to.")]) -> None:
    """Copy the store while it is in use.

    An online copy of an SQLite store; for PostgreSQL, print the pg_dump command."""
    from score_cli.services.admin.setup import backup_store

    typer.echo(backup_store(ctx.obj.store(check_schema=False), dest))


@app.command("check")
def check(ctx: typer.Context, fmt: FormatOption = None,
        wide: WideOption = False, columns: ColumnsOption = None) -> None:
    """Check the store's integrity and invariants.

    Check the store's integrity and the workflow's invariants; exit 1 on a violation."""
    from score_cli.services.admin.integrity import check_store

    problems = check_store(ctx.obj.store())
    fmt = choose_format(ctx, fmt)
    if fmt == "table" and not problems:
        typer.echo("store is consistent")
    else:
        render_rows(problems, fmt, ["check", "count", "example"], title="Problems found")
    if problems:
        raise typer.Exit(1)


login_app = typer.Typer(no_args_is_help=True)
app.add_typer(login_app, name="login", help="A PostgreSQL login per person on a shared store.")


@login_app.command("add")
def login_add(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The volunteer's e-mail.")],
    role: Annotated[str | None, typer.Option("--role", help="The login's name (default: from the e-mail).")] = None,
) -> None:
    """Create a PostgreSQL login for a volunteer.

    Admin only, connected as the store's owner. The person sets the password with \\password in
    psql: score never stores or prints one."""
    from score_cli.services.admin import logins

    done = logins.add(ctx.obj.store(), ctx.obj.actor, email, role)
    typer.echo(f"login {done['login']} created for {done['email']}: they set its password with"
               f" `\\password` in psql, then connect as {done['login']}")


@login_app.command("list")
def login_list(ctx: typer.Context, fmt: FormatOption = None,
               wide: WideOption = False, columns: ColumnsOption = None) -> None:
    """The people's logins and whether each may connect."""
    from score_cli.services.admin import logins

    rows = logins.listing(ctx.obj.store(), ctx.obj.actor)
    render_rows(rows, choose_format(ctx, fmt), ["email", "name", "login", "status", "may_connect"], title="Logins")


@login_app.command("remove")
def login_remove(ctx: typer.Context, email: Annotated[str, typer.Argument(help="The volunteer's e-mail.")]) -> None:
    """Drop a volunteer's PostgreSQL login."""
    from score_cli.services.admin import logins

    done = logins.remove(ctx.obj.store(), ctx.obj.actor, email)
    typer.echo(f"login {done['login']} of {done['email']} removed")
