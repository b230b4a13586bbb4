"""request milestones: first assigned, accepted, contacted and session times

The metrics and the "not yet" reports read these from the request row instead of
joining the whole history; existing stores are backfilled from that history.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MILESTONES = {
    "first_assigned_at": "SELECT MIN(a.assigned_at) FROM assignment a WHERE a.request_id = r.id",
    "first_accepted_at": "SELECT MIN(a.accepted_at) FROM assignment a WHERE a.request_id = r.id",
    "first_contacted_at": "SELECT MIN(c.at) FROM contact_attempt c WHERE c.request_id = r.id",
    "first_session_at": "SELECT MIN(s.entered_at) FROM mentoring_session s WHERE s.request_id = r.id",
}


def upgrade() -> None:
    with op.batch_alter_table("mentoring_request") as batch:
        for column in MILESTONES:
            batch.add_column(sa.Column(column, sa.DateTime(timezone=True), nullable=True))
    for column, first in MILESTONES.items():
        op.execute(f"UPDATE mentoring_request AS r SET {column} = ({first})")


def downgrade() -> None:
    with op.batch_alter_table("mentoring_request") as batch:
        for column in MILESTONES:
            batch.drop_column(column)
