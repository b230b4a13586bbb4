"""`score report ...`: the chapter's reports (issue 6). Thin: options in, one service call, render."""


from typing import Annotated, Optional

import typer

from score_cli.cli.output import ColumnsOption, FormatOption, WideOption, choose_format
from score_cli.cli.report_view import funnel_chart, metrics_chart, render_report, sum_columns
from score_cli.cli.scope_options import scoped

app = typer.Typer(no_args_is_help=True)

FromOpt = Annotated[Optional[str], typer.Option(
    "--from", help="First day of the period (each chapter's local date). \"today\" is the chapter's date for one"
                   " chapter or --mine (your chapter's), the machine's date for a wider scope.")]
ToOpt = Annotated[Optional[str], typer.Option("--to", help="Last day of the period (included).")]
AllTimeOpt = Annotated[bool, typer.Option("--all-time", help="No period: every request (default: the last 13 weeks).")]
LimitOpt = Annotated[Optional[int], typer.Option("--limit", min=1, help="At most this many rows.")]


def _period(start: str | None, end: str | None, all_time: bool = False):
    from score_cli.domain.errors import Invalid
    from score_cli.services.reports.common import Period, TypedPeriod

    if all_time:
        if start or end:
            raise Invalid("--all-time takes no --from or --to")
        return Period()
    if not start and not end:
        return None
    return TypedPeriod(start, end)


def _title(name: str, rows: list[dict]) -> str:
    if rows and "scope" in rows[0]:
        first = rows[0]
        period = "all time" if not first.get("from") and not first.get("to") else \
            f"{first.get('from') or '…'} to {first.get('to') or 'today'}"
        return f"{name} — {first['scope']}, {period}"
    return name


# --- the four "not yet" reports ------------------------------------------------------------

STAGE_TITLES = {
    "not-assigned": ("Clients Not Yet Assigned", "new and pending reassignment"),
    "not-accepted": ("Clients Not Yet Accepted", "assigned, waiting for the mentor"),
    "not-contacted": ("Clients Not Yet Contacted", "accepted, no contact recorded"),
    "not-counseled": ("Clients Not Yet Counseled", "contacted, no session recorded"),
}
STAGE_CSV = ["id", "status", "chapter", "queue", "client", "client_kind", "owner", "owner_status", "submitted_at",
             "business_days_waiting", "in_stage_since", "business_days_in_stage", "deadline", "deadline_at",
             "deadline_passed", "timeout_at", "contact_attempts", "last_contact_at", "possible_duplicate_of",
             "flags", "next_action"]
STAGE_HEADERS = {"business_days_in_stage": "in stage (bd)", "business_days_waiting": "waiting (bd)",
                 "deadline_at": "deadline", "deadline_passed": "passed", "contact_attempts": "attempts",
                 "next_action": "next action"}


def _stage_columns(stage: str) -> list[str]:
    columns = ["id", "status", "chapter", "client", "owner", "business_days_in_stage"]
    if stage != "not-assigned":
        columns += ["deadline_at", "deadline_passed"]
    if stage in ("not-contacted", "not-counseled"):
        columns.append("contact_attempts")
    return columns + ["next_action"]


def _stage_command(stage: str):
    title, what = STAGE_TITLES[stage]

    @scoped
    def command(
        ctx: typer.Context, scope=None,
        start: FromOpt = None,
        end: ToOpt = None,
        overdue: Annotated[bool, typer.Option("--overdue", help="Only rows past their deadline.")] = False,
        match_duplicates: Annotated[bool, typer.Option(
            "--match-duplicates", help="Also flag the duplicates `score duplicates find` matches (another"
            " e-mail, the same phone, name and business...): slower, as it compares every request in scope.")] = False,
        limit: LimitOpt = None,
        fmt: FormatOption = None,
        wide: WideOption = False,
        columns: ColumnsOption = None,
    ) -> None:
        from score_cli.services.reports.stages import stage_rows

        rows = stage_rows(ctx.obj.store(), ctx.obj.actor, scope,
                          stage, _period(start, end), overdue=overdue, limit=limit,
                          match_duplicates=match_duplicates)

        def caption(shown: list[dict], more: int) -> str:
            passed = sum(1 for r in shown if r["deadline_passed"])
            text = f"{len(shown) + more} request{'s' if len(shown) + more != 1 else ''}"
            if stage != "not-assigned":
                text += f", {passed} of those shown past the deadline" if more else f", {passed} past the deadline"
            return text

        render_report(rows, choose_format(ctx, fmt), columns=_stage_columns(stage), csv_columns=STAGE_CSV,
                      headers=STAGE_HEADERS, title=title, empty=f"no client waits at this stage ({what})",
                      caption=caption)

    command.__doc__ = (f"{title}.\n\nRequests {what}: a row per request with days in stage, the deadline"
                       " and whether it has passed, and the next action. --from/--to limit by submission date.")
    return command


