"""The signals of planned pairs as the store has them now, for `withdraw --bulk` to re-check
each row of a plan at apply time (a client may have changed since the plan was made)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from score_cli.services.duplicates.scoring import judge, signal_names
from score_cli.services.duplicates.signals import Candidate, candidate
from score_cli.store.hints import in_chunks
from score_cli.store.models import Client, ClientEmail, MentoringRequest


@dataclass
class PairNow:
    score: float
    identity: bool
    signals: list[str]
    request: Candidate
    keeper: Candidate


def candidates(session, ids: list[int]) -> dict[int, Candidate]:
    r = MentoringRequest
    rows = []
    for chunk in in_chunks(sorted(set(ids))):
        rows += session.execute(
            select(r.id, r.client_id, r.chapter_code, r.status, r.submitted_at, r.question,
                   Client.name, Client.phone, Client.business_name, Client.zip, r.version)
            .join(Client, Client.id == r.client_id).where(r.id.in_(chunk))).all()
    emails: dict[int, list[str]] = defaultdict(list)
    for chunk in in_chunks(sorted({row[1] for row in rows})):
        for client_id, email in session.execute(select(ClientEmail.client_id, ClientEmail.email)
                                                .where(ClientEmail.client_id.in_(chunk))):
            emails[client_id].append(email)
    return {row[0]: candidate(tuple(row), emails) for row in rows}


def pair_now(found: dict[int, Candidate], rid: int, keeper: int) -> PairNow | None:
    """What a request and its keeper share now (None if either is gone)."""
    if rid not in found or keeper not in found:
        return None
    score, identity, evidence = judge(found[rid], found[keeper])
    return PairNow(round(score, 2), identity, signal_names(evidence.signals), found[rid], found[keeper])
