"""`score triage` on screen: the queue on the left, the highlighted request on the right.

Each key does what its command does, through the same service and so the same permission
checks; a refusal is shown on the status line and changes nothing. Client text is shown as
plain text (`safe_text`), never read as markup.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from rich.console import Console
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Label, Static

from score_cli.cli.context import VIEW
from score_cli.cli.safe_text import line as one_line
from score_cli.domain.errors import ScoreError

QUEUE_COLUMNS = (("id", "request"), ("status", "status"), ("client", "client"),
                 ("business_days_waiting", "waiting (bd)"), ("owner", "owner"))


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    value: str = ""
    required: bool = True


class Ask(ModalScreen[dict | None]):
    """A few values for one action; Enter in the last field confirms, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    Ask { align: center middle; }
    Ask > Vertical { width: 70; height: auto; border: round $accent; padding: 1 2; background: $surface; }
    Ask #problem { color: $error; }
    """

    def __init__(self, title: str, fields: list[Field]):
        super().__init__()
        self.title_text = title
        self.fields = fields

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text, style="bold"))
            for f in self.fields:
                yield Label(f.label)
                yield Input(value=f.value, id=f"ask-{f.name}")
            yield Label("", id="problem")
            yield Label(Text("Enter confirms, Escape cancels", style="dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        if event.input is not inputs[-1]:
            inputs[inputs.index(event.input) + 1].focus()
            return
        values = {f.name: self.query_one(f"#ask-{f.name}", Input).value.strip() for f in self.fields}
        missing = [f.label for f in self.fields if f.required and not values[f.name]]
        if missing:
            self.query_one("#problem", Label).update(f"{missing[0]} is needed")
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)


class Triage(App):
    TITLE = "score triage"
    CSS = """
    #queue { width: 1fr; }
    #detail-pane { width: 1fr; border-left: solid $accent; padding: 0 1; }
    #status { height: 1; padding: 0 1; }
    """
    BINDINGS = [
        Binding("s", "suggest", "Suggest"),
        Binding("a", "assign", "Assign"),
        Binding("r", "reassign", "Reassign"),
        Binding("n", "note", "Note"),
        Binding("w", "withdraw", "Withdraw"),
        Binding("t", "transfer", "Transfer"),
        Binding("g", "refresh", "Refresh"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, store, actor: str, scope, rows: list[dict] | None = None):
        super().__init__()
        self.store, self.actor, self.scope = store, actor, scope
        self.first_rows = rows
        self.suggested: list[dict] = []
        self.current: int | None = None

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield DataTable(id="queue", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="detail-pane"):
                yield Static(id="detail")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#queue", DataTable)
        for key, header in QUEUE_COLUMNS:
            table.add_column(header, key=key)
        self.load_queue(self.first_rows)
        table.focus()

    # --- what is shown ---------------------------------------------------------------------

    def load_queue(self, rows: list[dict] | None = None) -> None:
        from score_cli.services.organisation.queue import list_queue

        if rows is None:
            rows = list_queue(self.store, self.actor, self.scope)
        table = self.query_one("#queue", DataTable)
        keep = self.current
        table.clear()
        for r in rows:
            table.add_row(*(Text(one_line(str(r.get(k) if r.get(k) is not None else "-"))) for k, _ in QUEUE_COLUMNS),
                          key=r["id"])
        self.sub_title = f"{len(rows)} open request{'s' if len(rows) != 1 else ''}"
        if not rows:
            self.current = None
            self.detail(Text("nothing open in this queue"))
            return
        ids = [r["id"] for r in rows]
        row = ids.index(f"MRE-{keep}") if keep is not None and f"MRE-{keep}" in ids else 0
        table.move_cursor(row=row)
        self.show_request(int(ids[row].removeprefix("MRE-")))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.show_request(int(str(event.row_key.value).removeprefix("MRE-")))

    def show_request(self, number: int) -> None:
        from score_cli.cli.request_view import print_request
        from score_cli.services.requests.show import show

        if number != self.current:
            self.suggested = []
        self.current = number
        try:
            request = show(self.store, self.actor, number)
        except ScoreError as e:
            self.detail(Text(one_line(e.message)))
            return
        self.detail(self.rendered(lambda console: print_request(request, console, name_left_out=False)))

    def rendered(self, draw) -> Text:
        """What `draw` prints on a console as wide as the detail pane."""
        width = max(40, self.query_one("#detail-pane").size.width - 2)
        console = Console(file=io.StringIO(), width=width, force_terminal=True, color_system="truecolor",
                          emoji=False)
        shown = VIEW.set((False, None))  # the pane picks its own columns, whatever a command was given
        try:
            draw(console)
        finally:
            VIEW.reset(shown)
        return Text.from_ansi(console.file.getvalue())

    def detail(self, content) -> None:
        self.query_one("#detail", Static).update(content)
        self.query_one("#detail-pane", VerticalScroll).scroll_home(animate=False)

    def say(self, message: str, *, problem: bool = False) -> None:
        self.query_one("#status", Static).update(Text(one_line(message), style="bold red" if problem else "green"))

    # --- the actions: each one service call ------------------------------------------------

    def attempt(self, work, done: str) -> None:
        try:
            work()
        except ScoreError as e:
            self.say(e.message, problem=True)
            return
        self.say(done)
        self.load_queue()

    def action_refresh(self) -> None:
        self.load_queue()
        self.say("queue reloaded")

    def action_suggest(self) -> None:
        from score_cli.cli.fit import print_table
        from score_cli.services.people.matching import suggest

        if self.current is None:
            return
        try:
            found = suggest(self.store, self.actor, self.current)
        except ScoreError as e:
            self.say(e.message, problem=True)
            return
        self.suggested = found.rows

        def draw(console):
            if found.rows:
                print_table(console, found.rows, ["rank", "email", "name", "reason"],
                            title=f"Mentors for {found.request} ({found.chapter})", title_justify="left",
                            name_left_out=False)
            else:
                console.print("no eligible mentor", markup=False)
            if found.advice:
                console.print(found.advice, markup=False, style="yellow")
            console.print("a assigns the first one (or type another e-mail)", style="dim")

        self.detail(self.rendered(draw))

    def ask(self, title: str, fields: list[Field], then) -> None:
        if self.current is None:
            self.say("no request is selected", problem=True)
            return
        number = self.current
        self.push_screen(Ask(title, fields), lambda values: values is not None and then(number, values))

    def action_assign(self) -> None:
        from score_cli.services.requests.assignment import assign

        first = self.suggested[0]["email"] if self.suggested else ""
        self.ask(f"Assign MRE-{self.current}", [Field("mentor", "mentor's e-mail", first),
                                                Field("note", "note for the mentor (optional)", required=False)],
                 lambda n, v: self.attempt(lambda: assign(self.store, self.actor, n, v["mentor"],
                                                          note=v["note"] or None),
                                           f"MRE-{n} assigned to {v['mentor'].lower()}"))

    def action_reassign(self) -> None:
        from score_cli.services.requests.assignment import reassign

        def run(n: int, v: dict) -> None:
            to_queue = v["mentor"].lower() == "queue"
            self.attempt(lambda: reassign(self.store, self.actor, n, None if to_queue else v["mentor"],
                                          reason=v["reason"], to_queue=to_queue),
                         f"MRE-{n} reassigned to {'the intake queue' if to_queue else v['mentor'].lower()}")

        self.ask(f"Reassign MRE-{self.current}", [Field("mentor", "new mentor's e-mail, or queue"),
                                                  Field("reason", "why (kept in the history)")], run)

    def action_note(self) -> None:
        from score_cli.services.requests.assignment import add_note

        self.ask(f"Note on MRE-{self.current}", [Field("text", "the note")],
                 lambda n, v: self.attempt(lambda: add_note(self.store, self.actor, n, v["text"]),
                                           f"note added to MRE-{n}"))

    def action_withdraw(self) -> None:
        from score_cli.services.requests.assignment import withdraw

        self.ask(f"Withdraw MRE-{self.current}", [Field("reason", "why (kept in the history)")],
                 lambda n, v: self.attempt(lambda: withdraw(self.store, self.actor, n, reason=v["reason"]),
                                           f"MRE-{n} withdrawn"))

    def action_transfer(self) -> None:
        from score_cli.services.requests.assignment import transfer

        self.ask(f"Transfer MRE-{self.current} to another chapter",
                 [Field("chapter", "chapter code"), Field("reason", "why (kept in the history)")],
                 lambda n, v: self.attempt(lambda: transfer(self.store, self.actor, n, v["chapter"],
                                                            reason=v["reason"]),
                                           f"MRE-{n} transferred to {v['chapter'].upper()}"))
