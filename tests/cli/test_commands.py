"""Every command has help, and help never loads the database stack."""

import os
import subprocess
import sys

import pytest
import typer

from score_cli.cli import app
from tests.helpers import score


def walk(command, path=()):
    """Every command, the lazily loaded ones included."""
    yield path, command
    if hasattr(command, "list_commands"):
        ctx = typer.Context(command)
        for name in command.list_commands(ctx):
            yield from walk(command.get_command(ctx, name), path + (name,))


def test_the_app_object_is_the_console_script_and_a_click_command():
    command = typer.main.get_command(app)
    assert {"db", "chapter", "volunteer", "demo"} <= set(command.list_commands(typer.Context(command)))


def test_every_command_has_help_text():
    for path, command in walk(typer.main.get_command(app)):
        assert (command.help or "").strip(), f"score {' '.join(path)} has no help"
        ran = score(*path, "--help")
        assert ran.exit_code == 0 and "Usage" in ran.stdout


def test_help_lists_the_command_groups():
    out = score("--help").stdout
    for group in ("db", "chapter", "volunteer", "demo"):
        assert group in out


def test_help_and_version_do_not_import_the_database_stack():
    probe = ("import sys; from score_cli.cli import app; "
             "import typer.main; typer.main.get_command(app); "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy','sqlmodel','alembic','holidays','textual')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("argv", [["--help"], ["queue", "--help"], ["triage", "--help"],
                                  ["--db", "x.db", "--as", "a@b.org", "sweep", "-h"]])
def test_help_loads_neither_pydantic_nor_the_database_stack(argv):
    probe = ("import sys, runpy; sys.argv = ['score'] + sys.argv[1:]\n"
             "try: runpy.run_module('score_cli', run_name='__main__')\n"
             "except SystemExit: pass\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'sqlalchemy', 'sqlmodel', 'rich', 'textual'}))")
    ran = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, check=True)
    assert "Usage" in ran.stdout and ran.stdout.strip().endswith("[]")


def test_a_command_converts_its_options_without_building_pydantic_adapters(tmp_path):
    """Typer's per-option pydantic adapters cost about 0.1 s a run; text, flags and numbers skip them."""
    probe = ("import sys, runpy; sys.argv = ['score'] + sys.argv[1:]\n"
             "try: runpy.run_module('score_cli', run_name='__main__')\n"
             "except SystemExit: pass\n"
             "print('typer._adapters' in sys.modules)")
    argv = ["--db", str(tmp_path / "none.db"), "--as", "a@b.org", "queue", "list", "--chapter", "BOS01",
            "--limit", "5", "--overdue", "--format", "json"]
    ran = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, check=True)
    assert "no store at" in ran.stderr  # it got as far as opening the store
    assert ran.stdout.strip() == "False"


@pytest.mark.parametrize("args", [["show", "{mre}"], ["queue", "list", "--chapter", "BOS01"],
                                  ["queue", "list", "--district", "{district}"], ["assign", "{mre}", "--suggest"]])
def test_the_reads_a_coordinator_waits_on_answer_without_building_the_orm_classes(world, args):
    """`show`, `queue list` and `assign --suggest` read through plain SQL: SQLModel, the ORM and
    pydantic cost more to load than these commands' whole work."""
    from tests.world import CIC, RCIC

    number = world.submit()
    args = [a.format(mre=f"MRE-{number}", district=world.district_of("BOS01")) for a in args]
    probe = ("import sys, runpy; sys.argv = ['score'] + sys.argv[1:]\n"
             "code = 0\n"
             "try: runpy.run_module('score_cli', run_name='__main__')\n"
             "except SystemExit as done: code = done.code or 0\n"
             "print(code, sorted({'sqlmodel', 'sqlalchemy.orm', 'pydantic', 'score_cli.store.models'}"
             " & set(sys.modules)), file=sys.stderr)")
    actor = RCIC if "--district" in args else CIC  # a CIC sees only their chapter's queue
    ran = subprocess.run([sys.executable, "-c", probe, "--db", world.url, "--as", actor, *args, "--format", "json"],
                         capture_output=True, text=True)
    assert ran.stderr.strip().splitlines()[-1] == "0 []", ran.stderr
    assert f"MRE-{number}" in ran.stdout or "@example.org" in ran.stdout  # it answered


@pytest.mark.parametrize("args, problem", [
    (["queue", "list", "--limit", "0"], "'--limit': 0 is below the least allowed, 1"),
    (["queue", "list", "--limit", "ten"], "'--limit': 'ten' is not a whole number"),
    (["assign", "MRE-1", "--suggest", "--limit", "501"], "'--limit': 501 is above the most allowed, 500"),
    (["duplicates", "find", "--min-score", "high"], "'--min-score': 'high' is not a number"),
])
def test_a_number_that_is_not_one_or_out_of_bounds_is_refused_before_anything_runs(tmp_path, args, problem):
    ran = score(*args, db=str(tmp_path / "none.db"))  # a store that is not there: exit 3 had it run
    assert ran.exit_code == 2 and problem in ran.stderr


@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
def test_a_reader_that_stops_reading_ends_the_command_quietly(world, fmt):
    """`score chapter list | head -1`: no "Broken pipe" and no Python shutdown noise on stderr."""
    proc = subprocess.Popen([sys.executable, "-m", "score_cli", "--db", world.url, "chapter", "list",
                             "--format", fmt], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # before the command has written anything: its first write meets a closed pipe
    err = proc.stderr.read().decode()
    assert proc.wait() == 1 and err == ""


def test_the_programs_help_names_every_command_and_group_and_a_groups_help_its_commands():
    top = subprocess.run([sys.executable, "-m", "score_cli", "--help"], capture_output=True, text=True).stdout
    for line in ("show              Everything about one request", "queue             The Client Intake Queue.",
                 "report            Reports: clients not yet served"):
        assert line in top
    queue = subprocess.run([sys.executable, "-m", "score_cli", "queue", "--help"], capture_output=True, text=True)
    assert "list  Open requests, those waiting for a mentor first." in queue.stdout


def test_python_dash_m_runs_the_same_app():
    ran = subprocess.run([sys.executable, "-m", "score_cli", "--version"], capture_output=True, text=True)
    assert ran.returncode == 0 and ran.stdout.startswith("score ")


def test_the_programs_help_shows_each_summary_whole_on_one_line_of_80_columns():
    from score_cli.cli.commands import COMMANDS

    top = subprocess.run([sys.executable, "-m", "score_cli", "--help"], capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "80"}).stdout
    for name, (_, _, summary) in COMMANDS.items():
        assert f"{name.ljust(18)}{summary}" in top, name
    assert max(len(line) for line in top.splitlines()) <= 80


def test_each_summary_in_the_command_table_is_the_first_line_of_the_commands_help():
    from score_cli.cli.commands import COMMANDS, load_command

    for name, (_, _, summary) in COMMANDS.items():
        assert (load_command(name).help or "").strip().splitlines()[0] == summary, name


def test_a_command_runs_with_only_its_own_module_loaded():
    """`score show` loads the cases module and not the other command modules."""
    probe = ("import sys, runpy; sys.argv = ['score', 'show', '--help']\n"
             "try: runpy.run_module('score_cli', run_name='__main__')\n"
             "except SystemExit: pass\n"
             "print(sorted(m for m in sys.modules if m.startswith('score_cli.cli.') and m.count('.') == 2))")
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = ran.stdout.strip().splitlines()[-1]
    assert "score_cli.cli.cases" in loaded and "score_cli.cli.report" not in loaded, loaded
