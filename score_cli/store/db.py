"""Opening the store: where it lives, engine settings per backend, transactions."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import (ArgumentError, DatabaseError, DataError, DBAPIError, IntegrityError, NoSuchModuleError,
                            OperationalError)
from score_cli.domain.errors import Conflict, Invalid, NotFound, Refused

if TYPE_CHECKING:
    from sqlmodel import Session

# The Alembic revision the code expects; tests check it matches the migrations' head.
SCHEMA_REVISION = "0011"


def newer_than_this_score(revision: str | None) -> bool:
    """Whether a store's schema revision comes from a later score than this one."""
    return bool(revision) and revision.isdigit() and int(revision) > int(SCHEMA_REVISION)


def busy_timeout_ms() -> int:
    """How long a writer waits for another to finish before giving up (SCORE_BUSY_TIMEOUT_MS)."""
    try:
        return max(0, int(os.environ.get("SCORE_BUSY_TIMEOUT_MS", "10000")))
    except ValueError:
        return 10_000


def default_store_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("score", appauthor=False) / "score.db"


def resolve_url(db: str | None) -> str:
    """`--db` may be a path to an SQLite file or an SQLAlchemy URL."""
    if not db:
        db = os.environ.get("SCORE_DB") or str(default_store_path())
    if "://" in db:
        if db.startswith("postgresql://") or db.startswith("postgres://"):
            db = "postgresql+psycopg://" + db.split("://", 1)[1]
        try:
            make_url(db)
        except ArgumentError:
            raise Invalid(f"--db: not a path or a database URL: {db}") from None
        return db
    return "sqlite:///" + str(Path(db).expanduser().resolve())


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _postgres_session(dbapi_conn, _record) -> None:
    # No JIT compiling: it costs about half a second per statement, which a person waiting on a
    # short read never gets back, and row-level security's subplans raise the planner's cost
    # estimates over the threshold that turns it on (committed, so a pool's rollback keeps it).
    # Instants come back in UTC, as the tables mean them: psycopg then gives them Python's own UTC
    # zone, which a report of fifty thousand rows reads and converts in half the time.
    with dbapi_conn.cursor() as cur:
        cur.execute("SET jit = off")
        cur.execute("SET TIME ZONE 'UTC'")
    dbapi_conn.commit()


