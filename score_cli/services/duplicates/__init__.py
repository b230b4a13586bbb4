"""Finding duplicate requests: the same client asking again, perhaps from another e-mail.

The articles admit "if the client has multiple email addresses, our system would not have
been able to catch that". This module catches it in four steps:

1. normalise what clients type: phone to E.164 (US by default), names without case,
   accents, punctuation, honorifics or middle initials, business names without LLC/Inc,
   e-mails without dots, plus-tags or case in the local part, questions as content words;
2. block: only requests sharing a key (client, canonical e-mail, phone, name + ZIP,
   name + business, initials + ZIP, rare question opening or ending) and submitted within
   the window of each other become candidate pairs, so the work stays far below n squared;
3. score each candidate pair from 0 to 1 with the reasons (`RULES` below): a name alone,
   or a phone shared by people with other names and businesses, is never enough;
4. group the pairs at or above the minimum score transitively (union-find) and name, in
   each group, the request to keep: the one being served (furthest along), then the oldest.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import select

from score_cli.services.organisation import permissions
from score_cli.domain.errors import Invalid
from score_cli.domain.vocabulary import PROGRESS
from score_cli.domain.vocabulary import request_label as label
from score_cli.domain.access import MINE, Record
from score_cli.services.organisation.scope import Scope, chapter_filter, resolve
from score_cli.services.timefmt import local
from score_cli.store.db import Store
from score_cli.store.models import Chapter, Client, ClientEmail, MentoringRequest
from score_cli.domain.vocabulary import OPEN_STATUSES

DEFAULT_MIN_SCORE = 0.6
DEFAULT_WINDOW_DAYS = 90

SAME_NAME = 0.88  # rapidfuzz token_sort_ratio / 100 from which two names are "the same person's"
SAME_BUSINESS = 0.9
SIMILAR_QUESTION = 0.9
QUESTION_WORDS = 6  # a question shorter than this (content words) says too little to compare
RARE_QUESTION = 5  # a question opening/ending shared by more requests than this is a common one
MAX_BLOCK = 100  # a key shared by more requests (an office switchboard, a call centre) finds no pairs

# Scores of the rules; a pair takes the best rule it meets, and each further agreeing
# signal closes a quarter of the distance left to 1. The "alone" rules stay below any
# sensible minimum: a common name alone, or a shared office phone, is not a duplicate.
RULES = {
    "client": 0.9,  # the same client record (an e-mail they share)
    "email": 0.9,  # e-mails equal but for dots, plus-tags or case
    "name+phone": 0.9,
    "name+business": 0.85,
    "name+zip": 0.75,
    "phone+business": 0.75,
    "question+other": 0.85,  # a rare, very similar question, and anything else in common
    "question": 0.65,  # a rare, very similar question on its own
    "phone": 0.35,
    "name": 0.3,
    "business": 0.25,
}

_RULE_NEEDS = [(frozenset(rule.split("+")), weight) for rule, weight in RULES.items()]

# The keeper of a group is the one furthest along (the rulebook's progress order), then the oldest.

_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "jr", "sr", "ii", "iii", "iv",
                         "phd", "md", "esq"})
_BUSINESS_NOISE = frozenset({"llc", "inc", "co", "corp", "corporation", "ltd", "company", "the", "and",
                             "pllc", "llp", "lp", "incorporated", "limited"})
_STOP = frozenset("""a an and are as at be but by can could do does don for from had has have how i i'm
    id im in is it its me my no not of on or our so that the their them there they this to too us was
    we what when where which who why will with would you your""".split())
_WORD = re.compile(r"[^\W_]+")
_MARKS = re.compile(r"[\u0300-\u036f]+")
_PHONE_CHARS = re.compile(r"^\+?[\d\s().-]+$")


# --- 1. normalising ---------------------------------------------------------------------


def fold(text: str | None) -> str:
    """Lower case without accents; apostrophes dropped so that O'Brien is obrien."""
    text = text or ""
    if not text.isascii():
        text = _MARKS.sub("", unicodedata.normalize("NFKD", text)).replace("\u2019", "")
    return text.lower().replace("'", "").replace("&", " and ")


@lru_cache(maxsize=100_000)
def name_key(name: str | None) -> str:
    """`Dr. José Q. García-Lopez` -> `garcia jose lopez`: sorted words, no initials or titles."""
    words = [w for w in _WORD.findall(fold(name)) if len(w) > 1 and w not in _HONORIFICS]
    return " ".join(sorted(words))


@lru_cache(maxsize=100_000)
def business_key(business: str | None) -> str:
    return " ".join(w for w in _WORD.findall(fold(business)) if w not in _BUSINESS_NOISE)


