"""Every command's help reads like a manual: placeholders name the thing, summaries are whole."""

import re

from typer.main import get_command

from score_cli.cli import app
from tests.helpers import score


def _all_commands() -> list[list[str]]:
    """Every command and group, the lazily loaded ones included."""
    import typer

    found = []

    def walk(command, path):
        found.append(path)
        if hasattr(command, "list_commands"):
            ctx = typer.Context(command)
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), path + [name])

    walk(get_command(app), [])
    return found


def test_every_help_names_its_placeholders_and_keeps_its_summaries_whole(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    commands = _all_commands()
    assert len(commands) > 50
    for path in commands:
        ran = score(*path, "--help")
        assert ran.exit_code == 0, path
        text = ran.stdout
        # Python types and Typer's brackets are not placeholders a coordinator knows
        assert not re.search(r"<(str|int|float|list)|\{[A-Za-z]|list\[", text), (path, text)
        assert not re.search(r"\[[a-z_]+\]", text.splitlines()[0]), (path, text.splitlines()[0])
        listing = text.split("Commands:", 1)[1] if "Commands:" in text else ""
        for line in listing.splitlines():
            assert not line.rstrip().endswith("..."), (path, line)
            assert len(line) <= 80, (path, line)


def test_placeholders_say_what_to_type(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assign = score("assign", "--help").stdout
    assert "Usage: score assign [OPTIONS] MRE [EMAIL]" in assign
    assert "--note TEXT" in assign and "--limit N" in assign
    submit = score("intake", "submit", "--help").stdout
    assert "--email EMAIL" in submit and "--chapter CODE" in submit
    report = score("report", "not-assigned", "--help").stdout
    assert "--from DATE" in report and "--district CODE" in report
    top = score("--help").stdout
    assert "--as EMAIL" in top and "Everything about one request." in top
