"""Regions, districts and chapters: loading the hierarchy and listing it."""

from __future__ import annotations

import csv
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlmodel import Session

from score_cli.data import data_dir
from score_cli.domain.errors import Invalid
from score_cli.store.models import Chapter, District, Region

CHAPTER_COLUMNS = (
    "region_code,region_name,district_code,district_name,"
    "chapter_code,chapter_name,city,state,timezone,live"
).split(",")


def read_chapters_file(path: str | Path | None = None) -> list[dict]:
    """Rows of a chapters CSV, validated; any bad row names its line and the problem."""
    path = Path(path) if path else data_dir() / "chapters.csv"
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise Invalid(f"cannot read the chapters file {path}: {exc.strerror}") from None
    rows = []
    with handle:
        try:
            reader = csv.DictReader(handle)
            missing = [c for c in CHAPTER_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise Invalid(f"{path}: the header lacks {', '.join(missing)}")
            for row in reader:
                rows.append(_chapter_row(path, reader.line_num, row))
        except UnicodeDecodeError:
            raise Invalid(f"{path}: not UTF-8 text") from None
        except csv.Error as exc:
            raise Invalid(f"{path}: not valid CSV: {exc}") from None
    if not rows:
        raise Invalid(f"{path}: no chapters in the file")
    return rows


def _chapter_row(path: Path, line: int, row: dict) -> dict:
    clean = {k: (row.get(k) or "").strip() for k in CHAPTER_COLUMNS}
    empty = [k for k in CHAPTER_COLUMNS if not clean[k]]
    if empty:
        raise Invalid(f"{path}, line {line}: {', '.join(empty)} is empty")
    try:
        ZoneInfo(clean["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"{path}, line {line}: unknown time zone {clean['timezone']!r}") from None
    live = clean["live"].lower()
    if live not in ("true", "false", "yes", "no", "1", "0"):
        raise Invalid(f"{path}, line {line}: live must be true or false, not {clean['live']!r}")
    clean["live"] = live in ("true", "yes", "1")
    clean["state"] = clean["state"].upper()
    clean["chapter_code"] = clean["chapter_code"].upper()
    return clean


def load_chapters(session: Session, rows: list[dict]) -> int:
    """Insert or update the hierarchy; returns the number of chapters in the file."""
    for row in rows:
        session.merge(Region(code=row["region_code"], name=row["region_name"]))
    session.flush()
    for row in rows:
        session.merge(
            District(
                code=row["district_code"],
                name=row["district_name"],
                region_code=row["region_code"],
            )
        )
    session.flush()
    for row in rows:
        values = {"name": row["chapter_name"], "city": row["city"], "state": row["state"],
                  "timezone": row["timezone"], "live": row["live"], "district_code": row["district_code"]}
        chapter = session.get(Chapter, row["chapter_code"])
        if chapter is None:
            session.add(Chapter(code=row["chapter_code"], **values))
            continue
        # updated in place: the calendar fingerprint recorded for the chapter's deadlines is
        # kept, so that a changed time zone or state is noticed and its deadlines recomputed
        for column, value in values.items():
            setattr(chapter, column, value)
    return len(rows)


def list_chapters(session: Session) -> list[dict]:
    query = (
        select(Chapter, District, Region)
        .join(District, Chapter.district_code == District.code)
        .join(Region, District.region_code == Region.code)
        .order_by(Region.code, District.code, Chapter.code)
    )
    return [
        {
            "code": c.code,
            "name": c.name,
            "city": c.city,
            "state": c.state,
            "timezone": c.timezone,
            "live": c.live,
            "district": d.code,
            "district_name": d.name,
            "region": r.code,
            "region_name": r.name,
        }
        for c, d, r in session.execute(query)
    ]
