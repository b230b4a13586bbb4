"""`score sweep`: the nightly run from cron (SPEC §5)."""


from typing import Annotated

import typer

from score_cli.cli.output import FormatOption, choose_format, explicit_format, render_rows, to_json

LINES = {  # kind -> (what was done, what a dry run would do)
    "deadlines_recomputed": ("deadlines recomputed after a calendar change", "would recompute deadlines"),
    "timed_out": ("timed out, back in the queue", "would time out"),
    "reminded": ("accept-overdue reminders queued", "would remind"),
    "follow_up": ("flagged for contact follow-up", "would flag for follow-up"),
    "ready_to_close": ("flagged ready to close as no_response", "would flag ready to close"),
    "pause_started": ("pauses begun: direct requests switched off", "would switch off direct requests of"),
    "pause_ended": ("pauses ended, mentors reminded", "would end the pause of"),
    "direct_limit_reached": ("mentors at their weekly direct-request limit", "at their direct-request limit"),
    "held": ("reminders held until a business day", "would hold until a business day"),
    "skipped": ("skipped: changed by someone else meanwhile", "would skip"),
    "failed": ("failed (the next run retries them)", "would fail"),
}


def sweep(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would happen; change nothing.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing when nothing happened.")] = False,
    fmt: FormatOption = None,
) -> None:
    """Nightly work: timeouts, reminders, pause ends.

    Recompute deadlines after a calendar change, time out unaccepted assignments, remind overdue mentors, flag contact
    follow-ups, end pauses that are over, recount direct-request limits.

    Safe to run twice, or twice at once. Exit 0 when done, 1 when some items failed (the
    rest is done and the next run retries them), 3 when the store is missing, 4 when busy.
    """
    from score_cli.services.sweep import KINDS, run

    result = run(ctx.obj.store(), dry_run=dry_run)
    if not (quiet and not result.anything_happened):
        fmt = choose_format(ctx, fmt) if explicit_format(ctx, fmt) else "table"
        if fmt == "json":
            typer.echo(to_json(result.counts))
        elif fmt == "csv":
            render_rows([{"kind": k, "count": result.counts[k]} for k in KINDS], "csv", ["kind", "count"])
        else:
            _summary(result)
    for error in result.errors:
        typer.echo(f"score: sweep: {error}", err=True)
    if result.counts["failed"]:
        typer.echo(f"score: sweep: {result.counts['failed']} item(s) failed; the rest is done,"
                   " and the next run retries them", err=True)
        raise typer.Exit(1)


def _summary(result) -> None:
    for chapter in result.recomputed:
        typer.echo(chapter["summary"])
    if result.dry_run:
        typer.echo("dry run: nothing was changed")
        for item in result.items:
            what = f"MRE-{item['id']} ({item['email']})" if "id" in item else item["email"]
            typer.echo(f"  {LINES[item['kind']][1]} {what}")
    width = max(len(str(n)) for n in result.counts.values())
    for kind, count in result.counts.items():
        typer.echo(f"{count:>{width}}  {LINES[kind][0]}")
