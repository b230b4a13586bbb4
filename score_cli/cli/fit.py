"""Tables that fit the terminal.

Each column has a priority and a least width. At the terminal's width a table keeps the most
important columns (id, status, age or deadline, client, owner first), gives ids, e-mails,
dates and numbers their whole width, cuts free text short with an ellipsis, and says which
columns it left out and how to see them: `--wide` (every column, however wide) or
`--columns a,b,c` (those columns, in that order).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

# The order in which a narrow terminal keeps columns; columns not named here come after, in
# the order the listing gives them.
PRIORITY = (
    "id", "rank", "email", "interval", "group", "check", "kind", "status", "at", "action", "to_status",
    "outcome", "role", "state", "session", "date",
    "business_days_waiting", "days_waiting", "client", "accept_due_at", "deadline_at", "owner",
    "business_days_in_stage", "mentor", "name", "recipient", "subject", "accept_overdue", "deadline_passed",
    "chapter", "waiting", "count",
)
# Free text: cut short with an ellipsis when space runs out, never below TEXT_MIN wide.
FREE_TEXT = frozenset((
    "client", "name", "area", "question", "reason", "note", "notes", "text", "subject", "example",
    "next_action", "business", "flags", "capacity", "capacity_warning", "signals", "last_error",
    "expertise", "group", "why", "message", "body", "client_names", "names", "reasons",
))
TEXT_MIN = 14


@dataclass(frozen=True)
class Fitted:
    columns: list[str]  # the columns shown, in the listing's order
    widths: dict[str, int]
    left_out: list[str]


def _rank(columns: Sequence[str], cells: dict[str, list[str]]) -> list[str]:
    """Columns in the order a narrow terminal keeps them; a column empty in every row goes last."""
    known = {name: i for i, name in enumerate(PRIORITY)}
    return sorted(columns, key=lambda c: (not any(cells[c]), known.get(c, len(PRIORITY)), columns.index(c)))


def overhead(n: int) -> int:
    """Characters a Rich table with borders takes beyond its cells: a border and one space of
    padding either side of each cell."""
    return 3 * n + 1


def fit(columns: Sequence[str], headers: dict[str, str], cells: dict[str, list[str]], width: int) -> Fitted:
    """Which columns to show at `width`, and how wide each is."""
    from rich.cells import cell_len

    natural, least = {}, {}
    for c in columns:
        head = cell_len(headers[c])
        word = max(cell_len(w) for w in headers[c].split()) if headers[c].strip() else 0  # a header wraps
        widest = max([0, *(cell_len(v) for v in cells[c])])                               # between words
        natural[c] = max(head, widest)
        least[c] = max(word, min(widest, TEXT_MIN) if c in FREE_TEXT else widest)
    kept: list[str] = []
    for c in _rank(columns, cells):
        if not kept or overhead(len(kept) + 1) + sum(least[k] for k in kept) + least[c] <= width:
            kept.append(c)
    widths = {c: least[c] for c in kept}
    spare = width - overhead(len(kept)) - sum(widths.values())
    # what is left goes to free text first (a character at a time, shared), then to headers
    # that would otherwise wrap
    for group in ([c for c in kept if c in FREE_TEXT], [c for c in kept if c not in FREE_TEXT]):
        growing = [c for c in group if widths[c] < natural[c]]
        while spare > 0 and growing:
            for c in list(growing):
                if spare <= 0:
                    break
                widths[c] += 1
                spare -= 1
                if widths[c] >= natural[c]:
                    growing.remove(c)
    shown = [c for c in columns if c in widths]
    return Fitted(shown, widths, [c for c in columns if c not in widths])


def view_choice() -> tuple[bool, list[str] | None]:
    """--wide and --columns as given to the running command (no command: neither)."""
    from score_cli.cli.context import VIEW

    return VIEW.get()


def choose_columns(columns: Sequence[str], available: Sequence[str], chosen: list[str] | None) -> list[str]:
    """The listing's columns, or those asked for with --columns (any key of the rows)."""
    if not chosen:
        return list(columns)
    from score_cli.domain.errors import Invalid

    names = [c.strip().replace("-", "_").replace(" ", "_") for c in chosen if c.strip()]
    unknown = [c for c in names if c not in available]
    if unknown:
        raise Invalid(f"no column {', '.join(unknown)} here; columns: {', '.join(available)}")
    return names


def print_table(console, rows: list[dict], columns: Sequence[str], *, title: str | None = None,
                headers: dict[str, str] | None = None, footers: dict | None = None,
                caption: str | None = None, justify: Callable[[str], str] | None = None,
                cell: Callable | None = None, title_justify: str = "center", name_left_out: bool = True) -> None:
    """`rows` as a Rich table that fits the console; left-out columns are named below it (the
    options that show them are the command line's, so `name_left_out=False` elsewhere)."""
    from rich.table import Table
    from rich.text import Text

    from score_cli.cli.output import _cell

    cell = cell or _cell
    wide, chosen = view_choice()
    available = list(dict.fromkeys([*columns, *(k for r in rows for k in r)]))
    columns = choose_columns(columns, available, chosen)
    names = {c: (headers or {}).get(c, c.replace("_", " ")) for c in columns}
    cells = {c: [cell(r.get(c)) for r in rows] for c in columns}
    if footers is not None:
        for c in columns:
            cells[c].append(cell(footers.get(c)))
    if wide or chosen:
        fitted = fit(columns, names, cells, 10**6 if wide else console.width)
        if chosen:  # asked for by name: every one is shown, free text cut if need be
            fitted = Fitted(list(columns), {c: fitted.widths.get(c, TEXT_MIN) for c in columns}, [])
        if wide:
            from rich.console import Console

            console = Console(width=max(console.width, overhead(len(columns)) + sum(fitted.widths.values())))
    else:
        fitted = fit(columns, names, cells, console.width)
    table = Table(title=title, header_style="bold", show_footer=footers is not None, caption=caption,
                  title_justify=title_justify)
    for c in fitted.columns:
        # a header may wrap between its words, never inside one; cells stay on their line
        table.add_column(Text(names[c], no_wrap=False, overflow="fold"),
                         footer=cells[c][-1] if footers is not None else "",
                         width=fitted.widths[c], no_wrap=True, overflow="ellipsis",
                         justify=justify(c) if justify else "left")
    for i in range(len(rows)):
        table.add_row(*(cells[c][i] for c in fitted.columns))
    console.print(table)
    if fitted.left_out and name_left_out:
        n = len(fitted.left_out)
        console.print(f"{n} more column{'s' if n != 1 else ''} ({', '.join(fitted.left_out)}):"
                      f" --wide shows them all, --columns {','.join(fitted.columns[:2] + fitted.left_out[:1])}"
                      " picks",
                      style="yellow", markup=False, highlight=False)

