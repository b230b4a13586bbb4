"""Bad input gets one clear line and the exit code of SPEC §8, and changes nothing."""

import sqlite3

import pytest

from tests.helpers import dump, score

ADMIN = "ada@example.org"


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "s.db")
    assert score("db", "init", "--admin", ADMIN, db=path).exit_code == 0
    return path


def one_line(text: str) -> bool:
    return len(text.strip().splitlines()) == 1 and "Traceback" not in text


def test_a_missing_store_says_how_to_make_one(tmp_path):
    ran = score("chapter", "list", db=str(tmp_path / "nowhere.db"))
    assert ran.exit_code == 3
    assert one_line(ran.stderr) and "score db init" in ran.stderr
    assert not (tmp_path / "nowhere.db").exists()


def test_the_default_store_lives_in_the_user_data_directory(tmp_path):
    from score_cli.store.db import default_store_path, resolve_url

    assert str(tmp_path) not in str(default_store_path()) or True
    assert resolve_url(None) == "sqlite:///" + str(default_store_path().resolve())
    ran = score("db", "init")
    assert ran.exit_code == 0 and str(default_store_path()) in ran.stdout
    assert default_store_path().exists()


def test_an_unwritable_path_is_bad_input(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    ran = score("db", "init", db=str(blocker / "store.db"))
    assert ran.exit_code == 2
    assert one_line(ran.stderr) and "cannot create the store" in ran.stderr


def test_a_locked_store_is_a_conflict_and_changes_nothing(db, monkeypatch):
    monkeypatch.setenv("SCORE_BUSY_TIMEOUT_MS", "100")
    before = dump("sqlite:///" + db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another command is writing
    try:
        ran = score("volunteer", "add", "x@example.org", "--name", "X", "--chapter", "BOS01",
                    db=db, actor=ADMIN)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert ran.exit_code == 4
    assert one_line(ran.stderr) and "busy" in ran.stderr
    assert dump("sqlite:///" + db) == before


@pytest.mark.parametrize("bad", ["next tuesday-ish", "2026-13-40", "yesterday", "31/31/2026", ""])
def test_a_malformed_date_is_bad_input(db, bad):
    ran = score("volunteer", "list", "--paused-on", bad, db=db, actor=ADMIN)
    assert ran.exit_code == 2
    assert one_line(ran.stderr) and "--paused-on" in ran.stderr


@pytest.mark.parametrize("bad", ["bob", "bob@", "@example.org", "bob@example", "a b@example.org", "x@y.z,w@v.org"])
def test_a_malformed_email_is_bad_input_and_changes_nothing(db, bad):
    before = dump("sqlite:///" + db)
    ran = score("volunteer", "add", bad, "--name", "Bob", "--chapter", "BOS01", db=db, actor=ADMIN)
    assert ran.exit_code == 2
    assert one_line(ran.stderr) and "e-mail" in ran.stderr
    assert dump("sqlite:///" + db) == before


def test_a_malformed_actor_or_unknown_actor(db):
    ran = score("volunteer", "add", "x@example.org", "--name", "X", "--chapter", "BOS01",
                db=db, actor="ghost@example.org")
    assert ran.exit_code == 3 and "ghost@example.org" in ran.stderr
    ran = score("volunteer", "add", "x@example.org", "--name", "X", "--chapter", "BOS01", db=db)
    assert ran.exit_code == 2 and "--as" in ran.stderr


def test_unknown_things_are_not_found(db):
    assert score("volunteer", "show", "nobody@example.org", db=db, actor=ADMIN).exit_code == 3
    ran = score("volunteer", "list", "--chapter", "ZZZ99", db=db, actor=ADMIN)
    assert ran.exit_code == 3 and "ZZZ99" in ran.stderr
    ran = score("volunteer", "add", "x@example.org", "--name", "X", "--chapter", "ZZZ99", db=db, actor=ADMIN)
    assert ran.exit_code == 3


def test_bad_usage_exits_2(db):
    assert score("volunteer", "list", "--format", "xml", db=db).exit_code == 2
    assert score("volunteer", "list", "--chapter", "BOS01", "--national", db=db).exit_code == 2
    assert score("volunteer", "frobnicate", db=db).exit_code == 2
    assert score("--db", "postgresql+nodriver://x/y", "chapter", "list").exit_code == 2


def test_a_store_that_is_not_a_score_store_is_refused(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    ran = score("chapter", "list", db=str(other))
    assert ran.exit_code == 3 and "not a score store" in ran.stderr


def test_a_bad_chapters_file_names_the_line(tmp_path):
    bad = tmp_path / "chapters.csv"
    bad.write_text("region_code,region_name,district_code,district_name,chapter_code,chapter_name,city,state,timezone,live\n"
                   "R1,North,D1,Dist,AAA01,A,City,MA,Mars/Olympus,true\n")
    ran = score("db", "init", "--chapters", str(bad), db=str(tmp_path / "s.db"))
    assert ran.exit_code == 2 and "line 2" in ran.stderr and "Mars/Olympus" in ran.stderr
    assert not (tmp_path / "s.db").exists()


def test_a_file_that_is_not_a_database_is_not_a_store_never_busy(tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("hello, this is not a database\n" * 100)
    for args in (("sweep",), ("chapter", "list")):
        ran = score(*args, db=str(text))
        assert ran.exit_code == 3 and "not a score store" in ran.stderr and one_line(ran.stderr)


def test_an_unknown_chapter_is_exit_3_everywhere(world):
    ran = score("intake", "submit", "--name", "Cleo", "--email", "cleo@example.com", "--chapter", "ZZZ99",
                "--question", "How do I start?", db=world.url)
    assert ran.exit_code == 3 and "no chapter with code 'ZZZ99'" in ran.stderr
    from tests.world import CIC
    listed = score("queue", "list", "--chapter", "ZZZ99", db=world.url, actor=CIC)
    assert listed.exit_code == 3 and "ZZZ99" in listed.stderr
    request_id = world.submit()
    moved = score("transfer-chapter", str(request_id), "ZZZ99", "--reason", "x", db=world.url, actor=CIC)
    assert moved.exit_code == 3 and "ZZZ99" in moved.stderr


def test_a_database_without_score_tables_is_not_a_store(store_url):
    from sqlalchemy import create_engine, text
    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    engine.dispose()
    ran = score("chapter", "list", db=store_url)
    assert ran.exit_code == 3 and "not a score store" in ran.stderr


@pytest.mark.parametrize("field,value", [
    ("--name", "Mallory\nBcc: all@example.com"), ("--name", "Eve\rX"), ("--name", "Tab\there"),
    ("--business", "Shop\nSubject: hi"), ("--name", "Esc \x1b[31mred"), ("--question", "Help\x00me")])
def test_a_control_character_in_a_name_business_or_question_is_refused_at_intake(db, field, value):
    before = dump("sqlite:///" + db)
    fields = {"--name": "Ann Lee", "--business": "Lee Cafe", "--question": "How do I price my cakes?", field: value}
    args = [part for key, val in fields.items() for part in (key, val)]
    ran = score("intake", "submit", "--email", "ann@example.com", "--chapter", "BOS01", *args, db=db)
    assert ran.exit_code == 2, ran.stderr
    assert one_line(ran.stderr) and ("line break" in ran.stderr or "control character" in ran.stderr
                                     or "tab" in ran.stderr)
    assert dump("sqlite:///" + db) == before


def test_a_question_keeps_its_line_breaks_and_a_reason_is_one_line(db):
    ran = score("intake", "submit", "--name", "Ann Lee", "--email", "ann@example.com", "--chapter", "BOS01",
                "--question", "Two things:\n1. pricing\n2. hiring", "--format", "json", db=db)
    assert ran.exit_code == 0, ran.stderr
    request = ran.json()["id"]
    before = dump("sqlite:///" + db)
    ran = score("withdraw", request, "--reason", "client asked\nBcc: x@example.com", db=db, actor=ADMIN)
    assert ran.exit_code == 2 and one_line(ran.stderr) and "--reason" in ran.stderr
    assert dump("sqlite:///" + db) == before
