"""Groups of duplicates over the whole store, the request to keep in each, and the plan's rows.

The pairs with an identity signal at or above the minimum score are grouped transitively
(union-find) over every request in the store, so the groups and their keepers do not depend
on the scope the finder ran in: a scope only chooses which groups are shown (those with a
request in it). The keeper of a group is the request being served (furthest along), then the
oldest. A request is planned for withdrawal only when it shares an identity signal with its
keeper directly; one linked to it only through another request is left for a person to review.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from score_cli.domain.errors import Invalid
from score_cli.domain.vocabulary import OPEN_STATUSES, PROGRESS
from score_cli.domain.vocabulary import request_label as label
from score_cli.services.duplicates.scoring import DEFAULT_MIN_SCORE, judge, signal_names
from score_cli.services.duplicates.signals import Candidate, candidate, candidate_pairs
from score_cli.services.organisation import permissions
from score_cli.domain.access import MINE, Place, Record, may_read
from score_cli.services.organisation.scope import Scope, chapter_filter, resolve
from score_cli.services.timefmt import local
from score_cli.store.db import Store
from score_cli.store.models import Chapter, Client, ClientEmail, District, MentoringRequest

DEFAULT_WINDOW_DAYS = 90
OUTSIDE = "(outside your scope)"



def keeper_order(c: Candidate) -> tuple:
    """The keeper of a group is the one furthest along (the rulebook's progress order; a closed
    request last), then the oldest."""
    return (-PROGRESS.get(c.status, -1), c.submitted_at, c.id)


@dataclass
class Found:
    rows: list[dict]
    requests: int  # how many requests were compared
    pairs: int  # how many candidate pairs were scored
    groups: int = 0
    withdraw: int = 0


@dataclass
class _Link:
    score: float
    other: int
    signals: list[str]
    reasons: list[str]


@dataclass
class _Seen:
    """What the finder loaded: every request, and which of them the scope and the actor see."""
    found: list[Candidate]
    zones: dict[str, str]
    in_scope: object  # a Candidate -> bool
    readable: object  # a Candidate -> bool


def find(store: Store, actor_email: str | None, scope: Scope | None, *, min_score: float = DEFAULT_MIN_SCORE,
         window_days: int = DEFAULT_WINDOW_DAYS, include_all: bool = False) -> Found:
    """Groups of probable duplicates touching the scope, one row per request, keepers first.

    Only groups with something to withdraw are listed unless `include_all`.
    """
    if not 0 <= min_score <= 1:
        raise Invalid(f"--min-score must be between 0 and 1, not {min_score}")
    if window_days < 1:
        raise Invalid(f"--window-days must be at least 1, not {window_days}")
    seen = _load(store, actor_email, scope)
    found = seen.found
    pairs = candidate_pairs(found, timedelta(days=window_days))
    parent = list(range(len(found)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    links: dict[int, dict[int, _Link]] = defaultdict(dict)
    for i, j in pairs:
        score, identity, evidence = judge(found[i], found[j])
        if identity and score >= min_score:
            names = signal_names(evidence.signals)
            links[i][j] = _Link(round(score, 2), j, names, evidence.reasons)
            links[j][i] = _Link(round(score, 2), i, names, evidence.reasons)
            parent[root(i)] = root(j)
    members: dict[int, list[int]] = defaultdict(list)
    for i in links:
        members[root(i)].append(i)
    result = Found([], len(found), len(pairs))
    groups = sorted((sorted(m, key=lambda i: keeper_order(found[i])) for m in members.values()),
                    key=lambda m: min(found[i].submitted_at for i in m))
    for group in groups:
        if not any(seen.in_scope(found[i]) for i in group):
            continue
        rows = _group_rows(seen, group, links)
        withdraw = sum(r["action"] == "withdraw" for r in rows)
        if withdraw or include_all:
            result.groups += 1
            result.withdraw += withdraw
            for r in rows:
                r["group"] = result.groups
            result.rows.extend(rows)
    return result


def _group_rows(seen: _Seen, group: list[int], links: dict[int, dict[int, _Link]]) -> list[dict]:
    found = seen.found
    keeper = found[group[0]]
    progress = PROGRESS.get(keeper.status, 0)
    if progress and any(PROGRESS.get(found[i].status, 0) < progress for i in group[1:]):
        why = f"kept: {keeper.status}, the furthest along"
    elif progress:
        why = "kept: the oldest open request"
    else:
        why = "kept: all are closed; the oldest"
    keeper_shown = _client(seen, keeper)
    rows = []
    for i in group:
        c = found[i]
        direct = links[i].get(group[0])
        if i == group[0]:
            action, score, signals, reasons = "keep", None, [], [why]
        else:
            link = direct or max(links[i].values(), key=lambda k: k.score)
            score, signals = link.score, link.signals
            if c.status not in OPEN_STATUSES:
                action, reasons = "none", [f"already {c.status}"] + link.reasons
            elif direct is None:
                action = "review"
                reasons = [f"linked to the keeper only through {label(found[link.other].id)}: check by hand"] + \
                    link.reasons
            else:
                action, reasons = "withdraw", link.reasons
        name, emails = _client(seen, c)
        rows.append({"group": 0, "id": label(c.id), "action": action, "keeper": label(keeper.id),
                     "score": score, "signals": signals, "reasons": reasons,
                     "client": name, "client_emails": emails,
                     "keeper_client": keeper_shown[0], "keeper_emails": keeper_shown[1],
                     "client_id": c.client_id, "chapter": c.chapter, "status": c.status, "version": c.version,
                     "submitted_at": local(c.submitted_at, seen.zones.get(c.chapter, "UTC"))})
    return rows


def _client(seen: _Seen, c: Candidate) -> tuple[str, list[str]]:
    if not seen.readable(c):
        return OUTSIDE, []
    return c.client_name.strip(), list(c.emails_shown)


def _chapters(connection, scope: Scope) -> set[str] | None:
    """The chapter codes of a scope (None: every chapter)."""
    where = chapter_filter(scope, Chapter.code)
    if where is None:
        return None
    return set(connection.execute(select(Chapter.code).where(where)).scalars())


def _load(store: Store, actor_email: str | None, scope: Scope | None) -> _Seen:
    r = MentoringRequest
    with store.reading() as session:
        actor = permissions.load_actor(session, actor_email)
        scope = resolve(session, actor, scope, Record.REQUESTS)
        connection = session.connection()  # plain rows: no ORM bookkeeping for 100,000 of them
        mine = set(connection.execute(select(r.id).where(r.owner_id == actor.id)).scalars())
        if scope.kind == MINE:
            in_scope = lambda c: c.id in mine  # noqa: E731
        else:
            chapters = _chapters(connection, scope)
            in_scope = (lambda c: True) if chapters is None else (lambda c: c.chapter in chapters)  # noqa: E731
        # whose client details the actor may read: the rulebook asked once per chapter
        places = {code: Place(code, district, region, bool(live)) for code, district, region, live in connection.execute(
            select(Chapter.code, Chapter.district_code, District.region_code, Chapter.live)
            .join(District, District.code == Chapter.district_code))}
        reach = {code for code, place in places.items() if may_read(actor, Record.REQUESTS, place)}
        readable = lambda c: c.chapter in reach or c.id in mine  # noqa: E731
        query = (select(r.id, r.client_id, r.chapter_code, r.status, r.submitted_at, r.question,
                        Client.name, Client.phone, Client.business_name, Client.zip, r.version)
                 .join(Client, Client.id == r.client_id))
        emails: dict[int, list[str]] = defaultdict(list)
        for part in connection.execute(select(ClientEmail.client_id, ClientEmail.email)).partitions(5000):
            for client_id, email in part:
                emails[client_id].append(email)
        zones = dict(connection.execute(select(Chapter.code, Chapter.timezone)).all())
        found = [candidate(row, emails) for part in connection.execute(query.order_by(r.submitted_at, r.id))
                 .partitions(5000) for row in part]
    return _Seen(found, zones, in_scope, readable)
