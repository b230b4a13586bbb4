"""Suggesting mentors for a request: the "One SCORE methodology" of SPEC §6.

Eligible: what `domain.eligibility` says, asked mentor by mentor (active, mentor role,
certified or provisional (SMEs on request), not paused on the assignment day, CIC capacity left
in the capacity's window, not someone who declined or timed out on this request). Ranked by
tier (same chapter, district, region, any), then expertise, then fewer open assignments, then
fewer CIC assignments accepted in the last 60 days. Counts come from a few
grouped queries, never one query per mentor.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field
from datetime import timedelta

from score_cli import clock
from score_cli.domain import deadlines
from score_cli.services.organisation import access, permissions
from score_cli.services.organisation.chapters import get_chapter
from score_cli.domain import eligibility as rules
from score_cli.domain.capacity import in_words
from score_cli.domain.workflow import OWNED, Action
from score_cli.store.db import Store
from score_cli.store.hints import in_chunks
from score_cli.services.timefmt import zone
from score_cli.store.sql import DAY, query
from score_cli.domain.vocabulary import AssignmentKind, Classification, Outcome, Role, VolunteerStatus, request_label

TIERS = ("same chapter", "same district", "same region", "any chapter")
CHUNK = 5000  # mentors per IN-list: well under SQLite's 32,766 bound parameters

# Plain SQL (store/sql.py): a coordinator asks for suggestions with a client waiting.
_MENTORS = "SELECT volunteer_id FROM volunteer_role WHERE role = :mentor"
# active mentors of the chapter, and those elsewhere who serve outside their area
_IN_REACH = (f"v.status = :active AND v.id IN ({_MENTORS}) AND v.classification IN :classes"
             " AND (v.chapter_code = :chapter OR v.serve_outside_local_area = :yes)")
_CANDIDATES = query(
    "SELECT v.id, v.email, v.name, v.status, v.chapter_code, v.classification, v.serve_outside_local_area,"
    " v.capacity_assignments, v.capacity_weeks, v.capacity_text, v.pause_from, v.pause_until,"
    " chapter.district_code, district.region_code, chapter.timezone AS home_zone"
    " FROM volunteer v"
    " JOIN chapter ON chapter.code = v.chapter_code JOIN district ON district.code = chapter.district_code"
    f" WHERE {_IN_REACH}", lists=("classes",), pause_from=DAY, pause_until=DAY)
# the candidates again, as a subquery: thousands of ids sent back as parameters cost more to
# send (PostgreSQL's driver rewrites every placeholder) than the database takes to find them
_REACHED = f"SELECT v.id FROM volunteer v WHERE {_IN_REACH}"
_OUTSIDE_NOT_SERVING = query(
    f"SELECT COUNT(*) FROM volunteer WHERE status = :active AND id IN ({_MENTORS})"
    " AND chapter_code <> :chapter AND serve_outside_local_area = :no")
_BEFORE = query("SELECT mentor_id, outcome FROM assignment WHERE request_id = :request AND outcome IN :outcomes",
                lists=("outcomes",))
_EXPERTS = query(f"SELECT volunteer_id FROM volunteer_expertise WHERE volunteer_id IN ({_REACHED})"
                 " AND topic IN :topics", lists=("classes", "topics"))
# CIC assignments per mentor since a time, over every request whoever is connected
# (store/tallies.py; the covering index ix_assignment_mentor_tally). The capacity window is
# counted once for each span in use (7 days for "3 per week", 14 for "1 every other week"),
# over the candidates whose capacity has that span.
_RECENT = "SELECT mentor_id, COUNT(*) FROM assignment_tally WHERE kind = :cic AND assigned_at > :since"
_IN_WINDOW = query(_RECENT + f" AND mentor_id IN ({_REACHED} AND v.capacity_weeks = :weeks) GROUP BY mentor_id",
                   lists=("classes",), times=("since",))
_ACCEPTED = query(_RECENT + " AND mentor_id IN :ids AND accepted_at > :accepted_since GROUP BY mentor_id",
                  lists=("ids",), times=("since", "accepted_since"))
_OPEN_LOAD = query("SELECT mentor_id, COUNT(*) FROM mentor_caseload WHERE mentor_id IN :ids AND status IN :owned"
                   " GROUP BY mentor_id", lists=("ids", "owned"))


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
    with store.rows() as conn:
        actor = permissions.load_actor(conn, actor_email)
        request = access.read_request(conn, request_id)
        access.require(conn, actor, request, Action.ASSIGN)
        chapter = get_chapter(conn, request.chapter_code)
        classes = sorted(rules.ASSIGNABLE) + ([Classification.SME] if include_sme else [])
        reach = {"active": str(VolunteerStatus.ACTIVE), "mentor": str(Role.MENTOR), "chapter": chapter.code,
                 "classes": [str(c) for c in classes], "yes": True}
        # plain rows: thousands of mentors can be in reach, and only the best few are shown
        found = conn.execute(_CANDIDATES, reach)
        # named tuples: a Row's attribute lookup costs more than the rule itself, thousands of times
        mentor = namedtuple("Mentor", list(found.keys()))
        candidates = [mentor._make(row) for row in found]
        cic = {"cic": str(AssignmentKind.CIC)}
        used: dict[int, int] = {}
        for weeks in sorted({c.capacity_weeks for c in candidates}):
            used.update(conn.execute(_IN_WINDOW, dict(reach, **cic, weeks=weeks,
                                                      since=now - rules.capacity_window(weeks))).all())
        before: dict[int, set[str]] = {}
        for mentor_id, outcome in conn.execute(_BEFORE, {"request": request.id, "outcomes": [
                str(Outcome.DECLINED), str(Outcome.TIMED_OUT)]}).all():
            before.setdefault(mentor_id, set()).add(outcome)
        topics = sorted({t for t in (request.mentoring_area, request.business_type) if t})
        experts = set(conn.execute(_EXPERTS, dict(reach, topics=topics)).scalars()) if topics else set()
        outside_refusing = conn.execute(_OUTSIDE_NOT_SERVING, dict(reach, no=False)).scalar_one()

        eligible, excluded = _eligible(candidates, chapter, now, before=before, used=used, experts=experts,
                                       include_sme=include_sme)
        contenders = _contenders(eligible, limit)
        chosen = [volunteer.id for _, _, volunteer, _ in contenders]
        open_load = _counts(conn, _OPEN_LOAD, chosen, {"owned": [str(s) for s in OWNED]})
        accepted_60 = _counts(conn, _ACCEPTED, chosen, dict(cic, since=now - timedelta(days=75),
                                                             accepted_since=now - timedelta(days=deadlines.ACCEPTED_TALLY_DAYS)))

    ranked = sorted((tier, no_match, open_load.get(v.id, 0), accepted_60.get(v.id, 0), v.email, v, left)
                    for tier, no_match, v, left in contenders)
    result = Suggestions(request_label(request_id), chapter.code)
    result.rows = [dict(_row(v, tier, not no_match, load, accepted, left), rank=i + 1)
                   for i, (tier, no_match, load, accepted, _, v, left) in enumerate(ranked[:limit])]
    excluded["outside_area_not_serving"] = outside_refusing
    result.excluded = excluded
    if not result.rows:
        result.advice = _advice(excluded, request.id)
    return result


# how a mentor left out is counted in the advice, first matching reason first
_EXCLUDED = (("declined_or_timed_out_before", {rules.Reason.DECLINED_BEFORE, rules.Reason.TIMED_OUT_BEFORE}),
             ("paused", {rules.Reason.PAUSED}), ("at_capacity", {rules.Reason.NO_CAPACITY_LEFT}))


def _eligible(candidates, chapter, now, *, before: dict[int, set[str]], used: dict[int, int], experts: set[int],
              include_sme: bool) -> tuple[list[tuple], dict[str, int]]:
    """(tier, no expertise match, mentor, capacity left) of each mentor the rulebook lets take the
    request (`domain.eligibility.reasons`, one mentor at a time), and how many were left out why."""
    excluded = {what: 0 for what, _ in _EXCLUDED}
    eligible, days = [], {}
    for volunteer in candidates:
        if volunteer.home_zone not in days:  # pause dates are days in the mentor's own chapter
            days[volunteer.home_zone] = now.astimezone(zone(volunteer.home_zone)).date()
        candidate = rules.Candidate(
            email=volunteer.email, status=volunteer.status, holds_mentor_role=True,  # the SQL asked for mentors
            classification=volunteer.classification, chapter_code=volunteer.chapter_code,
            serve_outside_local_area=bool(volunteer.serve_outside_local_area), pause_from=volunteer.pause_from,
            pause_until=volunteer.pause_until, capacity_assignments=volunteer.capacity_assignments,
            capacity_weeks=volunteer.capacity_weeks, capacity_text=volunteer.capacity_text,
            cic_assignments_in_window=used.get(volunteer.id, 0),
            earlier_outcomes=frozenset(before.get(volunteer.id, ())))
        found = {reason for reason, _ in rules.reasons(candidate, chapter.code, days[volunteer.home_zone],
                                                        include_sme=include_sme)}
        if found:
            what = next((what for what, codes in _EXCLUDED if found & codes), None)
            if what:
                excluded[what] += 1
            continue
        tier = (0 if volunteer.chapter_code == chapter.code else 1 if volunteer.district_code == chapter.district_code
                else 2 if volunteer.region_code == chapter.region_code else 3)
        left = rules.capacity_left(candidate.capacity_assignments, candidate.cic_assignments_in_window)
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


def _counts(conn, statement, ids: list[int], params: dict) -> dict[int, int]:
    """Grouped counts for the mentors in `ids`, in IN-lists a database takes."""
    counts: dict[int, int] = {}
    for chunk in in_chunks(ids, CHUNK):
        counts.update(conn.execute(statement, dict(params, ids=list(chunk))).all())
    return counts


def _row(v, tier: int, expert: bool, load: int, accepted: int, left: int | None) -> dict:
    flags = []
    if v.classification == Classification.PROVISIONAL:
        flags.append("provisional")
    if v.classification == Classification.SME:
        flags.append("SME")
    if v.capacity_text and v.capacity_assignments is None:
        flags.append(f"capacity unknown ({v.capacity_text!r})")
    elif v.capacity_assignments is None:
        flags.append("capacity not given")
    capacity = "unknown" if left is None else f"{left} of {in_words(v.capacity_assignments, v.capacity_weeks)}"
    reason = (f"{TIERS[tier]} ({v.chapter_code}); {'expertise matches' if expert else 'no expertise match'};"
              f" {load} open; {accepted} accepted in 60 days; capacity left {capacity}")
    return {"email": v.email, "name": v.name, "chapter": v.chapter_code, "tier": TIERS[tier],
            "expertise_match": expert, "open_assignments": load, "accepted_60_days": accepted,
            "weekly_capacity_left": left, "classification": v.classification, "flags": flags,
            "reason": reason + (f"; {', '.join(flags)}" if flags else "")}


def _advice(excluded: dict[str, int], request_id: int) -> str:
    parts = [f"{n} {what.replace('_', ' ')}" for what, n in excluded.items() if n]
    why = "; ".join(parts) if parts else "no active mentors in reach"
    return (f"no eligible mentor for this request ({why}). Next: ask mentors nearby to serve clients outside"
            f" their area, try score assign {request_label(request_id)} --suggest --include-sme, or transfer it to"
            f" another chapter: score transfer-chapter {request_label(request_id)} CODE --reason TEXT")
