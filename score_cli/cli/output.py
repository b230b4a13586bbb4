"""Rendering results: Rich tables on a terminal, JSON and spreadsheet-safe CSV for scripts.

The one place output is formatted. Commands hand over plain rows (dicts) and pick columns.
"""


import csv
import io
import json
import sys
from datetime import date, datetime
from enum import Enum
from itertools import chain
from typing import Annotated, Iterable, Sequence

import typer

from score_cli.cli.safe_text import cell as _shown, csv_cell, json_text, line as _line

FORMATS = ("table", "json", "csv")

def check_format(value: str | None) -> str | None:
    """Checked while the options are read, so a bad --format stops a command before it writes."""
    if value is None:
        return None
    cleaned = value.strip().lower()
    if cleaned not in FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join(FORMATS)}, not {value!r}")
    return cleaned


FormatOption = Annotated[
    str | None,
    typer.Option("--format", "-f", help="table, json or csv (default: table on a terminal, json otherwise)",
                 show_default=False, callback=check_format),
]


def _remember_wide(ctx: typer.Context, value: bool) -> bool:
    if value:
        from score_cli.cli.context import VIEW

        VIEW.set((True, VIEW.get()[1]))
    return value


def _remember_columns(ctx: typer.Context, value: str | None) -> str | None:
    if value:
        from score_cli.cli.context import VIEW

        VIEW.set((VIEW.get()[0], [part for part in value.split(",") if part.strip()]))
    return value


# Every listing takes these two beside --format; the table reads them (score_cli.cli.fit).
WideOption = Annotated[bool, typer.Option("--wide", callback=_remember_wide,
                                          help="Table: show every column, however long the lines get.")]
ColumnsOption = Annotated[str | None, typer.Option("--columns", metavar="A,B,C", callback=_remember_columns,
                                                   help="Table: show these columns, in this order.")]


def choose_format(ctx: typer.Context, given: str | None) -> str:
    """The command's --format, else the global one, else table on a terminal, json otherwise."""
    chosen = given or (ctx.obj.format if ctx.obj else None)
    if chosen is None:
        return "table" if sys.stdout.isatty() else "json"
    chosen = chosen.strip().lower()
    if chosen not in FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join(FORMATS)}, not {given!r}", param_hint="--format")
    return chosen


def explicit_format(ctx: typer.Context, given: str | None) -> bool:
    """Whether a format was asked for (a write then prints its record rather than one line)."""
    return bool(given or (ctx.obj and ctx.obj.format))


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot render {type(value).__name__}")


def json_line(row: dict) -> str:
    """A row as one line of compact JSON. orjson writes datetimes, dates and enums itself, as
    `_plain` does, at a tenth of the standard library's cost: a national report is 50,000 rows."""
    import orjson

    try:
        encoded = orjson.dumps(row, default=_plain)
    except TypeError:  # orjson's limits (an integer over 64 bits): the standard library has none
        return json_text(json.dumps(row, default=_plain, ensure_ascii=False, separators=(",", ":")))
    # only a byte outside printable ASCII can be something a terminal would obey
    return encoded.decode() if encoded.isascii() and b"\x7f" not in encoded else json_text(encoded.decode())


def to_json(value, *, compact: bool = False) -> str:
    return json_text(json.dumps(value, default=_plain, indent=None if compact else 2, ensure_ascii=False))


def spreadsheet_safe(value) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):  # records (a case team, notes) as JSON, not Python's repr
        value = "; ".join(to_json(v, compact=True) if isinstance(v, dict) else str(v) for v in value)
    elif isinstance(value, dict):
        value = to_json(value, compact=True)
    elif isinstance(value, (datetime, date)):
        value = value.isoformat()
    text = csv_cell(str(value))
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return _shown(", ".join(str(v) for v in value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M %Z").strip()
    if isinstance(value, date):
        return value.isoformat()
    return _shown(str(value))


def stream_rows(rows: Iterable[dict], fmt: str, columns: Sequence[str]) -> None:
    """JSON (an array, one object a line, every key) or spreadsheet-safe CSV (`columns`, then
    the rows' other keys), written as rows come.

    The first row is read before anything is written, so an error found by the report (a
    permission, an unknown chapter) leaves stdout empty.
    """
    rows = iter(rows)
    first = next(rows, None)
    out = sys.stdout
    if fmt == "json":
        if first is None:
            out.write("[]\n")
            return
        out.write("[\n")
        for i, row in enumerate(chain([first], rows)):
            out.write((",\n" if i else "") + json_line(row))
        out.write("\n]\n")
        return
    if first is not None:  # CSV has every column JSON has: the listing's first, then the others
        columns = [*columns, *(key for key in first if key not in columns)]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    if first is not None:
        for row in chain([first], rows):
            writer.writerow([spreadsheet_safe(row.get(c)) for c in columns])


def render_rows(
    rows: Iterable[dict],
    fmt: str,
    columns: Sequence[str],
    *,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    empty: str = "nothing to show",
) -> None:
    """A listing: JSON gives every key of every row; CSV gives `columns`; a table gives the
    columns that fit the terminal (see `score_cli.cli.fit`)."""
    if fmt in ("json", "csv"):
        stream_rows(rows, fmt, columns)
        return
    rows = list(rows)
    from score_cli.cli.fit import print_table

    from rich.console import Console

    console = Console(emoji=False)
    if not rows:
        console.print(empty, style="dim", markup=False, highlight=False)
        return
    print_table(console, rows, columns, title=title, headers=headers)
    console.print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}", style="dim", highlight=False)


def render_object(obj: dict, fmt: str, *, title: str | None = None) -> None:
    """One thing (a volunteer, a request): JSON as is, CSV as key,value, table as a list."""
    if fmt == "json":
        typer.echo(to_json(obj))
        return
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["field", "value"])
        for key, value in obj.items():
            writer.writerow([key, spreadsheet_safe(value)])
        sys.stdout.write(out.getvalue())
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title and _shown(title), show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, value in obj.items():
        shown = ", ".join(f"{k}: {_cell(v)}" for k, v in value.items()) if isinstance(value, dict) else _cell(value)
        table.add_row(key.replace("_", " "), shown)
    Console(emoji=False).print(table)


def done(message: str) -> None:
    """A one-line confirmation on stderr, so stdout stays clean for scripts."""
    typer.echo(_line(message), err=True)
