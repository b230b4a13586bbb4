"""Performance benchmarks for `score` (the targets of the performance issue).

    uv run python benchmarks/run.py                 # everything; builds the stores once
    uv run python benchmarks/run.py --quick         # 10k/100k stores instead of 100k/1M
    uv run python benchmarks/run.py --only help,queue

Each command runs several times as a fresh process; the table gives the median wall time, the
largest peak memory (resident set high-water mark) of the runs, the target and whether it
holds, and is written to benchmarks/RESULTS.md. Stores are built with `score demo` and cached
in benchmarks/cache/.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / "cache"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
PY = sys.executable
REPORTS = ["not-assigned", "not-accepted", "not-contacted", "not-counseled", "conversion", "mentor-activity",
           "metrics", "paused-mentors", "orphaned", "capacity"]


@dataclass
class Timing:
    median: float
    peak_mb: float
    runs: int
    code: int


def clean_env(extra: dict | None = None) -> dict:
    """The environment of an ordinary shell: bytecode caching on, as on a user's machine."""
    env = dict(os.environ, **(extra or {}))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


# `python -m score_cli ARGS`, which on exit writes its own peak RSS (VmHWM) to $BENCH_PEAK_FILE.
# ru_maxrss of a child is no use here: Linux carries the benchmark's own peak into it at exec.
MEASURED = """
import atexit, os, runpy, sys
def peak():
    with open('/proc/self/status') as status, open(os.environ['BENCH_PEAK_FILE'], 'w') as out:
        out.write(next(line.split()[1] for line in status if line.startswith('VmHWM:')))
if os.path.exists('/proc/self/status'):
    atexit.register(peak)
sys.argv[0] = 'score'
runpy.run_module('score_cli', run_name='__main__', alter_sys=True)
"""


def run(argv: list[str], *, repeat: int = 5, env: dict | None = None, stdin: str | None = None,
        setup=None, warm: bool = True) -> Timing:
    """Median wall time and peak RSS of `argv` as a fresh process, `repeat` times (after a warm-up
    run, so that compiled bytecode and the holiday cache exist, as they do after first use)."""
    peak_file = CACHE / "peak-rss"
    env = clean_env(dict(env or {}, BENCH_PEAK_FILE=str(peak_file)))
    if argv[1:3] == ["-m", "score_cli"]:
        argv = [argv[0], "-c", MEASURED, *argv[3:]]
    if warm and setup is None:
        subprocess.run(argv, env=env, input=stdin, text=True, capture_output=True)
    times, peaks, code = [], [], 0
    for _ in range(repeat):
        if setup:
            setup()
        peak_file.unlink(missing_ok=True)
        started = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if stdin:
            proc.stdin.write(stdin)
            proc.stdin.close()
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - started)
        peaks.append(int(peak_file.read_text()) / 1024 if peak_file.exists() else usage.ru_maxrss / 1024)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err = proc.stderr.read()
            raise SystemExit(f"{' '.join(argv)} exited {code}: {err.strip()[:500]}")
    return Timing(statistics.median(times), max(peaks), repeat, code)


def score(db: str | None, *args: str) -> list[str]:
    argv = [PY, "-m", "score_cli"]
    if db:
        argv += ["--db", db]
    return argv + list(args)


def build_store(requests: int, volunteers: int) -> str:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"demo-{requests}-{volunteers}.db"
    if not path.exists():
        print(f"building {path.name} (cached for later runs) ...", flush=True)
        started = time.perf_counter()
        subprocess.run(score(str(path), "demo", "--requests", str(requests), "--volunteers", str(volunteers)),
                       check=True, stdout=subprocess.DEVNULL)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    # a store cached by an older version of score is brought up to date first
    subprocess.run(score(str(path), "db", "upgrade"), check=True, stdout=subprocess.DEVNULL)
    return str(path)


def working_copy(path: str, name: str) -> str:
    copy = CACHE / name
    for suffix in ("", "-wal", "-shm"):
        Path(str(copy) + suffix).unlink(missing_ok=True)
    shutil.copy2(path, copy)
    settle()
    return str(copy)


def settle() -> None:
    """Write a fresh copy's pages to disk before timing: otherwise the first commit's fsync also
    flushes gigabytes of the copy, which no store in use has waiting."""
    os.sync()


