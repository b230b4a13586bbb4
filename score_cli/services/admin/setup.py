"""Creating and upgrading a store: `score db init` and `score db upgrade`."""

from __future__ import annotations

import os
from pathlib import Path

from score_cli.services import audit
from score_cli.services.organisation import hierarchy
from score_cli.store.db import Store


def init_store(url: str, *, chapters_file: str | Path | None = None, admin_email: str | None = None,
               admin_name: str | None = None) -> dict:
    """Create (or bring up to date) the store at `url` and load the organisation.

    Safe to run again: the hierarchy is updated in place and an existing admin kept.
    """
    from score_cli.store import migrate

    from score_cli.services import validate

    rows = hierarchy.read_chapters_file(chapters_file)  # validate before touching anything
    if admin_email:
        admin_email = validate.email(admin_email, what="admin e-mail")
    store = Store(url, create=True)
    try:
        _refuse_another_applications(store)
        before, after = migrate.upgrade(store)
        with store.transaction() as session:
            count = hierarchy.load_chapters(session, rows)
            audit.record(session, actor="system", action="db.init",
                         detail={"chapters": count, "schema": after})
        from score_cli.services.organisation import calendar_changes

        recomputed = calendar_changes.recompute(store)
        admin = None
        if admin_email:
            from score_cli.services.people import volunteers

            admin = volunteers.ensure_admin(store, admin_email, name=admin_name)
        return {"store": store.describe(), "schema_before": before, "schema": after,
                "chapters": count, "admin": admin, "recomputed": recomputed}
    finally:
        store.close()


def _refuse_another_applications(store: Store) -> None:
    """`db init` makes a new store or updates a score store, never writes into someone else's database."""
    from sqlalchemy import inspect, text

    from score_cli.domain.errors import Invalid
    from score_cli.store.db import translate_errors

    with translate_errors(), store.engine.execution_options(score_read_only=True).connect() as conn:
        tables = set(inspect(conn).get_table_names())
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() \
            if "alembic_version" in tables else None
        ours = "alembic_version" in tables and (not revision or str(revision).isdigit())
    if tables and not ours:
        names = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        raise Invalid(f"{store.describe()} holds another application's tables ({names}):"
                      " give score an empty database of its own")


def upgrade_store(url: str) -> tuple[str | None, str | None]:
    from score_cli.store import migrate

    store = Store(url)
    try:
        return migrate.upgrade(store)
    finally:
        store.close()


def backup_store(store: Store, dest: str | Path) -> str:
    """An online copy of an SQLite store; for PostgreSQL, the pg_dump command to run."""
    import sqlite3

    from sqlalchemy.engine import make_url

    from score_cli.domain.errors import Invalid, Refused
    from score_cli.store.db import sqlite_path

    source = sqlite_path(store.url)
    if source is None:  # the password is left out: pg_dump asks for it, or reads PGPASSWORD or ~/.pgpass
        import shlex

        url = make_url(store.url).set(drivername="postgresql", password=None)
        return (f"pg_dump --format=custom --file={shlex.quote(str(dest))} "
                f"{shlex.quote(url.render_as_string(hide_password=False))}")
    created = False
    try:
        target = Path(dest).expanduser().resolve()
        if target == source:
            raise Invalid("the backup must go to another file than the store itself")
        if target.exists():
            raise Refused(f"{target} exists already: choose a new file")
        target.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        created = True
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        dst.close()
        src.close()
    except (OSError, sqlite3.Error) as exc:
        if created:  # no half-written backup is left to be mistaken for a good one
            Path(target).unlink(missing_ok=True)
        raise Invalid(f"cannot write the backup to {str(dest)[:200]}: {getattr(exc, 'strerror', None) or exc}") from None
    return f"backup written to {target}"
