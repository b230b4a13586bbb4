"""`score triage`: work the intake queue interactively in the terminal."""

import sys

import typer

from score_cli.cli.scope_options import scoped


@scoped
def triage(ctx: typer.Context, scope=None) -> None:
    """Work the intake queue on screen, key by key.

    The queue (the same scope options as `queue list`) on the left, the highlighted request on
    the right. Keys: s suggest, a assign, r reassign (to a mentor or "queue"), n note,
    w withdraw, t transfer, g reload, q quit. Each does what its command does, with the same
    permission checks. Needs a terminal; scripts use `queue list` and the commands themselves."""
    from score_cli.domain.errors import Invalid
    from score_cli.services.organisation.queue import list_queue

    store = ctx.obj.store()
    rows = list_queue(store, ctx.obj.actor, scope)  # the reading rule, before anything is drawn
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise Invalid("score triage needs a terminal; in a script use queue list, show and the commands")
    from score_cli.cli.triage_app import Triage

    Triage(store, ctx.obj.actor, scope, rows).run()
