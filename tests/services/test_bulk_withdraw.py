"""Withdrawing duplicates in bulk: every row checked first, then all or none."""

import json

import pytest
from sqlalchemy import select, update

from score_cli import clock
from score_cli.services.requests import assignment, bulk_withdraw
from score_cli.services.organisation import permissions
from score_cli.services.requests.bulk_withdraw import parse_plan, withdraw_bulk
from score_cli.domain.errors import Conflict, Invalid
from score_cli.services.admin.integrity import check_store
from score_cli.store.models import Assignment, AuditEvent, MentoringRequest, Note, OutboxMessage
from tests.helpers import dump
from tests.world import CIC, CIC_AUS, MENTOR, RCIC

REASON = "duplicate submission"


def plan_csv(keeper, *withdraw, group=1):
    lines = ["group,id,action,keeper,score,reasons,client,client_id,chapter,status,submitted_at",
             f"{group},MRE-{keeper},keep,MRE-{keeper},0.95,kept: the oldest open request,Cleo,1,BOS01,new,x"]
    lines += [f"{group},MRE-{w},withdraw,MRE-{keeper},0.95,same phone +16175550101; same name,Cleo,2,BOS01,new,x"
              for w in withdraw]
    return "\n".join(lines) + "\n"


def statuses(world, *ids):
    with world.store.reading() as session:
        return [session.get(MentoringRequest, i).status for i in ids]


@pytest.fixture
def trio(world):
    """A keeper and two duplicates of it, one of them assigned to a mentor."""
    keeper = world.submit(email="cleo@one.com", phone="617-555-0101")
    queued = world.submit(email="cleo@two.com", phone="(617) 555-0101")
    owned = world.assigned(MENTOR, email="cleo@three.com", phone="617.555.0101")
    return keeper, queued, owned


# --- reading plans ------------------------------------------------------------------------


def test_a_plan_from_duplicates_find_gives_its_withdraw_rows_and_its_keepers():
    plan = parse_plan(plan_csv(1, 2, 3))
    assert [(r.line, r.request_id, r.keeper_id, r.group) for r in plan.rows] == [(3, 2, 1, "1"), (4, 3, 1, "1")]
    assert plan.keepers == {1}


def test_a_json_plan_and_a_plain_list_of_ids():
    rows = [{"group": 1, "id": "MRE-1", "action": "keep", "keeper": "MRE-1"},
            {"group": 1, "id": "MRE-2", "action": "withdraw", "keeper": "MRE-1"},
            {"group": 1, "id": "MRE-5", "action": "none", "keeper": "MRE-1"}]
    assert [(r.line, r.request_id, r.keeper_id) for r in parse_plan(json.dumps(rows)).rows] == [(2, 2, 1)]
    plain = parse_plan("# duplicates found by hand\nMRE-7\n\n8\nmre-9\nbogus\n")
    assert [(r.line, r.request_id, r.keeper_id) for r in plain.rows] == [(2, 7, None), (4, 8, None), (5, 9, None),
                                                                         (6, None, None)]
    assert "not a request id" in plain.rows[3].problem.message


def test_cells_a_spreadsheet_quoted_are_read_back():
    plan = parse_plan("id,action\n'-12,withdraw\n")
    assert plan.rows[0].problem is not None and plan.rows[0].text == "-12"


def test_a_broken_plan_is_refused_before_anything_else():
    assert parse_plan("\n# nothing\n").rows == []
    with pytest.raises(Invalid, match="not valid JSON"):
        parse_plan("[{")


# --- applying -----------------------------------------------------------------------------


