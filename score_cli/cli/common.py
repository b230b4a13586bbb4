"""Pieces every command module shares: the request argument and the one-line confirmation."""


from typing import Annotated

import typer

from score_cli.cli.output import choose_format, explicit_format, render_object
from score_cli.cli.safe_text import line as visible

RequestArg = Annotated[str, typer.Argument(metavar="MRE", help="Request id: MRE-123 or 123.")]


def request_number(text: str) -> int:
    """`MRE-123` or `123` as the number; anything else is bad input (exit 2)."""
    from score_cli.services.validate import request_id

    return request_id(text)


def confirm(ctx: typer.Context, fmt: str | None, result: dict, line: str) -> None:
    """People get one line; scripts asking for a format get the result as a record."""
    if explicit_format(ctx, fmt):
        render_object(result, choose_format(ctx, fmt))
    else:
        typer.echo(visible(line))
