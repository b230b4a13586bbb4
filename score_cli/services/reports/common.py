"""What every report shares: who may run it and for which scope, the period, the chapters.

Permissions are the rulebook's (`domain.access`): any active volunteer may run a report with
`--mine`; a chapter, district, region or national scope needs a role that may see what the
report shows (requests and clients, or volunteers) with a grant covering the whole scope. The
default scope is the widest one the actor's grants cover, else `--mine`.

Periods: `--from`/`--to` are calendar dates, both included, read in each chapter's own time
zone: for every time zone among the chapters in scope the period becomes a UTC range
[from 00:00 local, day after `to` 00:00 local), using the offset in force on those dates, and
each chapter's rows are compared with the range of its own zone.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import count
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Iterator

from sqlalchemy import BigInteger, Integer, and_, case, cast, func, select, type_coerce
from sqlmodel import Session

from score_cli.domain import calendar
from score_cli.domain.access import MINE, Record, Scope
from score_cli.domain.errors import Invalid
from score_cli.domain.vocabulary import Role, ScopeKind, VolunteerStatus
from score_cli.services.organisation import permissions
from score_cli.services.organisation.permissions import Actor
from score_cli.services.organisation.scope import chapter_filter, resolve, typed_today
from score_cli.services.validate import calendar_date
from score_cli.services.timefmt import zone
from score_cli.store.models import Chapter, District, Volunteer, VolunteerRole

RECENT_DAYS = 91  # the default period of conversion, metrics and mentor activity: 13 weeks


@dataclass(frozen=True)
class Period:
    """Calendar dates, both included; None on either side: unbounded."""

    start: date | None = None
    end: date | None = None

    def __post_init__(self):
        if self.start and self.end and self.start > self.end:
            raise Invalid(f"--from {self.start} is after --to {self.end}")

    @property
    def bounded(self) -> bool:
        return self.start is not None or self.end is not None

    def utc_range(self, tz: str) -> tuple[datetime | None, datetime | None]:
        """[start 00:00, day after end 00:00) in zone `tz`, as UTC instants."""
        z = zone(tz)
        lo = datetime.combine(self.start, time(0), tzinfo=z).astimezone(timezone.utc) if self.start else None
        hi = (datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=z).astimezone(timezone.utc)
              if self.end else None)
        return lo, hi

    def contains(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def label(self) -> str:
        if not self.bounded:
            return "all time"
        return f"{self.start or '…'} to {self.end or '…'}"


@dataclass(frozen=True)
class TypedPeriod:
    """--from/--to as typed. A date is checked at once; "today" is read when the scope is known
    (`open_run`): the chapter's local date for one chapter, see `scope.typed_today`."""

    start: str | None = None
    end: str | None = None

    def __post_init__(self):
        for text, what in ((self.start, "--from"), (self.end, "--to")):
            if text:
                calendar_date(text, what=what)  # a date that is no date is refused before any reading

    def on(self, today: date) -> Period:
        return Period(calendar_date(self.start, what="--from", today=today) if self.start else None,
                      calendar_date(self.end, what="--to", today=today) if self.end else None)


def recent(period: Period | None, now: datetime) -> Period:
    """`period`, or when none was given the last 13 weeks: from the date 90 days before today (UTC)."""
    if period is not None:
        return period
    return Period(start=now.date() - timedelta(days=RECENT_DAYS - 1))


@dataclass(frozen=True)
class ChapterInfo:
    """Enough of a chapter for the calendar (code, timezone, state) and for grouping."""

    code: str
    name: str
    timezone: str
    state: str
    live: bool
    district: str
    region: str


@dataclass
class Run:
    """One report's reading context."""

    session: Session
    actor: Actor | None
    scope: Scope
    period: Period
    now: datetime
    chapters: dict[str, ChapterInfo]  # every chapter (rows of --mine may be anywhere)
    in_scope: dict[str, ChapterInfo] = field(default_factory=dict)
    _todays: dict[str, date] = field(default_factory=dict, repr=False)

    @property
    def mine(self) -> bool:
        return self.scope.kind == MINE

    def chapter_where(self, column):
        """WHERE limiting a chapter-code column to the scope (None: no limit)."""
        return None if self.mine else chapter_filter(self.scope, column)

    def today(self, tz: str) -> date:
        """The local date now in zone `tz` (remembered: asked once a row)."""
        day = self._todays.get(tz)
        if day is None:
            day = self._todays[tz] = calendar.local_date(self.now, tz)
        return day

    def describe(self) -> dict:
        return {"scope": self.scope.label(), "from": self.period.start, "to": self.period.end}


# --- scope and permission -----------------------------------------------------------


def load_chapters(session: Session) -> dict[str, ChapterInfo]:
    rows = session.execute(
        select(Chapter.code, Chapter.name, Chapter.timezone, Chapter.state, Chapter.live, Chapter.district_code,
               District.region_code)
        .join(District, District.code == Chapter.district_code)
    ).all()
    return {r[0]: ChapterInfo(*r) for r in rows}


def open_run(session: Session, actor_email: str | None, scope: Scope | None, period: Period | TypedPeriod | None,
             now: datetime, record: Record = Record.REQUESTS) -> Run:
    """Who acts, the scope they may see (checked by the rulebook), the chapters: the start of
    every report. `record`: what the report shows (requests and clients, or volunteers)."""
    actor = permissions.load_actor(session, actor_email)
    scope = resolve(session, actor, scope, record)
    if isinstance(period, TypedPeriod):
        period = period.on(typed_today(session, actor, scope, now))
    chapters = load_chapters(session)
    in_scope = chapters if scope.kind == MINE else {code: ch for code, ch in chapters.items() if _in(scope, ch)}
    return Run(session, actor, scope, period or Period(), now, chapters, in_scope)


