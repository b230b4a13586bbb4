"""indexes for the reports: requests by submission with their milestones, assignments and
sessions by date

The conversion and metrics reports read every request submitted in a period together with its
chapter, status and milestone times; a covering index lets them read the index alone.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_request_submitted_milestones",
        "mentoring_request",
        ["submitted_at", "chapter_code", "status", "first_assigned_at", "first_accepted_at",
         "first_contacted_at", "first_session_at"],
    )
    op.create_index("ix_assignment_assigned_at", "assignment", ["assigned_at"])
    op.create_index("ix_session_date", "mentoring_session", ["session_date"])


def downgrade() -> None:
    op.drop_index("ix_session_date", table_name="mentoring_session")
    op.drop_index("ix_assignment_assigned_at", table_name="assignment")
    op.drop_index("ix_request_submitted_milestones", table_name="mentoring_request")
