"""The demo generator: a reproducible synthetic organisation, streamed into a store.

`populate` fills a store that has its schema and chapters (as `init_store` leaves it).
Volunteers are built in memory (12,000 at most); requests are simulated one at a time
and written in batches with SQLAlchemy Core, each batch in its own transaction, with
primary keys assigned from counters, so a million requests never sit in memory.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from random import Random
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from score_cli import clock
from score_cli.data import read_lines
from score_cli.demo import texts, truth
from score_cli.demo.intake import Intake
from score_cli.demo.lifecycle import World
from score_cli.demo.organisation import ChapterInfo, People, Person, Pools
from score_cli.demo.rows import Batch, Ids, sync_sequences
from score_cli.demo.timeline import calendars
from score_cli.domain.errors import Refused
from score_cli.store.models import Chapter, District, MentoringRequest, Volunteer

__all__ = ["populate", "BATCH_SIZE"]

BATCH_SIZE = 2000  # requests per transaction


def populate(engine: Engine, *, requests: int = 5000, volunteers: int = 3000, seed: int = 1,
             now: datetime | None = None, shift: timedelta = timedelta(0),
             on_progress: Callable[[int], None] | None = None) -> dict:
    """Fill the store behind `engine` with a demo organisation; returns counts.

    The store must have its schema and chapters and no volunteers or requests yet. Same
    `seed` and same `now` (an aware datetime; default: the clock) give the same rows. The
    history is simulated as of `now` and written `shift` later (whole days): the same
    simulation, dated for another day.

    `volunteers` is the number of generated mentors; the fixed tour cast comes on top of it
    (532 people with the shipped chapters): admin@example.org (Ada Admin, admin), for every
    chapter cic.<code>@example.org (its CIC, also a certified mentor there),
    manager.<code>@example.org (chapter manager) and membership.<code>@example.org
    (membership chair), and for every district rcic.<code>@example.org (RCIC, who works the
    national queue for the district's chapters that are not live); codes in lower case.
    Chapters with 25 or more mentors get a second CIC among them.

    `requests` mentoring requests are submitted over the 12 months before `now` and each is
    simulated forward, never past `now`, writing the rows and audit events the services
    write. `on_progress(n)` is called with the number of requests written after each batch.
    Returns {"chapters", "volunteers" (all, cast included), "clients", "requests",
    "by_status": {status: count}}.
    """
    if now is not None and now.tzinfo is None:
        raise ValueError("populate: `now` must be an aware datetime")
    now = (now or clock.now()).astimezone(timezone.utc)
    rng = Random(seed)
    with engine.begin() as conn:
        _require_empty(conn)
        chapters = _load_chapters(conn)
        ids = Ids(conn)
    first_client = ids.peek("client")
    if not chapters:
        raise Refused("the store has no chapters: run `score db init` first")
    cals = calendars(chapters, now)
    for ch in chapters:
        ch.zone, ch.cal = ZoneInfo(ch.timezone), cals[ch.code]

    people = People(rng, now, ids.peek("volunteer"))
    people.tour_cast(chapters)
    people.volunteers(chapters, volunteers)
    with engine.begin() as conn:
        _write_people(conn, people.all, Batch(ids, shift))

    by_code = {ch.code: ch for ch in chapters}
    districts: dict[str, list[ChapterInfo]] = {}
    for ch in chapters:
        districts.setdefault(ch.district_code, []).append(ch)
    world = World(rng, now, by_code, districts, Pools.build(people.all, by_code))
    intake = Intake(world, chapters, requests, read_lines("mentoring_areas.txt"),
                    read_lines("business_types.txt"))

    by_status: Counter = Counter()
    done = 0
    while done < requests:
        batch = Batch(ids, shift)
        end = min(done + BATCH_SIZE, requests)
        for i in range(done, end):
            life = intake.submit(i, batch)
            life.live()
            life.write(batch)
            by_status[life.status] += 1
        with engine.begin() as conn:
            batch.write(conn)
        done = end
        if on_progress:
            on_progress(done)
    intake.truth.seed = seed
    with engine.begin() as conn:
        sync_sequences(conn)  # first: the event takes the next key from the sequence
        truth.record(conn, intake.truth, at=now + shift, counts={"requests": requests, "volunteers": len(people.all)})
    return {
        "chapters": len(chapters),
        "volunteers": len(people.all),
        "clients": ids.peek("client") - first_client,
        "requests": requests,
        "by_status": {str(s): by_status[s] for s in sorted(by_status)},
    }


def _require_empty(conn) -> None:
    for table in (Volunteer, MentoringRequest):
        if conn.execute(select(func.count()).select_from(table)).scalar():
            raise Refused("the demo fills an empty store: this one already has volunteers or requests")


def _load_chapters(conn) -> list[ChapterInfo]:
    rows = conn.execute(
        select(Chapter.code, Chapter.name, Chapter.city, Chapter.state, Chapter.timezone,
               Chapter.live, Chapter.district_code, District.region_code)
        .join(District, District.code == Chapter.district_code)
        .order_by(Chapter.code)
    ).all()
    return [
        ChapterInfo(code, name, city, state, tz, bool(live), district, region,
                    weight=texts.BIG_CHAPTERS.get(code, 1.0) if live else texts.NOT_LIVE_WEIGHT)
        for code, name, city, state, tz, live, district, region in rows
    ]


def _write_people(conn, people: list[Person], batch: Batch) -> None:
    for p in people:
        batch.add("volunteer", {
            "id": p.id, "email": p.email, "name": p.name, "chapter_code": p.chapter,
            "status": str(p.status), "classification": p.classification and str(p.classification),
            "accept_direct_requests": p.accept_direct, "max_direct_weekly": p.max_direct,
            "serve_outside_local_area": p.serve_outside, "capacity_text": p.capacity_text,
            "capacity_assignments": p.capacity_assignments, "capacity_weeks": p.capacity_weeks,
            "pause_from": p.pause_from,
            "pause_until": p.pause_until, "created_at": p.created_at,
        })
        for role, kind, code in p.roles:
            batch.add("volunteer_role", {"volunteer_id": p.id, "role": str(role),
                                         "scope_kind": str(kind), "scope_code": code})
        for topic in p.expertise:
            batch.add("volunteer_expertise", {"volunteer_id": p.id, "topic": topic})
    batch.write(conn)
