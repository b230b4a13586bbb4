"""The journeys of the workflow state machine (tests/reliability/workflow_rules.py): a request
taken through the usual steps to a closed status, each step one of the machine's rules, so
that every status and every action is reached although the random rules rarely string
together a whole case."""

from __future__ import annotations

from hypothesis import strategies as st

from score_cli.domain.vocabulary import OPEN_STATUSES, Status
from tests.reliability.workflow_model import CLOSING, MENTORS, REFEREES, Fixed, no_response_due
from tests.world import FAR, MENTOR, MENTOR2, PROVISIONAL

# A journey's detours (the action each does) and endings (the action that closes the request).
DETOURS = {"decline": "decline", "return": "return", "to_queue": "reassign_to_queue", "timeout": "timeout",
           "referral": "referral_response", "reassign": "reassign", "transfer": "transfer_chapter"}
ENDINGS = [f"status {s}" for s in CLOSING] + ["withdraw", "bulk_withdraw"]


def unreached(machine, data, choices: list[str]) -> str:
    """From a drawn place in `choices`, the first this example has not done yet, else the drawn
    one: the draw varies the journeys between examples, the example's own record (never the
    run's) fills its gaps, and a replay takes the same turns."""
    start = data.draw(st.integers(0, len(choices) - 1))
    turn = choices[start:] + choices[:start]
    return next((c for c in turn if c not in machine.own.actions), turn[0])


def take_journey(machine, data):
    """A request's whole usual journey to a closed status, every step predicted and checked:
    each journey takes one detour on the way (a decline, a return, back to the queue, a
    timeout, a referral, a reassignment, a transfer) and ends in a closed status or a
    withdrawal, one the example has not reached yet if there is one."""
    rid = data.draw(st.sampled_from(sorted(i for i, r in machine.model.items() if r.status in OPEN_STATUSES)))
    r = machine.model[rid]
    machine.journeys += 1
    detour = {done: name for name, done in DETOURS.items()}[unreached(machine, data, list(DETOURS.values()))]
    ending = unreached(machine, data, ENDINGS)
    machine.note(Fixed(rid))
    for _ in range(12):
        if r.status not in OPEN_STATUSES:
            return
        if detour == "transfer":
            machine.transfer(Fixed(0, rid), 0)
            detour = None
        elif detour is None and ending == "withdraw":
            machine.withdraw(Fixed(0, rid), 0)
        elif detour is None and ending == "bulk_withdraw":
            machine.bulk_withdraw(Fixed([rid]), r.chapter)
        elif r.status in ("new", "pending_reassignment"):
            mentors = [m for m in MENTORS if m not in r.team and (r.chapter == "BOS01" or m == FAR)]
            machine.assign(Fixed(0, rid), mentors[rid % len(mentors)], 0)
        elif r.status == "assigned" and detour in ("decline", "to_queue", "timeout", "reassign"):
            if detour == "decline":
                machine._mentor_action(Fixed(0, rid), "decline", 0)
            elif detour == "to_queue":
                machine.reassign(Fixed(0, rid), None, 0)
            elif detour == "reassign":
                other = next(m for m in (MENTOR, MENTOR2, PROVISIONAL) if m != r.owner and m not in r.team)
                machine.reassign(Fixed(0, rid), other, 0)
            else:
                machine.time_passes(24 * 10)
                machine.sweep()
            detour = None
        elif r.status == "assigned":
            machine._mentor_action(Fixed(0, rid), "accept", 0)
        elif r.status == "accepted" and detour == "return":
            machine._mentor_action(Fixed(0, rid), "return", 0)
            detour = None
        elif r.status == "accepted" and detour == "referral":
            referee = next((m for m in REFEREES if m not in r.team and m != r.owner), None)
            if referee:
                machine.refer(Fixed(0, rid), referee)
                machine.respond(Fixed(0, rid, referee), machine.journeys % 2 == 0)
            detour = None
        elif r.status == "accepted" or (r.status == "contacted" and r.attempts < 3):
            machine._mentor_action(Fixed(0, rid), "contact", 0)
        elif r.status == "contacted":
            machine._mentor_action(Fixed(0, rid), "session_add", 0)
        else:
            closing = ending.removeprefix("status ")
            # no_response before two weeks and three days of attempts: the coordinator's --force
            forced = closing == Status.NO_RESPONSE and not no_response_due(r, machine._now())
            machine.close(Fixed(0, rid), closing, forced, forced)


def tour(machine) -> None:
    """Every detour and every ending once, each on a new request, outside hypothesis' run: so
    that the run's coverage does not hang on what its draws happened to pick, and a failing
    example never depends on what other examples did."""
    for turn in range(max(len(DETOURS), len(ENDINGS))):
        machine.submit(("BOS01", "AUS01")[turn % 2], 10**7 + turn)
        take_journey(machine, Fixed(machine.submitted, turn % len(DETOURS), turn % len(ENDINGS)))
        machine.the_store_keeps_every_invariant_of_db_check()
