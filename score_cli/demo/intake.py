"""Requests as they arrive: when, for which chapter, from whom, asking what."""

from __future__ import annotations

import re
from datetime import timedelta

from score_cli.demo import texts
from score_cli.demo.clients import Clients
from score_cli.demo.duplicates import OTHER_CHAPTER, Planter
from score_cli.demo.lifecycle import RequestLife, World
from score_cli.demo.organisation import ChapterInfo
from score_cli.demo.showcase import SCRIPTS, script_fits
from score_cli.demo.timeline import SubmissionClock
from score_cli.demo.truth import Truth

REPEAT_SHARE = 0.12  # a later request by a client seen before
DUPLICATE_SHARE = 0.03  # the same person again within days, as a new client (demo.duplicates)
LOOK_ALIKE_SHARE = 0.02  # someone else sharing a question, a name or a phone with a recent client
SCRIPTED_PER = 1500  # one scripted request of each kind per this many requests (2 at least)
TOUR_CHAPTER = "BOS01"  # the chapter whose coordinator the tour acts as: it gets one of each script
_SCRIPT_WINDOW = timedelta(days=26)  # scripts only concern the last few weeks


class Intake:
    def __init__(self, world: World, chapters: list[ChapterInfo], count: int, areas, business_types):
        self.w, self.rng = world, world.rng
        self.clock = SubmissionClock(world.now, count)
        self.chapters = chapters
        self.cum = []
        total = 0.0
        for ch in chapters:
            total += ch.weight
            self.cum.append(total)
        self.clients = Clients(world.rng)
        self.truth = Truth()
        self.planter = Planter(world.rng, self.truth)
        self.areas, self.business_types = tuple(areas), tuple(business_types)
        self.quota = {s.name: max(2, count // SCRIPTED_PER) for s in SCRIPTS}
        self.not_live = [ch for ch in chapters if not ch.live]
        self.tour = next((ch for ch in chapters if ch.code == TOUR_CHAPTER), None)
        self.tour_quota = {s.name: 1 for s in SCRIPTS if s.name != "national_waiting"} if self.tour else {}

    def submit(self, i: int, batch) -> RequestLife:
        """Request number i (in submission order), with its client rows already in `batch`."""
        rng, clients = self.rng, self.clients
        rid = batch.ids.take("mentoring_request")
        at = self.clock.at(i, rng.random())
        roll = rng.random()
        known, duplicate_of = False, None
        repeat = clients.repeat() if roll < REPEAT_SHARE else None
        original = clients.duplicate_of(at) if REPEAT_SHARE <= roll < REPEAT_SHARE + DUPLICATE_SHARE else None
        other = clients.recent() if 0 <= roll - REPEAT_SHARE - DUPLICATE_SHARE < LOOK_ALIKE_SHARE else None
        question = None
        if repeat is not None:
            client, chapter, known = repeat, self.w.chapters[repeat.chapter], True
        elif original is not None:
            kind, fields = self.planter.duplicate(original, clients)
            chapter = self.w.chapters[original.chapter]
            if rng.random() < OTHER_CHAPTER:
                chapter = rng.choices(self.chapters, cum_weights=self.cum)[0]
            client = clients.new(chapter, rid, at, batch, fields=fields)
            self.truth.duplicates.append((client.id, original.id, kind, chapter.code != original.chapter))
            duplicate_of = original.first_request
        elif other is not None:
            chapter = self.w.chapters[other.chapter]
            kind, fields = self.planter.look_alike(other, clients.fresh(chapter))
            client = clients.new(chapter, rid, at, batch, fields=fields)
            self.truth.look_alikes.append((client.id, other.id, kind))
            question = other.question if kind == "common_question" else None
        else:
            chapter = (self._national_showcase(at) or self._tour_showcase(at)
                       or rng.choices(self.chapters, cum_weights=self.cum)[0])
            client = clients.new(chapter, rid, at, batch)
        if not known:
            clients.remember(client)
        script = self._script(at, chapter) if not known and duplicate_of is None else None
        area = rng.choice(self.areas)
        business_type = rng.choice(self.business_types)
        request = {
            "id": rid, "client_id": client.id, "chapter_code": chapter.code, "queue": None,
            "status": None, "owner_id": None, "direct_mentor_id": None,
            "question": question or rng.choice(texts.QUESTIONS).format(
                area_l=business_type.lower(), amount=rng.choice((25, 50, 75, 150, 250))),
            "mentoring_area": area, "business_type": business_type,
            "existing_business": client.business is not None and rng.random() < 0.55,
            "origin_url": rng.choice(texts.ORIGIN_PAGES).format(slug=_slug(chapter.name)),
            "client_was_known": known, "submitted_at": at, "status_changed_at": at,
            "closed_at": None, "first_assigned_at": None, "first_accepted_at": None,
            "first_contacted_at": None, "first_session_at": None, "version": 1,
        }
        if not known:
            client.question = request["question"]
        return RequestLife(self.w, request, chapter, script=script, duplicate_of=duplicate_of,
                           area=area, business_type=business_type)

    def _national_showcase(self, at) -> ChapterInfo | None:
        """Chapters that are not live get few requests: while the national-queue showcase is
        still wanted, a new client of the last weeks is sent to one of them."""
        age = self.w.now - at
        if self.quota["national_waiting"] and self.not_live and timedelta(days=1) < age < timedelta(days=25):
            return self.rng.choice(self.not_live)
        return None

    def _tour_showcase(self, at) -> ChapterInfo | None:
        """The tour's chapter gets one request of each script: a new client whose submission
        time fits a script the chapter still lacks is sent there."""
        if self.tour is None or at < self.w.now - _SCRIPT_WINDOW:
            return None
        for script in SCRIPTS:
            if self.tour_quota.get(script.name) and script_fits(script, at, self.w.now, self.tour):
                return self.tour
        return None

    def _script(self, at, chapter: ChapterInfo):
        if at < self.w.now - _SCRIPT_WINDOW:
            return None
        if chapter is self.tour:
            for script in SCRIPTS:
                if self.tour_quota.get(script.name) and script_fits(script, at, self.w.now, chapter):
                    self.tour_quota[script.name] -= 1
                    return script
        for script in SCRIPTS:
            if self.quota[script.name] and script_fits(script, at, self.w.now, chapter):
                self.quota[script.name] -= 1
                return script
        return None


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
