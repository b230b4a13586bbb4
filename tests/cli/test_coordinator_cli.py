"""The coordinator's day at the terminal: intake, the queue, show, assign, and the JSON shapes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from freezegun import freeze_time

from tests.helpers import dump, score
from tests.world import ADMIN, CIC, MENTOR, MENTOR2

SHOW_KEYS = {"id", "status", "chapter", "owner", "queue", "client", "case_team", "assignments", "history"}


@pytest.fixture
def db(world):
    return world.url.removeprefix("sqlite:///")


def submit(db, *extra):
    ran = score("intake", "submit", "--name", "Cleo Client", "--email", "cleo@shop.com", "--email", "c2@shop.com",
                "--chapter", "BOS01", "--question", "How do I price catering?", "--area", "Marketing & Sales",
                "--phone", "617-555-0100", "--zip", "02139", "--existing-business", *extra,
                "--format", "json", db=db)
    assert ran.exit_code == 0, ran.stderr
    return ran.json()


def test_intake_submit_prints_the_request_as_show_does(db):
    shown = submit(db)
    assert SHOW_KEYS <= set(shown)
    assert shown["id"] == "MRE-1" and shown["status"] == "new" and shown["queue"] == "BOS01"
    assert shown["owner"] is None
    assert shown["client"] == {"name": "Cleo Client", "emails": ["cleo@shop.com", "c2@shop.com"],
                               "phone": "617-555-0100", "business": None, "zip": "02139", "existing_client": False}
    assert [h["action"] for h in shown["history"]] == ["submit"]
    assert shown["history"][0]["to_status"] == "new" and shown["history"][0]["from_status"] is None


def test_show_after_assign_has_the_owner_case_team_and_assignment_deadlines(db):
    with freeze_time("2026-11-25 14:00:00"):  # Wed 09:00 in Boston, the day before Thanksgiving
        submit(db)
        assert score("assign", "MRE-1", MENTOR, "--note", "knows catering", db=db, actor=CIC).exit_code == 0
    shown = score("show", "1", "--format", "json", db=db, actor=CIC).json()
    assert shown["owner"] == MENTOR and shown["queue"] is None and shown["status"] == "assigned"
    assert shown["case_team"] == [{"email": MENTOR, "role": "lead", "state": "pending", "referred_by": None,
                                   "since": "2026-11-25T09:00:00-05:00"}]
    (a,) = shown["assignments"]
    assert a["mentor"] == MENTOR and a["outcome"] == "open"
    assert a["assigned_at"] == "2026-11-25T09:00:00-05:00"
    assert a["accept_due_at"] == "2026-11-30T09:00:00-05:00"
    assert a["timeout_at"] == "2026-12-03T09:00:00-05:00"
    assert [(h["action"], h["from_status"], h["to_status"]) for h in shown["history"]] == [
        ("submit", None, "new"), ("assign", "new", "assigned")]
    assert shown["notes"][0]["text"] == "knows catering"


def test_a_mentor_with_nothing_to_do_with_the_request_may_not_see_it(db):
    submit(db)
    ran = score("show", "MRE-1", db=db, actor=MENTOR2)
    assert ran.exit_code == 1 and "may not see" in ran.stderr


def test_show_of_an_unknown_or_malformed_id(db):
    assert score("show", "MRE-99", db=db, actor=CIC).exit_code == 3
    ran = score("show", "MRE-x1", db=db, actor=CIC)
    assert ran.exit_code == 2 and "MRE-123" in ran.stderr


def test_queue_list_waiting_first_with_waiting_days_and_overdue_flags(db):
    with freeze_time("2026-11-20 15:00:00"):  # Fri 10:00 in Boston
        submit(db)
        score("assign", "MRE-1", MENTOR, db=db, actor=CIC)
    with freeze_time("2026-11-23 15:00:00"):  # Mon
        score("intake", "submit", "--name", "Dan", "--email", "dan@x.com", "--chapter", "BOS01",
              "--question", "Q", db=db)
    with freeze_time("2026-11-25 16:00:00"):  # Wed 11:00: MRE-1 was due for acceptance Tue 10:00
        rows = score("queue", "list", "--format", "json", db=db, actor=CIC).json()
        overdue = score("queue", "list", "--overdue", "--format", "json", db=db, actor=CIC).json()
        unassigned = score("queue", "list", "--unassigned", "--format", "json", db=db, actor=CIC).json()
        staged = score("queue", "list", "--stage", "pending-reassignment", "--format", "json", db=db, actor=CIC).json()
    assert [r["id"] for r in rows] == ["MRE-2", "MRE-1"]  # waiting for a mentor comes first
    overdue_row = rows[1]
    assert overdue_row["owner"] == MENTOR and overdue_row["accept_overdue"] is True and overdue_row["timed_out"] is False
    assert overdue_row["business_days_waiting"] == 3  # Fri, Mon, Tue
    assert rows[0]["business_days_waiting"] == 2 and rows[0]["owner"] is None
    assert [r["id"] for r in overdue] == ["MRE-1"]
    assert [r["id"] for r in unassigned] == ["MRE-2"]
    assert staged == []


def test_queue_list_puts_waiting_then_overdue_then_longest_in_stage(db):
    with freeze_time("2026-11-02 15:00:00"):  # Mon
        for name in ("Ann", "Bob", "Cy", "Di"):
            score("intake", "submit", "--name", name, "--email", f"{name.lower()}@x.com", "--chapter", "BOS01",
                  "--question", "Q", db=db)
        score("assign", "MRE-1", MENTOR, db=db, actor=CIC)
        score("accept", "MRE-1", db=db, actor=MENTOR)  # accepted: neither waiting nor overdue
    with freeze_time("2026-11-04 15:00:00"):  # Wed
        score("assign", "MRE-2", MENTOR, db=db, actor=CIC)  # accept due Fri 10:00
    with freeze_time("2026-11-05 15:00:00"):  # Thu
        score("assign", "MRE-3", MENTOR, db=db, actor=CIC)  # accept due Mon 10:00
    with freeze_time("2026-11-06 15:05:00"):  # Fri 10:05: MRE-2 is past its accept-due time
        work = score("queue", "list", "--format", "json", db=db, actor=CIC).json()
        by_submission = score("queue", "list", "--sort", "submitted", "--format", "json", db=db, actor=CIC).json()
        bad = score("queue", "list", "--sort", "newest", db=db, actor=CIC)
    # MRE-4 waits for a mentor; MRE-2 is overdue; MRE-1 (accepted Mon) has been longer in its
    # stage than MRE-3 (assigned Thu).
    assert [r["id"] for r in work] == ["MRE-4", "MRE-2", "MRE-1", "MRE-3"]
    assert [r["id"] for r in by_submission] == ["MRE-1", "MRE-2", "MRE-3", "MRE-4"]
    assert bad.exit_code == 2 and "--sort must be one of work" in bad.stderr


def test_an_empty_queue_listing_says_what_was_empty(db):
    submit(db)
    ran = score("queue", "list", "--overdue", "--chapter", "BOS01", "--format", "table", db=db, actor=CIC)
    assert ran.exit_code == 0 and "no overdue requests in BOS01" in ran.stdout


def test_queue_list_scopes(db):
    submit(db)
    score("intake", "submit", "--name", "Tex", "--email", "tex@x.com", "--chapter", "AUS01", "--question", "Q", db=db)
    mine = score("queue", "list", "--format", "json", db=db, actor=CIC).json()  # default: the CIC's chapter
    assert [r["chapter"] for r in mine] == ["BOS01"]
    refused = score("queue", "list", "--national", "--format", "json", db=db, actor=CIC)
    assert refused.exit_code == 1 and "may not see requests" in refused.stderr and refused.stdout == ""
    everywhere = score("queue", "list", "--national", "--format", "json", db=db, actor=ADMIN).json()
    assert sorted(r["chapter"] for r in everywhere) == ["AUS01", "BOS01"]
    assert score("queue", "list", "--stage", "done", db=db, actor=CIC).exit_code == 2


def test_assign_suggest_prints_a_reason_on_every_line(db):
    submit(db)
    rows = score("assign", "MRE-1", "--suggest", "--format", "json", db=db, actor=CIC).json()
    assert rows and all(r["reason"] for r in rows)
    assert rows[0]["email"] == MENTOR  # the only one with Marketing & Sales expertise
    csv_out = score("assign", "MRE-1", "--suggest", "--format", "csv", db=db, actor=CIC).stdout
    header = csv_out.splitlines()[0].split(",")
    assert header[:5] == ["rank", "email", "name", "chapter", "reason"]  # the table's columns first
    assert set(header) == set(rows[0])  # then every other column the JSON has


def test_a_refused_assignment_changes_nothing(db, world):
    submit(db)
    before = dump(world.url)
    ran = score("assign", "MRE-1", "sme@example.org", db=db, actor=CIC)
    assert ran.exit_code == 1 and "--include-sme" in ran.stderr
    ran = score("assign", "MRE-1", MENTOR, db=db, actor=MENTOR2)
    assert ran.exit_code == 1 and "only a coordinator of its chapter (its CIC" in ran.stderr
    assert dump(world.url) == before


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_intake_import_checks_every_row_before_writing_any(db, world, tmp_path):
    csv_file = write(tmp_path, "export.csv",
                     "name,email,chapter,question,submitted_at\n"
                     "Ann,ann@x.com,BOS01,Pricing,2026-11-02T10:00:00-05:00\n"
                     "Bob,not-an-email,BOS01,Loans,\n"
                     "Cy,cy@x.com,ZZZ99,Hiring,\n"
                     "Di,di@x.com;di@work.com,BGR01,Taxes,2026-11-03 09:30\n")
    before = dump(world.url)
    ran = score("intake", "import", csv_file, db=db)
    assert ran.exit_code == 2
    assert "line 3: not a valid client e-mail" in ran.stderr and "line 4: no chapter with code 'ZZZ99'" in ran.stderr
    assert dump(world.url) == before
    ran = score("intake", "import", csv_file, "--skip-invalid", "--format", "json", db=db)
    assert ran.exit_code == 0 and ran.json()["imported"] == 2
    rows = score("queue", "list", "--national", "--format", "json", db=db, actor="admin@example.org").json()
    by_client = {r["client"]: r for r in rows}
    assert by_client["Ann"]["submitted_at"] == "2026-11-02T10:00:00-05:00"
    assert by_client["Di"]["queue"] == "national"  # Bangor is not live
    assert by_client["Di"]["submitted_at"] == "2026-11-03T09:30:00-05:00"  # read in Bangor's time zone
    again = score("intake", "import", csv_file, "--skip-invalid", "--format", "json", db=db).json()
    assert again["imported"] == 0 and again["already_present"] == 2
    rerun = score("intake", "import", csv_file, "--skip-invalid", db=db)
    assert rerun.exit_code == 0
    assert "imported 0 request(s), skipped 2 already imported, rejected 2" in rerun.stdout


def test_assigning_a_request_someone_already_owns_is_a_rule_not_a_race(db, world):
    submit(db)
    score("assign", "MRE-1", MENTOR, db=db, actor=CIC)
    before = dump(world.url)
    ran = score("assign", "MRE-1", MENTOR, db=db, actor=CIC)
    assert ran.exit_code == 1
    assert f"MRE-1 is already assigned to {MENTOR}: use score reassign MRE-1" in ran.stderr
    assert dump(world.url) == before


def test_setting_the_status_a_volunteer_already_has_is_done(db):
    first = score("volunteer", "set-status", MENTOR, "inactive", db=db, actor="admin@example.org")
    again = score("volunteer", "set-status", MENTOR, "inactive", db=db, actor="admin@example.org")
    assert first.exit_code == 0 and f"{MENTOR} is now inactive" in first.stderr + first.stdout
    assert again.exit_code == 0 and f"{MENTOR} is already inactive" in again.stderr + again.stdout


def test_intake_import_reads_json_lines_from_stdin(db):
    lines = "\n".join(json.dumps(o) for o in [
        {"name": "Eve", "email": ["eve@x.com", "eve@home.org"], "chapter": "BOS01", "question": "Marketing"},
        {"name": "Fay", "email": "fay@x.com", "chapter": "AUS01", "question": "Hiring", "existing_business": True},
    ])
    ran = score("intake", "import", "-", "--format", "json", db=db, input=lines + "\n")
    assert ran.exit_code == 0, ran.stderr
    assert ran.json()["imported"] == 2
    shown = score("show", "MRE-1", "--format", "json", db=db, actor=CIC).json()
    assert shown["client"]["emails"] == ["eve@x.com", "eve@home.org"]


@pytest.mark.parametrize("content, message", [
    ("nonsense without columns\n1,2\n", "lacks the column"),
    ('{"name": "A", "email": "a@x.com", "chapter": "BOS01", "question": "Q"}\n{broken\n', "line 2: not valid JSON"),
    ("name,email,chapter,question,colour\nA,a@x.com,BOS01,Q,red\n", "unknown column"),
])
def test_broken_import_files_are_refused_in_one_line(db, tmp_path, content, message):
    ran = score("intake", "import", write(tmp_path, "bad.txt", content), db=db)
    assert ran.exit_code == 2 and message in ran.stderr and "Traceback" not in ran.stderr


def test_two_coordinators_assigning_at_once_exactly_one_wins(db, world):
    submit(db)
    env = dict(os.environ, SCORE_DB=db, SCORE_USER=CIC)
    command = [sys.executable, "-m", "score_cli", "assign", "MRE-1"]
    first = subprocess.Popen(command + [MENTOR], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command + [MENTOR2], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = sorted([(p.wait(timeout=60), p.stderr.read()) for p in (first, second)])
    (won, _), (lost, why) = results
    assert won == 0 and lost in (1, 4)
    # the loser read the request after the winner wrote it (a rule: it is already assigned), or
    # before (a race: it changed between this command's read and its write)
    assert ("is already assigned to" if lost == 1 else "changed since you looked") in why
    shown = score("show", "MRE-1", "--format", "json", db=db, actor=CIC).json()
    assert len(shown["assignments"]) == 1
    assert shown["owner"] == shown["assignments"][0]["mentor"]


def test_an_unknown_mentoring_area_rejects_its_import_row_like_any_invalid_value(db, world, tmp_path):
    csv_file = write(tmp_path, "areas.csv", "name,email,chapter,question,area\n"
                                            "Ann,ann@x.com,BOS01,Pricing,pricing\n"
                                            "Bob,bob@x.com,BOS01,Loans,Fundng\n")
    before = dump(world.url)
    ran = score("intake", "import", csv_file, db=db)
    assert ran.exit_code == 2 and "line 3: unknown mentoring area 'Fundng'" in ran.stderr
    assert dump(world.url) == before
    ran = score("intake", "import", csv_file, "--skip-invalid", "--format", "json", db=db)
    assert ran.exit_code == 0 and ran.json()["imported"] == 1


ISO_WITH_OFFSET = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$"


def test_times_in_json_are_iso_8601_with_the_chapters_offset_everywhere(world):
    import re

    from tests.world import ADMIN
    with freeze_time("2026-11-20 15:00:00"):  # 10:00 in Boston
        request_id = world.assigned(MENTOR)
        shown = score("show", str(request_id), "--format", "json", db=world.url, actor=CIC).json()
        [assigned] = [h for h in shown["history"] if h["action"] == "assign"]
        assert assigned["at"] == "2026-11-20T10:00:00-05:00"
        assert assigned["detail"]["accept_due_at"] == "2026-11-24T10:00:00-05:00"
        assert assigned["detail"]["timeout_at"] == "2026-11-30T10:00:00-05:00"  # Thanksgiving skipped
        messages = score("notify", "list", "--format", "json", db=world.url, actor=ADMIN).json()
        assert messages and all(m["created_at"] == "2026-11-20T10:00:00-05:00" for m in messages)
    with freeze_time("2026-12-10 15:00:00"):
        world.submit(email="wanda@example.com", name="Wanda Waiting")
    with freeze_time("2026-12-30 15:00:00"):
        waiting = score("notify", "waiting-clients", "--older-than", "3", "--format", "json",
                        db=world.url, actor=ADMIN).json()
    assert [w["id"] for w in waiting] and all(re.fullmatch(r"MRE-\d+", w["id"]) for w in waiting)
    assert all(re.match(ISO_WITH_OFFSET, w["submitted_at"]) for w in waiting)
