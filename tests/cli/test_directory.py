"""Chapters and volunteers from the command line, as a coordinator or a script sees them."""

from tests.helpers import dump, score

ADMIN = "ada@example.org"


def init(db):
    ran = score("db", "init", "--admin", ADMIN, db=db)
    assert ran.exit_code == 0, ran.stderr
    return db


def test_chapter_list_json_is_an_array_of_chapters(tmp_path):
    db = init(str(tmp_path / "s.db"))
    chapters = score("chapter", "list", "--format", "json", db=db).json()
    assert isinstance(chapters, list) and len(chapters) >= 150
    boston = next(c for c in chapters if c["code"] == "BOS01")
    assert boston["state"] == "MA" and boston["timezone"] == "America/New_York" and boston["live"] is True
    assert any(c["live"] is False for c in chapters)


def test_adding_a_mentor_gives_the_mentor_role_and_shows_in_the_list(tmp_path):
    db = init(str(tmp_path / "s.db"))
    ran = score("volunteer", "add", "Bea.Jones@Example.org", "--name", "Bea Jones", "--chapter", "bos01",
                "--classification", "provisional", db=db, actor=ADMIN)
    assert ran.exit_code == 0, ran.stderr
    listed = score("volunteer", "list", "--chapter", "BOS01", "--format", "json", db=db, actor=ADMIN).json()
    assert [v["email"] for v in listed] == ["bea.jones@example.org"]
    assert listed[0]["roles"] == ["mentor (chapter BOS01)"]
    assert listed[0]["classification"] == "provisional"


def test_volunteer_list_needs_an_actor_and_an_admin_sees_the_whole_organisation(tmp_path):
    db = init(str(tmp_path / "s.db"))
    ran = score("volunteer", "list", "--format", "json", db=db)
    assert ran.exit_code == 2 and "who is acting?" in ran.stderr and ran.stdout == ""
    listed = score("volunteer", "list", "--format", "json", db=db, actor=ADMIN).json()
    assert [v["email"] for v in listed] == [ADMIN]


def test_a_chapter_manager_adds_volunteers_to_their_chapter_only(tmp_path):
    db = init(str(tmp_path / "s.db"))
    assert score("volunteer", "add", "mgr@example.org", "--name", "Mo Manager", "--chapter", "BOS01",
                 "--role", "chapter_manager", db=db, actor=ADMIN).exit_code == 0
    ok = score("volunteer", "add", "cic@example.org", "--name", "Cy", "--chapter", "BOS01", "--role", "cic",
               db=db, actor="mgr@example.org")
    assert ok.exit_code == 0, ok.stderr
    before = dump("sqlite:///" + db)
    refused = score("volunteer", "add", "far@example.org", "--name", "Far", "--chapter", "AUS01",
                    db=db, actor="mgr@example.org")
    assert refused.exit_code == 1
    assert "chapter manager" in refused.stderr and "AUS01" in refused.stderr
    assert dump("sqlite:///" + db) == before


def test_only_an_admin_grants_the_rcic_role(tmp_path):
    db = init(str(tmp_path / "s.db"))
    score("volunteer", "add", "mgr@example.org", "--name", "Mo", "--chapter", "BOS01",
          "--role", "chapter_manager", db=db, actor=ADMIN)
    refused = score("volunteer", "grant", "mgr@example.org", "rcic", "--scope", "district:D01",
                    db=db, actor="mgr@example.org")
    assert refused.exit_code == 1 and "admin" in refused.stderr
    granted = score("volunteer", "grant", "mgr@example.org", "rcic", "--scope", "district:D01",
                    "--format", "json", db=db, actor=ADMIN)
    assert granted.exit_code == 0, granted.stderr
    assert "rcic (district D01)" in granted.json()["roles"]
    bad_scope = score("volunteer", "grant", "mgr@example.org", "rcic", "--scope", "chapter:BOS01",
                      db=db, actor=ADMIN)
    assert bad_scope.exit_code == 2 and "district or region" in bad_scope.stderr


def test_set_status_resigned_is_recorded(tmp_path):
    db = init(str(tmp_path / "s.db"))
    score("volunteer", "add", "m@example.org", "--name", "Mae", "--chapter", "BOS01",
          "--classification", "certified", db=db, actor=ADMIN)
    ran = score("volunteer", "set-status", "m@example.org", "resigned", "--reason", "moved away",
                "--format", "json", db=db, actor=ADMIN)
    assert ran.exit_code == 0 and ran.json()["status"] == "resigned"
    again = score("volunteer", "set-status", "m@example.org", "resigned", db=db, actor=ADMIN)
    assert again.exit_code == 0 and "m@example.org is already resigned" in again.stdout
    listed = score("volunteer", "list", "--status", "resigned", "--national", "--format", "json", db=db, actor=ADMIN).json()
    assert [v["email"] for v in listed] == ["m@example.org"]


def test_volunteer_import_is_all_or_nothing(tmp_path):
    db = init(str(tmp_path / "s.db"))
    header = "email,name,chapter,classification,roles,capacity,expertise,accept_direct_requests\n"
    good = "a@example.org,Al A,BOS01,certified,,3 per week,Marketing;Retail,yes\n"
    bad = "b@example,Bo B,BOS01,certified,,,,\n"
    unknown = "c@example.org,Cy C,XXX99,certified,,,,\n"
    path = tmp_path / "v.csv"
    path.write_text(header + good + bad + unknown)
    before = dump("sqlite:///" + db)
    ran = score("volunteer", "import", str(path), db=db, actor=ADMIN)
    assert ran.exit_code == 2
    assert "line 3" in ran.stderr and "not a valid e-mail" in ran.stderr
    assert "line 4" in ran.stderr and "XXX99" in ran.stderr
    assert dump("sqlite:///" + db) == before
    skipped = score("volunteer", "import", str(path), "--skip-invalid", db=db, actor=ADMIN)
    assert skipped.exit_code == 0 and "added 1" in skipped.stdout
    shown = score("volunteer", "show", "a@example.org", "--format", "json", db=db, actor=ADMIN).json()
    assert shown["capacity_weekly"] == 3 and shown["expertise"] == ["Marketing", "Retail"]
    assert shown["accept_direct_requests"] is True


def test_volunteer_import_from_stdin_twice_adds_once(tmp_path):
    db = init(str(tmp_path / "s.db"))
    content = "email,name,chapter,classification\nz@example.org,Zed,AUS01,sme\n"
    first = score("volunteer", "import", "-", "--format", "json", db=db, actor=ADMIN, input=content)
    assert first.json()["added"] == 1
    second = score("volunteer", "import", "-", "--format", "json", db=db, actor=ADMIN, input=content)
    assert second.json()["added"] == 0 and second.json()["unchanged"] == 1


def test_csv_output_neutralises_formulas(tmp_path):
    db = init(str(tmp_path / "s.db"))
    score("volunteer", "add", "f@example.org", "--name", "=HYPERLINK(\"x\")", "--chapter", "BOS01",
          db=db, actor=ADMIN)
    out = score("volunteer", "list", "--chapter", "BOS01", "--format", "csv", db=db, actor=ADMIN).stdout
    assert "'=HYPERLINK" in out
    assert "\n=HYPERLINK" not in out and ",=HYPERLINK" not in out
