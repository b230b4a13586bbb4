"""The request's state machine, declared as data (SPEC §4).

Each action names the statuses it may start from, where it leads, who may take it (their
relation to the request, `access.Relation`) and the named guards it must pass beyond that.
The services ask here; a refusal names the rule from this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from score_cli.domain.access import Relation, require_relation
from score_cli.domain.errors import Refused
from score_cli.domain.vocabulary import CLOSED_STATUSES, OPEN_STATUSES, Status

S = Status
R = Relation


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


class Guard(StrEnum):
    """A condition beyond the from-state, checked by the service with the request's data."""

    REASON = "a reason is required"
    ELIGIBLE = "the mentor must be eligible (active, not paused, with capacity; --force for one who declined"\
               " or timed out before)"
    HAS_SESSION = "complete needs at least one recorded session"
    CONTACT_WINDOW = "no_response needs 3 contact attempts by the current owner on 3 different days and two"\
                     " weeks since the first"
    PAST_TIMEOUT = "only assignments past their timeout"
    CERTIFIED_TARGET = "the mentor referred to must be active, certified and not already on the case team"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status]
    # Where it leads; None when the status stays as it is, or when the caller chooses
    # among `choices` (a closing status, accept with or without a first message).
    target: Status | None = None
    choices: frozenset[Status] = frozenset()
    # Who may take it; empty: nobody at a terminal (the website's intake, the nightly sweep).
    who: frozenset[Relation] = frozenset()
    guards: tuple[Guard, ...] = ()

    def leads_to(self, chosen: Status | None = None) -> Status | None:
        if chosen is None:
            return self.target
        if chosen == self.target or chosen in self.choices:
            return chosen
        raise ValueError(f"{chosen} is not a target of this transition")


OWNED = frozenset({S.ASSIGNED, S.ACCEPTED, S.CONTACTED, S.IN_PROGRESS})
WORKING = frozenset({S.ACCEPTED, S.CONTACTED, S.IN_PROGRESS})  # after acceptance

COORDINATOR = frozenset({R.COORDINATOR})
OWNER = frozenset({R.OWNER})
WORKERS = frozenset({R.OWNER, R.TEAM})  # the owner and accepted case team members

TRANSITIONS: dict[Action, Transition] = {
    Action.SUBMIT: Transition(frozenset(), S.NEW, frozenset({S.ASSIGNED})),
    Action.ASSIGN: Transition(frozenset({S.NEW, S.PENDING_REASSIGNMENT}), S.ASSIGNED, who=COORDINATOR,
                              guards=(Guard.ELIGIBLE,)),
    Action.REASSIGN: Transition(OWNED, S.ASSIGNED, who=COORDINATOR, guards=(Guard.REASON, Guard.ELIGIBLE)),
    Action.REASSIGN_TO_QUEUE: Transition(OWNED, S.PENDING_REASSIGNMENT, who=COORDINATOR, guards=(Guard.REASON,)),
    Action.TRANSFER: Transition(
        frozenset(OPEN_STATUSES),
        S.PENDING_REASSIGNMENT,
        frozenset({S.NEW}), who=COORDINATOR, guards=(Guard.REASON,)),
    Action.ACCEPT: Transition(frozenset({S.ASSIGNED}), S.ACCEPTED, frozenset({S.CONTACTED}), who=OWNER),
    Action.DECLINE: Transition(frozenset({S.ASSIGNED}), S.PENDING_REASSIGNMENT, who=OWNER, guards=(Guard.REASON,)),
    Action.TIMEOUT: Transition(frozenset({S.ASSIGNED}), S.PENDING_REASSIGNMENT, guards=(Guard.PAST_TIMEOUT,)),
    Action.RETURN: Transition(WORKING, S.PENDING_REASSIGNMENT, who=OWNER, guards=(Guard.REASON,)),
    Action.CONTACT: Transition(frozenset({S.ACCEPTED, S.CONTACTED}), S.CONTACTED, who=WORKERS),
    Action.SESSION: Transition(WORKING, S.IN_PROGRESS, who=WORKERS),
    Action.CLOSE: Transition(OWNED, None, frozenset(CLOSED_STATUSES), who=OWNER | COORDINATOR),
    Action.WITHDRAW: Transition(frozenset(OPEN_STATUSES), S.WITHDRAWN, who=OWNER | COORDINATOR),
    Action.REFER: Transition(WORKING, who=WORKERS, guards=(Guard.REASON, Guard.CERTIFIED_TARGET)),
    Action.REFERRAL_RESPONSE: Transition(WORKING, who=frozenset({R.REFERRED})),
    Action.NOTE: Transition(frozenset(Status), who=COORDINATOR | WORKERS),
}
# A closing status's own guard, beyond the from-state.
CLOSE_GUARDS: dict[Status, tuple[Guard, ...]] = {
    S.COMPLETE: (Guard.HAS_SESSION,),
    S.NO_RESPONSE: (Guard.CONTACT_WINDOW,),
}
# Who may override a guard with --force (a note recording why).
MAY_FORCE = COORDINATOR

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


def require_actor(action: Action, actor, relations: frozenset[Relation], label: str) -> None:
    """Refuse, naming who may, when the actor's relations to the request allow none of `action`."""
    require_relation(actor, relations, TRANSITIONS[action].who, VERBS[action], label)
