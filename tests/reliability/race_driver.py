"""One racing participant: runs one kind of action over the given requests, in its own process.

    python -m tests.reliability.race_driver URL ACTION ID [ID ...]

Waits for a line on stdin before starting, so all participants begin together, then prints the
ids it changed as a JSON list.
"""

from __future__ import annotations

import json
import sys

from score_cli.services import sweep
from score_cli.services.requests import assignment, mentoring
from score_cli.domain.errors import ScoreError
from score_cli.store.db import Store

CIC = "cic@example.org"


def act(store: Store, action: str, request_id: int, owner: str) -> None:
    if action == "accept":
        mentoring.accept(store, owner, request_id)
    elif action == "decline":
        mentoring.decline(store, owner, request_id, reason="cannot take it")
    elif action == "reassign":
        assignment.reassign(store, CIC, request_id, None, reason="change of owner", to_queue=True)
    elif action == "note":
        assignment.add_note(store, CIC, request_id, "checking in")
    else:
        raise SystemExit(f"unknown action {action}")


def main() -> None:
    url, action, *ids = sys.argv[1:]
    store = Store(url)
    owners = json.loads(sys.stdin.readline())  # {"id": owner e-mail}; also the start signal
    changed = []
    if action == "sweep":
        sweep.run(store)
        store.close()
        print(json.dumps([]))
        return
    for request_id in map(int, ids):
        try:
            act(store, action, request_id, owners[str(request_id)])
            changed.append(request_id)
        except ScoreError:
            pass
    store.close()
    print(json.dumps(changed))


if __name__ == "__main__":
    main()
