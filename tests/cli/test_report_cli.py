"""`score report ...` as a coordinator types it: formats, spreadsheet-safe CSV, empty reports, errors."""

import csv
import io
import json
from datetime import date

from freezegun import freeze_time

from score_cli.services.requests import mentoring
from tests.helpers import score
from tests.services.test_reports import assign, at, submit
from tests.world import ADMIN, CIC, MENTOR

NOW = "2026-11-20 15:00:00"
REPORTS = ("not-assigned", "not-accepted", "not-contacted", "not-counseled", "conversion", "mentor-activity",
           "metrics", "paused-mentors", "orphaned", "capacity")


def a_little_of_everything(world):
    submit(world, "2026-11-16 14:00:00", name="Ann Waiting")
    waiting = submit(world, "2026-11-16 15:00:00", name="Bea Assigned")
    assign(world, waiting, MENTOR, "2026-11-17 15:00:00")
    served = submit(world, "2026-11-16 16:00:00", name="Cy Served")
    assign(world, served, MENTOR, "2026-11-16 17:00:00")
    with at("2026-11-17 15:00:00"):
        mentoring.accept(world.store, MENTOR, served, message="Hello")
        mentoring.add_session(world.store, MENTOR, served, day=date(2026, 11, 17), minutes=30, notes="intro")


def test_every_report_gives_json_and_a_table(world):
    a_little_of_everything(world)
    with freeze_time(NOW):
        for report in REPORTS:
            ran = score("report", report, "--format", "json", db=world.url, actor=CIC)
            assert ran.exit_code == 0, (report, ran.stderr)
            assert isinstance(ran.json(), list), report
            ran = score("report", report, "--format", "table", db=world.url, actor=CIC)
            assert ran.exit_code == 0 and ran.stdout.strip(), report


def test_the_not_assigned_report_in_json(world):
    a_little_of_everything(world)
    with freeze_time(NOW):
        ran = score("report", "not-assigned", "--chapter", "BOS01", "--format", "json", db=world.url, actor=CIC)
    [row] = ran.json()
    assert row["client"] == "Ann Waiting" and row["business_days_in_stage"] == 4
    assert row["submitted_at"] == "2026-11-16T09:00:00-05:00"
    assert row["next_action"] == f"assign a mentor (score assign {row['id']} --suggest)"


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(world):
    for i, name in enumerate(("=SUM(A1:A9)", "+1 555 0100", "-2+3", "@home")):
        submit(world, f"2026-11-16 1{i}:00:00", email=f"client{i}@example.com", name=name)
    with freeze_time(NOW):
        ran = score("report", "not-assigned", "--format", "csv", db=world.url, actor=CIC)
    rows = list(csv.DictReader(io.StringIO(ran.stdout)))
    assert [r["client"] for r in rows] == ["'=SUM(A1:A9)", "'+1 555 0100", "'-2+3", "'@home"]


def test_empty_reports(world):
    with freeze_time(NOW):
        as_json = score("report", "not-counseled", "--format", "json", db=world.url, actor=CIC)
        as_csv = score("report", "orphaned", "--format", "csv", db=world.url, actor=CIC)
        as_table = score("report", "not-accepted", "--format", "table", db=world.url, actor=CIC)
        metrics = score("report", "metrics", "--format", "table", db=world.url, actor=CIC)
    assert as_json.exit_code == 0 and json.loads(as_json.stdout) == []
    assert as_csv.stdout.splitlines()[0].startswith("id,status,chapter") and len(as_csv.stdout.splitlines()) == 1
    assert "no client waits at this stage" in as_table.stdout
    assert metrics.exit_code == 0 and "0 requests submitted in the period" in metrics.stdout


def test_tables_have_totals_and_charts(world):
    a_little_of_everything(world)
    with freeze_time(NOW):
        conversion = score("report", "conversion", "--format", "table", db=world.url, actor=CIC)
        metrics = score("report", "metrics", "--format", "table", db=world.url, actor=CIC)
        capacity = score("report", "capacity", "--format", "table", db=world.url, actor=CIC)
    assert "Client Conversion — chapter BOS01" in conversion.stdout
    assert "total" in conversion.stdout and "█" in conversion.stdout and "3 (100%)" in conversion.stdout
    assert "median business days" in metrics.stdout and any(c in metrics.stdout for c in "▁▂▃▄▅▆▇█")
    assert "total" in capacity.stdout


def test_period_and_option_errors_exit_2_permissions_1_unknown_scope_3(world):
    with freeze_time(NOW):
        bad_date = score("report", "metrics", "--from", "soon", db=world.url, actor=CIC)
        both = score("report", "metrics", "--all-time", "--from", "2026-11-01", db=world.url, actor=CIC)
        backwards = score("report", "conversion", "--from", "2026-11-20", "--to", "2026-11-01", db=world.url, actor=CIC)
        by = score("report", "conversion", "--by", "planet", db=world.url, actor=CIC)
        refused = score("report", "not-assigned", "--national", db=world.url, actor=CIC)
        missing = score("report", "capacity", "--chapter", "NOPE1", db=world.url, actor=ADMIN)
        mine = score("report", "not-accepted", "--mine", "--format", "json", db=world.url, actor=MENTOR)
    assert [r.exit_code for r in (bad_date, both, backwards, by)] == [2, 2, 2, 2]
    assert refused.exit_code == 1 and "may not see requests and their clients of national" in refused.stderr and refused.stdout == ""
    assert missing.exit_code == 3
    assert mine.exit_code == 0 and mine.json() == []


def test_metrics_weekly_rows_in_csv(world):
    a_little_of_everything(world)
    with freeze_time(NOW):
        ran = score("report", "metrics", "--weekly", "--format", "csv", "--from", "2026-11-16", db=world.url, actor=CIC)
    rows = list(csv.DictReader(io.StringIO(ran.stdout)))
    assert [(r["week_start"], r["interval"]) for r in rows][0] == ("2026-11-16", "submission_to_first_assignment")
    assert rows[0]["submitted"] == "3" and rows[0]["completed"] == "2"


def test_a_json_row_is_one_line_that_reads_back_as_written():
    """Each row of a report's JSON is one line: what the fast encoder cannot take (an integer over
    64 bits) is written all the same, and a DEL, plain ASCII, is still written as an escape."""
    from score_cli.cli.output import json_line

    assert json_line({"id": "MRE-7", "count": 2**70}) == '{"id":"MRE-7","count":1180591620717411303424}'
    written = json_line({"client": "Rub\x7fout", "day": date(2026, 11, 30)})
    assert written == '{"client":"Rub\\u007fout","day":"2026-11-30"}'
    assert json.loads(written) == {"client": "Rub\x7fout", "day": "2026-11-30"}
