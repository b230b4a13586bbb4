"""The mentor's commands as a mentor (or a script) types them: output, exit codes, no partial writes."""

from freezegun import freeze_time

from tests.helpers import dump, score
from tests.world import CIC, MENTOR, MENTOR2, PROVISIONAL


def test_a_mentor_walks_a_request_from_acceptance_to_completion(world):
    db = world.url
    with freeze_time("2026-11-18 15:00:00"):
        mre = f"MRE-{world.assigned(MENTOR)}"
        ran = score("accept", mre, "--message", "Hello, I am your mentor.", db=db, actor=MENTOR)
        assert (ran.exit_code, ran.stdout.strip()) == (0, f"{mre} contacted; message queued to client@example.com")
        ran = score("contact", mre, "--method", "phone", "--note", "left a voicemail", db=db, actor=MENTOR)
        assert ran.stdout.strip() == f"{mre} contacted: contact attempt 2"
    with freeze_time("2026-11-20 15:00:00"):
        ran = score("session", "add", mre, "--date", "2026-11-19", "--minutes", "50", "--notes", "Pricing",
                    db=db, actor=MENTOR)
        assert ran.exit_code == 0, ran.stderr
        assert "in_progress: session" in ran.stdout and "late" not in ran.stdout
        [listed] = score("session", "list", mre, "--format", "json", db=db, actor=MENTOR).json()
        assert (listed["date"], listed["minutes"], listed["entered_late"]) == ("2026-11-19", 50, False)
        ran = score("session", "edit", mre, str(listed["session"]), "--minutes", "55", db=db, actor=MENTOR)
        assert ran.exit_code == 0, ran.stderr
        ran = score("status", mre, "complete", "--format", "json", db=db, actor=MENTOR)
        assert ran.json() == {"id": mre, "status": "complete"}


def test_decline_and_return_say_where_the_request_went(world):
    db = world.url
    mre = f"MRE-{world.assigned(MENTOR)}"
    assert score("decline", mre, db=db, actor=MENTOR).exit_code == 2  # --reason is required
    ran = score("decline", mre, "--reason", "Away next month", db=db, actor=MENTOR)
    assert (ran.exit_code, ran.stdout.strip()) == (0, f"{mre} declined: back in the BOS01 queue")
    other = f"MRE-{world.assigned(MENTOR)}"
    score("accept", other, db=db, actor=MENTOR)
    ran = score("return", other, "--reason", "Not a good fit", db=db, actor=MENTOR)
    assert (ran.exit_code, ran.stdout.strip()) == (0, f"{other} returned to the BOS01 queue")


def test_refusals_exit_1_invalid_input_2_unknown_requests_3_and_change_nothing(world):
    db = world.url
    mre = f"MRE-{world.assigned(MENTOR)}"
    before = dump(db)
    refused = score("accept", mre, db=db, actor=MENTOR2)
    assert refused.exit_code == 1 and "only its owner" in refused.stderr and refused.stdout == ""
    assert score("contact", mre, "--method", "pigeon", db=db, actor=MENTOR).exit_code == 2
    assert score("session", "add", mre, "--date", "soon", "--notes", "x", db=db, actor=MENTOR).exit_code == 2
    assert score("status", mre, "finished", db=db, actor=MENTOR).exit_code == 2
    assert score("accept", "MRE-999", db=db, actor=MENTOR).exit_code == 3
    assert score("accept", "nonsense", db=db, actor=MENTOR).exit_code == 2
    assert dump(db) == before


def test_referral_through_the_command_line(world):
    db = world.url
    mre = f"MRE-{world.assigned(MENTOR)}"
    score("accept", mre, db=db, actor=MENTOR)
    refused = score("refer", mre, PROVISIONAL, "--reason", "training", db=db, actor=MENTOR)
    assert refused.exit_code == 1 and "certified" in refused.stderr
    ran = score("refer", mre, MENTOR2, "--reason", "pricing expert", "--format", "json", db=db, actor=MENTOR)
    assert ran.json() == {"id": mre, "mentor": MENTOR2, "state": "pending", "referred_by": MENTOR}
    ran = score("referral", "decline", mre, "--reason", "too busy", db=db, actor=MENTOR2)
    assert (ran.exit_code, ran.stdout.strip()) == (0, f"{mre}: referral declined")
    locked_out = score("session", "add", mre, "--date", "today", "--notes", "x", db=db, actor=MENTOR2)
    assert locked_out.exit_code == 1
    assert score("contact", mre, "--method", "phone", db=db, actor=MENTOR2).exit_code == 1
    assert score("show", mre, "--format", "json", db=db, actor=MENTOR2).exit_code == 1
    team = score("show", mre, "--format", "json", db=db, actor=MENTOR).json()["case_team"]
    assert [(m["email"], m["role"], m["state"]) for m in team] == [(MENTOR, "lead", "accepted")]


