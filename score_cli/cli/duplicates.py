"""`score duplicates find`, `score client merge`, and the output of `score withdraw --bulk`."""


from typing import Annotated

import typer

from score_cli.cli.output import ColumnsOption, FormatOption, WideOption, choose_format, done, explicit_format, render_object, render_rows
from score_cli.cli.scope_options import scoped

duplicates_app = typer.Typer(no_args_is_help=True)
client_app = typer.Typer(no_args_is_help=True)

# The plan `withdraw --bulk` reads back: keep these names.
COLUMNS = ["group", "id", "action", "keeper", "score", "signals", "client", "client_emails", "keeper_client",
           "keeper_emails", "reasons", "client_id", "chapter", "status", "version", "submitted_at"]
# A terminal gets what a reviewer needs, narrow enough to read; the reasons are in CSV and JSON.
TABLE_COLUMNS = ["group", "id", "action", "keeper", "score", "signals", "client", "client_emails", "keeper_client",
                 "keeper_emails", "chapter", "status"]
BULK_COLUMNS = ["line", "id", "keeper", "status", "outcome", "score", "signals", "client", "client_emails",
                "keeper_client", "keeper_emails", "detail"]


@duplicates_app.command("find")
@scoped
def find(
    ctx: typer.Context, scope=None,
    min_score: Annotated[float, typer.Option("--min-score", min=0.0, max=1.0,
                         help="Only pairs at least this sure (0 to 1).")] = 0.6,
    window_days: Annotated[int, typer.Option("--window-days", min=1, max=3650,
                           help="Only requests submitted within this many days of each other.")] = 90,
    include_all: Annotated[bool, typer.Option("--all", help="Also groups with nothing left to withdraw.")] = False,
    fmt: FormatOption = None,
    wide: WideOption = False,
    columns: ColumnsOption = None,
) -> None:
    """Requests that are probably the same client.

    Groups of requests that are probably the same client, with the request to keep in each.

    A request is planned for withdrawal only when it shares an e-mail, a phone, or a name with a
    business or ZIP with its keeper; a similar question is only a hint. The groups are the same
    whatever the scope: a scope shows the groups with a request in it. The CSV or JSON output is
    the plan `score withdraw --bulk` reads (its rows whose action is withdraw).
    """
    from score_cli.services.duplicates import find as find_duplicates

    found = find_duplicates(ctx.obj.store(), ctx.obj.actor, scope,
                            min_score=min_score, window_days=window_days, include_all=include_all)
    chosen = choose_format(ctx, fmt)
    render_rows(found.rows, chosen, TABLE_COLUMNS if chosen == "table" else COLUMNS, title="Probable duplicates",
                empty="no duplicates found")
    done(f"{found.groups} group{'s' if found.groups != 1 else ''}, {found.withdraw} request"
         f"{'s' if found.withdraw != 1 else ''} to withdraw ({found.requests} requests compared,"
         f" {found.pairs} candidate pairs)")


@client_app.command("merge")
def merge(
    ctx: typer.Context,
    keep: Annotated[str, typer.Argument(metavar="KEEP", help="The client to keep: its id or one of its e-mails.")],
    other: Annotated[str, typer.Argument(metavar="OTHER", help="The client merged into it: its id or one of its e-mails.")],
    fmt: FormatOption = None,
) -> None:
    """Merge two client records into KEEP.

    Merge two client records: e-mails, missing phone/business/ZIP and requests move to KEEP."""
    from score_cli.services.duplicates.client_merge import merge as merge_clients

    merged = merge_clients(ctx.obj.store(), ctx.obj.actor, keep, other)
    if explicit_format(ctx, fmt):
        render_object(merged, choose_format(ctx, fmt))
    else:
        moved = ", ".join(merged["moved_requests"]) or "no requests"
        typer.echo(f"client {merged['merged_client_id']} merged into client {merged['client_id']}"
                   f" ({merged['name']}): {len(merged['moved_emails'])} e-mail(s), {moved}")


def withdraw_bulk(ctx: typer.Context, source: str, reason: str, dry_run: bool, skip_invalid: bool,
                  fmt: str | None) -> None:
    """`score withdraw --bulk FILE|-`: read the plan, apply it all or none, report every row."""
    from score_cli.cli.files import read_text
    from score_cli.services.requests.bulk_withdraw import withdraw_bulk as apply_plan

    result = apply_plan(ctx.obj.store(), ctx.obj.actor, read_text(source), reason=reason, dry_run=dry_run,
                        skip_invalid=skip_invalid)
    chosen = choose_format(ctx, fmt)
    if chosen == "json":
        render_object(result.as_dict(), "json")
    else:
        shown = result.rows if chosen == "csv" or len(result.rows) <= 200 else \
            [r for r in result.rows if r["outcome"] not in ("withdrawn", "would_withdraw", "already_done")]
        render_rows(shown, chosen, BULK_COLUMNS, title="Bulk withdrawal", empty="every row went as planned")
    typer.echo(f"score: {result.message}" if result.exit_code else result.message, err=True)
    if result.exit_code:
        raise typer.Exit(result.exit_code)