def _begin(conn) -> None:
    # A writer takes the write lock at BEGIN, so two writers queue on the busy timeout
    # instead of failing later with "database is locked" when a reader upgrades.
    reading = conn.get_execution_options().get("score_read_only", False)
    conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def make_engine(url: str, *, create: bool = False) -> Engine:
    """An engine for the store at `url`.

    An SQLite file must exist unless `create` is set; a new one is made readable by
    its owner only, since it holds clients' contact details.
    """
    path = sqlite_path(url)
    if path is not None:
        if not path.exists():
            if not create:
                raise NotFound(
                    f"no store at {path}: create one with `score db init` or `score demo`"
                )
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            except OSError as exc:
                raise Invalid(f"cannot create the store at {path}: {exc.strerror}") from None
        engine = create_engine(url, connect_args={"timeout": busy_timeout_ms() / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling would defer BEGIN; take control of it.
        event.listen(engine, "connect", lambda c, r: setattr(c, "isolation_level", None))
        event.listen(engine, "begin", _begin)
        return engine
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise Invalid(f"--db: the driver for this URL is not installed ({exc.name})") from None
    except NoSuchModuleError:
        raise Invalid(f"--db: unknown kind of database in {make_url(url).drivername!r}"
                      " (use a file path or postgresql+psycopg://...)") from None
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgres_session)
    return engine


# Tests only: kill a command in the middle of a transaction. With SCORE_TEST_PAUSE_AFTER_ROWS=N
# a store stops, inside the statement's transaction, once its writes have touched N rows in all,
# says so on stderr and waits to be killed.
PAUSE_AFTER_ROWS = "SCORE_TEST_PAUSE_AFTER_ROWS"
PAUSED = "score test pause: holding the transaction after"
_WRITES = ("INSERT", "UPDATE", "DELETE")


def _pause_for_tests(engine: Engine) -> None:
    limit = os.environ.get(PAUSE_AFTER_ROWS)
    if not limit:
        return
    written = 0

    def after_write(conn, cursor, statement, parameters, context, executemany) -> None:
        nonlocal written
        if statement.lstrip()[:6].upper() not in _WRITES:
            return
        written += cursor.rowcount if cursor.rowcount >= 0 else (len(parameters) if executemany else 1)
        if written >= int(limit):
            import signal

            os.write(2, f"{PAUSED} {written} rows\n".encode())
            while True:
                signal.pause()

    event.listen(engine, "after_cursor_execute", after_write)


class Store:
    """One store for the length of a command; hands out transactions."""

    def __init__(self, url: str, *, create: bool = False):
        self.url = url
        self.engine = make_engine(url, create=create)
        _pause_for_tests(self.engine)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits if the block finishes, rolls back otherwise."""
        from sqlmodel import Session

        with translate_errors(), Session(self.engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit: on SQLite it does not wait for writers."""
        from sqlmodel import Session

        bind = self.engine.execution_options(score_read_only=True)
        with translate_errors(), Session(bind, expire_on_commit=False) as session:
            with session.begin():
                yield session

    @contextmanager
    def rows(self) -> Iterator[Connection]:
        """A read-only unit for SQL reads (`store.sql`): no ORM session, so none of its classes."""
        bind = self.engine.execution_options(score_read_only=True)
        with translate_errors(), bind.connect() as conn, conn.begin():
            yield conn

    def check_schema(self) -> None:
        """Refuse to work on a store made by another version of score (a read: it never waits
        for a writer, so a long import does not hold up `show` or `queue list`)."""
        with translate_errors(), self.engine.execution_options(score_read_only=True).connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                raise NotFound(f"{self.describe()} is not a score store: run `score db init`")
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if newer_than_this_score(found):
            raise Invalid(f"the store is at schema {found}, made by a newer score: upgrade score"
                          f" (this one knows schemas up to {SCHEMA_REVISION})")
        if found != SCHEMA_REVISION:
            raise Refused(
                f"the store is at schema {found} and this score needs {SCHEMA_REVISION}:"
                " run `score db upgrade` (after `score db backup`)"
            )

    def describe(self) -> str:
        path = sqlite_path(self.url)
        return str(path) if path else make_url(self.url).render_as_string(hide_password=True)


@contextmanager
def translate_errors() -> Iterator[None]:
    """Database errors become the one-line errors of SPEC §8."""
    try:
        yield
    except IntegrityError as exc:
        raise Conflict(f"the store refused the change: {_first_line(exc)}") from None
    except (OperationalError, DatabaseError) as exc:
        message = _first_line(exc)
        if "not a database" in message or "malformed" in message:
            raise NotFound(f"not a score store ({message}): run `score db init` for a new one") from None
        if "locked" in message or "could not obtain lock" in message:
            raise Conflict("the store is busy (locked by another command): try again") from None
        if "unable to open" in message or "readonly" in message or "read-only" in message:
            raise Invalid(f"cannot use the store: {message}") from None
        if _not_a_conflict(message):
            raise _not_a_conflict(message) from None
        if "connection" in message.lower():
            raise NotFound(f"cannot reach the database: {message}") from None
        raise Conflict(f"the store could not complete the change: {message}") from None
    except DataError as exc:  # a value the column cannot hold (too long, out of range)
        raise Invalid(f"the store cannot hold a value given: {_first_line(exc)}") from None
    except DBAPIError as exc:
        message = _first_line(exc)
        if _not_a_conflict(message):
            raise _not_a_conflict(message) from None
        raise Conflict(f"the store could not complete the change: {message}") from None


def _not_a_conflict(message: str) -> Invalid | None:
    """A store error that no retry would cure: the file is no store, or the disk is full."""
    if "not a database" in message:
        return Invalid(f"cannot use the store: the file is not a score store ({message})")
    if "disk is full" in message or "No space left" in message:
        return Invalid(f"cannot write to the store: the disk is full ({message})")
    return None


def _first_line(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
