"""What two requests have in common: their blocking keys, and the signals a pair shares.

Only requests sharing a key (client, canonical e-mail, phone, name + ZIP, initials + ZIP,
name + business) and submitted within the window of each other become candidate pairs, so
the work stays far below n squared. A question is never a key: it is only a hint, and a
question's words weigh by how rare they are across all the requests compared (a word many
requests use weighs nothing, so a common question says nothing).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import log

from score_cli.services.duplicates.normalise import business_key, email_key, name_key, phone_key, question_words, zip5

SAME_NAME = 0.88  # rapidfuzz token_sort_ratio / 100 from which two names are "the same person's"
SAME_BUSINESS = 0.9
SIMILAR_QUESTION = 0.9  # weighted share of the rare words two questions have in common
QUESTION_WORDS = 6  # a question shorter than this (content words) says too little to compare
SHARED_RARE_WORDS = 3  # and two questions must share at least this many words that weigh something
RARE_QUESTION = 5  # a word used in more requests than this, and than COMMON_SHARE of them, weighs nothing
COMMON_SHARE = 0.001
MAX_BLOCK = 100  # a key shared by more requests (an office switchboard, a call centre) finds no pairs


@dataclass(slots=True)
class Candidate:
    id: int
    client_id: int
    chapter: str
    status: str
    submitted_at: datetime
    client_name: str  # as typed
    name: str  # name_key
    phone: str | None
    business: str  # business_key
    business_shown: str | None
    zip: str | None
    emails: tuple[str, ...]  # email_key of each
    words: tuple[str, ...]  # the question's content words; () when too short to compare
    emails_shown: tuple[str, ...] = ()  # as stored
    version: int = 1
    question: dict[str, float] = field(default_factory=dict)  # word -> weight (see weigh_questions)


def candidate(row, emails: dict[int, list[str]]) -> Candidate:
    (number, client_id, chapter, status, submitted, question, name, phone, business, zip_code, *version) = row
    words = question_words(question)
    shown = tuple(sorted(emails.get(client_id, ())))
    return Candidate(number, client_id, chapter, status, submitted, name, name_key(name), phone_key(phone),
                     business_key(business), business, zip5(zip_code), tuple({email_key(e) for e in shown}),
                     tuple(words) if len(words) >= QUESTION_WORDS else (), shown, version[0] if version else 1)


def weigh_questions(found: list[Candidate]) -> None:
    """Give each question's words their weight, log(1 + n / requests using the word); a word
    used by more than RARE_QUESTION requests and COMMON_SHARE of them weighs nothing."""
    used = Counter()
    for c in found:
        used.update(set(c.words))
    n = len(found)
    common = max(RARE_QUESTION, COMMON_SHARE * n)
    weights = {w: log(1 + n / k) for w, k in used.items() if k <= common}
    for c in found:
        c.question = {w: weights[w] for w in c.words if w in weights}


def block_keys(c: Candidate) -> list[int]:
    """The blocks a request falls in. Keys are hashed to save memory: two keys sharing a
    hash only add a candidate pair, which the scoring then judges on its merits."""
    keys = [hash(("client", c.client_id))]
    keys += [hash(("email", e)) for e in c.emails]
    if c.phone:
        keys.append(hash(("phone", c.phone)))
    if c.name and c.zip:
        keys.append(hash(("name+zip", c.name, c.zip)))
        keys.append(hash(("initials+zip", "".join(w[0] for w in c.name.split()), c.zip)))
    if c.name and c.business:
        keys.append(hash(("name+business", c.name, c.business)))
    return keys


def _blocks(keyed) -> dict[int, list[int]]:
    """{key: members} for the keys shared by at least two requests (in request order)."""
    first: dict[int, int] = {}  # most keys belong to one request only: no list for them
    blocks: dict[int, list[int]] = {}
    for i, keys in keyed:
        for key in keys:
            j = first.setdefault(key, i)
            if j != i:
                members = blocks.get(key)
                if members is None:
                    blocks[key] = [j, i]
                elif members[-1] != i:
                    members.append(i)
    return blocks


def candidate_pairs(found: list[Candidate], window: timedelta) -> set[tuple[int, int]]:
    """Index pairs (i < j) sharing a key and submitted within `window` of each other.

    `found` is in submission order, so every block lists its members in that order too.
    Blocks larger than MAX_BLOCK (a switchboard, a call centre) are not discriminating and
    are skipped. Also weighs the questions' words (`weigh_questions`).
    """
    weigh_questions(found)
    seconds = window.total_seconds()
    stamps = [c.submitted_at.timestamp() for c in found]
    pairs: set[tuple[int, int]] = set()
    for members in _blocks((i, block_keys(c)) for i, c in enumerate(found)).values():
        if len(members) > MAX_BLOCK:
            continue
        for x, i in enumerate(members):
            limit = stamps[i] + seconds
            for j in members[x + 1:]:
                if stamps[j] > limit:
                    break
                pairs.add((i, j))
    return pairs


@dataclass
class Evidence:
    signals: set[str]  # client, email, phone, name, business, zip, question
    conflicts: set[str]  # phone, business, zip: given by both and different
    name_similarity: float
    reasons: list[str]


def compare(a: Candidate, b: Candidate) -> Evidence:
    """The signals two requests share, the details they contradict, and why, in words."""
    from rapidfuzz import fuzz

    signals: set[str] = set()
    conflicts: set[str] = set()
    reasons: list[str] = []
    if a.client_id == b.client_id:
        signals.add("client")
        reasons.append("same client record")
    elif shared := set(a.emails).intersection(b.emails):
        signals.add("email")
        reasons.append(f"e-mails equal but for dots, plus-tag or case ({min(shared)})")
    if a.phone and a.phone == b.phone:
        signals.add("phone")
        reasons.append(f"same phone {a.phone}")
    elif a.phone and b.phone:
        conflicts.add("phone")
    similarity = 0.0
    if a.name and b.name:
        similarity = 1.0 if a.name == b.name else fuzz.token_sort_ratio(a.name, b.name) / 100
        if similarity >= SAME_NAME:
            signals.add("name")
            names = _as_typed(a.client_name, b.client_name)
            reasons.append(f"same name ({names})" if similarity == 1.0 else
                           f"similar names ({names}: {similarity:.0%})")
    if a.business and b.business:
        if a.business == b.business or fuzz.token_sort_ratio(a.business, b.business) / 100 >= SAME_BUSINESS:
            signals.add("business")
            reasons.append(f"same business ({_as_typed(a.business_shown, b.business_shown)})")
        else:
            conflicts.add("business")
    if a.zip and a.zip == b.zip:
        signals.add("zip")
        reasons.append(f"same ZIP {a.zip}")
    elif a.zip and b.zip:
        conflicts.add("zip")
    ratio = question_similarity(a, b)
    if ratio >= SIMILAR_QUESTION:
        signals.add("question")
        reasons.append(f"hint: very similar, uncommon question ({ratio:.0%})")
    if conflicts and signals & {"name", "phone"} and not signals & {"client", "email"}:
        reasons.append("different " + ", ".join(sorted(conflicts)).replace("zip", "ZIP"))
    days = abs((a.submitted_at - b.submitted_at).total_seconds()) / 86400
    reasons.append(f"submitted {days:.0f} day{'s' if round(days) != 1 else ''} apart")
    return Evidence(signals, conflicts, similarity, reasons)


def question_similarity(a: Candidate, b: Candidate) -> float:
    """The weighted share of the two questions' words that both use (0 when they share
    fewer than SHARED_RARE_WORDS words that weigh something)."""
    if not a.question or not b.question:
        return 0.0
    both = a.question.keys() & b.question.keys()
    if len(both) < SHARED_RARE_WORDS:
        return 0.0
    shared = sum(a.question[w] for w in both)
    total = shared + sum(v for w, v in a.question.items() if w not in both) + \
        sum(v for w, v in b.question.items() if w not in both)
    return shared / total if total else 0.0


def _as_typed(first: str | None, second: str | None) -> str:
    first, second = (first or "").strip(), (second or "").strip()
    return first if first == second else f"{first} / {second}"
