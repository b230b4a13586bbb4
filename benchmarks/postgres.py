"""The PostgreSQL section of the benchmarks (`benchmarks/run.py --only postgres`).

The demo store loaded into PostgreSQL; `queue list`, `show`, `assign --suggest` and the reports
timed as the store's owner and as an RCIC's own login, whose reads row-level security limits.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from run import REPORTS, ROOT, Table, Timing, clean_env, run, score


def postgres_server(url: str | None):
    """(an admin URL on a PostgreSQL server, a function to stop it): --pg's, or a throwaway one."""
    if url:
        return url, (lambda: None)
    sys.path.insert(0, str(ROOT))
    from tests.pg_server import Server, find_bindir

    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("postgres: no PostgreSQL server binaries (pg_ctl) here: give --pg URL")
    server = Server(bindir)
    return server.start(), server.stop


def _requests_in(url: str) -> int | None:
    """How many requests a kept database holds (None: it is not there or not a score store)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM mentoring_request")).scalar()
    except DBAPIError:
        return None
    finally:
        engine.dispose()


def postgres(table: Table, pg_url: str | None, requests: int, r: int, floor: Timing, *, keep: bool = False) -> None:
    """The demo store loaded into PostgreSQL; the person-facing reads timed as the owner (acting
    as an RCIC with --as) and as that RCIC's own login, and the national reports as the owner.
    With `keep`, the database stays on the server for the next run, which uses it if it holds
    `requests` requests (brought to this version's schema and policies with `db upgrade`)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url, stop = postgres_server(pg_url)
    name, role = f"score_bench_{requests}", f"score_bench_rcic_{requests}"
    label = f"{requests // 1000:,}k pg"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    owner = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        if keep and _requests_in(owner) == requests:
            print(f"using the kept {name} ({requests:,} requests)", flush=True)
            subprocess.run(score(owner, "db", "upgrade"), check=True, stdout=subprocess.DEVNULL)
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            print(f"loading {requests:,} requests into PostgreSQL ...", flush=True)
            started = time.perf_counter()
            subprocess.run(score(owner, "demo", "--requests", str(requests), "--volunteers", "12000"), check=True,
                           stdout=subprocess.DEVNULL)
            print(f"  loaded in {time.perf_counter() - started:.0f} s", flush=True)
        store = create_engine(owner, isolation_level="AUTOCOMMIT")  # VACUUM runs outside a transaction
        with store.connect() as conn:
            rcic, district = conn.execute(text(
                "SELECT v.email, g.scope_code FROM volunteer v JOIN volunteer_role g ON g.volunteer_id = v.id"
                " WHERE g.role = 'rcic' AND g.scope_kind = 'district' AND v.status = 'active'"
                " ORDER BY g.scope_code LIMIT 1")).one()
            open_id = conn.execute(text(
                "SELECT r.id FROM mentoring_request r JOIN chapter c ON c.code = r.chapter_code"
                " WHERE c.district_code = :d ORDER BY r.status IN ('new', 'pending_reassignment') DESC, r.id DESC"
                " LIMIT 1"), {"d": district}).scalar()
            has_login = conn.execute(text("SELECT 1 FROM score_login WHERE login = :r"), {"r": role}).first()
            # what autovacuum does to a loaded table before long: statistics, and the visibility
            # map that lets a count read the index alone
            conn.exec_driver_sql("VACUUM ANALYZE")
        store.dispose()
        if not has_login:
            subprocess.run(score(owner, "--as", "admin@example.org", "db", "login", "add", rcic, "--role", role),
                           check=True, stdout=subprocess.DEVNULL)
        login = make_url(owner).set(username=role, password=None).render_as_string(hide_password=False)
        as_rcic = dict(os.environ, SCORE_USER=rcic)
        reads = [("score queue list", ["queue", "list", "--format", "json"]),
                 ("score show MRE", ["show", str(open_id), "--format", "json"]),
                 ("score assign MRE --suggest", ["assign", str(open_id), "--suggest", "--format", "json"])]
        reads += [(f"score report {report}", ["report", report, "--format", "json"]) for report in REPORTS]
        table.section = table.pg_rows
        for what, argv in reads:
            by_owner = run(score(owner, *argv), repeat=r, env=as_rcic)
            by_login = run(score(login, *argv), repeat=r, env=clean_env())
            report = what.startswith("score report")
            bound, target = (5, "<= 5 s") if report else (1.3 * floor.median, "<= 1.3 x import floor")
            table.add(f"{what} (owner --as the RCIC)", label, by_owner, target, by_owner.median <= bound)
            ratio = by_login.median / by_owner.median
            table.add(f"{what} (the RCIC's login)", label, by_login, f"{target}, <= 1.5 x the owner's",
                      ratio <= 1.5 and by_login.median <= bound, f"{ratio:.2f} x")
        as_admin = dict(os.environ, SCORE_USER="admin@example.org")
        for report in REPORTS:
            t = run(score(owner, "report", report, "--national", "--format", "json"), repeat=max(1, r // 2),
                    env=as_admin)
            table.add(f"score report {report} --national (owner)", label, t, "<= 5 s, <= 300 MB",
                      t.median <= 5 and t.peak_mb <= 300)
    finally:
        table.section = table.rows
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()
        stop()
