"""Referrals and the case team, as the guide "Refer a Client to Another Mentor" describes them."""


import pytest
from sqlalchemy import select

from score_cli.services.organisation import access, permissions
from score_cli.services.requests import mentoring, referrals
from score_cli.services.people import volunteers
from score_cli.domain.errors import Invalid, NotFound, Refused
from score_cli.store.models import CaseTeamMember, MentoringRequest, OutboxMessage
from tests.helpers import dump
from tests.world import ADMIN, CIC, FAR, MENTOR, MENTOR2, PROVISIONAL, SME


@pytest.fixture
def case(world) -> int:
    """A request MENTOR has accepted."""
    request_id = world.assigned(MENTOR, area="Marketing & Sales")
    mentoring.accept(world.store, MENTOR, request_id)
    return request_id


def team(world, request_id):
    with world.store.reading() as session:
        found = session.execute(select(CaseTeamMember).where(CaseTeamMember.request_id == request_id)
                                .order_by(CaseTeamMember.id)).scalars().all()
    return found


def mail(world, request_id, event):
    with world.store.reading() as session:
        return session.execute(select(OutboxMessage).where(OutboxMessage.request_id == request_id,
                                                           OutboxMessage.event == event)).scalars().all()


def sees(world, email, request_id) -> bool:
    with world.store.reading() as session:
        actor = permissions.load_actor(session, email)
        return access.may_see(session, actor, access.read_request(session, request_id))


def test_a_referral_adds_a_pending_team_member_and_keeps_the_reason_out_of_the_email(world, case):
    result = referrals.refer(world.store, MENTOR, case, MENTOR2, reason="Client hinted at a SECRET family dispute")
    assert result == {"id": f"MRE-{case}", "mentor": MENTOR2, "state": "pending", "referred_by": MENTOR}
    lead, member = team(world, case)
    assert (lead.role, lead.state) == ("lead", "accepted")
    assert (member.role, member.state, member.reason) == ("member", "pending",
                                                          "Client hinted at a SECRET family dispute")
    [message] = mail(world, case, "referral")
    assert message.recipient == MENTOR2
    assert "SECRET" not in message.subject + message.body
    assert "Mo Mentor" in message.body and "score referral accept" in message.body


@pytest.mark.parametrize("target, rule", [
    (PROVISIONAL, "is a provisional mentor: referrals go only to certified"),
    (SME, "is a subject matter expert: referrals go only to certified"),
    (CIC, "does not hold the mentor role"),
    (MENTOR, "already on the case team"),
])
def test_referrals_go_only_to_certified_mentors_not_already_on_the_team(world, case, target, rule):
    before = dump(world.url)
    with pytest.raises(Refused, match=rule):
        referrals.refer(world.store, MENTOR, case, target, reason="help")
    assert dump(world.url) == before


def test_a_mentor_already_referred_cannot_be_referred_twice(world, case):
    referrals.refer(world.store, MENTOR, case, MENTOR2, reason="help")
    with pytest.raises(Refused, match="already on the case team"):
        referrals.refer(world.store, MENTOR, case, MENTOR2, reason="again")


def test_an_inactive_mentor_gets_no_new_referrals_or_assignments(world, case):
    volunteers.set_status(world.store, ADMIN, MENTOR2, "inactive", reason="moved away")
    with pytest.raises(Refused, match="is inactive: only active mentors can be referred"):
        referrals.refer(world.store, MENTOR, case, MENTOR2, reason="help")
    from score_cli.services.requests import assignment

    with pytest.raises(Refused, match="only active volunteers can be assigned"):
        assignment.assign(world.store, CIC, world.submit(), MENTOR2)


def test_referring_needs_a_reason_an_accepted_request_and_a_known_mentor(world):
    request_id = world.assigned(MENTOR)
    with pytest.raises(Refused, match="it is assigned"):
        referrals.refer(world.store, MENTOR, request_id, MENTOR2, reason="help")
    mentoring.accept(world.store, MENTOR, request_id)
    with pytest.raises(Invalid, match="--reason"):
        referrals.refer(world.store, MENTOR, request_id, MENTOR2, reason="")
    with pytest.raises(NotFound):
        referrals.refer(world.store, MENTOR, request_id, "nobody@example.org", reason="help")


