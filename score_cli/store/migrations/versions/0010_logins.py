"""a login per person on a shared PostgreSQL store, and row-level security

Each person may have their own PostgreSQL login role, recorded against their volunteer record;
the audit trail and the outbox record the login that wrote each row. On PostgreSQL the group role of score's
users, the functions answering who is connected and what they may see, and the row-level
security policies derived from the access rules are created (store/security.py); the store's
owner keeps full access. SQLite stores get the (unused) table and column only.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from score_cli.store.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "score_login",
        sa.Column("login", sa.String(length=64), primary_key=True),
        sa.Column("volunteer_id", sa.Integer(), sa.ForeignKey("volunteer.id"), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.add_column("audit_event", sa.Column("login", sa.String(length=64), nullable=True))
    op.add_column("outbox_message", sa.Column("login", sa.String(length=64), nullable=True))
    from score_cli.store import security

    security.install(op.get_bind())


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        from score_cli.store import security

        conn.exec_driver_sql("DROP TRIGGER IF EXISTS score_audit_login ON audit_event")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS score_stamp_login ON outbox_message")
        for table in security.table_rules():
            conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
            for _, name in sorted(p for p in security.expected_policies() if p[0] == table):
                conn.exec_driver_sql(f"DROP POLICY IF EXISTS {name} ON {table}")
    for name in ("audit_event", "outbox_message"):
        with op.batch_alter_table(name) as table:
            table.drop_column("login")
    op.drop_table("score_login")
