"""the operating-system user and host that ran each audited command

On a shared store file anyone who can open it may act under any volunteer's name with `--as`;
recording the account and machine that ran the command makes each change traceable.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN on both backends: the table is never copied, however long the history
    op.add_column("audit_event", sa.Column("os_user", sa.String(length=255), nullable=True))
    op.add_column("audit_event", sa.Column("host", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_event") as table:
        table.drop_column("host")
        table.drop_column("os_user")
