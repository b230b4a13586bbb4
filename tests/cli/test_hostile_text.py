"""Text typed into a web form or a CSV file is shown as plain text in every table view: never read
as Rich markup, never obeyed by the terminal as a control sequence."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from score_cli.cli.safe_text import cell, line, shorten_quoted
from score_cli.services.requests.assignment import add_note
from tests.helpers import score
from tests.world import ADMIN, CIC, MENTOR

HOSTILE = ["Mark [/bold] Up", "[link=https://evil.example/login]Click here[/link]", "\x1b[2J", "\x1b]0;owned\x07",
           "\x9b31m", "\u202eevil", "[bold", "[/]", "\\[i]", ":smile:", "a\\", "\r\roverwrite", "\x00", "[red]"]
# What a terminal must never receive from a value: ESC, C1 controls (CSI U+009B), BEL, CR, the
# bidirectional overrides and isolates.
OBEYED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

TABLE_VIEWS = [
    ("queue", "list", "--chapter", "BOS01"),
    ("show", "MRE-1"),
    ("report", "not-assigned", "--chapter", "BOS01"),
    ("report", "not-accepted", "--chapter", "BOS01"),
    ("report", "orphaned"),
    ("volunteer", "list", "--chapter", "BOS01"),
    ("volunteer", "show", MENTOR),
    ("mentors", "available", "--chapter", "BOS01"),
    ("duplicates", "find", "--chapter", "BOS01"),
    ("notify", "list"),
]


def test_the_display_rule_by_hand():
    assert cell("Mark [/bold] Up") == "Mark \\[/bold] Up"
    assert cell("[link=https://evil.example/login]Click[/link]") == "\\[link=https://evil.example/login]Click\\[/link]"
    assert cell("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert cell("\x9b\u202e") == "\\x9b\\u202e"
    assert cell("two\nlines") == "two\nlines"
    assert line("two\nlines\r") == "two\\x0alines\\x0d"
    assert cell("[1] and [2]") == "[1] and [2]"  # brackets that are no tag are left alone
    assert shorten_quoted("not '" + "x" * 200 + "'") == "not '" + "x" * 79 + "…' (200 characters)"
    assert shorten_quoted("not 'short'") == "not 'short'"


@st.composite
def hostile_text(draw):
    parts = draw(st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=8)), min_size=1,
                          max_size=4))
    value = "".join(parts).replace("\x00", "")  # PostgreSQL text cannot hold NUL
    return value.strip() or "x[/b]"


def test_every_table_view_shows_hostile_text_plainly(world, store_url, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    request = world.assigned(MENTOR, name="Plain Name", question="Plain question")
    add_note(world.store, CIC, request, "a plain note")
    engine = create_engine(store_url)
    db = store_url if store_url.startswith("postgresql") else store_url.removeprefix("sqlite:///")

    @settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(hostile_text())
    def check(value):
        with engine.begin() as conn:
            conn.execute(text("UPDATE client SET name = :v"), {"v": value})
            conn.execute(text("UPDATE mentoring_request SET question = :v"), {"v": value})
            conn.execute(text("UPDATE note SET text = :v"), {"v": value})
            conn.execute(text("UPDATE volunteer SET name = :v WHERE email = :e"), {"v": value, "e": MENTOR})
        for view in TABLE_VIEWS:
            ran = score(*view, "--format", "table", db=db, actor=ADMIN)
            said = ran.stdout + ran.stderr
            assert ran.exit_code == 0, (view, value, said[-500:])
            assert "unexpected error" not in said, (view, value, said[-500:])
            assert not OBEYED.search(said), (view, value, said[-500:])
            assert "\x1b]8;" not in said  # no hidden hyperlink

    check()
    engine.dispose()


@pytest.mark.parametrize("name", ["Mark [/bold] Up", "[link=https://evil.example/login]Click here[/link]"])
def test_a_name_with_markup_reads_as_typed_in_the_queue_and_in_show(world, store_url, monkeypatch, name):
    monkeypatch.setenv("COLUMNS", "400")
    world.submit(name=name, question="Q")
    db = store_url if store_url.startswith("postgresql") else store_url.removeprefix("sqlite:///")
    queue = score("queue", "list", "--chapter", "BOS01", "--format", "table", db=db, actor=CIC)
    shown = score("show", "MRE-1", "--format", "table", db=db, actor=CIC)
    assert queue.exit_code == 0 and shown.exit_code == 0, queue.stderr + shown.stderr
    assert name in queue.stdout
    assert name in shown.stdout


def test_an_error_line_shows_control_characters_as_escapes(world, store_url):
    db = store_url if store_url.startswith("postgresql") else store_url.removeprefix("sqlite:///")
    ran = score("volunteer", "show", "ghost\x1b[2J\u202e@example.org", db=db, actor=ADMIN)
    assert ran.exit_code in (2, 3)
    assert "\x1b" not in ran.stderr and "\u202e" not in ran.stderr
    assert len(ran.stderr.strip().splitlines()) == 1


MACHINE_VIEWS = [
    ("queue", "list", "--chapter", "BOS01"),
    ("show", "MRE-1"),
    ("report", "not-assigned", "--chapter", "BOS01"),
    ("duplicates", "find", "--chapter", "BOS01"),
]


def strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def test_json_and_csv_escape_what_a_terminal_would_obey(world, store_url):
    """`--format json|csv` piped to a terminal (or `less`) obeys nothing either: JSON writes C1
    controls and direction overrides as \\u escapes (read back as typed), CSV as in a table."""
    name = "Eve \x9b31m\u202eevil\x1b[2J\u2066x"
    world.submit(name="Eve", question="Q")
    world.submit(name="Eve", question="Q")  # the same client twice: a group for `duplicates find`
    engine = create_engine(store_url)
    with engine.begin() as conn:  # as an older score, or another program, let it in
        conn.execute(text("UPDATE client SET name = :v"), {"v": name})
    engine.dispose()
    db = store_url if store_url.startswith("postgresql") else store_url.removeprefix("sqlite:///")
    for view in MACHINE_VIEWS:
        as_json = score(*view, "--format", "json", db=db, actor=ADMIN)
        assert as_json.exit_code == 0, (view, as_json.stderr)
        assert not OBEYED.search(as_json.stdout), view
        assert "\\u009b31m\\u202eevil\\u001b[2J\\u2066x" in as_json.stdout, view
        assert name in strings(as_json.json()), view  # read back exactly as stored
        as_csv = score(*view, "--format", "csv", db=db, actor=ADMIN)
        assert as_csv.exit_code == 0, (view, as_csv.stderr)
        assert not OBEYED.search(as_csv.stdout), view
        # a plain cell as in a table; a record inside a cell (show's client) as its JSON
        assert "Eve \\x9b31m\\u202eevil\\x1b[2J\\u2066x" in as_csv.stdout or (
            view[0] == "show" and "Eve \\u009b31m\\u202eevil\\u001b[2J\\u2066x" in as_csv.stdout), view
