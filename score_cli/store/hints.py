"""Query shapes that keep the database on the right index.

Without statistics (a store nobody has run ANALYZE on), SQLite's planner prefers an index on a
status-like column (`outcome = 'open'`) to looking up the few hundred rows whose keys a batch
already names, and walks hundreds of thousands of rows instead. Written through `by_key_only`,
such a condition is still checked on each row but can no longer pick the index.
"""

from __future__ import annotations


def by_key_only(column):
    """`column` as an expression no index matches (`outcome || ''`), for a filter beside `id IN (...)`."""
    return column.concat("")
