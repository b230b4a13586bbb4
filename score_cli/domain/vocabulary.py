"""The organisation's words, as stored and as printed in JSON (SPEC §3, §4, §7).

Plain string enums with no dependencies, shared by the store, the services and the CLI.
"""

from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    PENDING_REASSIGNMENT = "pending_reassignment"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    CONTACTED = "contacted"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    WITHDRAWN = "withdrawn"
    NO_SHOW = "no_show"
    NO_RESPONSE = "no_response"
    INCORRECT_CONTACT = "incorrect_contact"
    UNABLE_TO_CONTACT = "unable_to_contact"

    @classmethod
    def parse(cls, text: str) -> "Status":
        """Accept `pending-reassignment` as well as `pending_reassignment`."""
        return cls(text.strip().lower().replace("-", "_"))


OPEN_STATUSES = frozenset(
    {
        Status.NEW,
        Status.PENDING_REASSIGNMENT,
        Status.ASSIGNED,
        Status.ACCEPTED,
        Status.CONTACTED,
        Status.IN_PROGRESS,
    }
)
CLOSED_STATUSES = frozenset(set(Status) - OPEN_STATUSES)
# How far along an open request is, least first: of duplicates, the one furthest along is kept.
PROGRESS_ORDER = (Status.NEW, Status.PENDING_REASSIGNMENT, Status.ASSIGNED, Status.ACCEPTED, Status.CONTACTED,
                  Status.IN_PROGRESS)
PROGRESS = {status: rank for rank, status in enumerate(PROGRESS_ORDER)}
QUEUED_STATUSES = frozenset({Status.NEW, Status.PENDING_REASSIGNMENT})


class VolunteerStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    RESIGNED = "resigned"


class Classification(StrEnum):
    CERTIFIED = "certified"
    PROVISIONAL = "provisional"
    SME = "sme"


class Role(StrEnum):
    MENTOR = "mentor"
    CIC = "cic"
    RCIC = "rcic"
    CHAPTER_MANAGER = "chapter_manager"
    MEMBERSHIP_CHAIR = "membership_chair"
    ADMIN = "admin"


class ScopeKind(StrEnum):
    CHAPTER = "chapter"
    DISTRICT = "district"
    REGION = "region"
    NATIONAL = "national"


class AssignmentKind(StrEnum):
    CIC = "cic"  # made by a coordinator from the queue
    DIRECT = "direct"  # the client picked the mentor on the website


class Outcome(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TIMED_OUT = "timed_out"
    REASSIGNED = "reassigned"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"


class TeamRole(StrEnum):
    LEAD = "lead"
    MEMBER = "member"


class TeamState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REMOVED = "removed"  # a lead replaced by a reassignment or a return


class ContactMethod(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    OTHER = "other"


class MessageStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


NATIONAL_QUEUE = "national"


def request_label(request_id: int) -> str:
    """How people write a request's number: MRE-123."""
    return f"MRE-{request_id}"
