"""The case team: referring a client to another mentor, and answering a referral (SPEC §4).

The owner stays the lead mentor. A referral adds a pending team member; accepting makes them an
accepted member (who may add sessions, record contacts and refer further); declining removes
them, and with it every access to the request. The referral reason is stored on the team
entry and in the history, never in the referred mentor's e-mail.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session

from score_cli import clock
from score_cli.services import validate
from score_cli.services.requests import records
from score_cli.services.organisation import access, permissions
from score_cli.services.people import eligibility, volunteers
from score_cli.services.mail import outbox
from score_cli.domain.errors import Conflict, Refused
from score_cli.domain.vocabulary import request_label as label
from score_cli.domain.workflow import Action, check
from score_cli.store.db import Store
from score_cli.store.models import CaseTeamMember, MentoringRequest, Volunteer
from score_cli.domain.vocabulary import Classification, TeamRole, TeamState, VolunteerStatus

WHO = {Classification.PROVISIONAL: "a provisional mentor", Classification.SME: "a subject matter expert"}


def _refusal(session: Session, request: MentoringRequest, mentor: Volunteer) -> str | None:
    """Why `mentor` may not be referred to on this request, or None."""
    if mentor.status != VolunteerStatus.ACTIVE:
        return f"{mentor.email} is {mentor.status}: only active mentors can be referred"
    if not eligibility.is_mentor(session, mentor.id):
        return f"{mentor.email} does not hold the mentor role"
    if mentor.classification != Classification.CERTIFIED:
        who = WHO.get(mentor.classification, "not a certified mentor")
        return f"{mentor.email} is {who}: referrals go only to certified (Active) mentors"
    entry = records.team_entry(session, request.id, mentor.id)
    if request.owner_id == mentor.id or (entry is not None and entry.state in (TeamState.PENDING, TeamState.ACCEPTED)):
        return f"{mentor.email} is already on the case team of {label(request.id)}"
    return None


def refer(store: Store, actor_email: str | None, request_id: int, mentor_email: str, *, reason: str) -> dict:
    reason = validate.text_field(reason, what="--reason", one_line=True)
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        request = records.load(session, request_id)
        access.require(session, actor, request, Action.REFER)
        check(Action.REFER, request.status, label(request_id))
        mentor = volunteers.get(session, mentor_email)
        why_not = _refusal(session, request, mentor)
        if why_not:
            raise Refused(f"can't refer {label(request_id)} to {mentor.email}: {why_not}")
        now = clock.now()
        entry = CaseTeamMember(request_id=request.id, volunteer_id=mentor.id, role=TeamRole.MEMBER,
                               state=TeamState.PENDING, referred_by_id=actor.id, reason=reason, created_at=now)
        session.add(entry)
        session.flush()
        records.change(session, request, actor=actor.email, action=str(Action.REFER), reason=reason, at=now,
                        detail={"mentor": mentor.email})
        # The reason is deliberately not among the values: the template cannot show it.
        outbox.enqueue(session, event="referral", recipient=mentor.email, request_id=request.id, occurrence=entry.id,
                       values={"request": label(request.id), "mentor_name": mentor.name,
                               "referrer_name": actor.name, "client_name": records.client_name(session, request),
                               "area": request.mentoring_area or "-", "question": request.question})
        return {"id": label(request.id), "mentor": mentor.email, "state": str(TeamState.PENDING),
                "referred_by": actor.email}


def respond(store: Store, actor_email: str | None, request_id: int, *, accept: bool, reason: str | None = None) -> dict:
    """The referred mentor accepts (joins the team) or declines (leaves it, and loses access).

    Accepting needs the request to be worked on (accepted, contacted, in progress); a referral
    can be declined whatever the request's status, since declining only takes access away.
    """
    reason = None if accept else validate.text_field(reason, what="--reason", one_line=True)
    with store.transaction() as session:
        actor = permissions.load_actor(session, actor_email)
        request = records.load(session, request_id)
        entry = records.team_entry(session, request.id, actor.id)
        if entry is None or entry.role != TeamRole.MEMBER or entry.state != TeamState.PENDING:
            raise Refused(f"{actor.email} has no referral waiting for an answer on {label(request_id)}")
        if accept:
            check(Action.REFERRAL_RESPONSE, request.status, label(request_id))
        now = clock.now()
        state = TeamState.ACCEPTED if accept else TeamState.DECLINED
        answered = session.execute(
            update(CaseTeamMember)
            .where(CaseTeamMember.id == entry.id, CaseTeamMember.state == TeamState.PENDING)
            .values(state=state, responded_at=now)
            .execution_options(synchronize_session=False))
        if answered.rowcount != 1:
            raise Conflict(f"the referral on {label(request_id)} was answered meanwhile: show it again")
        referrer = session.get(Volunteer, entry.referred_by_id) if entry.referred_by_id else None
        action = "referral_accept" if accept else "referral_decline"
        records.change(session, request, actor=actor.email, action=action, reason=reason, at=now,
                        detail={"referred_by": referrer.email if referrer else None})
        if referrer is not None:
            outbox.enqueue(session, event="referral_accepted" if accept else "referral_declined",
                           recipient=referrer.email, request_id=request.id, occurrence=entry.id,
                           values={"request": label(request.id), "mentor_name": actor.name,
                                   "referrer_name": referrer.name, "reason": reason,
                                   "client_name": records.client_name(session, request)})
        return {"id": label(request.id), "mentor": actor.email, "state": str(state),
                "referred_by": referrer.email if referrer else None}
