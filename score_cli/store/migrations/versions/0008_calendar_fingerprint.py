"""deadlines follow calendar changes; capacity texts read again

Each chapter records a fingerprint of what its open assignments' deadlines were computed from
(time zone, state, closures), so that a change is noticed and the deadlines recomputed. The
mentors' capacity texts are read again with this version's reader ("DR-only", "full", "2-3
per week", ...), so that stored weekly numbers agree with what `mentor settings` would store.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("chapter", sa.Column("calendar_fingerprint", sa.String(length=64), nullable=True))
    from score_cli.domain.capacity import parse_capacity

    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, capacity_text, capacity_weekly FROM volunteer"
                                " WHERE capacity_text IS NOT NULL")).all()
    def whole_weekly(text):  # this schema holds only whole numbers a week (0009 holds the rest)
        parsed = parse_capacity(text)
        return parsed.assignments if parsed.weeks == 1 else None

    changed = [{"id": vid, "weekly": whole_weekly(text)} for vid, text, weekly in rows
               if whole_weekly(text) != weekly]
    if changed:
        conn.execute(sa.text("UPDATE volunteer SET capacity_weekly = :weekly WHERE id = :id"), changed)


def downgrade() -> None:
    with op.batch_alter_table("chapter") as batch:
        batch.drop_column("calendar_fingerprint")