def test_a_mentor_cannot_refer_someone_elses_request(world, case):
    with pytest.raises(Refused, match="only its owner or an accepted case team member"):
        referrals.refer(world.store, MENTOR2, case, FAR, reason="help")


def test_a_pending_referee_sees_the_request_and_may_answer_nothing_more(world, case):
    referrals.refer(world.store, MENTOR, case, MENTOR2, reason="help")
    assert sees(world, MENTOR2, case)
    before = dump(world.url)
    with pytest.raises(Refused):
        mentoring.contact(world.store, MENTOR2, case, method="phone")
    with pytest.raises(Refused):
        mentoring.add_session(world.store, MENTOR2, case, day="today", minutes=30, notes="x")
    with pytest.raises(Refused):
        referrals.refer(world.store, MENTOR2, case, FAR, reason="help")
    assert dump(world.url) == before


def test_an_accepted_referee_joins_the_team_works_the_case_and_may_refer_further(world, case):
    referrals.refer(world.store, MENTOR, case, MENTOR2, reason="help")
    assert referrals.respond(world.store, MENTOR2, case, accept=True)["state"] == "accepted"
    [told] = mail(world, case, "referral_accepted")
    assert told.recipient == MENTOR and "Mia Second" in told.body
    mentoring.contact(world.store, MENTOR2, case, method="phone")
    mentoring.add_session(world.store, MENTOR2, case, day="today", minutes=45, notes="Pricing deep dive")
    referrals.refer(world.store, MENTOR2, case, FAR, reason="Texas market")
    lead, member, further = team(world, case)
    assert (further.state, further.referred_by_id) == ("pending", world.volunteer(MENTOR2).id)
    with world.store.reading() as session:
        request = session.get(MentoringRequest, case)
    assert (request.owner_id, request.status) == (world.volunteer(MENTOR).id, "in_progress")
    assert lead.role == "lead" and lead.volunteer_id == world.volunteer(MENTOR).id


def test_a_mentor_who_declined_a_referral_can_no_longer_open_it(world, case):
    referrals.refer(world.store, MENTOR, case, MENTOR2, reason="help")
    with pytest.raises(Invalid, match="--reason"):
        referrals.respond(world.store, MENTOR2, case, accept=False, reason=None)
    result = referrals.respond(world.store, MENTOR2, case, accept=False, reason="Fully booked until March")
    assert result["state"] == "declined"
    [told] = mail(world, case, "referral_declined")
    assert told.recipient == MENTOR and "Fully booked until March" in told.body
    assert not sees(world, MENTOR2, case)
    before = dump(world.url)
    with pytest.raises(Refused):
        mentoring.contact(world.store, MENTOR2, case, method="phone")
    with pytest.raises(Refused):
        mentoring.add_session(world.store, MENTOR2, case, day="today", minutes=30, notes="x")
    with pytest.raises(Refused, match="no referral waiting"):
        referrals.respond(world.store, MENTOR2, case, accept=True)
    assert dump(world.url) == before


def test_only_the_referred_mentor_answers_a_referral(world, case):
    referrals.refer(world.store, MENTOR, case, MENTOR2, reason="help")
    for someone in (MENTOR, FAR, CIC):
        with pytest.raises(Refused, match="no referral waiting"):
            referrals.respond(world.store, someone, case, accept=True)


def test_a_referral_can_be_declined_after_the_request_closed_but_not_accepted(world, case):
    referrals.refer(world.store, MENTOR, case, MENTOR2, reason="help")
    mentoring.set_status(world.store, CIC, case, "withdrawn", note="client found help")
    with pytest.raises(Refused, match="it is withdrawn"):
        referrals.respond(world.store, MENTOR2, case, accept=True)
    assert referrals.respond(world.store, MENTOR2, case, accept=False, reason="closed")["state"] == "declined"
