"""The `score` command line: global options, command groups, errors to exit codes."""


import functools
import gc
import os
import sys
from typing import Annotated

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from score_cli import __version__
from score_cli.cli.commands import COMMANDS, load_command
from score_cli.cli.context import VIEW, AppState
from score_cli.cli.output import check_format
from score_cli.cli.values import convert_plainly


class ScoreGroup(TyperGroup):
    """The root command: loads a command's module only when that command is asked for (Click's
    lazily loaded subcommands), and turns the service layer's errors into one line on stderr
    and the exit code of SPEC §8."""

    def parse_args(self, ctx, args):
        convert_plainly(self, ctx)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        command = load_command(name)
        convert_plainly(command, ctx)
        _guard_actors(command, name, ctx)
        return command

    def format_commands(self, ctx, formatter):
        """The command list from the table: no command module is loaded for `score --help`."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, summary) for name, (_, _, summary) in COMMANDS.items()])

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except TyperException as exc:  # a mistake in the global options
            self._usage(exc)

    def invoke(self, ctx):
        from score_cli.cli.safe_text import line, shorten_quoted
        from score_cli.domain.errors import ScoreError

        try:
            return super().invoke(ctx)
        except ScoreError as exc:
            typer.echo(f"score: {line(shorten_quoted(exc.message))}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except TyperException as exc:
            self._usage(exc)
        except ValueError as exc:
            if "null" not in str(exc):  # anything else is a bug: reported as unexpected below
                return self._unexpected(exc)
            typer.echo("score: a file name or value contains a NUL character", err=True)
            raise typer.Exit(2) from None
        except BrokenPipeError:
            raise  # the reader left (`score ... | head`): Typer ends quietly with exit 1
        except OSError as exc:  # a file named on the command line that cannot be used
            name = str(exc.filename or "")[:200]
            typer.echo(line(f"score: {exc.strerror or exc}{': ' + name if name else ''}"), err=True)
            raise typer.Exit(2) from None
        except Exception as exc:  # a traceback never reaches the user
            return self._unexpected(exc)

    @staticmethod
    def _usage(exc: TyperException):
        """Click's usage errors as one line, like every other error, with where to find help."""
        from score_cli.cli.safe_text import line, shorten_quoted

        if getattr(exc, "exit_code", 1) != 2 or not hasattr(exc, "format_message"):
            raise exc
        ctx = getattr(exc, "ctx", None)
        hint = f" (see `{ctx.command_path} -h`)" if ctx is not None else ""
        typer.echo(f"score: {line(shorten_quoted(exc.format_message()))}{hint}", err=True)
        raise typer.Exit(2) from None

    @staticmethod
    def _unexpected(exc: Exception):
        from score_cli.cli.safe_text import line

        if os.environ.get("SCORE_DEBUG"):
            raise exc
        typer.echo(f"score: unexpected error: {type(exc).__name__}: {line(str(exc))[:300]}"
                   " (set SCORE_DEBUG=1 to see the details)", err=True)
        raise typer.Exit(1) from None


def _guard_actors(command, path: str, root) -> None:
    """Every command but the few the rulebook lets run unattended needs to know who acts: each
    such command's callback first checks that --as or SCORE_USER named someone (once its own
    options were read, so bad usage is reported as such)."""
    subs = getattr(command, "commands", None)
    if subs:
        for name, sub in subs.items():
            _guard_actors(sub, f"{path} {name}", root)
        return
    from score_cli.domain.commands import needs

    if not needs(path).actor or command.callback is None:
        return
    callback = command.callback

    @functools.wraps(callback)
    def checked(*args, **kwargs):
        if not (root.params.get("actor") or "").strip() and not _acting_login(root):
            from score_cli.domain.commands import WHO_IS_ACTING

            typer.echo(f"score: {WHO_IS_ACTING}", err=True)
            raise typer.Exit(2)
        return callback(*args, **kwargs)

    command.callback = checked


def _acting_login(root) -> bool:
    """On a shared PostgreSQL store a person's own login says who acts, without --as."""
    if not (root.params.get("db") or "").startswith(("postgresql", "postgres:")):
        return False
    from score_cli.store.security import connected_login

    state = root.find_root().obj
    with state.store().rows() as conn:
        login = connected_login(conn)
    if login is not None:
        state.actor = login.email
    return login is not None


app = typer.Typer(
    name="score",
    cls=ScoreGroup,
    help="Client intake and mentor assignment from the terminal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: loading Rich for it would triple the start-up time
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"score {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", envvar="SCORE_DB", show_envvar=True,
                  help="SQLite file or database URL (postgresql+psycopg://...).")] = None,
    actor: Annotated[str | None, typer.Option("--as", envvar="SCORE_USER", show_envvar=True,
                     help="E-mail of the volunteer who is acting.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="Default output format: table, json or csv.",
                                            callback=check_format)] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                       help="Print the version and exit.")] = False,
) -> None:
    VIEW.set((False, None))
    state = AppState(db=db, actor=actor, format=fmt)
    ctx.obj = state
    ctx.call_on_close(state.close)


def run() -> None:
    """The `score` program."""
    # A national report makes hundreds of thousands of short-lived rows and strings; the
    # collector's default, a pass every 700 new objects, spent about 0.25 s of a 5 s report.
    gc.set_threshold(20_000, 20, 20)
    try:
        app(prog_name="score")
    finally:
        _flush_for_a_reader_that_left()


def _flush_for_a_reader_that_left() -> None:
    """Output still buffered at the end meets a closed pipe here: end as Typer does mid-run,
    quietly with exit 1, not with Python's "Exception ignored" at shutdown."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    run()
