"""the store: organisation, volunteers, requests, history, outbox

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 09:11:24.069506
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('client',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('phone', sa.String(), nullable=True),
    sa.Column('business_name', sa.String(), nullable=True),
    sa.Column('zip', sa.String(length=10), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('region',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('client_email',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    with op.batch_alter_table('client_email', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_email_client_id'), ['client_id'], unique=False)

    op.create_table('district',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('region_code', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], ),
    sa.PrimaryKeyConstraint('code')
    )
    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_district_region_code'), ['region_code'], unique=False)

    op.create_table('chapter',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('city', sa.String(), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('timezone', sa.String(), nullable=False),
    sa.Column('live', sa.Boolean(), nullable=False),
    sa.Column('district_code', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['district_code'], ['district.code'], ),
    sa.PrimaryKeyConstraint('code')
    )
    with op.batch_alter_table('chapter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chapter_district_code'), ['district_code'], unique=False)

    op.create_table('volunteer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('chapter_code', sa.String(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('classification', sa.String(length=16), nullable=True),
    sa.Column('accept_direct_requests', sa.Boolean(), nullable=False),
    sa.Column('max_direct_weekly', sa.Integer(), nullable=True),
    sa.Column('serve_outside_local_area', sa.Boolean(), nullable=False),
    sa.Column('capacity_text', sa.String(), nullable=True),
    sa.Column('capacity_weekly', sa.Integer(), nullable=True),
    sa.Column('pause_from', sa.Date(), nullable=True),
    sa.Column('pause_until', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chapter_code'], ['chapter.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    with op.batch_alter_table('volunteer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_chapter_code'), ['chapter_code'], unique=False)

    op.create_table('mentoring_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('chapter_code', sa.String(), nullable=False),
    sa.Column('queue', sa.String(length=16), nullable=True),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('direct_mentor_id', sa.Integer(), nullable=True),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('mentoring_area', sa.String(), nullable=True),
    sa.Column('business_type', sa.String(), nullable=True),
    sa.Column('existing_business', sa.Boolean(), nullable=False),
    sa.Column('origin_url', sa.String(), nullable=True),
    sa.Column('client_was_known', sa.Boolean(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['chapter_code'], ['chapter.code'], ),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ),
    sa.ForeignKeyConstraint(['direct_mentor_id'], ['volunteer.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['volunteer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('mentoring_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentoring_request_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_request_chapter_status', ['chapter_code', 'status'], unique=False)
        batch_op.create_index('ix_request_owner_status', ['owner_id', 'status'], unique=False)
        batch_op.create_index('ix_request_queue_status', ['queue', 'status'], unique=False)
        batch_op.create_index('ix_request_status_submitted', ['status', 'submitted_at'], unique=False)

    op.create_table('volunteer_expertise',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('volunteer_id', 'topic')
    )
    with op.batch_alter_table('volunteer_expertise', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_expertise_topic'), ['topic'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_expertise_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('volunteer_role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=24), nullable=False),
    sa.Column('scope_kind', sa.String(length=16), nullable=False),
    sa.Column('scope_code', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('volunteer_id', 'role', 'scope_kind', 'scope_code')
    )
    with op.batch_alter_table('volunteer_role', schema=None) as batch_op:
        batch_op.create_index('ix_volunteer_role_role_scope', ['role', 'scope_kind', 'scope_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_role_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accept_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('timeout_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('outcome_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminder_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(), nullable=True),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['volunteer.id'], ),
    sa.ForeignKeyConstraint(['mentor_id'], ['volunteer.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['mentoring_request.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_mentor_assigned', ['mentor_id', 'assigned_at'], unique=False)
        batch_op.create_index('ix_assignment_outcome_accept_due', ['outcome', 'accept_due_at'], unique=False)
        batch_op.create_index('ix_assignment_outcome_timeout', ['outcome', 'timeout_at'], unique=False)
        batch_op.create_index('ix_assignment_request', ['request_id'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('volunteer_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['mentoring_request.id'], ),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_request', ['request_id', 'id'], unique=False)
        batch_op.create_index('ix_audit_volunteer', ['volunteer_id'], unique=False)

    op.create_table('case_team_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('referred_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['referred_by_id'], ['volunteer.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['mentoring_request.id'], ),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_team_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_team_member_volunteer_id'), ['volunteer_id'], unique=False)
        batch_op.create_index('ix_case_team_request_volunteer', ['request_id', 'volunteer_id'], unique=False)

    op.create_table('chapter_transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('from_chapter', sa.String(), nullable=False),
    sa.Column('to_chapter', sa.String(), nullable=False),
    sa.Column('to_national_queue', sa.Boolean(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['volunteer.id'], ),
    sa.ForeignKeyConstraint(['from_chapter'], ['chapter.code'], ),
    sa.ForeignKeyConstraint(['request_id'], ['mentoring_request.id'], ),
    sa.ForeignKeyConstraint(['to_chapter'], ['chapter.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('chapter_transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chapter_transfer_request_id'), ['request_id'], unique=False)

    op.create_table('contact_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('note', sa.String(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['mentoring_request.id'], ),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contact_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_attempt_request_id'), ['request_id'], unique=False)

    op.create_table('mentoring_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('session_date', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notes_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('entered_late', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['mentor_id'], ['volunteer.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['mentoring_request.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('mentoring_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentoring_session_request_id'), ['request_id'], unique=False)
        batch_op.create_index('ix_session_mentor_date', ['mentor_id', 'session_date'], unique=False)

    op.create_table('note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['volunteer.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['mentoring_request.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_request_id'), ['request_id'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('subject', sa.String(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('dedup_key', sa.String(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['mentoring_request.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedup_key')
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_status_next', ['status', 'next_attempt_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_status_next')

    op.drop_table('outbox_message')
    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_note_request_id'))

    op.drop_table('note')
    with op.batch_alter_table('mentoring_session', schema=None) as batch_op:
        batch_op.drop_index('ix_session_mentor_date')
        batch_op.drop_index(batch_op.f('ix_mentoring_session_request_id'))

    op.drop_table('mentoring_session')
    with op.batch_alter_table('contact_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_attempt_request_id'))

    op.drop_table('contact_attempt')
    with op.batch_alter_table('chapter_transfer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chapter_transfer_request_id'))

    op.drop_table('chapter_transfer')
    with op.batch_alter_table('case_team_member', schema=None) as batch_op:
        batch_op.drop_index('ix_case_team_request_volunteer')
        batch_op.drop_index(batch_op.f('ix_case_team_member_volunteer_id'))

    op.drop_table('case_team_member')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_volunteer')
        batch_op.drop_index('ix_audit_request')

    op.drop_table('audit_event')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_request')
        batch_op.drop_index('ix_assignment_outcome_timeout')
        batch_op.drop_index('ix_assignment_outcome_accept_due')
        batch_op.drop_index('ix_assignment_mentor_assigned')

    op.drop_table('assignment')
    with op.batch_alter_table('volunteer_role', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_role_volunteer_id'))
        batch_op.drop_index('ix_volunteer_role_role_scope')

    op.drop_table('volunteer_role')
    with op.batch_alter_table('volunteer_expertise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_expertise_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_volunteer_expertise_topic'))

    op.drop_table('volunteer_expertise')
    with op.batch_alter_table('mentoring_request', schema=None) as batch_op:
        batch_op.drop_index('ix_request_status_submitted')
        batch_op.drop_index('ix_request_queue_status')
        batch_op.drop_index('ix_request_owner_status')
        batch_op.drop_index('ix_request_chapter_status')
        batch_op.drop_index(batch_op.f('ix_mentoring_request_client_id'))

    op.drop_table('mentoring_request')
    with op.batch_alter_table('volunteer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_chapter_code'))

    op.drop_table('volunteer')
    with op.batch_alter_table('chapter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chapter_district_code'))

    op.drop_table('chapter')
    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_district_region_code'))

    op.drop_table('district')
    with op.batch_alter_table('client_email', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_email_client_id'))

    op.drop_table('client_email')
    op.drop_table('region')
    op.drop_table('client')
