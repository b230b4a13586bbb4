"""Referrals: `score refer` and `score referral accept|decline`."""


from typing import Annotated

import typer

from score_cli.cli.common import RequestArg, confirm as _done, request_number as _id
from score_cli.cli.output import FormatOption

referral_app = typer.Typer(no_args_is_help=True)


def refer(ctx: typer.Context, mre: RequestArg,
          mentor: Annotated[str, typer.Argument(help="E-mail of a certified mentor to add to the case team.")],
          reason: Annotated[str, typer.Option("--reason", help="Why (kept on the case; never put in the e-mail).")],
          fmt: FormatOption = None) -> None:
    """Refer a client to another certified mentor.

    The mentor joins the case team if they accept."""
    from score_cli.services.requests.referrals import refer as refer_request

    result = refer_request(ctx.obj.store(), ctx.obj.actor, _id(mre), mentor, reason=reason)
    _done(ctx, fmt, result, f"{result['id']}: referred to {result['mentor']} (waiting for their answer)")


@referral_app.command("accept")
def referral_accept(ctx: typer.Context, mre: RequestArg, fmt: FormatOption = None) -> None:
    """Accept a referral and join the case team.

    Accept a referral: you join the case team (the owner stays the lead mentor)."""
    from score_cli.services.requests.referrals import respond

    result = respond(ctx.obj.store(), ctx.obj.actor, _id(mre), accept=True)
    _done(ctx, fmt, result, f"{result['id']}: you joined the case team")


@referral_app.command("decline")
def referral_decline(ctx: typer.Context, mre: RequestArg,
                     reason: Annotated[str, typer.Option("--reason", help="Why (sent to the referring mentor).")],
                     fmt: FormatOption = None) -> None:
    """Decline a referral and leave the case team.

    Decline a referral: you leave the case team and lose access to the request."""
    from score_cli.services.requests.referrals import respond

    result = respond(ctx.obj.store(), ctx.obj.actor, _id(mre), accept=False, reason=reason)
    _done(ctx, fmt, result, f"{result['id']}: referral declined")
