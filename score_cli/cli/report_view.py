"""How reports look on a terminal: Rich tables with a totals line, bar charts and sparklines.

JSON and CSV go through `output.stream_rows` like every listing (CSV spreadsheet-safe); this
module only adds what a person reading a report in a terminal wants on top of a table.
"""


from typing import Callable, Iterable, Sequence

from score_cli.cli.output import stream_rows

SPARKS = "▁▂▃▄▅▆▇█"
BAR = "█"
TABLE_ROWS = 1000  # a terminal table beyond this is unreadable and slow: the rest is counted


def sparkline(values: Sequence[float | None]) -> str:
    """One character per value, scaled between the smallest and the largest; a gap for None."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = (high - low) or 1
    return "".join(" " if v is None else SPARKS[round((v - low) / span * (len(SPARKS) - 1))] for v in values)


def bar(value: float, largest: float, width: int = 30) -> str:
    if largest <= 0 or value <= 0:
        return ""
    return BAR * max(1, round(width * value / largest))


def render_report(
    rows: Iterable[dict],
    fmt: str,
    *,
    columns: Sequence[str],
    csv_columns: Sequence[str] | None = None,
    headers: dict[str, str] | None = None,
    title: str,
    empty: str,
    totals: dict | None = None,
    caption: str | Callable[[list[dict], int], str] | None = None,
    after: Callable[[object], None] | None = None,
) -> None:
    """A report: JSON (every key), CSV (`csv_columns`) or a table of `columns` with totals.

    In a table at most TABLE_ROWS rows are shown; the others are counted (the caption, when a
    function, gets the rows shown and the number left out).
    """
    if fmt in ("json", "csv"):
        stream_rows(rows, fmt, csv_columns or columns)
        return
    from rich.console import Console

    from score_cli.cli.fit import print_table

    shown, more = [], 0
    for row in rows:
        if len(shown) < TABLE_ROWS:
            shown.append(row)
        else:
            more += 1
    console = Console(emoji=False)
    if not shown:
        console.print(f"[bold]{title}[/bold]")
        console.print(f"[dim]{empty}[/dim]")
        return
    if callable(caption):
        caption = caption(shown, more)
    numeric = {c for c in columns if _numeric([r.get(c) for r in shown if r.get(c) is not None])}
    print_table(console, shown, columns, title=title, headers=headers, caption=caption,
                footers=totals if totals is not None else None,
                justify=lambda c: "right" if c in numeric else "left")
    if more:
        console.print(f"[yellow]{more} more row{'s' if more != 1 else ''} not shown: narrow the scope or the"
                      " period, or use --format csv[/yellow]")
    if after is not None:
        after(console)
    elif not caption:
        console.print(f"[dim]{len(shown) + more} row{'s' if len(shown) + more != 1 else ''}[/dim]")


def _numeric(values: list) -> bool:
    return bool(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def sum_columns(rows: list[dict], columns: Sequence[str], label_column: str, label: str = "total") -> dict:
    """The sum of each numeric column (booleans and text left out)."""
    totals: dict = {label_column: label}
    for column in columns:
        values = [r.get(column) for r in rows]
        if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values if v is not None) \
                and any(v is not None for v in values):
            totals[column] = sum(v for v in values if v is not None)
    return totals


def funnel_chart(console, total: dict, steps: Sequence[str]) -> None:
    """Horizontal bars of the conversion funnel of the whole report."""
    from rich.table import Table

    chart = Table.grid(padding=(0, 1))
    chart.add_column(justify="right", style="bold")
    chart.add_column()
    chart.add_column(justify="right")
    largest = total.get(steps[0]) or 0
    for step in steps:
        value = total.get(step) or 0
        share = f"{total.get(step + '_pct')}%" if total.get(step + "_pct") is not None else ""
        chart.add_row(step, f"[cyan]{bar(value, largest)}[/cyan]", f"{value} {share}".strip())
    console.print(chart)


def metrics_chart(console, rows: list[dict]) -> None:
    """Median business days per interval as bars, and each interval's weekly mean as a sparkline."""
    from rich.table import Table

    chart = Table.grid(padding=(0, 1))
    chart.add_column(justify="right", style="bold")
    chart.add_column()
    chart.add_column(justify="right")
    chart.add_column()
    largest = max((r.get("median_business_days") or 0) for r in rows)
    for r in rows:
        median = r.get("median_business_days")
        weekly = [w.get("mean_business_days") for w in r.get("weekly", [])]
        chart.add_row(r["interval"].replace("_", " "), f"[cyan]{bar(median or 0, largest, 20)}[/cyan]",
                      "-" if median is None else f"{median:g} bd", f"[magenta]{sparkline(weekly)}[/magenta]")
    console.print("[dim]median business days, and the weekly mean by week of submission:[/dim]")
    console.print(chart)
