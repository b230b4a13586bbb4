"""What the demo knows that the store does not say: which clients are the same person.

The generator plants duplicates (a person writing again as a new client record) and
look-alikes (different people who share a common question, a common name or an office
phone). It records them in the `demo.build` audit event, which also marks the store as one
a demo made (`score demo` replaces no other). Tests and the duplicate benchmark read the
record back with `read`.
"""

from __future__ import annotations

import json
from collections import defaultdict
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


def judge_plan(rows: list[dict], truth: Truth, client_of: dict[int, int]) -> dict:
    """A duplicate plan (`duplicates find --all` rows) judged against the truth: a withdrawal is
    right when the request and its keeper are the same person; a planted duplicate is found
    when it shares a group with the person's first record; a look-alike should share none."""
    person = truth.person()
    who = lambda client: person.get(client, client)  # noqa: E731
    number = lambda label: int(label.split("-")[1])  # noqa: E731
    withdraw = [r for r in rows if r["action"] == "withdraw"]
    wrong = [r for r in withdraw if who(r["client_id"]) != who(client_of[number(r["keeper"])])]
    # every request grouped with a keeper, closed or not: would the plan be right had it been open?
    grouped = [r for r in rows if r["action"] != "keep"]
    grouped_wrong = [r for r in grouped if who(r["client_id"]) != who(client_of[number(r["keeper"])])]
    groups_of: dict[int, set[int]] = defaultdict(set)
    for r in rows:
        groups_of[r["client_id"]].add(r["group"])
    together = lambda a, b: bool(groups_of[a] & groups_of[b])  # noqa: E731
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for client, original, kind, other_chapter in truth.duplicates:
        counts = by_kind[kind + (" (other chapter)" if other_chapter else "")]
        counts[0] += together(client, original)
        counts[1] += 1
    found = sum(together(client, original) for client, original, *_ in truth.duplicates)
    return {"withdrawals": len(withdraw), "wrong": len(wrong),
            "precision": 1 - len(wrong) / len(withdraw) if withdraw else 1.0,
            "grouped": len(grouped), "grouped_wrong": len(grouped_wrong),
            "planted": len(truth.duplicates), "found": found,
            "recall": found / len(truth.duplicates) if truth.duplicates else 1.0,
            "look_alikes": len(truth.look_alikes),
            "look_alikes_grouped": sum(together(a, b) for a, b, _ in truth.look_alikes),
            "by_kind": dict(sorted(by_kind.items())), "wrong_rows": wrong[:20]}