def test_each_withdrawal_gets_its_note_audit_event_and_the_owners_message(world, trio):
    keeper, queued, owned = trio
    result = withdraw_bulk(world.store, CIC, plan_csv(keeper, queued, owned), reason=REASON)
    assert result.applied and result.exit_code == 0 and result.message == "withdrew 2 requests"
    assert [(r["id"], r["outcome"]) for r in result.rows] == [(f"MRE-{queued}", "withdrawn"),
                                                             (f"MRE-{owned}", "withdrawn")]
    assert statuses(world, keeper, queued, owned) == ["new", "withdrawn", "withdrawn"]
    with world.store.reading() as session:
        notes = session.execute(select(Note.request_id, Note.kind, Note.text).where(Note.kind == "withdraw")
                                .order_by(Note.request_id)).all()
        events = session.execute(select(AuditEvent).where(AuditEvent.action == "withdraw")
                                 .order_by(AuditEvent.request_id)).scalars().all()
        mail = session.execute(select(OutboxMessage).where(OutboxMessage.event == "withdrawn")).scalars().all()
        open_assignments = session.execute(select(Assignment.outcome).where(Assignment.request_id == owned)).all()
        moved = session.execute(select(MentoringRequest.queue, MentoringRequest.closed_at)
                                .where(MentoringRequest.id == queued)).one()
    note = f"duplicate of MRE-{keeper}: {REASON}"
    assert notes == [(queued, "withdraw", note), (owned, "withdraw", note)]
    assert [(e.request_id, e.actor, e.from_status, e.to_status, e.reason) for e in events] == [
        (queued, CIC, "new", "withdrawn", REASON), (owned, CIC, "assigned", "withdrawn", REASON)]
    assert json.loads(events[0].detail) == {"bulk": True, "duplicate_of": f"MRE-{keeper}", "group": "1"}
    assert [(m.recipient, m.request_id, m.subject) for m in mail] == [(MENTOR, owned, f"MRE-{owned} was withdrawn")]
    assert note in mail[0].body
    assert open_assignments == [("withdrawn",)]
    assert moved[0] is None and moved[1] is not None
    assert check_store(world.store) == []


def test_a_bad_row_in_the_middle_withdraws_nothing_unless_invalid_rows_may_be_skipped(world, trio):
    keeper, queued, owned = trio
    closed = world.submit(email="cleo@four.com")
    assignment.withdraw(world.store, CIC, closed, reason="client asked")
    before = dump(world.url)
    content = plan_csv(keeper, queued, 999, closed, owned)
    result = withdraw_bulk(world.store, CIC, content, reason=REASON)
    assert dump(world.url) == before
    assert not result.applied and result.exit_code == 1
    assert result.message == ("refused: 2 of 4 rows are not valid, so nothing was withdrawn"
                              " (fix them, or use --skip-invalid to withdraw the 2 valid ones)")
    assert [(r["id"], r["outcome"], r["detail"]) for r in result.rows] == [
        (f"MRE-{queued}", "not_applied", None),
        ("MRE-999", "invalid", "no request MRE-999"),
        (f"MRE-{closed}", "invalid", f"MRE-{closed} is already closed (withdrawn)"),
        (f"MRE-{owned}", "not_applied", None)]
    skipped = withdraw_bulk(world.store, CIC, content, reason=REASON, skip_invalid=True)
    assert skipped.applied and skipped.exit_code == 0
    assert skipped.message == "withdrew 2 requests (2 invalid rows skipped)"
    assert [r["outcome"] for r in skipped.rows] == ["withdrawn", "skipped", "skipped", "withdrawn"]
    assert statuses(world, queued, owned) == ["withdrawn", "withdrawn"]


def test_a_dry_run_and_a_rerun_change_nothing_and_say_so(world, trio):
    keeper, queued, owned = trio
    content = plan_csv(keeper, queued, owned)
    before = dump(world.url)
    dry = withdraw_bulk(world.store, CIC, content, reason=REASON, dry_run=True)
    assert dump(world.url) == before
    assert dry.message == "dry run: would withdraw 2 requests; nothing was changed"
    assert [r["outcome"] for r in dry.rows] == ["would_withdraw", "would_withdraw"]
    withdraw_bulk(world.store, CIC, content, reason=REASON)
    before = dump(world.url)
    again = withdraw_bulk(world.store, CIC, content, reason=REASON)
    assert dump(world.url) == before
    assert again.exit_code == 0 and not again.applied
    assert again.message == "nothing to do: all 2 requests were already withdrawn by an earlier run"
    assert [r["outcome"] for r in again.rows] == ["already_done", "already_done"]
    other_reason = withdraw_bulk(world.store, CIC, content, reason="something else")
    assert other_reason.exit_code == 1 and "already closed (withdrawn)" in other_reason.rows[0]["detail"]


