"""Scopes of listings and reports: a chapter, a district, a region, national, or mine."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from score_cli.services.errors import Invalid, NotFound
from score_cli.services.permissions import Actor
from score_cli.store.models import Chapter, District, Region
from score_cli.vocabulary import Role, ScopeKind


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


def check_exists(session: Session, scope: Scope) -> None:
    table = {ScopeKind.CHAPTER: Chapter, ScopeKind.DISTRICT: District, ScopeKind.REGION: Region}
    model = table.get(scope.kind)
    if model is not None and session.get(model, scope.code) is None:
        raise NotFound(f"no {scope.kind} with code {scope.code!r} (see `score chapter list`)")


def chapter_filter(scope: Scope, chapter_column):
    """A WHERE clause limiting `chapter_column` to the scope's chapters (None: no limit)."""
    if scope.kind == ScopeKind.CHAPTER:
        return chapter_column == scope.code
    if scope.kind == ScopeKind.DISTRICT:
        return chapter_column.in_(select(Chapter.code).where(Chapter.district_code == scope.code))
    if scope.kind == ScopeKind.REGION:
        return chapter_column.in_(
            select(Chapter.code)
            .join(District, Chapter.district_code == District.code)
            .where(District.region_code == scope.code)
        )
    return None
