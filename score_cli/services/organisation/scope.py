"""Scopes of listings and reports: a chapter, a district, a region, national, or mine.

`resolve` is the one door: the scope the options name (or the actor's own), checked against
the rulebook's reading policy (`domain.access`), and known to exist.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import bindparam, column

from score_cli.domain.access import MINE, Actor, Place, Record, Scope, own_scope, require_read
from score_cli.domain.errors import Invalid, NotFound
from score_cli.domain.vocabulary import ScopeKind
from score_cli.store.sql import FLAG, query

__all__ = ["MINE", "Scope", "choose", "resolve", "check_exists", "chapter_filter", "chapter_sql", "typed_today"]

# Plain SQL (store/sql.py), so that `queue list` can use it without the ORM classes.
_PLACE = {
    ScopeKind.CHAPTER: query("SELECT chapter.code, chapter.district_code, district.region_code, chapter.live"
                             " FROM chapter JOIN district ON district.code = chapter.district_code"
                             " WHERE chapter.code = :scope_code", live=FLAG),
    ScopeKind.DISTRICT: query("SELECT '', code, region_code FROM district WHERE code = :scope_code"),
    ScopeKind.REGION: query("SELECT '', '', code FROM region WHERE code = :scope_code"),
}
# The chapters of a district or a region, as a subquery.
_CHAPTERS_OF = {
    ScopeKind.DISTRICT: "SELECT code FROM chapter WHERE district_code = :scope_code",
    ScopeKind.REGION: "SELECT chapter.code FROM chapter JOIN district ON district.code = chapter.district_code"
                      " WHERE district.region_code = :scope_code",
}


def choose(
    *,
    chapter: str | None = None,
    district: str | None = None,
    region: str | None = None,
    national: bool = False,
    mine: bool = False,
) -> Scope | None:
    """The scope the options name, or None when they name none."""
    given = [
        (ScopeKind.CHAPTER, chapter),
        (ScopeKind.DISTRICT, district),
        (ScopeKind.REGION, region),
        (ScopeKind.NATIONAL, national or None),
        (MINE, mine or None),
    ]
    named = [(kind, value) for kind, value in given if value]
    if len(named) > 1:
        raise Invalid("give at most one of --chapter, --district, --region, --national, --mine")
    if not named:
        return None
    kind, value = named[0]
    return Scope(str(kind), value.strip().upper() if isinstance(value, str) else "")


def place_of_scope(session, scope: Scope) -> Place:
    """Where the scope sits (NotFound for a code that names nothing)."""
    if scope.kind == ScopeKind.NATIONAL or scope.kind == MINE:
        return Place()
    row = session.execute(_PLACE[scope.kind], {"scope_code": scope.code}).first()
    if row is None:
        raise NotFound(f"no {scope.kind} with code {scope.code!r} (see `score chapter list`)")
    return Place(*row)


def resolve(session, actor: Actor, scope: Scope | None, record: Record) -> Scope:
    """The scope a listing of `record` shows `actor`: the one named, or the actor's own."""
    scope = scope or own_scope(actor, record)
    require_read(actor, record, scope, place_of_scope(session, scope))
    return scope


def typed_today(session, actor: Actor, scope: Scope, now: datetime) -> date:
    """The date a typed "today" means in a listing of `scope`: the rulebook's, the chapter's local
    date, for one chapter (for --mine, the actor's own chapter); for a district, region or the
    nation, whose chapters may be on different dates, the date where the command runs."""
    from score_cli import clock
    from score_cli.domain.calendar import local_date
    from score_cli.services.organisation.chapters import find_chapter

    code = scope.code if scope.kind == ScopeKind.CHAPTER else actor.chapter_code if scope.kind == MINE else None
    chapter = find_chapter(session, code) if code else None
    return local_date(now, chapter.timezone) if chapter is not None else clock.today()


def check_exists(session, scope: Scope) -> None:
    place_of_scope(session, scope)


def chapter_filter(scope: Scope, chapter_column):
    """A WHERE clause limiting `chapter_column` to the scope's chapters (None: no limit)."""
    if scope.kind == ScopeKind.CHAPTER:
        return chapter_column == scope.code
    chapters = _CHAPTERS_OF.get(scope.kind)
    if chapters is None:
        return None
    code = bindparam("scope_code", scope.code, unique=True)  # unique: a statement may filter twice
    return chapter_column.in_(query(chapters).bindparams(code).columns(column("code")))


def chapter_sql(scope: Scope, chapter_column: str) -> tuple[str, dict]:
    """The same limit as SQL text and its parameters, for a plain-SQL read ("" : no limit)."""
    if scope.kind == ScopeKind.CHAPTER:
        return f"{chapter_column} = :scope_code", {"scope_code": scope.code}
    chapters = _CHAPTERS_OF.get(scope.kind)
    if chapters is None:
        return "", {}
    return f"{chapter_column} IN ({chapters})", {"scope_code": scope.code}