def sample(db: str, sql: str):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchone()


def make_due(db: str, count: int) -> int:
    """Leave exactly `count` items due for the sweep, as on a night after many quiet ones.

    A first sweep clears what the demo left due; then `count` requests waiting in a queue are
    given to a mentor of their chapter, assigned six business weeks ago (so past the timeout,
    with the reminder already sent), with the history and team rows an assignment writes."""
    subprocess.run(score(db, "sweep", "--quiet"), env=clean_env(), check=True, capture_output=True)
    past = datetime.now(timezone.utc) - timedelta(days=42)
    stamp = past.strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(db) as conn:
        mentors = dict(conn.execute(
            "SELECT v.chapter_code, MIN(v.id) FROM volunteer v JOIN volunteer_role r ON r.volunteer_id = v.id"
            " WHERE r.role = 'mentor' AND v.status = 'active' GROUP BY v.chapter_code"))
        # Requests waiting in a queue first; a store with fewer waiting than `count` lends
        # withdrawn ones, which no other part of the sweep looks at.
        rows = conn.execute("SELECT id, chapter_code, status, version FROM mentoring_request"
                            " WHERE status IN ('new', 'pending_reassignment', 'withdrawn')"
                            " ORDER BY status = 'withdrawn', id").fetchall()
        chosen = [r for r in rows if r[1] in mentors][:count]
        for request_id, chapter, status, version in chosen:
            mentor = mentors[chapter]
            conn.execute("UPDATE mentoring_request SET status = 'assigned', owner_id = ?, queue = NULL,"
                         " closed_at = NULL, version = version + 1, status_changed_at = ? WHERE id = ?",
                         (mentor, stamp, request_id))
            conn.execute("INSERT INTO assignment (request_id, mentor_id, kind, assigned_at, accept_due_at, timeout_at,"
                         " outcome, reminder_sent_at) VALUES (?, ?, 'cic', ?, ?, ?, 'open', ?)",
                         (request_id, mentor, stamp, stamp, stamp, stamp))
            conn.execute("INSERT INTO case_team_member (request_id, volunteer_id, role, state, created_at)"
                         " VALUES (?, ?, 'lead', 'pending', ?)", (request_id, mentor, stamp))
            conn.execute("INSERT INTO audit_event (at, actor, action, request_id, from_status, to_status)"
                         " VALUES (?, 'benchmark', 'assign', ?, ?, 'assigned')", (stamp, request_id, status))
    return len(chosen)


def import_file(rows: int) -> str:
    path = CACHE / f"import-{rows}.csv"
    if not path.exists():
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["name", "email", "chapter", "question", "phone", "zip", "area"])
            chapters = ["BOS01", "NYC01", "AUS01", "HOU01"]
            for n in range(rows):
                writer.writerow([f"Client {n}", f"client{n}@example.com", chapters[n % 4],
                                 f"Question number {n} about pricing and marketing", f"617-555-{n % 10000:04d}",
                                 "02139", "Marketing & Sales"])
    return str(path)