def _in(scope: Scope, ch: ChapterInfo) -> bool:
    return {ScopeKind.CHAPTER: ch.code, ScopeKind.DISTRICT: ch.district,
            ScopeKind.REGION: ch.region}.get(scope.kind, scope.code) == scope.code


# --- the period in SQL -----------------------------------------------------------------


def by_zone(chapters: Iterable[ChapterInfo]) -> dict[str, list[str]]:
    zones: dict[str, list[str]] = defaultdict(list)
    for ch in chapters:
        zones[ch.timezone].append(ch.code)
    return dict(zones)


def period_where(run: Run, instant_column, chapter_column):
    """WHERE `instant_column` falls in the period, read in the zone of `chapter_column`'s chapter.

    With one time zone among the chapters in scope, a plain range. With several, the widest
    range (which the rows must be in anyway) and a CASE choosing each row's own zone's bounds:
    written so that the database scans the rows in one pass rather than looking up each
    chapter's through an index (on SQLite that turns a 1-second scan into several seconds of
    random reads).
    """
    if not run.period.bounded:
        return None
    zones = by_zone(run.in_scope.values())
    if not zones:
        return instant_column.is_(None) & instant_column.is_not(None)  # no chapter: nothing
    bounds = {tz: run.period.utc_range(tz) for tz in zones}
    order = sorted(zones, key=lambda tz: -len(zones[tz]))  # the busiest zone is tried first
    clauses = []
    for side, compare in ((0, instant_column.__ge__), (1, instant_column.__lt__)):
        values = [bounds[tz][side] for tz in order]
        if values[0] is None:
            continue
        widest = min(values) if side == 0 else max(values)
        clauses.append(compare(widest))
        if len(zones) > 1:
            chosen = case(*[(chapter_column.in_(sorted(zones[tz])), bounds[tz][side]) for tz in order],
                          else_=None)
            clauses.append(compare(type_coerce(chosen, instant_column.type)))
    return and_(*clauses)


def epoch(session: Session, column):
    """The instant in `column` as whole seconds since 1970 UTC, computed by the database."""
    dialect = session.get_bind().dialect
    if dialect.name == "sqlite":
        if getattr(dialect.dbapi, "sqlite_version_info", (0,)) >= (3, 38):
            return func.unixepoch(column)  # twice as fast as strftime: it counts on a million rows
        return cast(func.strftime("%s", column), Integer)
    return cast(func.floor(func.extract("epoch", column)), BigInteger)


@contextmanager
def streamed(session: Session, query) -> Iterator:
    """Something with `fetchmany(n)` giving plain tuples of `query`'s rows, read as they come.

    On SQLite the DBAPI cursor itself (no Row objects: a million rows stream in about a
    second). On PostgreSQL a server-side cursor, so memory stays flat too: psycopg's own, in
    binary, which reads timestamps without parsing text and makes no Row objects (0.5 s less
    on 60,000 rows); the query's parameters are plain text, numbers and aware instants.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        result = connection.execute(query)
        try:
            yield result.cursor
        finally:
            result.close()
        return
    if connection.dialect.driver == "psycopg":
        compiled = query.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
        cursor = connection.connection.driver_connection.cursor(name=f"score_stream_{next(_cursors)}", binary=True)
        try:
            cursor.itersize = STREAM_BATCH
            cursor.execute(str(compiled), compiled.params)
            yield cursor
        finally:
            cursor.close()
        return
    result = connection.execute(query.execution_options(stream_results=True, yield_per=STREAM_BATCH))
    try:
        yield result
    finally:
        result.close()


STREAM_BATCH = 20_000
_cursors = count(1)  # names for server-side cursors, unique in a transaction


# --- who coordinates where ------------------------------------------------------------


def coordinated_chapters(session: Session, chapters: dict[str, ChapterInfo]) -> set[str]:
    """Chapters with an active CIC of their own, or an active RCIC over their district or region."""
    rows = session.execute(
        select(VolunteerRole.role, VolunteerRole.scope_kind, VolunteerRole.scope_code)
        .join(Volunteer, Volunteer.id == VolunteerRole.volunteer_id)
        .where(Volunteer.status == VolunteerStatus.ACTIVE, VolunteerRole.role.in_([Role.CIC, Role.RCIC]))
    ).all()
    grants = {(kind, code) for _role, kind, code in rows}
    if (ScopeKind.NATIONAL, "") in grants:
        return set(chapters)
    return {code for code, ch in chapters.items()
            if (ScopeKind.CHAPTER, code) in grants or (ScopeKind.DISTRICT, ch.district) in grants
            or (ScopeKind.REGION, ch.region) in grants}


# --- small numbers ---------------------------------------------------------------------


def as_utc(value) -> datetime | None:
    """An aggregate's instant as an aware UTC datetime (SQLite may hand back stored text)."""
    if value is None or value.__class__ is datetime and value.tzinfo is timezone.utc:
        return value
    if value.__class__ is str:
        try:  # stored naive UTC text: parsed with its offset, much faster than .replace(tzinfo=...)
            return datetime.fromisoformat(value + "+00:00")
        except ValueError:
            value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def pct(part: int, whole: int) -> float | None:
    return None if not whole else round(100.0 * part / whole, 1)


def label(request_id: int) -> str:
    return f"MRE-{request_id}"
