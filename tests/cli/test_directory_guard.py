"""Nobody climbs over the directory: a chapter's managers cannot touch volunteers whose roles reach
beyond their chapter, the last admin stays, and `db init --admin` lets a locked-out admin back in."""

from sqlalchemy import create_engine, text

from score_cli.domain.directory import change_refusal, last_admin_refusal
from score_cli.services.organisation.permissions import Grant
from tests.helpers import dump, score

ADMIN = "ada@example.org"
MANAGER = "mgr@example.org"
CHAIR = "chair@example.org"


def init(tmp_path):
    db = str(tmp_path / "s.db")
    assert score("db", "init", "--admin", ADMIN, db=db).exit_code == 0
    home = score("volunteer", "show", ADMIN, "--format", "json", db=db, actor=ADMIN).json()["chapter"]
    for email, role in ((MANAGER, "chapter_manager"), (CHAIR, "membership_chair")):
        ran = score("volunteer", "add", email, "--name", "Mo", "--chapter", home, "--role", role, db=db, actor=ADMIN)
        assert ran.exit_code == 0, ran.stderr
    return db, home


def test_managers_of_the_admins_chapter_cannot_resign_the_admin_or_an_rcic(tmp_path):
    db, home = init(tmp_path)
    district = next(c["district"] for c in score("chapter", "list", "--format", "json", db=db, actor=ADMIN).json()
                    if c["code"] == home)
    assert score("volunteer", "add", "rae@example.org", "--name", "Rae", "--chapter", home, db=db,
                 actor=ADMIN).exit_code == 0
    ran = score("volunteer", "grant", "rae@example.org", "rcic", "--scope", f"district:{district}", db=db, actor=ADMIN)
    assert ran.exit_code == 0, ran.stderr
    before = dump("sqlite:///" + db)
    for actor in (MANAGER, CHAIR):
        for target in (ADMIN, "rae@example.org"):
            for status in ("resigned", "inactive"):
                refused = score("volunteer", "set-status", target, status, db=db, actor=actor)
                assert refused.exit_code == 1, (actor, target, refused.stderr)
                assert "beyond your own scope" in refused.stderr
        refused = score("volunteer", "grant", ADMIN, "cic", db=db, actor=actor)
        assert refused.exit_code == 1
    assert dump("sqlite:///" + db) == before


def test_a_manager_still_changes_a_mentor_of_their_chapter(tmp_path):
    db, home = init(tmp_path)
    score("volunteer", "add", "m@example.org", "--name", "Mae", "--chapter", home, "--classification", "certified",
          db=db, actor=ADMIN)
    ran = score("volunteer", "set-status", "m@example.org", "inactive", db=db, actor=MANAGER)
    assert ran.exit_code == 0, ran.stderr


def test_the_last_active_admin_cannot_resign_but_one_of_two_can(tmp_path):
    db, _ = init(tmp_path)
    before = dump("sqlite:///" + db)
    for status in ("resigned", "inactive"):
        refused = score("volunteer", "set-status", ADMIN, status, db=db, actor=ADMIN)
        assert refused.exit_code == 1 and "last active admin" in refused.stderr
    assert dump("sqlite:///" + db) == before
    assert score("volunteer", "grant", MANAGER, "admin", db=db, actor=ADMIN).exit_code == 0
    ran = score("volunteer", "set-status", ADMIN, "resigned", db=db, actor=ADMIN)
    assert ran.exit_code == 0, ran.stderr


def test_db_init_admin_brings_a_resigned_admin_back_and_says_so_in_the_history(tmp_path):
    db, _ = init(tmp_path)
    engine = create_engine("sqlite:///" + db)
    with engine.begin() as conn:  # as an older score let happen: the only admin resigned
        conn.execute(text("UPDATE volunteer SET status = 'resigned' WHERE email = :e"), {"e": ADMIN})
    assert score("volunteer", "list", db=db, actor=ADMIN).exit_code == 1
    assert score("db", "init", "--admin", ADMIN, db=db).exit_code == 0
    assert score("volunteer", "show", ADMIN, "--format", "json", db=db, actor=ADMIN).json()["status"] == "active"
    with engine.connect() as conn:
        events = conn.execute(text("SELECT action, from_status, to_status FROM audit_event"
                                   " WHERE action = 'volunteer.set_status'")).all()
    engine.dispose()
    assert [tuple(e) for e in events] == [("volunteer.set_status", "resigned", "active")]


