"""The demo's people: the fixed tour cast and the generated volunteers, and who can be picked.

Everything here is small enough (12,000 volunteers at most) to keep in memory for the
whole run; the requests are streamed separately.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random
from zoneinfo import ZoneInfo

from score_cli.data import read_lines
from score_cli.demo import texts
from score_cli.demo.weighted import Weighted
from score_cli.domain.capacity import parse_capacity
from score_cli.domain.vocabulary import Classification, Role, ScopeKind, VolunteerStatus

ADMIN_EMAIL = "admin@example.org"
ADMIN_NAME = "Ada Admin"
TOUR_ROLES = (("cic", Role.CIC), ("manager", Role.CHAPTER_MANAGER), ("membership", Role.MEMBERSHIP_CHAIR))
SECOND_CIC_FROM = 25  # a chapter with this many volunteers has a second coordinator
STATUSES = Weighted(((VolunteerStatus.ACTIVE, 85), (VolunteerStatus.INACTIVE, 10), (VolunteerStatus.RESIGNED, 5)))
CLASSIFICATIONS = Weighted(((Classification.CERTIFIED, 75), (Classification.PROVISIONAL, 15),
                            (Classification.SME, 10)))
CAPACITY = Weighted(texts.CAPACITY_TEXTS)


@dataclass(slots=True)
class ChapterInfo:
    code: str
    name: str
    city: str
    state: str
    timezone: str
    live: bool
    district_code: str
    region_code: str
    weight: float = 1.0
    zone: ZoneInfo | None = None
    cal: object = None  # calendar.BusinessCalendar
    cics: list = field(default_factory=list)  # Volunteers holding the cic role here
    rcic: object = None  # the district's RCIC: works the national queue for this chapter


@dataclass(slots=True)
class Person:
    """A volunteer as the generator needs it (also the source of its table rows)."""

    id: int
    email: str
    name: str
    chapter: str
    status: str = VolunteerStatus.ACTIVE
    classification: str | None = Classification.CERTIFIED
    accept_direct: bool = False
    max_direct: int | None = None
    serve_outside: bool = False
    capacity_text: str | None = None
    capacity_assignments: int | None = None
    capacity_weeks: int = 1
    pause_from: date | None = None
    pause_until: date | None = None
    created_at: datetime | None = None
    expertise: tuple = ()
    roles: list = field(default_factory=list)  # (role, scope_kind, scope_code)

    def paused_on(self, day: date) -> bool:
        return self.pause_from is not None and self.pause_from <= day <= self.pause_until

    @property
    def is_mentor(self) -> bool:
        return any(r[0] == Role.MENTOR for r in self.roles)


class People:
    """Builds the volunteers in a fixed order and hands out e-mail addresses."""

    def __init__(self, rng: Random, now: datetime, first_id: int):
        self.rng = rng
        self.now = now
        self.next_id = first_id
        self.all: list[Person] = []
        self._email_counts: dict[str, int] = {}
        self.topics = tuple(read_lines("mentoring_areas.txt")) + tuple(read_lines("business_types.txt"))
        # Parsed once per distinct text with the parser the CLI uses.
        self._parsed = {t: parse_capacity(t) for t in CAPACITY.values}

    def _add(self, email: str, name: str, chapter: str, **settings) -> Person:
        joined = self.now - timedelta(days=self.rng.randint(400, 4000))
        person = Person(self.next_id, email, name, chapter, created_at=joined, **settings)
        self.next_id += 1
        self.all.append(person)
        return person

    def random_name(self) -> tuple[str, str]:
        return self.rng.choice(texts.FIRST_NAMES), self.rng.choice(texts.LAST_NAMES)

    def personal_email(self, first: str, last: str) -> str:
        """firstname.lastname@example.org, then firstname.lastname2@…, in creation order."""
        base = f"{_slug(first)}.{_slug(last)}"
        n = self._email_counts.get(base, 0) + 1
        self._email_counts[base] = n
        return f"{base}{n if n > 1 else ''}@example.org"

    # -- the tour cast ---------------------------------------------------------------

    def tour_cast(self, chapters: list[ChapterInfo]) -> None:
        """admin, then per chapter its CIC, manager and membership chair, then per district
        its RCIC: fixed addresses the tour and the tests can rely on."""
        home = next((c.code for c in chapters if c.code == "BOS01"), chapters[0].code)
        self._add(ADMIN_EMAIL, ADMIN_NAME, home, classification=None,
                  roles=[(Role.ADMIN, ScopeKind.NATIONAL, "")])
        for ch in chapters:
            for prefix, role in TOUR_ROLES:
                first, last = self.random_name()
                email = f"{prefix}.{ch.code.lower()}@example.org"
                roles = [(role, ScopeKind.CHAPTER, ch.code)]
                if role == Role.CIC:
                    # The chapter's coordinator is also one of its certified mentors.
                    roles.append((Role.MENTOR, ScopeKind.CHAPTER, ch.code))
                    person = self._add(email, f"{first} {last}", ch.code,
                                       capacity_text="2 per week", capacity_assignments=2,
                                       serve_outside=False, roles=roles,
                                       expertise=self._expertise())
                    ch.cics.append(person)
                else:
                    self._add(email, f"{first} {last}", ch.code, classification=None, roles=roles)
        districts: dict[str, list[ChapterInfo]] = {}
        for ch in chapters:
            districts.setdefault(ch.district_code, []).append(ch)
        for code in sorted(districts):
            members = districts[code]
            home = next((c for c in members if c.live), members[0])
            first, last = self.random_name()
            rcic = self._add(f"rcic.{code.lower()}@example.org", f"{first} {last}", home.code,
                             classification=None, roles=[(Role.RCIC, ScopeKind.DISTRICT, code)])
            for ch in members:
                ch.rcic = rcic

    # -- the rank and file -----------------------------------------------------------

    def volunteers(self, chapters: list[ChapterInfo], count: int) -> None:
        codes = [c.code for c in chapters]
        cum = _cumulative([c.weight for c in chapters])
        for _ in range(count):
            chapter = self.rng.choices(codes, cum_weights=cum)[0]
            self._volunteer(chapter)
        self._second_cics(chapters)

    def _volunteer(self, chapter: str) -> Person:
        rng = self.rng
        first, last = self.random_name()
        status = STATUSES.pick(rng)
        classification = CLASSIFICATIONS.pick(rng)
        text = CAPACITY.pick(rng)
        person = self._add(
            self.personal_email(first, last), f"{first} {last}", chapter,
            status=status, classification=classification,
            accept_direct=status == VolunteerStatus.ACTIVE and rng.random() < 0.75,
            max_direct=None if rng.random() < 0.5 else rng.randint(1, 5),
            serve_outside=rng.random() < 0.5,
            capacity_text=text, capacity_assignments=self._parsed[text].assignments,
            capacity_weeks=self._parsed[text].weeks,
            roles=[(Role.MENTOR, ScopeKind.CHAPTER, chapter)],
            expertise=self._expertise(),
        )
        if status == VolunteerStatus.ACTIVE:
            self._maybe_pause(person)
        return person

    def _expertise(self) -> tuple:
        return tuple(self.rng.sample(self.topics, self.rng.randint(1, 4)))

    def _maybe_pause(self, person: Person) -> None:
        """About 7% of active mentors are paused: most now, some for over 30 days, a few
        whose pause ended yesterday (the sweep clears those) or starts next week."""
        rng, today = self.rng, self.now.date()
        roll = rng.random()
        if roll < 0.05:
            person.pause_from = today - timedelta(days=rng.randint(0, 75))
            person.pause_until = today + timedelta(days=rng.randint(1, 45))
        elif roll < 0.06:
            person.pause_from = today - timedelta(days=rng.randint(10, 40))
            person.pause_until = today - timedelta(days=1)
        elif roll < 0.07:
            person.pause_from = today + timedelta(days=rng.randint(2, 9))
            person.pause_until = person.pause_from + timedelta(days=rng.randint(7, 21))
        else:
            return
        person.accept_direct = False  # the guide requires both steps when pausing

    def _second_cics(self, chapters: list[ChapterInfo]) -> None:
        """Big chapters have a second coordinator, taken from their active certified mentors."""
        by_chapter: dict[str, list[Person]] = {}
        for p in self.all:
            if p.is_mentor and len(p.roles) == 1:
                by_chapter.setdefault(p.chapter, []).append(p)
        for ch in chapters:
            members = by_chapter.get(ch.code, [])
            if len(members) < SECOND_CIC_FROM:
                continue
            pick = next((p for p in members if p.status == VolunteerStatus.ACTIVE
                         and p.classification == Classification.CERTIFIED
                         and p.pause_from is None), None)
            if pick is not None:
                pick.roles.append((Role.CIC, ScopeKind.CHAPTER, ch.code))
                ch.cics.append(pick)


@dataclass
class Pools:
    """Who may be picked for what, per chapter and per district (lists: ordered, seeded)."""

    local: dict[str, list[Person]]  # CIC assignment in the chapter
    outside: dict[str, list[Person]]  # serve_outside_local_area mentors of the district
    region: dict[str, list[Person]]  # the same, per region: the next tier
    direct: dict[str, list[Person]]  # accept direct requests
    not_direct: dict[str, list[Person]]  # a client may still pick them on the website
    referees: dict[str, list[Person]]  # active certified mentors of the district

    @classmethod
    def build(cls, people: list[Person], chapters: dict[str, ChapterInfo]) -> "Pools":
        pools = cls({}, {}, {}, {}, {}, {})
        for p in people:
            if not p.is_mentor or p.status != VolunteerStatus.ACTIVE:
                continue
            district, region = chapters[p.chapter].district_code, chapters[p.chapter].region_code
            if p.classification != Classification.SME and p.capacity_assignments != 0:
                pools.local.setdefault(p.chapter, []).append(p)
                if p.serve_outside:
                    pools.outside.setdefault(district, []).append(p)
                    pools.region.setdefault(region, []).append(p)
            if p.classification != Classification.SME:
                (pools.direct if p.accept_direct else pools.not_direct).setdefault(p.chapter, []).append(p)
            if p.classification == Classification.CERTIFIED:
                pools.referees.setdefault(district, []).append(p)
        return pools


def _slug(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out
