"""How sure we are that two requests come from the same client (0..1), and whether a plan may
withdraw one for the other.

A pair may only be grouped (and so withdrawn) with an identity signal (SPEC §10): a shared
client record or normalised e-mail, the same name with the same phone, business or ZIP, or
the same phone and business. Everything else (a phone, a name, a business alone, a similar
question) is a hint: it can raise the score of a pair that has an identity signal, never
make one. A detail the two requests both give and that differs (another phone, business or
ZIP) lowers the score of a pair that rests on a name or a phone.
"""

from __future__ import annotations

from score_cli.services.duplicates.signals import Candidate, Evidence, compare

DEFAULT_MIN_SCORE = 0.6

# Scores of the rules; a pair takes the best rule it meets, and each further agreeing
# signal closes a quarter of the distance left to 1.
RULES = {
    "client": 0.95,  # the same client record (an e-mail they share)
    "email": 0.95,  # e-mails equal but for dots, plus-tags or case
    "name+phone": 0.9,
    "name+business": 0.85,
    "name+zip": 0.75,
    "phone+business": 0.75,
    # hints: never enough on their own, whatever --min-score says
    "phone": 0.35,
    "question": 0.3,
    "name": 0.3,
    "business": 0.25,
}
IDENTITY = frozenset({"client", "email", "name+phone", "name+business", "name+zip", "phone+business"})
# Each detail both requests give, and differently, scales a name or phone rule by this: a
# business is renamed more often than a phone or a ZIP changes.
CONFLICT = {"phone": 0.7, "zip": 0.7, "business": 0.75}
NOT_IDENTITY_CAP = 0.5  # the most a pair without an identity signal can score

_RULE_NEEDS = [(rule, frozenset(rule.split("+")), weight) for rule, weight in RULES.items()]


def best_rule(signals: set[str], name_similarity: float = 1.0) -> tuple[str | None, float]:
    """The best rule the signals meet, with its weight (name rules scaled by the similarity)."""
    best, base = None, 0.0
    for rule, needs, weight in _RULE_NEEDS:
        if needs <= signals:
            score = weight * (name_similarity if "name" in needs else 1.0)
            if score > base:
                best, base = rule, score
    return best, base


def combine(signals: set[str], name_similarity: float = 1.0, conflicts: set[str] = frozenset()) -> float:
    """The best rule's weight, each further agreeing signal closing a quarter of the distance
    left to 1, each contradicting detail scaling a name or phone rule by CONFLICT."""
    rule, base = best_rule(signals, name_similarity)
    if rule is None:
        return 0.0
    extra = len(signals - set(rule.split("+")))
    score = base + (1 - base) * (1 - 0.75 ** extra)
    if rule not in ("client", "email"):
        for detail in conflicts:
            score *= CONFLICT[detail]
    if rule not in IDENTITY:
        score = min(score, NOT_IDENTITY_CAP)
    return score


def is_identity(signals: set[str]) -> bool:
    return any(needs <= signals for rule, needs, _ in _RULE_NEEDS if rule in IDENTITY)


def judge(a: Candidate, b: Candidate) -> tuple[float, bool, Evidence]:
    """(score, whether an identity signal holds, the evidence) for a pair; the score is not
    rounded, so that a pair just under the minimum stays under it."""
    evidence = compare(a, b)
    score = combine(evidence.signals, evidence.name_similarity, evidence.conflicts)
    return min(score, 1.0), is_identity(evidence.signals), evidence


def score_pair(a: Candidate, b: Candidate) -> tuple[float, list[str]]:
    """How sure we are that two requests come from the same client (0..1), and why."""
    score, _identity, evidence = judge(a, b)
    return round(score, 2), evidence.reasons


def signal_names(signals: set[str]) -> list[str]:
    """The signals in a fixed order, as the plan shows them."""
    order = ["client", "email", "phone", "name", "business", "zip", "question"]
    return [s for s in order if s in signals]
