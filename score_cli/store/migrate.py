"""Schema migrations with Alembic, driven from code (no alembic.ini to find)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from score_cli.store.db import Store, translate_errors

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(store: Store) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with translate_errors(), store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(store: Store, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the store to `revision`; returns (before, after)."""
    from score_cli.domain.errors import Invalid
    from score_cli.store.db import newer_than_this_score

    before = current_revision(store)
    if newer_than_this_score(before):
        raise Invalid(f"the store is at schema {before}, made by a newer score: upgrade score"
                      f" (this one knows schemas up to {head_revision()})")
    with translate_errors(), store.engine.begin() as conn:
        command.upgrade(_config(conn), revision)
        if revision == "head":  # the policies follow this version's access rules, even with no new migration
            from score_cli.store import security

            security.install(conn)
    return before, current_revision(store)