class Table:
    def __init__(self):
        self.rows: list[tuple[str, str, str, str, str, str]] = []
        self.pg_rows: list[tuple[str, str, str, str, str, str]] = []
        self.section = self.rows  # where `add` puts its rows

    def add(self, what: str, store: str, timing: Timing | None, target: str, holds: bool, extra: str = ""):
        wall = f"{timing.median:.2f} s" if timing else "-"
        peak = f"{timing.peak_mb:.0f} MB" if timing else "-"
        self.section.append((what, store, wall + (f" ({extra})" if extra else ""), peak, target,
                             "yes" if holds else "NO"))
        print(f"{what:<48} {store:<10} {wall:>9} {peak:>8}  {target:<34} {'ok' if holds else 'MISSED'} {extra}",
              flush=True)

    def write(self, machine: str, floor: Timing, typer_floor: Timing):
        """The SQLite table, then the PostgreSQL and duplicate-quality sections: a section not
        measured in this run is kept as it was."""
        head = ["| what | store | median wall | peak memory | target | holds |", "|---|---|---|---|---|---|"]
        old = RESULTS.read_text() if RESULTS.exists() else ""
        parts = re.split(r"(?=\n## )", old)
        sections = {part.split("\n")[1][3:]: part for part in parts[1:]}
        main = parts[0]
        if self.rows or not old:
            lines = ["# Benchmark results", "",
                     f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC} on {machine}.",
                     f"Import floor (`python -c \"import typer, rich, sqlmodel\"`): {floor.median:.3f} s;"
                     f" `python -c \"import typer\"`: {typer_floor.median:.3f} s.", "", *head]
            main = "\n".join(lines + [f"| {' | '.join(row)} |" for row in self.rows]) + "\n"
        if self.pg_rows:
            sections[PG_SECTION] = "\n".join(
                ["", f"## {PG_SECTION}", "", f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC} on {machine}:"
                 " the same commands as the store's owner (acting with --as) and as an RCIC's own login (row-level"
                 " security on), over the RCIC's district; the national reports as the owner. Import floor in"
                 f" this run: {floor.median:.3f} s.", "", *head]
                + [f"| {' | '.join(row)} |" for row in self.pg_rows]) + "\n"
        RESULTS.write_text(main + "".join(sections.values()))


