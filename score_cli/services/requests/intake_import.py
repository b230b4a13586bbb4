"""`score intake import`: the website export, checked whole before anything is written."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import Callable, Iterable, Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import select

from score_cli import clock
from score_cli.services import csv_input
from score_cli.services.requests import intake, intake_batch
from score_cli.domain.errors import Invalid, ScoreError
from score_cli.store.db import Store
from score_cli.store.models import Chapter, ClientEmail, MentoringRequest

COLUMNS = ["name", "email", "chapter", "question", "phone", "business", "zip", "area", "business_type",
           "existing_business", "origin", "direct_to", "submitted_at"]
REQUIRED = ["name", "email", "chapter", "question"]
_TRUE = {"true", "yes", "y", "1", "x", "existing"}
_FALSE = {"false", "no", "n", "0", "", "new"}


@dataclass
class ImportResult:
    imported: int = 0
    already_present: int = 0
    rejected: list[dict] = field(default_factory=list)  # {"line", "reason"}
    first_id: int | None = None
    last_id: int | None = None

    def added(self, ids: list[int]) -> None:
        if ids:
            self.first_id = self.first_id or ids[0]
            self.last_id = ids[-1]
        self.imported += len(ids)

    def as_dict(self) -> dict:
        return {"imported": self.imported, "already_present": self.already_present,
                "rejected": self.rejected, "first_id": f"MRE-{self.first_id}" if self.first_id else None,
                "last_id": f"MRE-{self.last_id}" if self.last_id else None}


class _Undone(Exception):
    """A row was rejected after earlier rows were written: the transaction rolls back."""


def import_requests(store: Store, content: str | Iterable[str], *, skip_invalid: bool = False, dry_run: bool = False,
                    on_progress: Callable[[int, int | None], None] | None = None) -> ImportResult:
    """Every row is checked, and the valid ones are written in one transaction (each row with its
    client, history and notifications), or none when a row is bad and not `skip_invalid`.

    `content` is the file's text or its lines. Rows are checked as the lines come and written
    `intake_batch.BATCH` at a time in that transaction, so memory holds one batch, not the file;
    a bad row found later rolls back what was written (the rest are still checked, to list every
    problem)."""
    result = ImportResult()
    checked = 0
    try:
        with store.transaction() as session:
            chapters = {c.code: c for c in session.execute(select(Chapter)).scalars()}
            writer = _Writer(session, chapters, result, on_progress)
            for line, raw in _rows(content):
                try:
                    new = _parse(raw, chapters)
                except ScoreError as exc:
                    result.rejected.append({"line": line, "reason": exc.message})
                    continue
                checked += 1
                if not dry_run and (skip_invalid or not result.rejected):
                    writer.add(new)
            if not checked and not result.rejected:
                raise Invalid("the import file has no rows")
            if (result.rejected and not skip_invalid) or dry_run:
                raise _Undone
            writer.flush()
    except _Undone:
        result.imported = 0 if result.rejected and not skip_invalid else checked
        result.already_present, result.first_id, result.last_id = 0, None, None
    return result


class _Writer:
    """Writes checked requests in file order: the plain ones a batch at a time, a row naming a
    mentor on its own through the mentor's checks."""

    def __init__(self, session, chapters: dict, result: ImportResult, on_progress):
        self.session, self.chapters, self.result, self.on_progress = session, chapters, result, on_progress
        self.coordinators: dict = {}
        self.batch: list[intake.NewRequest] = []

    def add(self, new: intake.NewRequest) -> None:
        if not new.direct_to:
            self.batch.append(new)
            if len(self.batch) >= intake_batch.BATCH:
                self.flush()
            return
        self.flush()
        if _already_imported(self.session, new):
            self.result.already_present += 1
            return
        self.result.added([intake.submit(self.session, new, coordinators=self.coordinators)])

    def flush(self) -> None:
        if not self.batch:
            return
        ids, present = intake_batch.write_batch(self.session, self.batch, self.chapters, self.coordinators)
        self.result.added(ids)
        self.result.already_present += present
        self.batch.clear()
        if self.on_progress:
            self.on_progress(self.result.imported + self.result.already_present, None)


