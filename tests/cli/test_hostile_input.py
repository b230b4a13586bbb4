"""Clumsy and hostile input from the command line: each is one clear line with the exit code of
SPEC §8, nothing is written, and no file is read whole into memory."""

from __future__ import annotations

import shlex
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlalchemy import create_engine, text

from score_cli.services.requests import mentoring
from tests.helpers import dump, score
from tests.world import ADMIN, CIC, MENTOR, MENTOR2

HEADER = "name,email,chapter,question\n"


def db_of(url: str) -> str:
    return url if url.startswith("postgresql") else url.removeprefix("sqlite:///")


def count_requests(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT COUNT(*) FROM mentoring_request")).scalar()
    engine.dispose()
    return found


def one_line(ran) -> str:
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1, ran.stderr
    assert "unexpected error" not in lines[0] and "Traceback" not in ran.stderr
    return lines[0]


# --- 4. what used to crash -------------------------------------------------------------


def test_a_csv_with_old_mac_line_ends_imports_every_row(world, tmp_path):
    path = tmp_path / "cr.csv"
    path.write_bytes(b"name,email,chapter,question\rAnn Lee,ann@x.org,BOS01,Pricing\rBob Roe,bob@x.org,BOS01,Hiring\r")
    ran = score("intake", "import", str(path), db=db_of(world.url))
    assert ran.exit_code == 0, ran.stderr
    assert count_requests(world.url) == 2


@pytest.mark.parametrize("line, said", [
    ('{"name": "A", "email": "a@x.org", "chapter": "BOS01", "question": "Q", "zip": ' + "1" * 5000 + "}",
     "a number too long"),
    ('{"name": ' * 50_000 + '"A"' + "}" * 50_000, "nested too deeply"),
])
def test_json_lines_with_a_huge_number_or_deep_nesting_are_rejected_by_line(world, tmp_path, line, said):
    path = tmp_path / "in.jsonl"
    path.write_text('{"name": "Ann", "email": "ann@x.org", "chapter": "BOS01", "question": "Q"}\n' + line + "\n")
    before = dump(world.url)
    ran = score("intake", "import", str(path), db=db_of(world.url))
    assert ran.exit_code == 2
    assert f"line 2: not valid JSON ({said}" in ran.stderr
    assert dump(world.url) == before


@pytest.mark.parametrize("when", ["9999-12-31", "0001-01-01"])
def test_a_submission_time_out_of_all_reason_is_one_clear_line(world, tmp_path, when):
    path = tmp_path / "in.csv"
    path.write_text(HEADER.strip() + ",submitted_at\nSecret Client,sc@x.org,BOS01,Q," + when + "\n")
    before = dump(world.url)
    ran = score("intake", "import", str(path), db=db_of(world.url))
    assert ran.exit_code == 2
    assert f"line 2: the submission time {when} is outside 2000..2059" in ran.stderr
    assert "Secret Client" not in ran.stderr and "INSERT" not in ran.stderr
    assert dump(world.url) == before


@pytest.mark.parametrize("argv", [("report", "not-assigned", "--chapter", "BOS01", "--from", "0001-01-01"),
                                  ("report", "conversion", "--chapter", "BOS01", "--to", "9999-12-31"),
                                  ("pause", MENTOR, "--from", "9999-12-01", "--until", "9999-12-31")])
def test_dates_typed_outside_the_calendar_are_bad_input(world, argv):
    before = dump(world.url)
    ran = score(*argv, db=db_of(world.url), actor=ADMIN)
    assert ran.exit_code == 2
    assert "outside the years score works with" in one_line(ran)
    assert dump(world.url) == before


def test_merging_a_client_number_too_large_for_the_store_is_not_found(world):
    world.submit()
    ran = score("client", "merge", "1111111111111111111111111", "1", db=db_of(world.url), actor=ADMIN)
    assert ran.exit_code == 3
    assert "no client with id" in one_line(ran)


def test_db_upgrade_on_a_store_from_a_newer_score_says_so(tmp_path):
    db = str(tmp_path / "s.db")
    assert score("db", "init", db=db).exit_code == 0
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    conn.close()
    for argv in (("db", "upgrade"), ("chapter", "list")):
        ran = score(*argv, db=db)
        assert ran.exit_code == 2
        assert "made by a newer score: upgrade score" in one_line(ran)


# --- 5. files read in bounded memory, broken CSV refused ---------------------------------


def test_a_line_longer_than_the_limit_is_refused_with_its_number(world, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(HEADER + "Ann,ann@x.org,BOS01,Q\n" + "Bob,bob@x.org,BOS01," + "x" * 1_100_000 + "\n")
    ran = score("intake", "import", str(path), db=db_of(world.url))
    assert ran.exit_code == 2
    assert "line 3 of" in one_line(ran) and "longer than 1,000,000 characters" in ran.stderr
    assert count_requests(world.url) == 0


def test_an_endless_file_without_line_ends_stops_at_the_first_line(world):
    ran = score("intake", "import", "/dev/zero", db=db_of(world.url))
    assert ran.exit_code == 2
    assert "line 1 of /dev/zero is longer than" in one_line(ran)


@pytest.mark.parametrize("rows, said", [
    # a quote never closed where its cell ends: strict CSV reading stops at line 4
    ('Ann,ann@x.org,BOS01,"Pricing help\nBob,bob@x.org,BOS01,Hiring\nCy,cy@x.org,BOS01,"Marketing"\n',
     ["not valid CSV (line 4)", "quote"]),
    # Ann's question opens a quote that closes exactly where Bob's row ends: valid CSV, two rows
    ('Ann,ann@x.org,BOS01,"Pricing help\nBob,bob@x.org,BOS01,Hiring"\nCy,cy@x.org,BOS01,Marketing\n',
     ["not valid CSV (line 3)", "quote opened on line 2"]),
])
def test_an_unbalanced_quote_is_an_error_not_a_swallowed_row(world, tmp_path, rows, said):
    path = tmp_path / "quote.csv"
    path.write_text(HEADER + rows)
    ran = score("intake", "import", str(path), db=db_of(world.url))
    assert ran.exit_code == 2
    assert all(words in one_line(ran) for words in said)
    assert count_requests(world.url) == 0


def test_a_question_over_several_lines_is_still_one_cell(world, tmp_path):
    path = tmp_path / "lines.csv"
    path.write_text(HEADER + 'Ann,ann@x.org,BOS01,"We bake pies, cakes\nand bread, daily"\n')
    ran = score("intake", "import", str(path), db=db_of(world.url))
    assert ran.exit_code == 0, ran.stderr
    assert count_requests(world.url) == 1


def test_a_column_named_twice_is_an_error(world, tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text("name,email,chapter,question,email\nAnn,ann@x.org,BOS01,Q,other@x.org\n")
    ran = score("intake", "import", str(path), db=db_of(world.url))
    assert ran.exit_code == 2
    assert "names the column(s) email more than once" in one_line(ran)


def test_rerunning_an_export_without_submission_times_adds_nothing(world, tmp_path):
    path = tmp_path / "again.csv"
    path.write_text(HEADER + "Ann,ann@x.org,BOS01,Pricing\nBob,bob@x.org,BOS01,Hiring\n"
                    "Dee,dee@x.org,BOS01,Direct please\n")
    with freeze_time("2026-11-23 15:00:00"):
        assert score("intake", "import", str(path), db=db_of(world.url)).exit_code == 0
    with freeze_time("2026-11-23 18:00:00"):
        again = score("intake", "import", str(path), "--format", "json", db=db_of(world.url))
    assert again.exit_code == 0, again.stderr
    assert (again.json()["imported"], again.json()["already_present"]) == (0, 3)
    assert count_requests(world.url) == 3
    with freeze_time("2026-11-25 15:00:00"):  # two days on, the same question is a new request
        later = score("intake", "import", str(path), "--format", "json", db=db_of(world.url))
    assert later.json()["imported"] == 3


# --- 7. volunteer import: dry run and --skip-invalid check what the real run checks -------


def test_a_volunteer_import_dry_run_refuses_a_role_the_actor_may_not_grant(tmp_path):
    db = str(tmp_path / "s.db")
    assert score("db", "init", "--admin", "ada@example.org", db=db).exit_code == 0
    assert score("volunteer", "add", "mgr@example.org", "--name", "Mo", "--chapter", "BOS01", "--role",
                 "chapter_manager", db=db, actor="ada@example.org").exit_code == 0
    path = tmp_path / "v.csv"
    path.write_text("email,name,chapter,roles\nann@example.org,Ann,BOS01,\nbob@example.org,Bob,BOS01,admin\n"
                    "cy@example.org,Cy,BOS01,cic\nrae@example.org,Rae,BOS01,rcic@district:D99\n")
    before = dump("sqlite:///" + db)
    dry = score("volunteer", "import", str(path), "--dry-run", db=db, actor="mgr@example.org")
    assert dry.exit_code != 0
    assert "line 3: bob@example.org:" in dry.stderr and "admin" in dry.stderr
    assert "line 5: rae@example.org:" in dry.stderr
    assert dump("sqlite:///" + db) == before
    skipped = score("volunteer", "import", str(path), "--skip-invalid", "--format", "json", db=db,
                    actor="mgr@example.org")
    assert skipped.json()["added"] == 2
    assert [r["line"] for r in skipped.json()["rejected"]] == [3, 5]
    listed = score("volunteer", "list", "--chapter", "BOS01", "--format", "json", db=db, actor="mgr@example.org")
    assert sorted(v["email"] for v in listed.json()) == ["ann@example.org", "cy@example.org", "mgr@example.org"]


# --- 8. look-alike identities ---------------------------------------------------------------


@pytest.mark.parametrize("email", ["mo\u200b@example.org", "mo\u202e@example.org", "mo@example\uff0eorg",
                                   "mo@exa mple.org", "mo\u2063@example.org"])
def test_an_email_with_invisible_or_look_alike_characters_is_refused(world, email):
    before = dump(world.url)
    ran = score("volunteer", "add", email, "--name", "Mo Again", "--chapter", "BOS01", db=db_of(world.url),
                actor=ADMIN)
    assert ran.exit_code == 2
    assert "not a valid e-mail" in one_line(ran)
    assert dump(world.url) == before


def test_names_and_emails_are_kept_in_one_unicode_form(world):
    decomposed_email, decomposed_name = "rene\u0301@example.org", "Rene\u0301 Lac"
    ran = score("volunteer", "add", decomposed_email, "--name", decomposed_name, "--chapter", "BOS01",
                "--format", "json", db=db_of(world.url), actor=ADMIN)
    assert ran.exit_code == 0, ran.stderr
    assert ran.json()["email"] == "ren\u00e9@example.org" and ran.json()["name"] == "Ren\u00e9 Lac"
    again = score("volunteer", "add", "ren\u00e9@example.org", "--name", "Other", "--chapter", "BOS01",
                  db=db_of(world.url), actor=ADMIN)
    assert again.exit_code == 1 and "already a volunteer" in again.stderr


# --- 9. smaller ones --------------------------------------------------------------------------


def test_a_usage_error_is_one_line_like_every_other_error(world):
    ran = score("volunteer", "add", "x@example.org", "--bogus", db=db_of(world.url), actor=ADMIN)
    assert ran.exit_code == 2
    assert one_line(ran) == "score: No such option: --bogus (see `score volunteer add -h`)"


def test_a_bad_value_is_echoed_back_short(world):
    ran = score("queue", "list", "--stage", "x" * 5000, db=db_of(world.url), actor=CIC)
    assert ran.exit_code == 2
    said = one_line(ran)
    assert "x" * 81 not in said and len(said) < 300 and "5,000 characters" in said


def test_a_file_that_is_no_store_is_not_found_not_a_conflict(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("my shopping list\n" * 100)
    ran = score("chapter", "list", db=str(path))
    assert ran.exit_code == 3  # no store there (SPEC §8), never 4: cron would retry it forever
    assert "not a score store" in one_line(ran)


def test_assigning_a_request_its_mentor_has_in_hand_is_refused_not_a_conflict(world):
    request_id = world.assigned(MENTOR)
    mentoring.accept(world.store, MENTOR, request_id)
    before = dump(world.url)
    ran = score("assign", f"MRE-{request_id}", MENTOR2, db=db_of(world.url), actor=CIC)
    assert ran.exit_code == 1
    assert "score reassign" in one_line(ran)
    assert dump(world.url) == before


def test_a_failed_backup_leaves_no_file_behind(tmp_path):
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not sqlite at all" * 1000)
    dest = tmp_path / "copy.db"
    ran = score("db", "backup", str(dest), db=str(broken))
    assert ran.exit_code == 2, ran.stderr
    assert not dest.exists()


def test_the_printed_pg_dump_command_runs(world, tmp_path):
    if not world.url.startswith("postgresql"):
        pytest.skip("the pg_dump command is for PostgreSQL stores")
    pg_dump = shutil.which("pg_dump") or "/usr/lib/postgresql/15/bin/pg_dump"
    if not Path(pg_dump).exists():
        pytest.skip("no pg_dump on this machine")
    dest = tmp_path / "a folder with spaces" / "dump's.pgc"
    dest.parent.mkdir()
    ran = score("db", "backup", str(dest), db=world.url)
    assert ran.exit_code == 0
    argv = shlex.split(ran.stdout.strip())
    assert argv[0] == "pg_dump"
    done = subprocess.run([pg_dump, *argv[1:]], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert dest.stat().st_size > 0


def test_db_init_refuses_a_database_that_holds_another_applications_tables(tmp_path):
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.close()
    ran = score("db", "init", db=str(path))
    assert ran.exit_code == 2
    assert "another application's tables (customers)" in one_line(ran)
    with sqlite3.connect(path) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["customers"]
    conn.close()


def test_show_as_csv_holds_no_python_reprs(world):
    request_id = world.assigned(MENTOR)
    mentoring.accept(world.store, MENTOR, request_id)
    ran = score("show", f"MRE-{request_id}", "--format", "csv", db=db_of(world.url), actor=CIC)
    assert ran.exit_code == 0
    assert "datetime.datetime" not in ran.stdout and "{'" not in ran.stdout and "None" not in ran.stdout
    assert '""email"": ""mentor@example.org""' in ran.stdout


def test_session_edit_answers_alike_for_a_missing_session_and_one_out_of_sight(world):
    with freeze_time("2026-11-18 15:00:00"):
        request_id = world.assigned(MENTOR)
        mentoring.accept(world.store, MENTOR, request_id)
        mentoring.contact(world.store, MENTOR, request_id, method="phone")
    with freeze_time("2026-11-19 15:00:00"):
        added = mentoring.add_session(world.store, MENTOR, request_id, day="2026-11-19", minutes=30, notes="First")
    answers = []
    for session_id in (str(added["session"]), "999"):
        ran = score("session", "edit", f"MRE-{request_id}", session_id, "--minutes", "45", db=db_of(world.url),
                    actor=MENTOR2)
        answers.append((ran.exit_code, one_line(ran).replace(f"session {session_id} ", "session N ")))
    assert answers[0] == answers[1] and answers[0][0] == 1