for _stage in STAGE_TITLES:
    app.command(_stage)(_stage_command(_stage))


# --- the aggregate reports -----------------------------------------------------------------


@app.command("conversion")
@scoped
def conversion(
    ctx: typer.Context, scope=None,
    start: FromOpt = None, end: ToOpt = None, all_time: AllTimeOpt = False,
    by: Annotated[Optional[str], typer.Option(
        "--by", help="chapter, district, region or total (default: one level below the scope).")] = None,
    fmt: FormatOption = None,
    wide: WideOption = False,
    columns: ColumnsOption = None,
) -> None:
    """Client Conversion: from submitted to closed.

    Client Conversion: submitted, assigned, accepted, contacted, counseled, closed.

    Of the requests submitted in the period (default: the last 13 weeks), how many reached each
    step and how they closed, per chapter, district or region, with percentages."""
    from score_cli.services.reports.conversion import COUNTS, STEPS, total
    from score_cli.services.reports.conversion import conversion as run

    rows = run(ctx.obj.store(), ctx.obj.actor, scope,
               _period(start, end, all_time), by=by)
    output = choose_format(ctx, fmt)
    csv_columns = ["group", "group_kind", "scope", "from", "to"] + [
        c for name in COUNTS for c in ((name,) if name == "submitted" else (name, f"{name}_pct"))]
    if output != "table":
        render_report(rows, output, columns=csv_columns, title="Conversion", empty="")
        return
    overall = total(rows) if rows else {}
    shown = [{**r, **{n: _with_pct(r, n) for n in COUNTS if n != "submitted"}} for r in rows]
    footer = {**overall, **{n: _with_pct(overall, n) for n in COUNTS if n != "submitted"}}
    funnel_columns = ["group", *STEPS, "open"]
    closed_columns = ["group", *[n for n in COUNTS if n.startswith("closed_")]]
    headers = {n: n.removeprefix("closed_").replace("_", " ") for n in COUNTS}
    title = _title("Client Conversion", rows)
    render_report(shown, output, columns=funnel_columns, headers=headers, title=title,
                  empty="no request was submitted in this period", totals=footer,
                  after=lambda console: funnel_chart(console, overall, STEPS))
    if rows:
        render_report(shown, output, columns=closed_columns, headers=headers, title="Closed, by status",
                      empty="", totals=footer, after=lambda console: None)


def _with_pct(row: dict, name: str) -> str:
    share = row.get(f"{name}_pct")
    return f"{row.get(name, 0)} ({share:g}%)" if share is not None else str(row.get(name, 0))


METRICS_CSV = ["interval", "from_event", "to_event", "scope", "from", "to", "cohort", "reached_start", "completed",
               "mean_days", "median_days", "p90_days", "mean_business_days", "median_business_days",
               "p90_business_days", "still_waiting", "waiting_mean_days", "waiting_median_days", "waiting_p90_days",
               "waiting_max_days", "waiting_mean_business_days", "waiting_median_business_days",
               "waiting_p90_business_days", "waiting_max_business_days", "closed_before_reaching",
               "mean_days_including_waiting", "mean_business_days_including_waiting"]
WEEKLY_CSV = ["week_start", "interval", "scope", "from", "to", "submitted", "completed", "mean_days",
              "mean_business_days", "still_waiting"]


