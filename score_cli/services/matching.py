"""Suggesting mentors for a request: the "One SCORE methodology" of SPEC §6.

Eligible: active, mentor role, certified or provisional (SMEs on request), not paused on the
assignment day, weekly CIC capacity left, not someone who declined or timed out on this
request. Ranked by tier (same chapter, district, region, any), then expertise, then fewer open
assignments, then fewer CIC assignments accepted in the last 60 days. Counts come from a few
grouped queries, never one query per mentor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, or_, select

from score_cli import clock
from score_cli.services import eligibility, permissions, requests
from score_cli.services.organisation import get_chapter
from score_cli.services.workflow import OWNED
from score_cli.store.db import Store
from score_cli.store.models import (Assignment, Chapter, District, MentoringRequest, Volunteer,
                                    VolunteerExpertise, VolunteerRole)
from score_cli.vocabulary import AssignmentKind, Classification, Outcome, Role, VolunteerStatus

TIERS = ("same chapter", "same district", "same region", "any chapter")


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
        candidates = session.execute(
            select(Volunteer, Chapter.district_code, District.region_code)
            .join(Chapter, Chapter.code == Volunteer.chapter_code)
            .join(District, District.code == Chapter.district_code)
            .where(*in_reach)
        ).all()
        ids = select(Volunteer.id).where(*in_reach)
        open_load = _counts(session, select(MentoringRequest.owner_id, func.count())
                            .where(MentoringRequest.status.in_([str(s) for s in OWNED]),
                                   MentoringRequest.owner_id.in_(ids))
                            .group_by(MentoringRequest.owner_id))
        recent = Assignment.mentor_id.in_(ids), Assignment.kind == AssignmentKind.CIC
        accepted_60 = _counts(session, select(Assignment.mentor_id, func.count())
                              .where(*recent, Assignment.assigned_at > now - timedelta(days=75),
                                     Assignment.accepted_at > now - timedelta(days=60))
                              .group_by(Assignment.mentor_id))
        week = _counts(session, select(Assignment.mentor_id, func.count())
                       .where(*recent, Assignment.assigned_at > now - timedelta(days=7))
                       .group_by(Assignment.mentor_id))
        before = set(session.execute(select(Assignment.mentor_id).where(
            Assignment.request_id == request.id,
            Assignment.outcome.in_([Outcome.DECLINED, Outcome.TIMED_OUT]))).scalars())
        topics = {t for t in (request.mentoring_area, request.business_type) if t}
        experts = set(session.execute(select(VolunteerExpertise.volunteer_id).where(
            VolunteerExpertise.topic.in_(topics), VolunteerExpertise.volunteer_id.in_(ids))).scalars()) if topics else set()
        outside_refusing = session.execute(select(func.count()).select_from(Volunteer).where(
            Volunteer.status == VolunteerStatus.ACTIVE, Volunteer.id.in_(mentors),
            Volunteer.chapter_code != chapter.code, Volunteer.serve_outside_local_area.is_(False))).scalar_one()

    result = Suggestions(requests.label(request_id), chapter.code)
    excluded = {"paused": 0, "at_capacity": 0, "declined_or_timed_out_before": 0}
    ranked = []
    for volunteer, district, their_region in candidates:
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
        tier = (0 if volunteer.chapter_code == chapter.code else 1 if district == chapter.district_code
                else 2 if their_region == region else 3)
        expert = volunteer.id in experts
        load = open_load.get(volunteer.id, 0)
        accepted = accepted_60.get(volunteer.id, 0)
        ranked.append(((tier, not expert, load, accepted, volunteer.email),
                       _row(volunteer, tier, expert, load, accepted, left, today)))
    ranked.sort(key=lambda pair: pair[0])
    result.rows = [dict(row, rank=i + 1) for i, (_, row) in enumerate(ranked[:limit])]
    excluded["outside_area_not_serving"] = outside_refusing
    result.excluded = excluded
    if not result.rows:
        result.advice = _advice(excluded, chapter.code)
    return result


def _counts(session, query) -> dict[int, int]:
    return dict(session.execute(query).all())


def _row(v: Volunteer, tier: int, expert: bool, load: int, accepted: int, left: int | None, today: date) -> dict:
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