PG_SECTION = "PostgreSQL"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = 0
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller stores (10k and 100k requests)")
    parser.add_argument("--only", default="", help="comma-separated: help,queue,show,sweep,reports,duplicates,quality,"
                                                   "withdraw,import,demo,postgres")
    parser.add_argument("--pg", default=os.environ.get("SCORE_BENCH_PG"),
                        help="postgres: an admin URL on a PostgreSQL server whose logins may connect without a"
                             " password (default: a throwaway server started here)")
    parser.add_argument("--pg-requests", type=int, default=0,
                        help="postgres: how many requests to load (default: the large store's)")
    parser.add_argument("--pg-keep", action="store_true",
                        help="postgres: keep the loaded database on --pg's server, and use a kept one that holds"
                             " as many requests instead of loading again")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))
    wanted = (lambda name: not only or name in only)
    small_n, large_n = (10_000, 100_000) if args.quick else (100_000, 1_000_000)
    table = Table()
    r = args.repeat
    CACHE.mkdir(parents=True, exist_ok=True)
    typer_floor = run([PY, "-c", "import typer"], repeat=r)
    floor = run([PY, "-c", "import typer, rich, sqlmodel"], repeat=r)
    print(f"import floor {floor.median:.3f} s, typer {typer_floor.median:.3f} s", flush=True)

    if wanted("help"):
        for argv in (["--help"], ["queue", "--help"]):
            t = run(score(None, *argv), repeat=r)
            table.add(f"score {' '.join(argv)}", "none", t, "<= 1.5 x import typer",
                      t.median <= 1.5 * typer_floor.median, f"{t.median / typer_floor.median:.2f} x")
    if wanted("demo"):
        demo_db = str(CACHE / "demo-default.db")
        CACHE.mkdir(parents=True, exist_ok=True)
        t = run(score(demo_db, "demo"), repeat=max(1, r // 2))
        table.add("score demo (defaults)", "none", t, "<= 10 s", t.median <= 10)
    if wanted("import"):
        rows = 100_000 if not args.quick else 20_000
        source = import_file(rows)
        target = str(CACHE / "import-target.db")

        def fresh_store():
            for suffix in ("", "-wal", "-shm"):
                Path(target + suffix).unlink(missing_ok=True)
            subprocess.run(score(target, "db", "init"), check=True, stdout=subprocess.DEVNULL)

        t = run(score(target, "intake", "import", source), repeat=1, setup=fresh_store)
        rate = rows / t.median
        table.add(f"score intake import ({rows:,} rows)", "empty", t, ">= 5,000 rows/s", rate >= 5000,
                  f"{rate:,.0f} rows/s")

    needs_large = any(wanted(k) for k in ("queue", "show", "sweep", "reports", "withdraw"))
    if needs_large:
        large = build_store(large_n, 12_000)
        label = f"{large_n // 1000:,}k"
        admin = dict(os.environ, SCORE_USER="admin@example.org")
        if wanted("queue"):
            t = run(score(large, "queue", "list", "--chapter", "NYC01", "--format", "json"), repeat=r, env=admin)
            table.add("score queue list --chapter NYC01", label, t, "<= 1.3 x import floor",
                      t.median <= 1.3 * floor.median, f"{t.median / floor.median:.2f} x")
        if wanted("show"):
            open_id = sample(large, "SELECT id FROM mentoring_request WHERE status IN ('new','pending_reassignment')"
                                    " AND chapter_code = 'NYC01' ORDER BY id DESC LIMIT 1")[0]
            for what, argv in (("score show MRE", ["show", str(open_id), "--format", "json"]),
                               ("score assign MRE --suggest", ["assign", str(open_id), "--suggest", "--format", "json"])):
                t = run(score(large, *argv), repeat=r, env=admin)
                table.add(what, label, t, "<= 1.3 x import floor", t.median <= 1.3 * floor.median,
                          f"{t.median / floor.median:.2f} x")
        if wanted("reports"):
            for report in REPORTS:
                t = run(score(large, "report", report, "--national", "--format", "json"), repeat=max(1, r // 2),
                        env=admin)
                table.add(f"score report {report} --national", label, t, "<= 5 s, <= 300 MB",
                          t.median <= 5 and t.peak_mb <= 300)
        if wanted("sweep"):
            small = build_store(small_n, 12_000)
            times = {}
            due_count = 2000 if not args.quick else 500
            for store, name in ((large, label), (small, f"{small_n // 1000:,}k")):
                copy = working_copy(store, f"sweep-{name}.db")
                due = make_due(copy, due_count)
                settle()
                subprocess.run(score(copy, "chapter", "list"), env=clean_env(), capture_output=True)  # warm caches
                t = run(score(copy, "sweep", "--format", "json"), repeat=1, warm=False)
                times[name] = t
                table.add(f"score sweep ({due:,} due)", name, t, "<= 3 s" if name == label else "reference",
                          t.median <= 3 if name == label else True)
            ratio = times[label].median / times[f"{small_n // 1000:,}k"].median
            table.add("sweep: large store / small store", f"{label}/{small_n // 1000:,}k", None, "<= 1.3 x",
                      ratio <= 1.3, f"{ratio:.2f} x")
        if wanted("withdraw"):
            copy = working_copy(large, "withdraw.db")
            with sqlite3.connect(copy) as conn:
                ids = [row[0] for row in conn.execute(
                    "SELECT id FROM mentoring_request WHERE status IN ('new','pending_reassignment','assigned',"
                    "'accepted','contacted','in_progress') ORDER BY id LIMIT 10000")]
            plan = "\n".join(str(i) for i in ids) + "\n"
            t = run(score(copy, "withdraw", "--bulk", "-", "--reason", "benchmark"), repeat=1, env=admin, stdin=plan,
                    warm=False)
            table.add(f"score withdraw --bulk ({len(ids):,} rows)", label, t, "<= 5 s", t.median <= 5)
    if wanted("duplicates"):
        base = build_store(small_n, 12_000)
        double = build_store(2 * small_n, 12_000)
        admin = dict(os.environ, SCORE_USER="admin@example.org")
        t1 = run(score(base, "duplicates", "find", "--national", "--format", "json"), repeat=1, env=admin)
        t2 = run(score(double, "duplicates", "find", "--national", "--format", "json"), repeat=1, env=admin)
        table.add("score duplicates find", f"{small_n // 1000}k", t1, "<= 15 s" if not args.quick else "reference",
                  t1.median <= 15)
        table.add("score duplicates find", f"{2 * small_n // 1000}k", t2, "<= 2.5 x the smaller",
                  t2.median <= 2.5 * t1.median, f"{t2.median / t1.median:.2f} x")
    if wanted("postgres"):
        from postgres import postgres  # benchmarks/postgres.py

        postgres(table, args.pg, args.pg_requests or large_n, r, floor, keep=args.pg_keep and bool(args.pg))
    table.write(machine(), floor, typer_floor)
    if wanted("quality"):  # precision and recall against the demo's planted duplicates
        subprocess.run([PY, str(ROOT / "benchmarks" / "duplicates_quality.py"), "--requests",
                        str(100_000 if not args.quick else 10_000)], check=True, cwd=ROOT)
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
