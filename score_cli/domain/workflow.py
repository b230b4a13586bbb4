"""The request's state machine, declared as data (SPEC §4).

Each action names the statuses it may start from and where it leads. Who may take it is
checked by the service doing the action (permissions and case-team access); this table
answers only "is the action legal in this status".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from score_cli.domain.errors import Refused
from score_cli.domain.vocabulary import CLOSED_STATUSES, OPEN_STATUSES, Status

S = Status


class Action(StrEnum):
    SUBMIT = "submit"
    ASSIGN = "assign"
    REASSIGN = "reassign"
    REASSIGN_TO_QUEUE = "reassign_to_queue"
    TRANSFER = "transfer_chapter"
    ACCEPT = "accept"
    DECLINE = "decline"
    TIMEOUT = "timeout"
    RETURN = "return"
    CONTACT = "contact"
    SESSION = "session_add"
    CLOSE = "status"
    WITHDRAW = "withdraw"
    REFER = "refer"
    REFERRAL_RESPONSE = "referral_response"
    NOTE = "note"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status]
    # Where it leads; None when the status stays as it is, or when the caller chooses
    # among `choices` (a closing status, accept with or without a first message).
    target: Status | None = None
    choices: frozenset[Status] = frozenset()

    def leads_to(self, chosen: Status | None = None) -> Status | None:
        if chosen is None:
            return self.target
        if chosen == self.target or chosen in self.choices:
            return chosen
        raise ValueError(f"{chosen} is not a target of this transition")


OWNED = frozenset({S.ASSIGNED, S.ACCEPTED, S.CONTACTED, S.IN_PROGRESS})
WORKING = frozenset({S.ACCEPTED, S.CONTACTED, S.IN_PROGRESS})  # after acceptance

TRANSITIONS: dict[Action, Transition] = {
    Action.SUBMIT: Transition(frozenset(), S.NEW, frozenset({S.ASSIGNED})),
    Action.ASSIGN: Transition(frozenset({S.NEW, S.PENDING_REASSIGNMENT}), S.ASSIGNED),
    Action.REASSIGN: Transition(OWNED, S.ASSIGNED),
    Action.REASSIGN_TO_QUEUE: Transition(OWNED, S.PENDING_REASSIGNMENT),
    Action.TRANSFER: Transition(
        frozenset(OPEN_STATUSES),
        S.PENDING_REASSIGNMENT,
        frozenset({S.NEW}),
    ),
    Action.ACCEPT: Transition(frozenset({S.ASSIGNED}), S.ACCEPTED, frozenset({S.CONTACTED})),
    Action.DECLINE: Transition(frozenset({S.ASSIGNED}), S.PENDING_REASSIGNMENT),
    Action.TIMEOUT: Transition(frozenset({S.ASSIGNED}), S.PENDING_REASSIGNMENT),
    Action.RETURN: Transition(WORKING, S.PENDING_REASSIGNMENT),
    Action.CONTACT: Transition(frozenset({S.ACCEPTED, S.CONTACTED}), S.CONTACTED),
    Action.SESSION: Transition(WORKING, S.IN_PROGRESS),
    Action.CLOSE: Transition(OWNED, None, frozenset(CLOSED_STATUSES)),
    Action.WITHDRAW: Transition(frozenset(OPEN_STATUSES), S.WITHDRAWN),
    Action.REFER: Transition(WORKING),
    Action.REFERRAL_RESPONSE: Transition(WORKING),
    Action.NOTE: Transition(frozenset(Status)),
}

VERBS = {
    Action.ASSIGN: "assign",
    Action.REASSIGN: "reassign",
    Action.REASSIGN_TO_QUEUE: "return to the queue",
    Action.TRANSFER: "transfer",
    Action.ACCEPT: "accept",
    Action.DECLINE: "decline",
    Action.TIMEOUT: "time out",
    Action.RETURN: "return",
    Action.CONTACT: "record a contact on",
    Action.SESSION: "add a session to",
    Action.CLOSE: "close",
    Action.WITHDRAW: "withdraw",
    Action.REFER: "refer",
    Action.REFERRAL_RESPONSE: "answer a referral on",
    Action.NOTE: "add a note to",
}


def allowed(action: Action, status: str) -> bool:
    return Status(status) in TRANSITIONS[action].sources


def check(action: Action, status: str, label: str, chosen: Status | None = None) -> Status | None:
    """The status the action leads to, or a refusal that names the rule."""
    transition = TRANSITIONS[action]
    if Status(status) not in transition.sources:
        needs = ", ".join(sorted(transition.sources))
        raise Refused(f"can't {VERBS[action]} {label}: it is {status}; that needs {needs}")
    return transition.leads_to(chosen)
