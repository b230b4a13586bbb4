"""capacity over more than a week: "1 every other week" is 1 CIC assignment in 2 weeks

The whole weekly number becomes a number of assignments and the weeks it is counted over, so
that "0.5 per week", "1 every 2 weeks" and "2 per month" are kept as written instead of being
stored as unknown. Every capacity text is read again with this version's reader.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # RENAME COLUMN and ADD COLUMN in place on both backends: the table is never copied
    op.execute("ALTER TABLE volunteer RENAME COLUMN capacity_weekly TO capacity_assignments")
    op.add_column("volunteer", sa.Column("capacity_weeks", sa.Integer(), nullable=False, server_default="1"))
    from score_cli.domain.capacity import parse_capacity

    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, capacity_text, capacity_assignments FROM volunteer"
                                " WHERE capacity_text IS NOT NULL")).all()
    changed = []
    for vid, text, assignments in rows:
        parsed = parse_capacity(text)
        if (parsed.assignments, parsed.weeks) != (assignments, 1):
            changed.append({"id": vid, "assignments": parsed.assignments, "weeks": parsed.weeks})
    if changed:
        conn.execute(sa.text("UPDATE volunteer SET capacity_assignments = :assignments, capacity_weeks = :weeks"
                             " WHERE id = :id"), changed)


def downgrade() -> None:
    # the older schema holds whole numbers a week only: the rest is unknown there, as it was
    op.execute("UPDATE volunteer SET capacity_assignments = NULL WHERE capacity_weeks <> 1")
    op.execute("ALTER TABLE volunteer DROP COLUMN capacity_weeks")
    op.execute("ALTER TABLE volunteer RENAME COLUMN capacity_assignments TO capacity_weekly")