@lru_cache(maxsize=200_000)
def phone_key(phone: str | None) -> str | None:
    """E.164 (`+16175550100`), reading a number without a country code as a US one.

    Plain US numbers (10 digits, or 11 with the leading 1, in any of the usual
    punctuations) are converted directly, which is what `phonenumbers` gives for them at a
    hundredth of the cost; anything else (other countries, letters, extensions) goes
    through `phonenumbers`. Returns None when the text is not a possible number.
    """
    text = (phone or "").strip()
    if not text:
        return None
    if _PHONE_CHARS.match(text):
        digits = re.sub(r"\D", "", text)
        if len(digits) == 10 and not text.startswith("+"):
            return "+1" + digits
        if len(digits) == 11 and digits[0] == "1":
            return "+" + digits
    import phonenumbers

    try:
        parsed = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def email_key(email: str) -> str:
    """`Jo.Smith+score@Gmail.com` -> `josmith@gmail.com`."""
    local_part, _, domain = email.lower().rpartition("@")
    local_part = local_part.partition("+")[0].replace(".", "")
    return f"{local_part}@{'gmail.com' if domain == 'googlemail.com' else domain}"


@lru_cache(maxsize=50_000)
def question_words(question: str | None) -> list[str]:
    return [w for w in _WORD.findall(fold(question)) if len(w) > 1 and w not in _STOP]


def zip5(zip_code: str | None) -> str | None:
    text = (zip_code or "").strip()
    return text[:5] if len(text) >= 5 and text[:5].isdigit() else None


# --- 2. the requests and their blocking keys --------------------------------------------


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
    question: str  # content words joined; "" when too short to compare
    question_keys: tuple[int, ...]  # hashes of the opening and the ending
    rare_question: bool = False