def test_keepers_requests_outside_the_scope_and_unknown_ids_are_refused(world, trio):
    keeper, queued, owned = trio
    edited = plan_csv(keeper, queued).replace(f"MRE-{keeper},keep,", f"MRE-{keeper},withdraw,")
    result = withdraw_bulk(world.store, CIC, edited, reason=REASON)
    assert result.rows[0]["detail"] == f"MRE-{keeper} is the request to keep in its group, not a duplicate"
    far = withdraw_bulk(world.store, CIC_AUS, f"{queued}\n", reason=REASON)
    assert far.exit_code == 1
    assert far.rows[0]["detail"] == (f"MRE-{queued} is outside {CIC_AUS}'s scope: only a coordinator of its"
                                     " chapter (its CIC, an RCIC of its district or region, an admin) or its"
                                     " owner may withdraw it")
    unknown = withdraw_bulk(world.store, CIC, "MRE-999\n", reason=REASON)
    assert unknown.exit_code == 3
    assignment.withdraw(world.store, CIC, keeper, reason="client asked")  # the plan is stale now
    stale = withdraw_bulk(world.store, CIC, plan_csv(keeper, queued), reason=REASON)
    assert stale.exit_code == 1
    assert stale.rows[0]["detail"] == (f"its keeper MRE-{keeper} is withdrawn now: this may be the client's only"
                                       " open request (run `score duplicates find` again)")
    assert withdraw_bulk(world.store, RCIC, f"{queued}\n{queued}\n", reason=REASON).counts == {
        "withdrawn": 1, "repeated": 1}


def test_a_request_changed_while_the_run_was_checking_fails_the_whole_run(world, trio):
    keeper, queued, owned = trio
    plan = parse_plan(plan_csv(keeper, queued, owned))
    with pytest.raises(Conflict, match="changed while this ran"):
        with world.store.transaction() as session:
            actor = permissions.load_actor(session, CIC)
            targets = bulk_withdraw._check(session, actor, plan, REASON)
            session.execute(update(MentoringRequest).where(MentoringRequest.id == owned)
                            .values(version=MentoringRequest.version + 1))  # someone else, meanwhile
            bulk_withdraw._apply(session, actor, targets, REASON, clock.now())
    assert statuses(world, queued, owned) == ["new", "assigned"]



@pytest.mark.parametrize("plan", ["", "\n", "[]\n", "group,id,action,keeper\n",
                                  "group,id,action,keeper\n1,MRE-1,keep,MRE-1\n"])
def test_a_plan_with_nothing_left_to_withdraw_succeeds_and_says_so(world, trio, plan):
    before = dump(world.url)
    result = withdraw_bulk(world.store, CIC, plan, reason=REASON)
    assert (result.exit_code, result.applied, result.rows) == (0, False, [])
    assert result.message.startswith("nothing to withdraw")
    assert dump(world.url) == before


def test_a_row_whose_request_changed_since_the_plan_was_made_is_a_conflict(world, trio):
    keeper, queued, owned = trio
    header, *rows = plan_csv(keeper, queued, owned).splitlines()
    versions = ["1", "1", "2"]  # as `duplicates find` saw them: the owned request was assigned once
    plan = "\n".join([header + ",version"] + [f"{row},{v}" for row, v in zip(rows, versions)]) + "\n"
    assignment.assign(world.store, CIC, queued, MENTOR)  # queued: version 2 now
    before = dump(world.url)
    result = withdraw_bulk(world.store, CIC, plan, reason=REASON)
    assert result.exit_code == 4 and not result.applied
    assert [(r["id"], r["outcome"]) for r in result.rows] == [(f"MRE-{queued}", "invalid"),
                                                             (f"MRE-{owned}", "not_applied")]
    assert "changed since the plan was made" in result.rows[0]["detail"]
    assert dump(world.url) == before


def test_a_row_whose_client_no_longer_matches_its_keeper_is_a_conflict(world, trio):
    from score_cli.store.models import Client

    keeper, queued, owned = trio
    with world.store.transaction() as session:  # the phone was a typo: corrected since the plan
        client_id = session.get(MentoringRequest, owned).client_id
        session.execute(update(Client).where(Client.id == client_id).values(phone="617-555-0999"))
    before = dump(world.url)
    result = withdraw_bulk(world.store, CIC, plan_csv(keeper, queued, owned), reason=REASON, dry_run=True)
    assert result.exit_code == 4
    rows = {r["id"]: r for r in result.rows}
    assert rows[f"MRE-{owned}"]["outcome"] == "invalid"
    assert "no longer shares" in rows[f"MRE-{owned}"]["detail"]
    queued_row = rows[f"MRE-{queued}"]
    assert (queued_row["client"], queued_row["client_emails"], queued_row["keeper_client"],
            queued_row["keeper_emails"], queued_row["signals"]) == \
        ("Cleo Client", ["cleo@two.com"], "Cleo Client", ["cleo@one.com"], ["phone", "name"])
    assert dump(world.url) == before
