"""`score report conversion`: the "Client Conversion Report", per chapter, district or region.

The cohort is the requests submitted in the period (each chapter's own dates), grouped by the
chapter they belong to now. A request counts at each step it ever reached, from the milestones
written once when first reached, so a request that was accepted and later returned still
counts as accepted:

    submitted   every request of the cohort
    assigned    first_assigned_at is set
    accepted    first_accepted_at is set
    contacted   first_contacted_at is set, or a session is recorded (a client counseled
                without a logged contact attempt was contacted all the same)
    counseled   at least one session recorded (first_session_at is set)

and by where it stands now: open, or closed with each closing status. Percentages are of
the requests submitted. One SQL statement grouped by chapter and status; districts and regions
are sums of their chapters.
"""

from __future__ import annotations

from sqlalchemy import func, select

from score_cli import clock
from score_cli.domain.errors import Invalid
from score_cli.services.reports.common import Period, Run, open_run, pct, recent
from score_cli.services.reports.metrics import cohort_where
from score_cli.services.organisation.scope import Scope
from score_cli.store.db import Store
from score_cli.store.models import MentoringRequest
from score_cli.domain.vocabulary import CLOSED_STATUSES, OPEN_STATUSES, ScopeKind, Status

STEPS = ("submitted", "assigned", "accepted", "contacted", "counseled")
CLOSED = tuple(s.value for s in Status if s in CLOSED_STATUSES)  # in the vocabulary's order
GROUPINGS = ("chapter", "district", "region", "total")
COUNTS = STEPS + ("open",) + tuple(f"closed_{s}" for s in CLOSED)


def default_grouping(scope: Scope) -> str:
    return {ScopeKind.CHAPTER: "chapter", ScopeKind.DISTRICT: "chapter", ScopeKind.REGION: "district",
            ScopeKind.NATIONAL: "region"}.get(scope.kind, "total")


def conversion(store: Store, actor_email: str | None, scope: Scope | None, period: Period | None = None, *,
               by: str | None = None) -> list[dict]:
    if by is not None and by not in GROUPINGS:
        raise Invalid(f"--by must be one of {', '.join(GROUPINGS)}, not {by!r}")
    with store.reading() as session:
        now = clock.now()
        run = open_run(session, actor_email, scope, recent(period, now), now)
        by = by or default_grouping(run.scope)
        R = MentoringRequest

        # One row per (chapter, status) with counts of the milestones reached. Grouped by an
        # expression, not the column: the database then reads the table in one pass instead of
        # walking the (chapter, status) index with a random read per row.
        chapter = (R.chapter_code + "").label("chapter")
        query = select(chapter, R.status, func.count(), func.count(R.first_assigned_at),
                       func.count(R.first_accepted_at),
                       func.count(func.coalesce(R.first_contacted_at, R.first_session_at)),
                       func.count(R.first_session_at)).group_by(chapter, R.status)
        where = cohort_where(run)
        if where is not None:
            query = query.where(where)
        groups: dict[str, list[int]] = {}
        for code, status, *steps in session.execute(query).all():
            into = groups.setdefault(_group_key(run, code, by), [0] * len(COUNTS))
            for i, n in enumerate(steps):
                into[i] += n
            into[COUNTS.index("open" if status in OPEN_STATUSES else f"closed_{status}")] += steps[0]
        return [_row(run, by, key, groups[key]) for key in sorted(groups)]


def _group_key(run: Run, code: str, by: str) -> str:
    ch = run.chapters.get(code)
    if by == "chapter" or ch is None:
        return code
    if by == "district":
        return ch.district
    if by == "region":
        return ch.region
    return "total"


def _row(run: Run, by: str, key: str, counts: list[int]) -> dict:
    row = {"group": key, "group_kind": by, **run.describe()}
    row.update(funnel(dict(zip(COUNTS, counts, strict=True))))
    return row


def funnel(counts: dict[str, int]) -> dict:
    """The counts with a percentage of the submitted requests after each."""
    submitted = counts["submitted"]
    out = {}
    for name in COUNTS:
        out[name] = counts[name]
        if name != "submitted":
            out[f"{name}_pct"] = pct(counts[name], submitted)
    return out


def total(rows: list[dict]) -> dict:
    """The rows added up (for the table's last line)."""
    return {"group": "total", **funnel({name: sum(r[name] for r in rows) for name in COUNTS})}
