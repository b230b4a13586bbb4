"""What the demo knows that the store does not say: which clients are the same person.

The generator plants duplicates (a person writing again as a new client record) and
look-alikes (different people who share a common question, a common name or an office
phone). It records them in the `demo.build` audit event, which also marks the store as one
a demo made (`score demo` replaces no other). Tests and the duplicate benchmark read the
record back with `read`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from score_cli.store.models import AuditEvent

DEMO_EVENT = "demo.build"


@dataclass
class Truth:
    """`duplicates`: (client, the person's first client, kind, other chapter?);
    `look_alikes`: (client, the other person's client, kind)."""

    seed: int | None = None
    duplicates: list[tuple[int, int, str, bool]] = field(default_factory=list)
    look_alikes: list[tuple[int, int, str]] = field(default_factory=list)

    def person(self) -> dict[int, int]:
        """{client id: the client id of the person's first record}, for planted duplicates."""
        first = {}
        for client, original, _kind, _other in self.duplicates:
            first[client] = first.get(original, original)
        return first

    def same_person(self, client_a: int, client_b: int) -> bool:
        person = self.person()
        return person.get(client_a, client_a) == person.get(client_b, client_b)


def record(conn, truth: Truth, *, at: datetime, counts: dict) -> None:
    """The `demo.build` event: how the demo was made and what it planted."""
    detail = {"seed": truth.seed, "requests": counts.get("requests"), "volunteers": counts.get("volunteers"),
              "duplicates": [list(d) for d in truth.duplicates],
              "look_alikes": [list(a) for a in truth.look_alikes]}
    conn.execute(AuditEvent.__table__.insert(), [{
        "at": at, "actor": "system", "action": DEMO_EVENT, "detail": json.dumps(detail, sort_keys=True)}])


def read(conn) -> Truth | None:
    """The planted truth of a demo store (a connection or session), or None if no demo made it."""
    detail = conn.execute(select(AuditEvent.detail).where(AuditEvent.action == DEMO_EVENT)
                          .order_by(AuditEvent.id.desc()).limit(1)).scalar()
    if detail is None:
        return None
    data = json.loads(detail)
    return Truth(data.get("seed"), [tuple(d) for d in data.get("duplicates", [])],
                 [tuple(a) for a in data.get("look_alikes", [])])
