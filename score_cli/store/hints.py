"""Query shapes for batches: IN lists of a safe length, filters that keep off the wrong index."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

IN_LIST = 500  # values per IN (...): well under every backend's limit on bound parameters


def in_chunks(values: Sequence, size: int = IN_LIST) -> Iterator[Sequence]:
    """`values` in slices of at most `size`, one statement each."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def by_key_only(column):
    """`column` as an expression no index matches (`outcome || ''`), for a filter beside `id IN (...)`.

    Without statistics (a store nobody has run ANALYZE on), SQLite's planner prefers an index on
    a status-like column (`outcome = 'open'`) to looking up the few hundred rows whose keys a
    batch already names, and walks hundreds of thousands of rows instead."""
    return column.concat("")
