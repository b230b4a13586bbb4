"""`score volunteer import`: many volunteers from a CSV file, checked before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import select

from score_cli.services import csv_input, validate
from score_cli.services.organisation import permissions
from score_cli.domain.errors import Invalid, Refused, ScoreError
from score_cli.services.people.volunteers import (NewVolunteer, _check_scope_exists, _find, _insert, _require_grant,
                                                 classification, parse_grant)
from score_cli.store.db import Store
from score_cli.store.models import Chapter
from score_cli.domain.vocabulary import VolunteerStatus

COLUMNS = ["email", "name", "chapter", "classification", "roles", "status",
           "accept_direct_requests", "max_direct_weekly", "serve_outside_local_area",
           "capacity", "expertise"]
REQUIRED = ["email", "name", "chapter"]
_TRUE = {"true", "yes", "y", "1", "x"}
_FALSE = {"false", "no", "n", "0", ""}


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # already in the store
    rejected: list[dict] = field(default_factory=list)  # {"line", "email", "reason"}
    refused: bool = False  # a row was refused by a permission, not only invalid

    @property
    def exit_code(self) -> int:
        """SPEC §8: a refusal is 1, invalid rows 2."""
        return 1 if self.refused else 2

    def as_dict(self) -> dict:
        return {"added": len(self.added), "unchanged": len(self.unchanged),
                "rejected": self.rejected, "applied": bool(self.added) or not self.rejected}


def import_volunteers(store: Store, actor_email: str | None, content: str | Iterable[str], *,
                      skip_invalid: bool = False, dry_run: bool = False) -> ImportResult:
    """All rows are checked first; then all valid rows are written in one transaction,
    or none when any row is bad (unless `skip_invalid`)."""
    rows = _read(content)
    result = ImportResult()
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        chapters = set(session.execute(select(Chapter.code)).scalars())
        seen: set[str] = set()
        places: dict = {}
        accepted: list[NewVolunteer] = []
        for line, row in rows:
            try:
                new = _parse_row(row, chapters)
                if new.email in seen:
                    raise Invalid("the same e-mail appears earlier in the file")
                seen.add(new.email)
                if _find(session, new.email) is not None:
                    result.unchanged.append(new.email)
                    continue
                if new.chapter not in places:  # one look-up per chapter, not per row
                    places[new.chapter] = permissions.place_of(session, new.chapter)
                permissions.require(actor, "volunteer.manage", places[new.chapter])
                for grant in new.roles:  # checked here, so a dry run and --skip-invalid see them too
                    _check_scope_exists(session, grant)
                    _require_grant(session, actor, grant)
                accepted.append(new)
            except ScoreError as exc:  # every row's problem is reported, not just the first
                reason = exc.message
                result.refused = result.refused or isinstance(exc, Refused)
                result.rejected.append({"line": line, "email": (row.get("email") or "").strip(), "reason": reason})
        if result.rejected and not skip_invalid:
            return result
        if dry_run:
            result.added = [n.email for n in accepted]  # nothing has been written
            return result
        for new in accepted:
            _insert(session, actor, new)
            result.added.append(new.email)
    return result


def _read(content: str) -> list[tuple[int, dict]]:
    found = list(csv_input.rows(content, columns=COLUMNS, required=REQUIRED, what="volunteers file"))
    if not found:
        raise Invalid("the volunteers file has no rows")
    return found


def _flag(row: dict, column: str) -> bool:
    value = (row.get(column) or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise Invalid(f"{column} must be true or false, not {value!r}")


def _parse_row(row: dict, chapters: set[str]) -> NewVolunteer:
    if None in row:
        raise Invalid("more cells than columns")
    email = validate.email(row.get("email") or "")
    name = validate.text_field(row.get("name"), what="name", limit=200, one_line=True)
    chapter = (row.get("chapter") or "").strip().upper()
    if chapter not in chapters:
        raise Invalid(f"no chapter with code {chapter!r}")
    roles = []
    for item in filter(None, (r.strip() for r in (row.get("roles") or "").split(";"))):
        role, _, scope = item.partition("@")
        roles.append(parse_grant(role, scope or None, chapter))
    weekly = (row.get("max_direct_weekly") or "").strip()
    if weekly and (not weekly.isdigit() or int(weekly) > 100):
        raise Invalid(f"max_direct_weekly must be a whole number (or empty for unlimited), not {weekly!r}")
    status = (row.get("status") or "active").strip().lower() or "active"
    return NewVolunteer(
        email=email,
        name=name,
        chapter=chapter,
        classification=classification((row.get("classification") or "").strip() or None),
        roles=roles,
        status=validate.choice(status, list(VolunteerStatus), what="status"),
        accept_direct_requests=_flag(row, "accept_direct_requests"),
        max_direct_weekly=int(weekly) if weekly else None,
        serve_outside_local_area=_flag(row, "serve_outside_local_area"),
        capacity=(row.get("capacity") or "").strip() or None,
        expertise=[t.strip() for t in (row.get("expertise") or "").split(";") if t.strip()],
    )
