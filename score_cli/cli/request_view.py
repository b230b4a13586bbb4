"""`score show MRE` on a terminal: the request as a coordinator reads it."""


from datetime import date, datetime

from score_cli.cli.safe_text import cell


def _t(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%a %d %b %Y %H:%M %Z")
    if isinstance(value, date):
        return value.strftime("%a %d %b %Y")
    return cell(str(value))


def _shown(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _t(value)


def print_request(r: dict, console=None, *, name_left_out: bool = True) -> None:
    """`r` (as `services.requests.show` gives it) on `console` (default: the terminal)."""
    from rich.console import Console
    from rich.table import Table

    from score_cli.cli.fit import print_table

    console = console or Console(emoji=False)
    client = r["client"]
    where = f"owned by {r['owner']}" if r["owner"] else f"in the {r['queue']} intake queue"
    console.print(f"[bold]{r['id']}[/bold]  {r['status']}  ·  chapter {r['chapter']}  ·  {cell(where)}")
    facts = Table(show_header=False, box=None, padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column(overflow="fold")
    facts.add_row("client", _t(client["name"]) + f" ({'existing' if client['existing_client'] else 'new'} client)")
    facts.add_row("e-mail", _t(", ".join(client["emails"])))
    for label, value in (("phone", client["phone"]), ("business", client["business"]), ("zip", client["zip"]),
                         ("area", r["mentoring_area"]), ("type of business", r["business_type"]),
                         ("origin", r["origin_url"]), ("direct request to", r["direct_request_to"])):
        if value:
            facts.add_row(label, _t(value))
    facts.add_row("existing business", "yes" if r["existing_business"] else "no")
    facts.add_row("question", _t(r["question"]))
    facts.add_row("submitted", _t(r["submitted_at"]))
    if r["accept_due_at"]:
        facts.add_row("accept due", _t(r["accept_due_at"]))
        facts.add_row("timeout", _t(r["timeout_at"]))
    if r["closed_at"]:
        facts.add_row("closed", _t(r["closed_at"]))
    console.print(facts)
    sections = (
        ("Case team", r["case_team"], ["email", "role", "state", "referred_by"]),
        ("Assignments", r["assignments"], ["mentor", "kind", "assigned_at", "accept_due_at", "timeout_at", "outcome"]),
        ("Notes", r["notes"], ["at", "author", "kind", "text"]),
        ("Contact attempts", r["contact_attempts"], ["at", "by", "method", "note"]),
        ("Sessions", r["sessions"], ["date", "mentor", "minutes", "late", "notes"]),
        ("Transfers", r["transfers"], ["at", "from", "to", "by", "reason"]),
        ("History", r["history"], ["at", "actor", "action", "from_status", "to_status", "reason"]),
    )
    for title, rows, columns in sections:
        if not rows:
            continue
        print_table(console, rows, columns, title=title, title_justify="left", cell=_shown,
                    name_left_out=name_left_out)
