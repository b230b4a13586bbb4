"""`score queue list`: the Client Intake Queue."""


from typing import Annotated, Optional

import typer

from score_cli.cli.output import ColumnsOption, FormatOption, WideOption, choose_format, render_rows
from score_cli.cli.scope_options import scoped

app = typer.Typer(no_args_is_help=True)

COLUMNS = ["id", "status", "chapter", "client", "client_kind", "area", "business_days_waiting",
           "business_days_in_stage", "owner", "accept_due_at", "accept_overdue", "timeout_at", "timed_out"]
HEADERS = {"business_days_waiting": "waiting (bd)", "business_days_in_stage": "in stage (bd)", "client_kind": "client is", "accept_overdue": "overdue",
           "accept_due_at": "accept due", "timeout_at": "timeout", "timed_out": "timed out"}


@app.command("list")
@scoped
def queue_list(
    ctx: typer.Context, scope=None,
    stage: Annotated[Optional[str], typer.Option("--stage", help="Only this status (new, pending-reassignment, assigned, accepted, contacted).")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only assignments past their accept-due time.")] = False,
    unassigned: Annotated[bool, typer.Option("--unassigned", help="Only requests waiting for a mentor.")] = False,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, metavar="N", help="At most this many rows.")] = None,
    sort: Annotated[str, typer.Option("--sort", metavar="ORDER",
                                      help="work (waiting for a mentor, then overdue, then longest in stage),"
                                           " submitted, stage, accept-due or id.")] = "work",
    fmt: FormatOption = None,
    wide: WideOption = False,
    columns: ColumnsOption = None,
) -> None:
    """Open requests, those waiting for a mentor first."""
    from score_cli.services.organisation.queue import list_queue

    rows = list_queue(ctx.obj.store(), ctx.obj.actor, scope,
                      stage=stage, overdue=overdue, unassigned=unassigned, limit=limit, sort=sort)
    render_rows(rows, choose_format(ctx, fmt), COLUMNS, headers=HEADERS, title="Client Intake Queue",
                empty=_nothing(stage, overdue, unassigned, scope))


def _nothing(stage, overdue, unassigned, scope) -> str:
    """What was empty, in the words of the options given: "no overdue requests in BOS01"."""
    what = "requests waiting for a mentor" if unassigned else "open requests"
    if stage:
        what = f"{stage.strip().lower().replace('-', '_')} requests"
    if overdue:
        what = "overdue " + what.replace("open ", "")
    if scope is None:
        where = "in your queue"
    else:
        where = {"chapter": f"in {scope.code}", "district": f"in district {scope.code}",
                 "region": f"in region {scope.code}", "national": "in any chapter", "mine": "of yours"}[scope.kind]
    return f"no {what} {where}"
