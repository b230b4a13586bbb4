"""One racing participant: takes one kind of action, once a round, in its own process.

    python -m tests.reliability.race_driver URL ACTION BARRIER_DIR

Reads the rounds as one JSON line on stdin: [{"ids": [request id, ...], "owners": {id: e-mail},
"now": ISO instant}, ...]. For each round it prints `ready N`, then blocks on a shared lock of
BARRIER_DIR/roundN, which the test holds exclusively and releases for every participant at
once; it then acts on the round's requests (each participant in its own order, the sweep on
all that are due) with the clock at "now" and prints one JSON line: {"round": N, "changed":
[ids the action changed], "start": ..., "end": ...} (seconds on the machine's monotonic clock,
comparable between processes).
"""

from __future__ import annotations

import fcntl
import json
import sys
import time
from pathlib import Path

from freezegun import freeze_time

from score_cli.domain.errors import ScoreError
from score_cli.services import sweep
from score_cli.services.requests import assignment, mentoring
from score_cli.store.db import Store

CIC = "cic@example.org"


def now() -> float:
    # freezegun leaves clock_gettime alone, so this is the real clock even inside a round
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def act(store: Store, action: str, request_id: int, owner: str) -> bool:
    try:
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
    except ScoreError:
        return False
    return True


def run_round(store: Store, action: str, ids: list[int], owners: dict) -> list[int]:
    if action == "sweep":
        return [item["id"] for item in sweep.run(store).items if item["kind"] == "timed_out"]
    half = len(ids) // 2
    order = {"accept": ids, "decline": ids[::-1], "reassign": ids[half:] + ids[:half]}.get(action, ids)
    return [i for i in order if act(store, action, i, owners[str(i)])]


def main() -> None:
    url, action, barrier = sys.argv[1:]
    store = Store(url)
    rounds = json.loads(sys.stdin.readline())
    for n, item in enumerate(rounds):
        clock = freeze_time(item["now"])
        clock.start()
        with open(Path(barrier) / f"round{n}") as gate:
            print(f"ready {n}", flush=True)
            fcntl.flock(gate, fcntl.LOCK_SH)  # the barrier: blocks until the test lets everyone go
            start = now()
            changed = run_round(store, action, item["ids"], item["owners"])
            end = now()
        clock.stop()
        print(json.dumps({"round": n, "changed": changed, "start": start, "end": end}), flush=True)
    store.close()


if __name__ == "__main__":
    main()