@app.command("metrics")
@scoped
def metrics(
    ctx: typer.Context, scope=None,
    start: FromOpt = None, end: ToOpt = None, all_time: AllTimeOpt = False,
    weekly: Annotated[bool, typer.Option("--weekly", help="One row per week of submission and interval.")] = False,
    fmt: FormatOption = None,
    wide: WideOption = False,
    columns: ColumnsOption = None,
) -> None:
    """Days to assignment, acceptance and first session.

    Also who is still waiting.

    Mean, median and 90th percentile in calendar and business days, for the requests submitted
    in the period (default: the last 13 weeks); requests not there yet are counted as waiting
    with their age so far; a weekly trend by week of submission."""
    from score_cli.services.reports.metrics import metrics as run

    rows = run(ctx.obj.store(), ctx.obj.actor, scope,
               _period(start, end, all_time), weekly=weekly)
    output = choose_format(ctx, fmt)
    if weekly:
        render_report(rows, output, columns=WEEKLY_CSV[:2] + WEEKLY_CSV[5:], csv_columns=WEEKLY_CSV,
                      title=_title("Weekly trend", rows), empty="no request was submitted in this period")
        return
    if output != "table":
        render_report(rows, output, columns=METRICS_CSV, title="Metrics", empty="")
        return
    shown = [{**r, "interval": r["interval"].replace("_", " ")} for r in rows]
    columns = ["interval", "completed", "mean_days", "median_days", "p90_days", "mean_business_days",
               "median_business_days", "p90_business_days", "still_waiting", "waiting_median_days",
               "waiting_max_days", "closed_before_reaching"]
    headers = {"mean_days": "mean d", "median_days": "median d", "p90_days": "p90 d", "mean_business_days": "mean bd",
               "median_business_days": "median bd", "p90_business_days": "p90 bd", "still_waiting": "waiting",
               "waiting_median_days": "waiting median d", "waiting_max_days": "waiting max d",
               "closed_before_reaching": "closed before"}
    cohort = rows[0]["cohort"] if rows else 0
    render_report(shown, output, columns=columns, headers=headers, title=_title("Metrics", rows),
                  empty="no request", caption=f"{cohort} requests submitted in the period; d = calendar days,"
                  " bd = business days; waiting = still open and not there yet (age so far)",
                  after=lambda console: metrics_chart(console, rows) if cohort else None)


ACTIVITY_COLUMNS = ["email", "chapter", "cic_assignments", "direct_assignments", "accepted", "declined", "timed_out",
                    "returned", "open_now", "sessions", "late_session_notes", "pause_until", "weekly_remaining",
                    "flags"]
ACTIVITY_CSV = ["email", "name", "chapter", "classification", "scope", "from", "to", "cic_assignments",
                "direct_assignments", "accepted", "declined", "timed_out", "returned", "reassigned_away", "open_now",
                "awaiting_acceptance", "sessions", "late_session_notes", "pause_from", "pause_until", "paused_now",
                "days_paused", "paused_so_far", "long_pause", "capacity", "capacity_weekly",
                "cic_assignments_last_7_days", "weekly_remaining", "max_direct_weekly", "accept_direct_requests",
                "flags", "follow_up"]


@app.command("mentor-activity")
@scoped
def mentor_activity(
    ctx: typer.Context, scope=None,
    start: FromOpt = None, end: ToOpt = None, all_time: AllTimeOpt = False,
    flagged: Annotated[bool, typer.Option(
        "--flagged", help="Only mentors to follow up (repeated timeouts or declines, long pauses).")] = False,
    fmt: FormatOption = None,
    wide: WideOption = False,
    columns: ColumnsOption = None,
) -> None:
    """My Active Mentors Activity.

    Assignments, outcomes, sessions, pauses, capacity.

    Per active mentor: CIC and direct assignments made in the period (default: the last 13
    weeks) and what became of them, sessions and late notes, what they hold now, their pause and
    weekly capacity; repeated timeouts or declines and pauses over 30 days flagged."""
    from score_cli.services.reports.mentors import mentor_activity as run

    rows = run(ctx.obj.store(), ctx.obj.actor, scope,
               _period(start, end, all_time), flagged=flagged)
    headers = {"cic_assignments": "CIC", "direct_assignments": "direct", "timed_out": "timed out",
               "open_now": "open now", "late_session_notes": "late notes", "pause_until": "paused until",
               "weekly_remaining": "week left"}
    render_report(rows, choose_format(ctx, fmt), columns=ACTIVITY_COLUMNS, csv_columns=ACTIVITY_CSV, headers=headers,
                  title=_title("Mentor Activity", rows), empty="no active mentor in this scope",
                  totals=sum_columns(rows, ACTIVITY_COLUMNS, "email"))


PAUSED_COLUMNS = ["email", "chapter", "pause_from", "pause_until", "days_paused", "paused_so_far",
                  "awaiting_acceptance", "open_requests", "next_action"]
PAUSED_CSV = ["email", "name", "chapter", "classification", "scope", "from", "to", "pause_from", "pause_until",
              "paused_now", "days_paused", "paused_so_far", "long_pause", "accept_direct_requests", "open_requests",
              "awaiting_acceptance", "flags", "next_action"]


