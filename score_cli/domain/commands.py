"""Every command, and the rule of the rulebook it answers to (SPEC §8).

The command line refuses a command without an actor unless it is one of the few that run
without one (the website's intake, cron's sweep and mail, setting up the store, the demo);
the services then ask the rule named here. A command missing from this table is treated as
needing an actor, and the permission matrix test fails until it is added.
"""

from __future__ import annotations

from dataclasses import dataclass

from score_cli.domain.access import Record
from score_cli.domain.workflow import Action


@dataclass(frozen=True)
class Needs:
    actor: bool = True
    reads: Record | None = None  # a listing over a scope: the reading policy for this record
    action: Action | None = None  # one request: who the transition table lets take this action
    task: str | None = None  # an organisational task (`access.TASKS`) in a chapter
    sees_request: bool = False  # shows one request: those who see its chapter's, or related to it
    own_record: bool = False  # a volunteer may always do it to their own record


NO_ACTOR = Needs(actor=False)
WHO_IS_ACTING = "who is acting? give --as or set SCORE_USER"
R = Record

COMMANDS: dict[str, Needs] = {
    "demo": NO_ACTOR,
    "sweep": NO_ACTOR,
    "db init": NO_ACTOR,
    "db upgrade": NO_ACTOR,
    "db backup": NO_ACTOR,
    "db check": NO_ACTOR,
    "db recompute-deadlines": NO_ACTOR,
    "db login add": Needs(task="login.manage"),
    "db login list": Needs(task="login.manage"),
    "db login remove": Needs(task="login.manage"),
    "chapter list": NO_ACTOR,
    "intake submit": NO_ACTOR,
    "intake import": NO_ACTOR,
    "notify send": NO_ACTOR,
    # one request
    "show": Needs(sees_request=True),
    "session list": Needs(sees_request=True),
    "note": Needs(action=Action.NOTE),
    "assign": Needs(action=Action.ASSIGN),
    "reassign": Needs(action=Action.REASSIGN),
    "transfer-chapter": Needs(action=Action.TRANSFER),
    "withdraw": Needs(action=Action.WITHDRAW),
    "accept": Needs(action=Action.ACCEPT),
    "decline": Needs(action=Action.DECLINE),
    "return": Needs(action=Action.RETURN),
    "contact": Needs(action=Action.CONTACT),
    "status": Needs(action=Action.CLOSE),
    "refer": Needs(action=Action.REFER),
    "session add": Needs(action=Action.SESSION),
    "session edit": Needs(action=Action.SESSION),
    "referral accept": Needs(action=Action.REFERRAL_RESPONSE),
    "referral decline": Needs(action=Action.REFERRAL_RESPONSE),
    "client merge": Needs(task="request.coordinate"),
    # listings over a scope
    "queue list": Needs(reads=R.REQUESTS),
    "triage": Needs(reads=R.REQUESTS),  # the queue on screen; each key asks its own command's rule
    "duplicates find": Needs(reads=R.REQUESTS),
    "notify list": Needs(reads=R.MESSAGES),
    "notify waiting-clients": Needs(task="clients.mail"),
    "mentors available": Needs(reads=R.VOLUNTEERS),
    "mentors paused": Needs(reads=R.VOLUNTEERS),
    "volunteer list": Needs(reads=R.VOLUNTEERS),
    "report not-assigned": Needs(reads=R.REQUESTS),
    "report not-accepted": Needs(reads=R.REQUESTS),
    "report not-contacted": Needs(reads=R.REQUESTS),
    "report not-counseled": Needs(reads=R.REQUESTS),
    "report conversion": Needs(reads=R.REQUESTS),
    "report metrics": Needs(reads=R.REQUESTS),
    "report orphaned": Needs(reads=R.REQUESTS),
    "report mentor-activity": Needs(reads=R.VOLUNTEERS),
    "report paused-mentors": Needs(reads=R.VOLUNTEERS),
    "report capacity": Needs(reads=R.VOLUNTEERS),
    # the directory
    "volunteer show": Needs(reads=R.VOLUNTEERS, own_record=True),
    "mentor settings": Needs(reads=R.VOLUNTEERS, task="mentor.settings", own_record=True),
    "pause": Needs(task="mentor.settings", own_record=True),
    "volunteer add": Needs(task="volunteer.manage"),
    "volunteer import": Needs(task="volunteer.manage"),
    "volunteer set-status": Needs(task="volunteer.manage"),
    "volunteer grant": Needs(task="volunteer.manage"),
    "volunteer revoke": Needs(task="volunteer.manage"),
}


def needs(command: str) -> Needs:
    """The rule of `command` ("queue list", "show"); an unknown one needs an actor."""
    return COMMANDS.get(command, Needs())
