"""covering indexes for the sweep's contact-window search

Every night the sweep looks at each accepted request still waiting for a session: its accepted
assignment, its contact attempts since acceptance and whether the follow-up was already
flagged. With indexes on request_id alone, each of those read the table rows; on a store of a
million requests that was 0.4 s a night and grew with the store. With the compared columns in
the indexes, the look-ups read the indexes alone. They still serve every look-up by request.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_audit_request", table_name="audit_event")
    op.create_index("ix_audit_request_action", "audit_event", ["request_id", "action", "at"])
    op.drop_index("ix_assignment_request", table_name="assignment")
    op.create_index("ix_assignment_request_outcome", "assignment", ["request_id", "outcome", "accepted_at"])
    op.drop_index("ix_contact_attempt_request_id", table_name="contact_attempt")
    op.create_index("ix_contact_attempt_request_at", "contact_attempt", ["request_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_contact_attempt_request_at", table_name="contact_attempt")
    op.create_index("ix_contact_attempt_request_id", "contact_attempt", ["request_id"])
    op.drop_index("ix_assignment_request_outcome", table_name="assignment")
    op.create_index("ix_assignment_request", "assignment", ["request_id"])
    op.drop_index("ix_audit_request_action", table_name="audit_event")
    op.create_index("ix_audit_request", "audit_event", ["request_id", "id"])
