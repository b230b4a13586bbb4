"""Reading CSV files people hand in: the header checked first, then rows with their line numbers."""

from __future__ import annotations

import csv
import io
from typing import Iterator

from score_cli.domain.errors import Invalid


def rows(content: str, *, columns: list[str], required: list[str], what: str) -> Iterator[tuple[int, dict]]:
    """(line number, row) pairs; a missing or unknown column, or broken CSV, is one clear error."""
    reader = csv.DictReader(io.StringIO(content))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise Invalid(f"the {what} lacks the column(s) {', '.join(missing)};"
                      f" expected a header like: {','.join(columns)}")
    unknown = [h for h in header if h not in columns]
    if unknown:
        raise Invalid(f"unknown column(s) in the {what}: {', '.join(unknown)}")
    reader.fieldnames = header
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise Invalid(f"the {what} is not valid CSV (line {reader.line_num}): {exc}") from None