def _candidate(row, emails: dict[int, list[str]]) -> Candidate:
    (number, client_id, chapter, status, submitted, question, name, phone, business, zip_code) = row
    words = question_words(question)
    text, question_keys = "", ()
    if len(words) >= QUESTION_WORDS:
        text = " ".join(words)
        question_keys = (hash(("first", *words[:5])), hash(("last", *words[-5:])))
    return Candidate(number, client_id, chapter, status, submitted, name, name_key(name), phone_key(phone),
                     business_key(business), business, zip5(zip_code),
                     tuple({email_key(e) for e in emails.get(client_id, ())}), text, question_keys)


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
    are skipped; so are question blocks larger than RARE_QUESTION (common questions).
    """
    seconds = window.total_seconds()
    stamps = [c.submitted_at.timestamp() for c in found]
    blocks = _blocks((i, block_keys(c)) for i, c in enumerate(found))
    questions = _blocks((i, c.question_keys) for i, c in enumerate(found))
    for c in found:
        c.rare_question = any(len(questions.get(k, ())) <= RARE_QUESTION for k in c.question_keys)
    pairs: set[tuple[int, int]] = set()
    for limit_size, members_list in ((MAX_BLOCK, blocks.values()), (RARE_QUESTION, questions.values())):
        for members in members_list:
            if len(members) > limit_size:
                continue
            for x, i in enumerate(members):
                limit = stamps[i] + seconds
                for j in members[x + 1:]:
                    if stamps[j] > limit:
                        break
                    pairs.add((i, j))
    return pairs


# --- 3. scoring -----------------------------------------------------------------------


def score_pair(a: Candidate, b: Candidate) -> tuple[float, list[str]]:
    """How sure we are that two requests come from the same client (0..1), and why."""
    from rapidfuzz import fuzz

    signals: set[str] = set()
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
    similarity = 0.0
    if a.name and b.name:
        similarity = 1.0 if a.name == b.name else fuzz.token_sort_ratio(a.name, b.name) / 100
        if similarity >= SAME_NAME:
            signals.add("name")
            names = _as_typed(a.client_name, b.client_name)
            reasons.append(f"same name ({names})" if similarity == 1.0 else
                           f"similar names ({names}: {similarity:.0%})")
    if a.business and b.business and (a.business == b.business
                                      or fuzz.token_sort_ratio(a.business, b.business) / 100 >= SAME_BUSINESS):
        signals.add("business")
        reasons.append(f"same business ({_as_typed(a.business_shown, b.business_shown)})")
    if a.zip and a.zip == b.zip:
        signals.add("zip")
        reasons.append(f"same ZIP {a.zip}")
    if a.question and b.question and a.rare_question and b.rare_question:
        ratio = 1.0 if a.question == b.question else fuzz.ratio(a.question, b.question) / 100
        if ratio >= SIMILAR_QUESTION:
            signals.add("question")
            reasons.append(f"very similar question ({ratio:.0%})")
    score = combine(signals, similarity)
    days = abs((a.submitted_at - b.submitted_at).total_seconds()) / 86400
    reasons.append(f"submitted {days:.0f} day{'s' if round(days) != 1 else ''} apart")
    return round(min(score, 1.0), 2), reasons


def _as_typed(first: str | None, second: str | None) -> str:
    first, second = (first or "").strip(), (second or "").strip()
    return first if first == second else f"{first} / {second}"


def combine(signals: set[str], name_similarity: float = 1.0) -> float:
    """The best rule the signals meet (name rules scaled by the name similarity), then each
    further agreeing signal closes a quarter of the distance left to 1."""
    base, used = 0.0, frozenset()
    for needs, weight in _RULE_NEEDS:
        if "other" in needs:
            others = [s for s in ("name", "phone", "business", "zip") if s in signals]
            if not others:
                continue
            needs = frozenset({"question", others[0]})
        if needs <= signals:
            score = weight * (name_similarity if "name" in needs else 1.0)
            if score > base:
                base, used = score, needs
    extra = len(signals - used)
    return base + (1 - base) * (1 - 0.75 ** extra)


# --- 4. grouping and choosing the request to keep ---------------------------------------


def keeper_order(c: Candidate) -> tuple:
    return (-PROGRESS.get(c.status, -1), c.submitted_at, c.id)  # a closed request is kept last


@dataclass
class Found:
    rows: list[dict]
    requests: int  # how many requests were compared
    pairs: int  # how many candidate pairs were scored
    groups: int = 0
    withdraw: int = 0


def find(store: Store, actor_email: str | None, scope: Scope | None, *, min_score: float = DEFAULT_MIN_SCORE,
         window_days: int = DEFAULT_WINDOW_DAYS, include_all: bool = False) -> Found:
    """Groups of probable duplicates in the scope, one row per request, keepers first.

    Only groups with something to withdraw are listed unless `include_all`.
    """
    if not 0 <= min_score <= 1:
        raise Invalid(f"--min-score must be between 0 and 1, not {min_score}")
    if window_days < 1:
        raise Invalid(f"--window-days must be at least 1, not {window_days}")
    found, zones = _load(store, actor_email, scope)
    pairs = candidate_pairs(found, timedelta(days=window_days))
    parent = list(range(len(found)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    edges: dict[int, list[tuple[float, int, list[str]]]] = defaultdict(list)
    for i, j in pairs:
        score, reasons = score_pair(found[i], found[j])
        if score >= min_score:
            edges[i].append((score, j, reasons))
            edges[j].append((score, i, reasons))
            parent[root(i)] = root(j)
    members: dict[int, list[int]] = defaultdict(list)
    for i in edges:
        members[root(i)].append(i)
    result = Found([], len(found), len(pairs))
    groups = sorted((sorted(m, key=lambda i: keeper_order(found[i])) for m in members.values()),
                    key=lambda m: min(found[i].submitted_at for i in m))
    for group in groups:
        rows = _group_rows(found, group, edges, zones)
        withdraw = sum(r["action"] == "withdraw" for r in rows)
        if withdraw or include_all:
            result.groups += 1
            result.withdraw += withdraw
            for r in rows:
                r["group"] = result.groups
            result.rows.extend(rows)
    return result


def _group_rows(found: list[Candidate], group: list[int], edges, zones: dict[str, str]) -> list[dict]:
    keeper = found[group[0]]
    progress = PROGRESS.get(keeper.status, 0)
    if progress and any(PROGRESS.get(found[i].status, 0) < progress for i in group[1:]):
        why = f"kept: {keeper.status}, the furthest along"
    elif progress:
        why = "kept: the oldest open request"
    else:
        why = "kept: all are closed; the oldest"
    rows = []
    for i in group:
        c = found[i]
        best = max(edges[i], key=lambda e: (e[1] == group[0], e[0]))  # the link to the keeper if any
        score, other, reasons = best
        if i == group[0]:
            action, reasons = "keep", [why]
        else:
            action = "withdraw" if c.status in OPEN_STATUSES else "none"
            reasons = ([] if action == "withdraw" else [f"already {c.status}"]) + \
                ([] if other == group[0] else [f"via {label(found[other].id)}"]) + reasons
        rows.append({"group": 0, "id": label(c.id), "action": action, "keeper": label(keeper.id),
                     "score": score, "reasons": reasons, "client": c.client_name.strip(), "client_id": c.client_id,
                     "chapter": c.chapter, "status": c.status,
                     "submitted_at": local(c.submitted_at, zones.get(c.chapter, "UTC"))})
    return rows


def _load(store: Store, actor_email: str | None, scope: Scope | None) -> tuple[list[Candidate], dict[str, str]]:
    r = MentoringRequest
    with store.reading() as session:
        actor = permissions.load_actor(session, actor_email)
        scope = resolve(session, actor, scope, Record.REQUESTS)
        query = (select(r.id, r.client_id, r.chapter_code, r.status, r.submitted_at, r.question,
                        Client.name, Client.phone, Client.business_name, Client.zip)
                 .join(Client, Client.id == r.client_id))
        if scope.kind == MINE:
            where = r.owner_id == actor.id
        else:
            where = chapter_filter(scope, r.chapter_code)
        emails_query = select(ClientEmail.client_id, ClientEmail.email)
        if where is not None:
            query = query.where(where)
            emails_query = emails_query.where(ClientEmail.client_id.in_(select(r.client_id).where(where)))
        emails: dict[int, list[str]] = defaultdict(list)
        connection = session.connection()  # plain rows: no ORM bookkeeping for 100,000 of them
        for part in connection.execute(emails_query).partitions(5000):
            for client_id, email in part:
                emails[client_id].append(email)
        zones = dict(connection.execute(select(Chapter.code, Chapter.timezone)).all())
        found = [_candidate(row, emails) for part in connection.execute(query.order_by(r.submitted_at, r.id))
                 .partitions(5000) for row in part]
    return found, zones
