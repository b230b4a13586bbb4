"""How right `score duplicates find` is, against the demo generator's planted ground truth.

    uv run python benchmarks/duplicates_quality.py                  # the 100,000-request store
    uv run python benchmarks/duplicates_quality.py --requests 5000  # quicker

Builds (once, cached in benchmarks/cache/) a demo store whose generator planted duplicates
(one person writing again as a new client) and look-alikes (different people sharing a
question, a name or a phone), runs the finder over the whole store at the default threshold
and reports:

- precision: of the planned withdrawals, the share whose keeper is the same person;
- recall: of the planted duplicates, the share the finder put in one group with the
  person's first request (whatever the requests' statuses now);
- look-alikes grouped: planted look-alike pairs the finder put in one group (should be 0);
- every request grouped with a keeper, closed ones included: the same question as precision
  for the requests no longer open (the wrong ones are people the generator gave the same
  name in the same ZIP by chance: the demo has 100 ZIPs per state).

The numbers go into the "Duplicate finder quality" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "benchmarks" / "cache"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)
TARGETS = {"precision": 0.999, "recall": 0.9}


def build(path: Path, requests: int, seed: int) -> None:
    from score_cli.demo import populate
    from score_cli.services.admin.setup import init_store
    from score_cli.store.db import Store

    building = path.with_name(path.name + ".building")
    building.unlink(missing_ok=True)
    url = "sqlite:///" + str(building)
    init_store(url)
    store = Store(url)
    try:
        populate(store.engine, requests=requests, volunteers=max(300, min(12_000, requests // 10)), seed=seed,
                 now=NOW)
    finally:
        store.close()
    building.rename(path)


def measure(url: str, min_score: float | None = None) -> dict:
    """Precision and recall of the finder on a demo store (the store's own planted truth)."""
    from sqlalchemy import select

    from score_cli.demo import truth as planted
    from score_cli.demo.organisation import ADMIN_EMAIL
    from score_cli.services import duplicates
    from score_cli.store.db import Store
    from score_cli.store.models import MentoringRequest

    store = Store(url)
    try:
        with store.reading() as session:
            truth = planted.read(session)
            client_of = dict(session.execute(select(MentoringRequest.id, MentoringRequest.client_id)).all())
        options = {} if min_score is None else {"min_score": min_score}
        started = time.perf_counter()
        found = duplicates.find(store, ADMIN_EMAIL, None, include_all=True, **options)
        seconds = time.perf_counter() - started
    finally:
        store.close()
    return planted.judge_plan(found.rows, truth, client_of) | {"seconds": seconds, "requests": found.requests}


def write_results(requests: int, seed: int, result: dict) -> None:
    holds = lambda name: "yes" if result[name] >= TARGETS[name] else "NO"  # noqa: E731
    lines = [
        "## Duplicate finder quality",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with `benchmarks/duplicates_quality.py`:"
        f" a demo store of {requests:,} requests (seed {seed}), `duplicates find --national` at the default"
        f" threshold, against the duplicates and look-alikes the generator planted"
        f" ({result['seconds']:.1f} s for the finder).",
        "",
        "| measure | value | target | holds |",
        "|---|---|---|---|",
        f"| precision of the planned withdrawals | {result['precision']:.4f} ({result['wrong']} wrong of"
        f" {result['withdrawals']:,}) | >= {TARGETS['precision']} | {holds('precision')} |",
        f"| recall of the planted duplicates | {result['recall']:.4f} ({result['found']:,} of"
        f" {result['planted']:,}) | >= {TARGETS['recall']} | {holds('recall')} |",
        f"| every request grouped with a keeper, closed ones included (would the plan be right had they been"
        f" open?) | {1 - result['grouped_wrong'] / max(1, result['grouped']):.4f} ({result['grouped_wrong']} wrong"
        f" of {result['grouped']:,}) | - | - |",
        f"| planted look-alikes grouped | {result['look_alikes_grouped']} of {result['look_alikes']:,} | 0 |"
        f" {'yes' if result['look_alikes_grouped'] == 0 else 'NO'} |",
        "",
        "Recall by kind of planted duplicate: " + "; ".join(
            f"{kind} {found}/{total}" for kind, (found, total) in result["by_kind"].items()) + ".",
        "",
    ]
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    text = re.sub(r"\n## Duplicate finder quality\n.*?(?=\n## |\Z)", "", text, flags=re.S).rstrip("\n")
    RESULTS.write_text(text + "\n\n" + "\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md as it is")
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"quality-{args.requests}-seed{args.seed}.db"
    if not path.exists():
        started = time.perf_counter()
        build(path, args.requests, args.seed)
        print(f"built {path.name} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    result = measure("sqlite:///" + str(path))
    for row in result.pop("wrong_rows"):
        print("wrong:", row["id"], row["keeper"], row["signals"], row["reasons"], file=sys.stderr)
    print(result)
    if not args.no_write:
        write_results(args.requests, args.seed, result)


if __name__ == "__main__":
    main()
