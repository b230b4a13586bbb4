"""The `orphaned` report: open requests whose owner, or a case team member (pending or accepted),
is inactive or resigned, with what to do next. Its rows share the "not yet" reports' query and
columns (services/reports/stages.py).
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from score_cli import clock
from score_cli.domain.vocabulary import OPEN_STATUSES, Status, TeamRole, TeamState, VolunteerStatus
from score_cli.domain.workflow import OWNED
from score_cli.services.organisation.scope import Scope
from score_cli.services.reports.common import Period, Run, label, open_run
from score_cli.services.reports.stage_query import fetch, report_query
from score_cli.services.reports.stages import RowContext
from score_cli.store.db import Store
from score_cli.store.hints import in_chunks
from score_cli.store.models import CaseTeamMember, MentoringRequest, Volunteer


def orphaned(store: Store, actor_email: str | None, scope: Scope | None, period: Period | None = None, *,
             limit: int | None = None) -> list[dict]:
    with store.reading() as session:
        run = open_run(session, actor_email, scope, period, clock.now())
        R = MentoringRequest
        gone = select(Volunteer.id).where(Volunteer.status != VolunteerStatus.ACTIVE)
        on_team = (select(CaseTeamMember.request_id)
                   .where(CaseTeamMember.state.in_([TeamState.PENDING, TeamState.ACCEPTED]),
                          CaseTeamMember.volunteer_id.in_(gone)))
        left = or_(R.owner_id.in_(gone), R.id.in_(on_team))
        query = report_query(run, and_(R.status.in_([str(s) for s in OPEN_STATUSES]), left), "orphaned")
        if limit:
            query = query.limit(limit)
        found = list(fetch(session, query))
        team = _inactive_team(run, [r.id for r in found])
        context = RowContext(run, "orphaned")
        return [orphan_row(context, r, team.get(r.id, [])) for r in found]


def _inactive_team(run: Run, request_ids: list[int]) -> dict[int, list[str]]:
    """For each request, its case team members (not the lead: the owner) who are not active."""
    found: dict[int, list[str]] = {}
    for chunk in in_chunks(request_ids):
        rows = run.session.execute(
            select(CaseTeamMember.request_id, Volunteer.email, Volunteer.status)
            .join(Volunteer, Volunteer.id == CaseTeamMember.volunteer_id)
            .where(CaseTeamMember.request_id.in_(chunk), Volunteer.status != VolunteerStatus.ACTIVE,
                   CaseTeamMember.role == TeamRole.MEMBER,
                   CaseTeamMember.state.in_([TeamState.PENDING, TeamState.ACCEPTED]))
            .order_by(CaseTeamMember.request_id, CaseTeamMember.id)
        ).all()
        for request_id, email, status in rows:
            found.setdefault(request_id, []).append(f"{email} ({status})")
    return found


def orphan_row(context: RowContext, r, inactive_team: list[str]) -> dict:
    row, place = context.base(r)
    since = r.status_changed_at.astimezone(place.zone)
    row.update({
        "in_stage_since": since,
        "business_days_in_stage": context.business_days(since, place),
        "inactive_team": inactive_team,
        "possible_duplicate_of": label(r.duplicate) if r.duplicate else None,
    })
    owner_gone = bool(r.owner) and r.owner_status != VolunteerStatus.ACTIVE
    mre = row["id"]
    if owner_gone and r.duplicate and r.duplicate_status in OWNED:
        action = (f"possible duplicate of {label(r.duplicate)}, already being served: withdraw this one"
                  f" (score withdraw {mre} --reason duplicate)")
    elif owner_gone and r.status == Status.IN_PROGRESS:
        action = ("owner is no longer active and the client is in progress: reassign it (score reassign"
                  f" {mre} EMAIL --reason TEXT); its sessions and notes stay with it for the new mentor")
    elif owner_gone:
        action = (f"owner {r.owner} is no longer active: put it back in the queue (score reassign {mre}"
                  f" --to-queue --reason 'mentor no longer active') and assign another mentor (score assign"
                  f" {mre} --suggest); as time has passed, let the client know a new mentor is found")
    else:
        action = (f"a case team member is no longer active: {r.owner} can refer the client to another"
                  f" mentor (score refer {mre} EMAIL --reason TEXT)")
    row["flags"] = (["owner_inactive"] if owner_gone else []) + (["team_member_inactive"] if inactive_team else [])
    row["next_action"] = action
    return row
