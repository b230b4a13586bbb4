"""The tables of the store (SPEC §2-§7).

Rows only: no workflow rules live here. Times are aware UTC (`UTCDateTime`); calendar
dates (pause window, session date) are plain dates. Enumerated values are stored as the
strings of `score_cli.domain.vocabulary`, which keeps migrations simple on both backends.
"""

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from score_cli.store.types import UTCDateTime


def utc_column(*, nullable: bool = True, index: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable, index=index)


# --- Organisation ------------------------------------------------------------------


class Region(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=16)
    name: str


class District(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=16)
    name: str
    region_code: str = Field(foreign_key="region.code", index=True)


class Chapter(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=16)
    name: str
    city: str
    state: str = Field(max_length=2)  # picks the state holiday calendar
    timezone: str  # IANA name
    live: bool = True
    district_code: str = Field(foreign_key="district.code", index=True)
    # what the open assignments' deadlines were computed from (time zone, state, closures)
    calendar_fingerprint: Optional[str] = Field(default=None, max_length=64)


# --- Volunteers --------------------------------------------------------------------


class Volunteer(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(unique=True, max_length=320)  # stored lower-case
    name: str
    chapter_code: str = Field(foreign_key="chapter.code", index=True)
    status: str = Field(default="active", max_length=16)
    classification: Optional[str] = Field(default=None, max_length=16)
    # Mentor request settings (SPEC §3)
    accept_direct_requests: bool = False
    max_direct_weekly: Optional[int] = None  # None: unlimited
    serve_outside_local_area: bool = False
    capacity_text: Optional[str] = None  # as the mentor wrote it
    # parsed: this many CIC assignments in `capacity_weeks` weeks; None with a text means unknown
    capacity_assignments: Optional[int] = None
    capacity_weeks: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    pause_from: Optional[date] = None
    pause_until: Optional[date] = None
    created_at: datetime = Field(sa_column=utc_column(nullable=False))


class VolunteerRole(SQLModel, table=True):
    __tablename__ = "volunteer_role"
    __table_args__ = (
        UniqueConstraint("volunteer_id", "role", "scope_kind", "scope_code"),
        Index("ix_volunteer_role_role_scope", "role", "scope_kind", "scope_code"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    role: str = Field(max_length=24)
    scope_kind: str = Field(max_length=16)  # chapter | district | region | national
    scope_code: str = Field(default="", max_length=16)  # "" for national


class VolunteerExpertise(SQLModel, table=True):
    """Mentoring areas and industries a mentor knows, one row each, for matching."""

    __tablename__ = "volunteer_expertise"
    __table_args__ = (UniqueConstraint("volunteer_id", "topic"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    topic: str = Field(index=True)


# --- Clients and requests ----------------------------------------------------------


class Client(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str
    phone: Optional[str] = None
    business_name: Optional[str] = None
    zip: Optional[str] = Field(default=None, max_length=10)
    created_at: datetime = Field(sa_column=utc_column(nullable=False))


class ClientEmail(SQLModel, table=True):
    """A client may write from several addresses; any one recognises them."""

    __tablename__ = "client_email"
    id: Optional[int] = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    email: str = Field(unique=True, max_length=320)  # trimmed, lower-case


class MentoringRequest(SQLModel, table=True):
    """An MRE. `chapter_code` is the chapter it currently belongs to."""

    __tablename__ = "mentoring_request"
    __table_args__ = (
        Index("ix_request_chapter_status", "chapter_code", "status"),
        Index("ix_request_status_submitted", "status", "submitted_at"),
        Index("ix_request_owner_status", "owner_id", "status"),
        Index("ix_request_queue_status", "queue", "status"),
        Index("ix_request_submitted_milestones", "submitted_at", "chapter_code", "status", "first_assigned_at",
              "first_accepted_at", "first_contacted_at", "first_session_at"),
        Index("ix_request_client_status", "client_id", "status"),  # a client's other open requests
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    chapter_code: str = Field(foreign_key="chapter.code")
    # chapter code or "national" while waiting in an intake queue; None while owned
    queue: Optional[str] = Field(default=None, max_length=16)
    status: str = Field(max_length=24)
    owner_id: Optional[int] = Field(default=None, foreign_key="volunteer.id")
    direct_mentor_id: Optional[int] = Field(default=None, foreign_key="volunteer.id")
    question: str = Field(sa_column=Column(Text, nullable=False))
    mentoring_area: Optional[str] = None
    business_type: Optional[str] = None
    existing_business: bool = False
    origin_url: Optional[str] = None
    client_was_known: bool = False  # "existing client": seen before by any e-mail
    submitted_at: datetime = Field(sa_column=utc_column(nullable=False))
    status_changed_at: datetime = Field(sa_column=utc_column(nullable=False))
    closed_at: Optional[datetime] = Field(default=None, sa_column=utc_column())
    # Milestones, written once when first reached, so that the metrics and the
    # "not yet" reports are single-table scans rather than joins over all history.
    first_assigned_at: Optional[datetime] = Field(default=None, sa_column=utc_column())
    first_accepted_at: Optional[datetime] = Field(default=None, sa_column=utc_column())
    first_contacted_at: Optional[datetime] = Field(default=None, sa_column=utc_column())
    first_session_at: Optional[datetime] = Field(default=None, sa_column=utc_column())
    # Bumped by every change; writers update "WHERE version = seen" to detect races.
    version: int = 1


class Assignment(SQLModel, table=True):
    __table_args__ = (
        Index("ix_assignment_outcome_timeout", "outcome", "timeout_at"),
        Index("ix_assignment_outcome_accept_due", "outcome", "accept_due_at"),
        # covering: a mentor's recent counts for --suggest read the index alone
        Index("ix_assignment_mentor_tally", "mentor_id", "assigned_at", "kind", "accepted_at"),
        # covering: a request's accepted assignment is found in the index (sweep)
        Index("ix_assignment_request_outcome", "request_id", "outcome", "accepted_at"),
        # covering: the per-mentor tallies of a period read the index alone
        Index("ix_assignment_assigned_tally", "assigned_at", "mentor_id", "kind", "outcome", "accepted_at"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="mentoring_request.id")
    mentor_id: int = Field(foreign_key="volunteer.id")
    assigned_by_id: Optional[int] = Field(default=None, foreign_key="volunteer.id")
    kind: str = Field(default="cic", max_length=8)  # cic | direct
    assigned_at: datetime = Field(sa_column=utc_column(nullable=False))
    accept_due_at: datetime = Field(sa_column=utc_column(nullable=False))
    timeout_at: datetime = Field(sa_column=utc_column(nullable=False))
    outcome: str = Field(default="open", max_length=16)
    outcome_at: Optional[datetime] = Field(default=None, sa_column=utc_column())
    accepted_at: Optional[datetime] = Field(default=None, sa_column=utc_column())
    reminder_sent_at: Optional[datetime] = Field(default=None, sa_column=utc_column())
    reason: Optional[str] = None


class CaseTeamMember(SQLModel, table=True):
    __tablename__ = "case_team_member"
    __table_args__ = (Index("ix_case_team_request_volunteer", "request_id", "volunteer_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="mentoring_request.id")
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    role: str = Field(max_length=8)  # lead | member
    state: str = Field(max_length=10)  # pending | accepted | declined
    referred_by_id: Optional[int] = Field(default=None, foreign_key="volunteer.id")
    reason: Optional[str] = None  # the referral reason: never put in an e-mail
    created_at: datetime = Field(sa_column=utc_column(nullable=False))
    responded_at: Optional[datetime] = Field(default=None, sa_column=utc_column())


class Note(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="mentoring_request.id", index=True)
    author_id: Optional[int] = Field(default=None, foreign_key="volunteer.id")
    kind: str = Field(default="note", max_length=16)  # note | decline | return | system ...
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=utc_column(nullable=False))


class ContactAttempt(SQLModel, table=True):
    __tablename__ = "contact_attempt"
    # covering: attempts since acceptance are counted from the index (sweep, reports)
    __table_args__ = (Index("ix_contact_attempt_request_at", "request_id", "at"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="mentoring_request.id")
    volunteer_id: int = Field(foreign_key="volunteer.id")
    method: str = Field(max_length=8)  # email | phone | other
    note: Optional[str] = None
    at: datetime = Field(sa_column=utc_column(nullable=False))


class MentoringSession(SQLModel, table=True):
    __tablename__ = "mentoring_session"
    __table_args__ = (
        Index("ix_session_mentor_date", "mentor_id", "session_date"),
        Index("ix_session_date_tally", "session_date", "mentor_id", "entered_late"),  # covering, as above
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="mentoring_request.id", index=True)
    mentor_id: int = Field(foreign_key="volunteer.id")
    session_date: date
    minutes: Optional[int] = None
    notes: str = Field(sa_column=Column(Text, nullable=False))
    entered_at: datetime = Field(sa_column=utc_column(nullable=False))
    notes_due_at: datetime = Field(sa_column=utc_column(nullable=False))
    entered_late: bool = False
    updated_at: Optional[datetime] = Field(default=None, sa_column=utc_column())


class ChapterTransfer(SQLModel, table=True):
    __tablename__ = "chapter_transfer"
    id: Optional[int] = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="mentoring_request.id", index=True)
    from_chapter: str = Field(foreign_key="chapter.code")
    to_chapter: str = Field(foreign_key="chapter.code")
    to_national_queue: bool = False
    by_id: Optional[int] = Field(default=None, foreign_key="volunteer.id")
    reason: str
    at: datetime = Field(sa_column=utc_column(nullable=False))


class Login(SQLModel, table=True):
    """A person's own PostgreSQL login role, and the volunteer it is (PostgreSQL stores only)."""

    __tablename__ = "score_login"
    login: str = Field(primary_key=True, max_length=64)  # the role's name
    volunteer_id: int = Field(foreign_key="volunteer.id", unique=True)
    created_at: datetime = Field(sa_column=utc_column(nullable=False))


# --- History and notifications -----------------------------------------------------


class AuditEvent(SQLModel, table=True):
    """Append-only: one row per change. Nothing updates or deletes these rows."""

    __tablename__ = "audit_event"
    __table_args__ = (
        # covering: "was this flagged since acceptance?" is answered from the index (sweep)
        Index("ix_audit_request_action", "request_id", "action", "at"),
        Index("ix_audit_volunteer", "volunteer_id"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=utc_column(nullable=False))
    actor: str  # the acting volunteer's e-mail, or "sweep", "intake", "system"
    action: str = Field(max_length=40)
    request_id: Optional[int] = Field(default=None, foreign_key="mentoring_request.id")
    volunteer_id: Optional[int] = Field(default=None, foreign_key="volunteer.id")
    from_status: Optional[str] = Field(default=None, max_length=24)
    to_status: Optional[str] = Field(default=None, max_length=24)
    reason: Optional[str] = Field(default=None, sa_column=Column(Text))
    detail: Optional[str] = Field(default=None, sa_column=Column(Text))  # JSON
    # the operating-system account and machine that ran the command (`--as` is only a name)
    os_user: Optional[str] = Field(default=None, max_length=255)
    host: Optional[str] = Field(default=None, max_length=255)
    # the PostgreSQL login that wrote it, set by the database itself (store/security.py)
    login: Optional[str] = Field(default=None, max_length=64)


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_column=utc_column(nullable=False))
    event: str = Field(max_length=40)
    request_id: Optional[int] = Field(default=None, foreign_key="mentoring_request.id")
    recipient: str = Field(max_length=320)
    subject: str
    body: str = Field(sa_column=Column(Text, nullable=False))
    # (event, request, recipient[, occurrence]): no rerun can queue the same message twice
    dedup_key: str = Field(unique=True)
    status: str = Field(default="pending", max_length=8)
    attempts: int = 0
    last_error: Optional[str] = None
    next_attempt_at: Optional[datetime] = Field(default=None, sa_column=utc_column())
    sent_at: Optional[datetime] = Field(default=None, sa_column=utc_column())
    login: Optional[str] = Field(default=None, max_length=64)  # the PostgreSQL login that queued it