@app.command("paused-mentors")
@scoped
def paused_mentors(
    ctx: typer.Context, scope=None,
    start: FromOpt = None, end: ToOpt = None,
    fmt: FormatOption = None,
    wide: WideOption = False,
    columns: ColumnsOption = None,
) -> None:
    """Mentors paused, pauses over 30 days flagged.

    Mentors paused today (or whose pause overlaps --from/--to), pauses over 30 days flagged."""
    from score_cli.services.reports.mentors import paused_mentors as run

    rows = run(ctx.obj.store(), ctx.obj.actor, scope,
               _period(start, end))
    headers = {"days_paused": "days", "paused_so_far": "so far", "awaiting_acceptance": "awaiting",
               "open_requests": "open", "next_action": "next action"}
    render_report(rows, choose_format(ctx, fmt), columns=PAUSED_COLUMNS, csv_columns=PAUSED_CSV, headers=headers,
                  title=_title("Paused Mentors", rows), empty="no mentor is paused",
                  totals=sum_columns(rows, ["awaiting_acceptance", "open_requests"], "email"))


ORPHANED_COLUMNS = ["id", "status", "chapter", "client", "owner", "owner_status", "inactive_team",
                    "business_days_in_stage", "next_action"]
ORPHANED_CSV = ["id", "status", "chapter", "queue", "client", "client_kind", "owner", "owner_status", "inactive_team",
                "submitted_at", "business_days_waiting", "in_stage_since", "business_days_in_stage",
                "possible_duplicate_of", "flags", "next_action"]


@app.command("orphaned")
@scoped
def orphaned(
    ctx: typer.Context, scope=None,
    start: FromOpt = None, end: ToOpt = None, limit: LimitOpt = None,
    fmt: FormatOption = None,
    wide: WideOption = False,
    columns: ColumnsOption = None,
) -> None:
    """Open requests whose mentor has left.

    Open requests whose owner or a case team member is inactive or resigned.

    The guide's "Mentor is no longer with SCORE?". --from/--to limit by submission date."""
    from score_cli.services.reports.orphaned import orphaned as run

    rows = run(ctx.obj.store(), ctx.obj.actor, scope,
               _period(start, end), limit=limit)
    render_report(rows, choose_format(ctx, fmt), columns=ORPHANED_COLUMNS, csv_columns=ORPHANED_CSV,
                  headers={**STAGE_HEADERS, "inactive_team": "inactive team", "owner_status": "owner is"},
                  title="Orphaned Requests", empty="no open request has an inactive owner or team member")


CAPACITY_COLUMNS = ["chapter", "waiting", "oldest_waiting_business_days", "mentors", "paused", "unknown_capacity",
                    "weekly_capacity", "capacity_left", "business_days_to_clear", "next_action"]
CAPACITY_CSV = ["chapter", "name", "live", "scope", "from", "to", "waiting", "oldest_waiting_business_days", "mentors",
                "paused", "available", "unknown_capacity", "weekly_capacity", "capacity_left",
                "business_days_to_clear", "next_action"]


@app.command("capacity")
@scoped
def capacity(
    ctx: typer.Context, scope=None,
    start: FromOpt = None, end: ToOpt = None,
    fmt: FormatOption = None,
    wide: WideOption = False,
    columns: ColumnsOption = None,
) -> None:
    """Requests waiting against mentor capacity.

    Per chapter: requests waiting against mentor capacity left this week.

    With the business days it would take to clear the queue at the chapter's weekly capacity
    (--mine: your chapter)."""
    from score_cli.services.reports.capacity import capacity as run

    rows = run(ctx.obj.store(), ctx.obj.actor, scope,
               _period(start, end))
    headers = {"oldest_waiting_business_days": "oldest (bd)", "unknown_capacity": "unknown cap",
               "weekly_capacity": "weekly cap", "capacity_left": "left", "business_days_to_clear": "bd to clear",
               "next_action": "next action"}
    render_report(rows, choose_format(ctx, fmt), columns=CAPACITY_COLUMNS, csv_columns=CAPACITY_CSV, headers=headers,
                  title=_title("Capacity", rows), empty="no chapter in this scope",
                  totals=sum_columns(rows, ["waiting", "mentors", "paused", "unknown_capacity", "weekly_capacity",
                                            "capacity_left"], "chapter"))
