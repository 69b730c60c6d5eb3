"""series: weekly groups (sets of events, the sessions, that one enrolment covers); events' series and session number

Revision ID: 5e7a1c0d9b42
Revises: 8d1f3a6c2b57
Create Date: 2026-11-28 17:10:00
"""
import sqlalchemy as sa
from alembic import op

import shared.database

revision = '5e7a1c0d9b42'
down_revision = '8d1f3a6c2b57'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('series',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('municipality', sa.String(length=100), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('waitlist_capacity', sa.Integer(), nullable=False),
    sa.Column('max_group_size', sa.Integer(), nullable=False),
    sa.Column('registration_opens_at', shared.database.UtcDateTime(timezone=True), nullable=True),
    sa.Column('organizer', sa.String(length=200), nullable=False),
    sa.Column('summary_phone', sa.String(length=20), nullable=True),
    sa.Column('summary_email', sa.String(length=254), nullable=True),
    sa.Column('reminders', sa.Boolean(), nullable=False),
    sa.Column('schedule', sa.JSON(), nullable=False),
    sa.Column('session_count', sa.Integer(), nullable=False),
    sa.Column('sms_code', sa.String(length=12), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', shared.database.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.database.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_series_organizer'), ['organizer'], unique=False)
        batch_op.create_index(batch_op.f('ix_series_sms_code'), ['sms_code'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('series_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('session_number', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_events_series_id'), ['series_id'], unique=False)


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_series_id'))
        batch_op.drop_column('session_number')
        batch_op.drop_column('series_id')

    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_series_sms_code'))
        batch_op.drop_index(batch_op.f('ix_series_organizer'))

    op.drop_table('series')
