"""`score demo`: a reproducible demo store and a tour."""


from typing import Annotated

import typer

TOUR = """\
Demo store ready: {store}
  {volunteers} volunteers, {requests} requests in {chapters} chapters ({seconds:.1f} s)

Try, as the Boston chapter's intake coordinator:
  export SCORE_DB={store_path}
  export SCORE_USER=cic.bos01@example.org
  score queue list                          # Boston's queue: requests waiting for a mentor first
  score queue list --overdue                # assignments past their accept-due time
  score show {waiting}
  score assign {waiting} --suggest
  score mentors available
  score report not-assigned                 # clients waiting for a mentor, and the next step
  score report not-accepted                 # clients whose mentor has not accepted yet
  score duplicates find
  score sweep --dry-run                     # what tonight's cron run would do
  score --as admin@example.org queue list --national --unassigned --format csv
"""


def demo(
    ctx: typer.Context,
    requests: Annotated[int, typer.Option("--requests", min=0, max=5_000_000, help="How many requests to generate.")] = 5000,
    volunteers: Annotated[int, typer.Option("--volunteers", min=50, max=100_000, help="How many volunteers.")] = 3000,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same demo on any day (dates relative to today).")] = 1,
    replace: Annotated[bool, typer.Option("--replace/--keep", help="Replace an existing store at that place.")] = True,
) -> None:
    """Build the demo store and print a tour of commands to try."""
    from score_cli.services.admin.demo_store import build_demo_store

    from score_cli.cli.progress import progress_bar

    with progress_bar("generating requests", total=requests) as advance:
        result = build_demo_store(ctx.obj.url(), requests=requests, volunteers=volunteers,
                                  seed=seed, replace=replace, on_progress=advance)
    typer.echo(TOUR.format(**result))