def test_the_rule_reads_as_the_issue_states_it():
    admin = [Grant("admin", "national", "")]
    manager = [Grant("chapter_manager", "chapter", "BOS01"), Grant("mentor", "chapter", "BOS01")]
    assert change_refusal("m", manager, "t", [Grant("mentor", "chapter", "BOS01")]) is None
    assert change_refusal("m", manager, "t", []) is None
    assert change_refusal("m", manager, "t", admin) is not None
    assert change_refusal("m", manager, "t", [Grant("rcic", "district", "D01")]) is not None
    assert change_refusal("m", manager, "t", [Grant("cic", "chapter", "AUS01")]) is not None
    assert change_refusal("m", [Grant("mentor", "chapter", "BOS01")], "t", [Grant("mentor", "chapter", "BOS01")])
    assert change_refusal("a", admin, "t", admin) is None
    assert last_admin_refusal("a", True, "resigned", 0) is not None
    assert last_admin_refusal("a", True, "resigned", 1) is None
    assert last_admin_refusal("a", True, "active", 0) is None
    assert last_admin_refusal("a", False, "inactive", 0) is None


# --- volunteer revoke ------------------------------------------------------------------------


def roles_of(db: str, email: str) -> list[str]:
    return score("volunteer", "show", email, "--format", "json", db=db, actor=ADMIN).json()["roles"]


def test_a_manager_revokes_the_cic_role_in_their_chapter_and_the_history_says_who(tmp_path):
    db, home = init(tmp_path)
    assert score("volunteer", "add", "cy@example.org", "--name", "Cy", "--chapter", home, "--role", "cic",
                 db=db, actor=ADMIN).exit_code == 0
    assert f"cic (chapter {home})" in roles_of(db, "cy@example.org")
    ran = score("volunteer", "revoke", "cy@example.org", "cic", db=db, actor=MANAGER)
    assert ran.exit_code == 0, ran.stderr
    assert f"no longer holds cic (chapter {home})" in ran.stdout
    assert roles_of(db, "cy@example.org") == []
    engine = create_engine("sqlite:///" + db)
    with engine.connect() as conn:
        events = conn.execute(text("SELECT actor, action, detail FROM audit_event WHERE action = 'volunteer.revoke'")).all()
    engine.dispose()
    assert [(e.actor, e.action) for e in events] == [(MANAGER, "volunteer.revoke")]
    assert f"cic (chapter {home})" in events[0].detail
    again = score("volunteer", "revoke", "cy@example.org", "cic", db=db, actor=MANAGER)
    assert again.exit_code == 1 and "does not hold cic" in again.stderr


def test_nobody_revokes_a_role_of_someone_whose_roles_reach_beyond_their_scope(tmp_path):
    db, home = init(tmp_path)
    district = next(c["district"] for c in score("chapter", "list", "--format", "json", db=db, actor=ADMIN).json()
                    if c["code"] == home)
    score("volunteer", "add", "rae@example.org", "--name", "Rae", "--chapter", home, "--role", "mentor",
          db=db, actor=ADMIN)
    assert score("volunteer", "grant", "rae@example.org", "rcic", "--scope", f"district:{district}", db=db,
                 actor=ADMIN).exit_code == 0
    before = dump("sqlite:///" + db)
    for actor in (MANAGER, CHAIR):
        for target, role in ((ADMIN, "mentor"), ("rae@example.org", "mentor"), (ADMIN, "admin")):
            refused = score("volunteer", "revoke", target, role, db=db, actor=actor)
            assert refused.exit_code == 1, (actor, target, refused.stderr)
            assert len(refused.stderr.strip().splitlines()) == 1
    assert dump("sqlite:///" + db) == before
    # the admin reaches everything; the one rcic grant is found without --scope
    ran = score("volunteer", "revoke", "rae@example.org", "rcic", db=db, actor=ADMIN)
    assert ran.exit_code == 0, ran.stderr
    assert roles_of(db, "rae@example.org") == [f"mentor (chapter {home})"]


def test_the_last_active_admin_keeps_the_admin_role_but_one_of_two_may_lose_it(tmp_path):
    db, _ = init(tmp_path)
    before = dump("sqlite:///" + db)
    refused = score("volunteer", "revoke", ADMIN, "admin", db=db, actor=ADMIN)
    assert refused.exit_code == 1 and "last active admin" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert dump("sqlite:///" + db) == before
    assert score("volunteer", "grant", MANAGER, "admin", db=db, actor=ADMIN).exit_code == 0
    ran = score("volunteer", "revoke", ADMIN, "admin", db=db, actor=MANAGER)
    assert ran.exit_code == 0, ran.stderr
    assert "admin (national)" not in roles_of(db, ADMIN)
