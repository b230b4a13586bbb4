"""Scopes of listings and reports: a chapter, a district, a region, national, or mine."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, column

from score_cli.domain.errors import Invalid, NotFound
from score_cli.services.organisation.permissions import Actor
from score_cli.store.sql import query
from score_cli.domain.vocabulary import Role, ScopeKind

# Plain SQL (store/sql.py), so that `queue list` can use it without the ORM classes.
_EXISTS = {
    ScopeKind.CHAPTER: query("SELECT 1 FROM chapter WHERE code = :scope_code"),
    ScopeKind.DISTRICT: query("SELECT 1 FROM district WHERE code = :scope_code"),
    ScopeKind.REGION: query("SELECT 1 FROM region WHERE code = :scope_code"),
}
# The chapters of a district or a region, as a subquery.
_CHAPTERS_OF = {
    ScopeKind.DISTRICT: "SELECT code FROM chapter WHERE district_code = :scope_code",
    ScopeKind.REGION: "SELECT chapter.code FROM chapter JOIN district ON district.code = chapter.district_code"
                      " WHERE district.region_code = :scope_code",
}


@dataclass(frozen=True)
class Scope:
    kind: str  # chapter | district | region | national | mine
    code: str = ""

    def label(self) -> str:
        return self.kind if not self.code else f"{self.kind} {self.code}"


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
        ("mine", mine or None),
    ]
    named = [(kind, value) for kind, value in given if value]
    if len(named) > 1:
        raise Invalid("give at most one of --chapter, --district, --region, --national, --mine")
    if not named:
        return None
    kind, value = named[0]
    return Scope(str(kind), value.strip().upper() if isinstance(value, str) else "")


def default_for(actor: Actor | None) -> Scope:
    """The actor's own scope: the widest coordinating grant they hold, else their chapter."""
    if actor is None:
        return Scope(ScopeKind.NATIONAL)
    order = [ScopeKind.NATIONAL, ScopeKind.REGION, ScopeKind.DISTRICT, ScopeKind.CHAPTER]
    coordinating = [g for g in actor.grants if g.role in (Role.ADMIN, Role.RCIC, Role.CIC)]
    for kind in order:
        for grant in coordinating:
            if grant.scope_kind == kind:
                return Scope(kind, grant.scope_code)
    return Scope(ScopeKind.CHAPTER, actor.chapter_code)


def check_exists(session, scope: Scope) -> None:
    exists = _EXISTS.get(scope.kind)
    if exists is not None and session.execute(exists, {"scope_code": scope.code}).first() is None:
        raise NotFound(f"no {scope.kind} with code {scope.code!r} (see `score chapter list`)")


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
