"""Suggesting mentors for a request: the "One SCORE methodology" of SPEC §6.

Eligible: active, mentor role, certified or provisional (SMEs on request), not paused on the
assignment day, weekly CIC capacity left, not someone who declined or timed out on this
request. Ranked by tier (same chapter, district, region, any), then expertise, then fewer open
assignments, then fewer CIC assignments accepted in the last 60 days. Counts come from a few
grouped queries, never one query per mentor.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, or_, select

from score_cli import clock
from score_cli.services import eligibility, permissions, requests
from score_cli.services.organisation import get_chapter
from score_cli.services.workflow import OWNED
from score_cli.store.db import Store
from score_cli.store.hints import in_chunks
from score_cli.store.models import (Assignment, Chapter, District, MentoringRequest, Volunteer,
                                    VolunteerExpertise, VolunteerRole)
from score_cli.vocabulary import AssignmentKind, Classification, Outcome, Role, VolunteerStatus

TIERS = ("same chapter", "same district", "same region", "any chapter")
CHUNK = 5000  # mentors per IN-list: well under SQLite's 32,766 bound parameters


@dataclass
class Suggestions:
    request: str
    chapter: str
    rows: list[dict] = field(default_factory=list)
    excluded: dict[str, int] = field(default_factory=dict)
    advice: str | None = None


def suggest(store: Store, actor_email: str | None, request_id: int, *, limit: int = 10,
            include_sme: bool = False) -> Suggestions:
    now = clock.now()
    with store.reading() as session:
        actor = permissions.load_actor(session, actor_email)
        request = requests.load(session, request_id)
        requests.require_coordinator(session, actor, request)
        chapter = get_chapter(session, request.chapter_code)
        region = session.get(District, chapter.district_code).region_code
        today = eligibility.local_date(now, chapter)
        classes = [Classification.CERTIFIED, Classification.PROVISIONAL] + ([Classification.SME] if include_sme else [])
        mentors = select(VolunteerRole.volunteer_id).where(VolunteerRole.role == Role.MENTOR)
        # active mentors of the chapter, and those elsewhere who serve outside their area
        in_reach = (Volunteer.status == VolunteerStatus.ACTIVE, Volunteer.id.in_(mentors),
                    Volunteer.classification.in_([str(c) for c in classes]),
                    or_(Volunteer.chapter_code == chapter.code, Volunteer.serve_outside_local_area.is_(True)))
        # plain rows: thousands of mentors can be in reach, and only the best few are shown
        candidates = session.execute(
            select(Volunteer.id, Volunteer.email, Volunteer.name, Volunteer.chapter_code, Volunteer.classification,
                   Volunteer.capacity_weekly, Volunteer.capacity_text, Volunteer.pause_from, Volunteer.pause_until,
                   Chapter.district_code, District.region_code)
            .join(Chapter, Chapter.code == Volunteer.chapter_code)
            .join(District, District.code == Chapter.district_code)
            .where(*in_reach)
        ).all()
        ids = [c.id for c in candidates]
        week = _counts(session, ids, lambda chunk: _recent(chunk, now - timedelta(days=7)))
        before = set(session.execute(select(Assignment.mentor_id).where(
            Assignment.request_id == request.id,
            Assignment.outcome.in_([Outcome.DECLINED, Outcome.TIMED_OUT]))).scalars())
        topics = {t for t in (request.mentoring_area, request.business_type) if t}
        experts = set()
        for chunk in in_chunks(ids, CHUNK) if topics else ():
            experts.update(session.execute(select(VolunteerExpertise.volunteer_id).where(
                VolunteerExpertise.volunteer_id.in_(chunk), VolunteerExpertise.topic.in_(topics))).scalars())
        outside_refusing = session.execute(select(func.count()).select_from(Volunteer).where(
            Volunteer.status == VolunteerStatus.ACTIVE, Volunteer.id.in_(mentors),
            Volunteer.chapter_code != chapter.code, Volunteer.serve_outside_local_area.is_(False))).scalar_one()

        eligible, excluded = _eligible(candidates, chapter, region, today, before=before, week=week,
                                       experts=experts)
        contenders = _contenders(eligible, limit)
        chosen = [volunteer.id for _, _, volunteer, _ in contenders]
        open_load = _counts(session, chosen, lambda chunk: select(MentoringRequest.owner_id, func.count())
                            .where(MentoringRequest.owner_id.in_(chunk),
                                   MentoringRequest.status.in_([str(s) for s in OWNED]))
                            .group_by(MentoringRequest.owner_id))
        accepted_60 = _counts(session, chosen, lambda chunk: _recent(chunk, now - timedelta(days=75))
                              .where(Assignment.accepted_at > now - timedelta(days=60)))

    ranked = sorted((tier, no_match, open_load.get(v.id, 0), accepted_60.get(v.id, 0), v.email, v, left)
                    for tier, no_match, v, left in contenders)
    result = Suggestions(requests.label(request_id), chapter.code)
    result.rows = [dict(_row(v, tier, not no_match, load, accepted, left), rank=i + 1)
                   for i, (tier, no_match, load, accepted, _, v, left) in enumerate(ranked[:limit])]
    excluded["outside_area_not_serving"] = outside_refusing
    result.excluded = excluded
    if not result.rows:
        result.advice = _advice(excluded, chapter.code)
    return result


def _eligible(candidates, chapter, region: str, today, *, before: set[int], week: dict[int, int],
              experts: set[int]) -> tuple[list[tuple], dict[str, int]]:
    """(tier, no expertise match, mentor, capacity left) of each mentor who may take the request,
    and how many were left out for each reason."""
    excluded = {"paused": 0, "at_capacity": 0, "declined_or_timed_out_before": 0}
    eligible = []
    for volunteer in candidates:
        if volunteer.id in before:
            excluded["declined_or_timed_out_before"] += 1
            continue
        if eligibility.paused_on(volunteer, today):
            excluded["paused"] += 1
            continue
        used = week.get(volunteer.id, 0)
        left = None if volunteer.capacity_weekly is None else volunteer.capacity_weekly - used
        if left is not None and left <= 0:
            excluded["at_capacity"] += 1
            continue
        tier = (0 if volunteer.chapter_code == chapter.code else 1 if volunteer.district_code == chapter.district_code
                else 2 if volunteer.region_code == region else 3)
        eligible.append((tier, volunteer.id not in experts, volunteer, left))
    return eligible, excluded


def _contenders(eligible: list[tuple], limit: int) -> list[tuple]:
    """The eligible mentors who can reach the first `limit`: ranking goes by tier and expertise
    before load, so a (tier, expertise) group after the one holding the limit-th mentor cannot.
    Load and recent acceptances are then counted for these alone, not for every mentor in reach."""
    eligible.sort(key=lambda entry: entry[:2])
    if len(eligible) <= limit:
        return eligible
    last = eligible[limit - 1][:2]
    return [entry for entry in eligible if entry[:2] <= last]


def _recent(mentor_ids, since):
    """CIC assignments per mentor since `since` (the covering index ix_assignment_mentor_tally)."""
    return (select(Assignment.mentor_id, func.count())
            .where(Assignment.mentor_id.in_(mentor_ids), Assignment.kind == AssignmentKind.CIC,
                   Assignment.assigned_at > since)
            .group_by(Assignment.mentor_id))


def _counts(session, ids: list[int], query_for) -> dict[int, int]:
    """Grouped counts for the mentors in `ids`, in IN-lists a database takes."""
    counts: dict[int, int] = {}
    for chunk in in_chunks(ids, CHUNK):
        counts.update(session.execute(query_for(chunk)).all())
    return counts


def _row(v, tier: int, expert: bool, load: int, accepted: int, left: int | None) -> dict:
    flags = []
    if v.classification == Classification.PROVISIONAL:
        flags.append("provisional")
    if v.classification == Classification.SME:
        flags.append("SME")
    if v.capacity_text and v.capacity_weekly is None:
        flags.append(f"capacity unknown ({v.capacity_text!r})")
    elif v.capacity_weekly is None:
        flags.append("capacity not given")
    capacity = "unknown" if left is None else f"{left} of {v.capacity_weekly}"
    reason = (f"{TIERS[tier]} ({v.chapter_code}); {'expertise matches' if expert else 'no expertise match'};"
              f" {load} open; {accepted} accepted in 60 days; weekly capacity left {capacity}")
    return {"email": v.email, "name": v.name, "chapter": v.chapter_code, "tier": TIERS[tier],
            "expertise_match": expert, "open_assignments": load, "accepted_60_days": accepted,
            "weekly_capacity_left": left, "classification": v.classification, "flags": flags,
            "reason": reason + (f"; {', '.join(flags)}" if flags else "")}


def _advice(excluded: dict[str, int], chapter: str) -> str:
    parts = [f"{n} {what.replace('_', ' ')}" for what, n in excluded.items() if n]
    why = "; ".join(parts) if parts else "no active mentors in reach"
    return (f"no eligible mentor for this request ({why}). Next: ask mentors nearby to serve clients outside"
            f" their area, try --include-sme, or transfer it: score transfer-chapter MRE CHAPTER --reason ...")
