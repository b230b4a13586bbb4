"""`score db check`: the database's own integrity checks and the workflow's invariants."""

from __future__ import annotations

from sqlalchemy import text

from score_cli.services.admin.invariants import INVARIANTS
from score_cli.store import security
from score_cli.store.db import Store


def check_store(store: Store) -> list[dict]:
    problems = []
    with store.reading() as session:
        conn = session.connection()
        if store.backend == "sqlite":
            result = conn.exec_driver_sql("PRAGMA integrity_check").scalars().all()
            if result != ["ok"]:
                problems.append({"check": "SQLite integrity_check", "count": len(result), "example": result[0]})
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                problems.append({"check": "foreign keys point at missing rows", "count": len(broken),
                                 "example": f"{broken[0][0]} row {broken[0][1]}"})
        absent = security.missing(conn)  # PostgreSQL: the logins' limits are in force
        if absent:
            problems.append({"check": "row-level security missing (run `score db upgrade` as the owner)",
                             "count": len(absent), "example": absent[0]})
        for name, query in INVARIANTS.items():
            ids = conn.execute(text(f"SELECT COUNT(*), MIN(id) FROM ({query}) AS broken")).one()
            if ids[0]:
                problems.append({"check": name, "count": ids[0], "example": f"MRE-{ids[1]}"})
    return problems
