"""the counts of a mentor's work as views: capacity, caseload and sessions, whoever is connected

A mentor's capacity is counted over all their CIC assignments, and suggestions rank by open
caseload, wherever the requests are. A person's login on PostgreSQL reads only the requests
and assignments their role reaches, so it counted a mentor serving outside their area short.
These views carry the counted columns and nothing of the client or the request; owned by the
store's owner, they read every row (row-level security does not limit a table's owner).

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE VIEW assignment_tally AS"
               " SELECT mentor_id, kind, assigned_at, accepted_at, outcome FROM assignment")
    op.execute("CREATE VIEW mentor_caseload AS"
               " SELECT owner_id AS mentor_id, status FROM mentoring_request WHERE owner_id IS NOT NULL")
    op.execute("CREATE VIEW session_tally AS SELECT mentor_id, session_date, entered_late FROM mentoring_session")
    # on PostgreSQL the users' group is granted the views by `security.install`, which every
    # upgrade to the newest schema runs after the migrations (store/migrate.py)


def downgrade() -> None:
    op.execute("DROP VIEW session_tally")
    op.execute("DROP VIEW mentor_caseload")
    op.execute("DROP VIEW assignment_tally")
