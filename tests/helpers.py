"""Running the real command line in tests."""

from __future__ import annotations

import json
from dataclasses import dataclass

from typer.testing import CliRunner

from score_cli.cli import app


@dataclass
class Ran:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


def score(*args: str, db: str | None = None, actor: str | None = None, input: str | None = None) -> Ran:
    """`score ARGS...` as a user would type it; stdout and stderr kept apart."""
    argv = []
    if db:
        argv += ["--db", db]
    if actor:
        argv += ["--as", actor]
    result = CliRunner().invoke(app, argv + list(args), input=input, catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


class Snapshots:
    """`dump` for many snapshots of one store: the schema reflected and the engine made once."""

    def __init__(self, url: str):
        from sqlalchemy import MetaData, create_engine

        self.engine = create_engine(url)
        self.meta = MetaData()
        self.meta.reflect(self.engine)

    def take(self) -> dict:
        from sqlalchemy import select

        with self.engine.connect() as conn:
            return {name: sorted(map(tuple, conn.execute(select(table)).all()), key=repr)
                    for name, table in self.meta.tables.items()}

    def close(self) -> None:
        self.engine.dispose()


def dump(url: str) -> dict:
    """Every row of every table, to prove a refused command changed nothing."""
    from sqlalchemy import MetaData, create_engine, select

    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        content = {name: sorted(map(tuple, conn.execute(select(table)).all()), key=repr)
                   for name, table in meta.tables.items()}
    engine.dispose()
    return content


def leaf_commands() -> list[tuple[list[str], object]]:
    """Every command a user can type (argv path, Click command), the lazily loaded ones included."""
    import typer

    found = []

    def walk(command, path):
        if hasattr(command, "list_commands"):
            ctx = typer.Context(command)
            for name in sorted(command.list_commands(ctx)):
                walk(command.get_command(ctx, name), path + [name])
        else:
            found.append((path, command))

    walk(typer.main.get_command(app), [])
    return found


PG_SKIPPED = "PostgreSQL half skipped"  # the summary counts the skips by these words


def postgres_database(request, name: str, template: str = "score_template"):
    """A database `name` copied from `template` on the suite's PostgreSQL server: (its URL, a
    function dropping it). Skips (or fails, with SCORE_REQUIRE_POSTGRES) without a server."""
    import os

    import pytest
    from sqlalchemy import text

    server, why_not = request.getfixturevalue("postgres_admin_url")
    if server is None:
        if os.environ.get("SCORE_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required here (SCORE_REQUIRE_POSTGRES) but {why_not}")
        pytest.skip(f"{PG_SKIPPED}: {why_not}")
    admin_url, admin = server
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return admin_url.rsplit("/", 1)[0] + "/" + name, drop
