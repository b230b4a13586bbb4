"""`score queue list`: the Client Intake Queue."""


from typing import Annotated, Optional

import typer

from score_cli.cli.output import FormatOption, choose_format, render_rows
from score_cli.cli.scope_options import scoped

app = typer.Typer(no_args_is_help=True)

COLUMNS = ["id", "status", "chapter", "client", "client_kind", "area", "business_days_waiting", "owner",
           "accept_due_at", "accept_overdue", "timeout_at", "timed_out"]
HEADERS = {"business_days_waiting": "waiting (bd)", "client_kind": "client is", "accept_overdue": "overdue",
           "accept_due_at": "accept due", "timeout_at": "timeout", "timed_out": "timed out"}


@app.command("list")
@scoped
def queue_list(
    ctx: typer.Context, scope=None,
    stage: Annotated[Optional[str], typer.Option("--stage", help="Only this status (new, pending-reassignment, assigned, accepted, contacted).")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only assignments past their accept-due time.")] = False,
    unassigned: Annotated[bool, typer.Option("--unassigned", help="Only requests waiting for a mentor.")] = False,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="At most this many rows.")] = None,
    fmt: FormatOption = None,
) -> None:
    """Open requests not yet in progress, oldest first (default scope: your own)."""
    from score_cli.services.organisation.queue import list_queue

    rows = list_queue(ctx.obj.store(), ctx.obj.actor, scope,
                      stage=stage, overdue=overdue, unassigned=unassigned, limit=limit)
    render_rows(rows, choose_format(ctx, fmt), COLUMNS, headers=HEADERS, title="Client Intake Queue",
                empty="the queue is empty")
