"""Clients of the demo: new ones, repeat clients and people who submit twice.

Only a bounded sample of past clients is remembered (a reservoir for repeat clients, a
short window for duplicates), so a million requests never pile up in memory.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random

from score_cli.demo import texts

RESERVOIR = 20_000
RECENT = 400
DUPLICATE_WITHIN = timedelta(days=6)
# Primary and second addresses use different domains, and every local part ends with the
# client id: addresses are unique by construction, with no set of all e-mails in memory.
PRIMARY_DOMAINS = ("example.com", "example.net", "mail.example.com")
SECOND_DOMAINS = ("biz.example.net", "work.example.com")


@dataclass(slots=True)
class ClientInfo:
    id: int
    first: str
    last: str
    name: str
    phone: str | None
    business: str | None
    zip: str | None
    chapter: str
    first_request: int  # the request that brought them
    submitted_at: datetime
    question: str = ""  # what they asked first


class Clients:
    def __init__(self, rng: Random):
        self.rng = rng
        self._reservoir: list[ClientInfo] = []
        self._seen = 0
        self._recent: deque[ClientInfo] = deque(maxlen=RECENT)

    # -- choosing who submits ----------------------------------------------------------

    def repeat(self) -> ClientInfo | None:
        """A client seen before, any time in the past."""
        return self.rng.choice(self._reservoir) if self._reservoir else None

    def duplicate_of(self, at: datetime) -> ClientInfo | None:
        """Someone who submitted in the last few days (they will come back with a new e-mail)."""
        within = 0
        for client in reversed(self._recent):  # newest first
            if at - client.submitted_at > DUPLICATE_WITHIN:
                break
            within += 1
        if not within:
            return None
        return self._recent[len(self._recent) - 1 - self.rng.randrange(within)]

    def recent(self) -> ClientInfo | None:
        """Someone who submitted lately."""
        return self._recent[self.rng.randrange(len(self._recent))] if self._recent else None

    def remember(self, client: ClientInfo) -> None:
        """Reservoir sampling (algorithm R) keeps a uniform sample of all clients so far."""
        self._seen += 1
        if len(self._reservoir) < RESERVOIR:
            self._reservoir.append(client)
        else:
            j = self.rng.randrange(self._seen)
            if j < RESERVOIR:
                self._reservoir[j] = client
        self._recent.append(client)

    # -- making rows ---------------------------------------------------------------------

    def new(self, chapter, request_id: int, at: datetime, batch, like: ClientInfo | None = None,
            fields: tuple | None = None) -> ClientInfo:
        """A new client row with its e-mail(s); `like` copies a person who submitted before;
        `fields` (first, last, name, phone, business, zip) are given by the caller."""
        rng = self.rng
        cid = batch.ids.take("client")
        if fields is not None:
            first, last, name, phone, business, zip_code = fields
        elif like is not None:
            first, last, phone, business, zip_code = like.first, like.last, like.phone, like.business, like.zip
            # Typed again on the website: sometimes in lower case, sometimes with spaces.
            name = rng.choice((like.name, like.name.lower(), f" {like.name}", like.name))
        else:
            first, last, name, phone, business, zip_code = self.fresh(chapter)
        client = ClientInfo(cid, first, last, name, phone, business, zip_code, chapter.code,
                            request_id, at)
        batch.add("client", {"id": cid, "name": name, "phone": phone, "business_name": business,
                             "zip": zip_code, "created_at": at})
        batch.add("client_email", {"client_id": cid, "email": self._email(client, PRIMARY_DOMAINS)})
        if rng.random() < 0.10:
            batch.add("client_email", {"client_id": cid, "email": self._email(client, SECOND_DOMAINS)})
        return client

    def fresh(self, chapter) -> tuple:
        """(first, last, name, phone, business, zip) of a new person in the chapter's state."""
        rng = self.rng
        first, last = rng.choice(texts.FIRST_NAMES), rng.choice(texts.LAST_NAMES)
        prefix, area = texts.STATE_PLACES.get(chapter.state, ("100", "212"))
        phone = self._phone(area)
        business = self.business(first, last)
        zip_code = f"{prefix}{rng.randrange(100):02d}" if rng.random() < 0.95 else None
        return first, last, f"{first} {last}", phone, business, zip_code

    def _email(self, client: ClientInfo, domains) -> str:
        f, l = _letters(client.first), _letters(client.last)
        local = self.rng.choice((f"{f}.{l}{client.id}", f"{f[0]}{l}{client.id}", f"{f}{l[0]}{client.id}",
                                 f"{l}.{f}.{client.id}"))
        return f"{local}@{self.rng.choice(domains)}"

    def _phone(self, area: str) -> str | None:
        rng = self.rng
        if rng.random() < 0.08:
            return None
        number = rng.randrange(10_000)
        # As typed on the website form: a future duplicate finder has to normalise these.
        return rng.choice((f"({area}) 555-{number:04d}", f"{area}-555-{number:04d}",
                           f"{area}555{number:04d}", f"+1 {area} 555 {number:04d}"))

    def business(self, first: str, last: str) -> str | None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.15:
            return None  # still an idea
        word, suffix = rng.choice(texts.BUSINESS_WORDS), rng.choice(texts.BUSINESS_SUFFIXES)
        if roll < 0.45:
            return f"{last} {word}{suffix}"
        if roll < 0.6:
            return f"{first}'s {word}"
        return f"{rng.choice(texts.BUSINESS_ADJECTIVES)} {word}{suffix}"


def _letters(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalpha())