def test_mentor_settings_print_the_settings_and_warn_about_unparseable_capacity(world):
    db = world.url
    ran = score("mentor", "settings", MENTOR, "--capacity", "when the kids are at school",
                "--no-accept-direct-requests",
                "--format", "json", db=db, actor=MENTOR)
    assert ran.exit_code == 0, ran.stderr
    shown = ran.json()
    assert (shown["capacity_weekly"], shown["accept_direct_requests"]) == (None, False)
    assert ran.stderr.startswith("warning: capacity 'when the kids are at school' is not a number a week")
    assert score("mentor", "settings", MENTOR, "--max-direct-weekly", "3", "--unlimited",
                 db=db, actor=MENTOR).exit_code == 2
    assert score("mentor", "settings", MENTOR, "--local-only", db=db, actor=MENTOR2).exit_code == 1


@freeze_time("2026-11-20 15:00:00")
def test_pause_and_clear_say_what_to_do_next(world):
    db = world.url
    waiting = f"MRE-{world.assigned(MENTOR)}"
    ran = score("pause", MENTOR, "--from", "2026-11-23", "--until", "2026-12-04", "--format", "json",
                db=db, actor=MENTOR)
    assert ran.exit_code == 0, ran.stderr
    assert f"still awaiting acceptance: {waiting}" in ran.stderr
    assert ran.json()["accept_direct_requests"] is True  # on until the pause starts
    ran = score("pause", MENTOR, "--from", "2026-11-23", "--until", "2026-12-04", db=db, actor=MENTOR)
    assert "direct requests stay on until 2026-11-23, when the nightly sweep switches them off" in ran.stderr
    ran = score("pause", MENTOR, "--from", "today", "--until", "2026-12-04", "--format", "json", db=db, actor=MENTOR)
    assert ran.json()["accept_direct_requests"] is False
    assert score("pause", MENTOR, db=db, actor=MENTOR).exit_code == 2
    ran = score("pause", MENTOR, "--clear", db=db, actor=MENTOR)
    assert ran.exit_code == 0 and "score mentor settings mentor@example.org --accept-direct-requests" in ran.stderr


@freeze_time("2026-11-20 15:00:00")
def test_mentor_listings_in_every_format(world):
    db = world.url
    score("pause", MENTOR2, "--from", "2026-11-01", "--until", "2026-12-31", db=db, actor=MENTOR2)
    available = score("mentors", "available", "--format", "json", db=db, actor=CIC).json()
    assert [r["email"] for r in available] == [MENTOR, PROVISIONAL, "sme@example.org"]
    csv = score("mentors", "available", "--chapter", "BOS01", "--format", "csv", db=db, actor=CIC).stdout.splitlines()
    assert csv[0].startswith("email,name,chapter,classification,capacity,weekly_capacity_left")
    assert csv[1].startswith("mentor@example.org,Mo Mentor,BOS01,certified,3 per week,3,")
    paused = score("mentors", "paused", "--format", "json", db=db, actor=CIC).json()
    assert [(r["email"], r["days_paused"], r["long_pause"]) for r in paused] == [(MENTOR2, 61, True)]
    table = score("mentors", "paused", "--format", "table", db=db, actor=CIC)
    assert table.exit_code == 0 and "Paused mentors" in table.stdout and "1 row" in table.stdout
    assert score("mentors", "available", "--chapter", "NOPE", db=db, actor=CIC).exit_code == 3


@freeze_time("2026-11-20 15:00:00")
def test_mentors_available_shows_an_unreadable_capacity_in_a_warning_column(world):
    db = world.url
    assert score("mentor", "settings", MENTOR2, "--capacity", "0.33 per week", db=db, actor=MENTOR2).exit_code == 0
    assert score("mentor", "settings", MENTOR, "--capacity", "DR-only", db=db, actor=MENTOR).exit_code == 0
    assert score("mentor", "settings", PROVISIONAL, "--capacity", "1 every other week", db=db,
                 actor=PROVISIONAL).exit_code == 0
    table = score("mentors", "available", "--chapter", "BOS01", "--format", "csv", db=db, actor=CIC)
    header, *rows = table.stdout.splitlines()
    assert "capacity_warning" in header.split(",")
    by_email = {row.split(",")[0]: row for row in rows}
    assert ",DR-only,0," in by_email[MENTOR]  # read as none: no capacity left
    assert "reads as 0.33 a week" in by_email[MENTOR2]
    assert ",1 every other week,1,1 every 2 weeks," in by_email[PROVISIONAL]  # kept, with room