def _rows(content: str | Iterable[str]) -> Iterator[tuple[int, dict]]:
    lines = iter(io.StringIO(content, newline="") if isinstance(content, str) else content)
    head = []  # up to the first line with text, which tells CSV from JSON lines
    for line in lines:
        head.append(line)
        if line.strip():
            break
    lines = chain(head, lines)
    if not (head and head[-1].lstrip().startswith("{")):
        yield from csv_input.rows(lines, columns=COLUMNS, required=REQUIRED, what="import file (CSV, or JSON lines)")
        return
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, {"__error__": f"not valid JSON ({exc.msg})"}
            continue
        except ValueError:  # a number of thousands of digits
            yield number, {"__error__": "not valid JSON (a number too long to read)"}
            continue
        except RecursionError:
            yield number, {"__error__": "not valid JSON (nested too deeply)"}
            continue
        yield number, obj if isinstance(obj, dict) else {"__error__": "each line must be a JSON object"}


def _text(raw: dict, key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, (str, int, float)):
        raise Invalid(f"{key} must be text")
    return str(value)


def _parse(raw: dict, chapters: dict[str, Chapter]) -> intake.NewRequest:
    if "__error__" in raw:
        raise Invalid(raw["__error__"])
    if None in raw:
        raise Invalid("more cells than columns")
    unknown = [k for k in raw if k not in COLUMNS]
    if unknown:
        raise Invalid(f"unknown field(s): {', '.join(map(str, unknown))}")
    emails = raw.get("email")
    if isinstance(emails, str):
        emails = [e for e in emails.replace(",", ";").split(";") if e.strip()]
    if not isinstance(emails, list) or not all(isinstance(e, str) for e in emails):
        raise Invalid("email must be text or a list of e-mails")
    code = (_text(raw, "chapter") or "").strip().upper()
    chapter = chapters.get(code)
    if chapter is None:
        raise Invalid(f"no chapter with code {code!r}")
    flag = str(raw.get("existing_business") if raw.get("existing_business") is not None else "").strip().lower()
    if flag not in _TRUE | _FALSE:
        raise Invalid(f"existing_business must be yes or no, not {flag!r}")
    new = intake.NewRequest(
        name=_text(raw, "name") or "", emails=emails, chapter=code, question=_text(raw, "question") or "",
        phone=_text(raw, "phone"), business=_text(raw, "business"), zip=_text(raw, "zip"),
        area=_text(raw, "area"), business_type=_text(raw, "business_type"), existing_business=flag in _TRUE,
        origin=_text(raw, "origin"), direct_to=(_text(raw, "direct_to") or "").strip() or None,
        submitted_at=_when(_text(raw, "submitted_at"), chapter),
    )
    return new.checked()


def _when(text: str | None, chapter: Chapter) -> datetime | None:
    """The submission time; without an offset it is read in the chapter's own time zone."""
    if not text or not text.strip():
        return None
    from dateutil import parser

    try:
        parsed = parser.isoparse(text.strip())
    except (ValueError, OverflowError):
        raise Invalid(f"submitted_at is not an ISO 8601 time: {text!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(chapter.timezone))
    return parsed


def _already_imported(session, new: intake.NewRequest) -> bool:
    """A rerun of the same export: the same client's request submitted at the same instant, or,
    without a time, the same client, chapter and question within `intake_batch.REPEAT_WINDOW`."""
    if new.submitted_at is not None:
        same = MentoringRequest.submitted_at == new.submitted_at
    else:
        same = (MentoringRequest.chapter_code == new.chapter) & (MentoringRequest.question == new.question) \
            & (MentoringRequest.submitted_at > clock.now() - intake_batch.REPEAT_WINDOW)
    return session.execute(
        select(MentoringRequest.id)
        .join(ClientEmail, ClientEmail.client_id == MentoringRequest.client_id)
        .where(ClientEmail.email.in_(new.emails), same)
        .limit(1)
    ).first() is not None
