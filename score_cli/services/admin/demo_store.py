"""Building the demo store: a fresh store, the shipped organisation, generated people and requests."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

from score_cli.demo.truth import DEMO_EVENT
from score_cli.domain.errors import Refused
from score_cli.services.admin.setup import init_store
from score_cli.store.db import Store, sqlite_path


def build_demo_store(url: str, *, requests: int, volunteers: int, seed: int, replace: bool = True,
                     on_progress: Callable[[int], None] | None = None) -> dict:
    """Generate into a new file beside the target and move it into place when complete,
    so an interrupted demo never leaves a half-built store behind."""
    from score_cli import clock
    from score_cli.demo import populate
    from score_cli.demo.timeline import REFERENCE, demo_shift

    started = time.perf_counter()
    final = sqlite_path(url)
    if final is not None:
        if final.exists() and final.stat().st_size:
            _require_demo_made(final)
            if not replace:
                raise Refused(f"a store exists at {final}: use --replace or another --db")
        building = final.with_name(final.name + ".building")
        for leftover in _sqlite_files(building):
            leftover.unlink(missing_ok=True)
        work_url = "sqlite:///" + str(building)
    else:
        work_url = url
        _require_empty(url)
    init_store(work_url)
    store = Store(work_url)
    try:
        # the same simulation every day, dated for today (same seed, same demo)
        counts = populate(store.engine, requests=requests, volunteers=volunteers, seed=seed,
                          now=REFERENCE, shift=demo_shift(clock.now()), on_progress=on_progress)
        waiting = tour_request(store, "BOS01")
    finally:
        store.close()
    if final is not None:
        for old in _sqlite_files(final):
            old.unlink(missing_ok=True)
        os.replace(building, final)
    chapters = counts.get("chapters")
    return {
        "store": str(final) if final else url,
        "store_path": str(final) if final else url,
        "volunteers": counts.get("volunteers"),
        "requests": counts.get("requests"),
        "chapters": chapters if chapters is not None else "all",
        "seconds": time.perf_counter() - started,
        "waiting": f"MRE-{waiting}" if waiting else "MRE-1",
        "counts": counts,
    }


def _sqlite_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


ANOTHER_PLACE = "choose another place with --db PATH or SCORE_DB, e.g. --db demo.db"


def _require_demo_made(path: Path) -> None:
    """The demo replaces only a store a demo made (its `demo.build` event says so): never
    a store with real volunteers and requests, whatever the flags."""
    import sqlite3

    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            made = conn.execute(f"SELECT 1 FROM audit_event WHERE action = '{DEMO_EVENT}' LIMIT 1").fetchone()
    except sqlite3.Error:
        made = None
    if not made:
        raise Refused(f"{path} holds a store that the demo did not make: the demo never replaces it;"
                      f" {ANOTHER_PLACE}")


def _require_empty(url: str) -> None:
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url

    store = Store(url)
    try:
        if inspect(store.engine).get_table_names():
            shown = make_url(url).render_as_string(hide_password=True)
            raise Refused(f"{shown} is not empty: the demo builds only into an empty database;"
                          f" {ANOTHER_PLACE}")
    finally:
        store.close()


def tour_request(store: Store, chapter: str) -> int | None:
    """A request for the tour to show the chapter's coordinator: the oldest one waiting in its
    queue or, when none is waiting on the day the demo is built, the chapter's newest."""
    from sqlalchemy import select

    from score_cli.store.models import MentoringRequest

    in_chapter = select(MentoringRequest.id).where(MentoringRequest.chapter_code == chapter).limit(1)
    with store.reading() as session:
        waiting = session.execute(in_chapter.where(MentoringRequest.status.in_(["new", "pending_reassignment"]))
                                  .order_by(MentoringRequest.submitted_at)).scalar()
        return waiting or session.execute(in_chapter.order_by(MentoringRequest.submitted_at.desc())).scalar()
