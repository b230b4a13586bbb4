"""covering indexes for the per-mentor tallies and the duplicate look-up of the reports

`report mentor-activity` counts, for each mentor, the assignments and sessions of a period. With
an index on the date alone, each of the period's rows was then read from the table at random;
with the counted columns in the index, the period is one sequential read of the index. The
"possible duplicate" of the "not yet" reports looks for another open request of the same client:
(client_id, status) answers that from the index, and still serves every look-up by client.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_assignment_assigned_at", table_name="assignment")
    op.create_index("ix_assignment_assigned_tally", "assignment",
                    ["assigned_at", "mentor_id", "kind", "outcome", "accepted_at"])
    op.drop_index("ix_session_date", table_name="mentoring_session")
    op.create_index("ix_session_date_tally", "mentoring_session", ["session_date", "mentor_id", "entered_late"])
    op.drop_index("ix_mentoring_request_client_id", table_name="mentoring_request")
    op.create_index("ix_request_client_status", "mentoring_request", ["client_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_request_client_status", table_name="mentoring_request")
    op.create_index("ix_mentoring_request_client_id", "mentoring_request", ["client_id"])
    op.drop_index("ix_session_date_tally", table_name="mentoring_session")
    op.create_index("ix_session_date", "mentoring_session", ["session_date"])
    op.drop_index("ix_assignment_assigned_tally", table_name="assignment")
    op.create_index("ix_assignment_assigned_at", "assignment", ["assigned_at"])
