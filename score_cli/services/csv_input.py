"""Reading CSV files people hand in: the header checked first, then rows with their line numbers."""

from __future__ import annotations

import csv
import io
from typing import Iterable, Iterator

from score_cli.domain.errors import Invalid


def rows(content: str | Iterable[str], *, columns: list[str], required: list[str],
         what: str) -> Iterator[tuple[int, dict]]:
    """(line number, row) pairs, read as they come from `content` (the text, or its lines).

    A missing, unknown or repeated column is one clear error, and so is broken CSV: a quote
    that is never closed, or closed in the middle of a cell (strict reading), which would
    otherwise swallow the rows that follow into one cell."""
    read = 0

    def counted(lines: Iterable[str]) -> Iterator[str]:  # the line reached, for a broken row's error
        nonlocal read
        for read, line in enumerate(lines, start=1):  # noqa: B007
            yield line

    reader = csv.DictReader(counted(io.StringIO(content, newline="") if isinstance(content, str) else content),
                            strict=True)
    try:
        try:
            fieldnames = reader.fieldnames or []
        except csv.Error as exc:
            raise Invalid(f"the {what} has a broken header (line {read}): {exc}") from None
        header = [h.strip().lower() for h in fieldnames]
        missing = [c for c in required if c not in header]
        if missing:
            raise Invalid(f"the {what} lacks the column(s) {', '.join(missing)};"
                          f" expected a header like: {','.join(columns)}")
        unknown = [h for h in header if h not in columns]
        if unknown:
            raise Invalid(f"unknown column(s) in the {what}: {', '.join(unknown)[:200]}")
        repeated = sorted({h for h in header if header.count(h) > 1})
        if repeated:
            raise Invalid(f"the {what} names the column(s) {', '.join(repeated)} more than once")
        reader.fieldnames = header
        for row in reader:
            _check_not_swallowed(row, len(header), reader.line_num, what)
            yield reader.line_num, row
    except csv.Error as exc:
        quote = "'\"'" in str(exc) or "end of data" in str(exc)
        raise Invalid(f"the {what} is not valid CSV (line {read}): {exc}"
                      + (" (a quote opened in a cell and not closed where the cell ends)" if quote else "")) from None


def _check_not_swallowed(row: dict, width: int, end_line: int, what: str) -> None:
    """A quote that opens in one cell and closes exactly where a later row's cell ends reads as
    valid CSV, with the rows between inside one cell. Such a cell holds, after a line break, a
    line that is itself a full row of the file's width: refused with the line it came from."""
    values = [v for v in row.values() if isinstance(v, str)]
    for index, value in enumerate(values):
        if "\n" not in value and "\r" not in value:
            continue
        lines = value.splitlines()
        after = sum(len(v.splitlines()) - 1 for v in values[index + 1:] if v)  # breaks in the cells after it
        for offset, text in enumerate(lines[1:], start=1):
            if text.count(",") >= width - 1 and len(next(csv.reader([text]), [])) == width:
                line = end_line - after - (len(lines) - 1 - offset)
                raise Invalid(f"the {what} is not valid CSV (line {line}): it is inside a cell whose quote opened"
                              f" on line {line - offset} and closed only at the end of a later row;"
                              " close the quote where its cell ends")
