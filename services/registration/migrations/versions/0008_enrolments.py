"""enrolments: one person's enrolment in a series (weekly group) and its session rows; the events
copy learns which series and session an event is

Revision ID: 7e2b9d41c0a5
Revises: 4a7c2e91b5d8
Create Date: 2026-11-28 17:00:00
"""
import sqlalchemy as sa
from alembic import op

import shared.database

revision = '7e2b9d41c0a5'
down_revision = '4a7c2e91b5d8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'enrolments',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('series_id', sa.String(length=36), nullable=False),
        sa.Column('cancel_code', sa.String(length=16), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=True),
        sa.Column('name', sa.String(length=100), nullable=True),
        sa.Column('phone', sa.String(length=20), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('contact_key', sa.String(length=254), nullable=True),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('channel', sa.String(length=8), nullable=False),
        sa.Column('seats', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', shared.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', shared.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column('cancelled_at', shared.database.UtcDateTime(timezone=True), nullable=True),
        sa.Column('assisted_by', sa.String(length=36), nullable=True),
        sa.Column('assisted_by_name', sa.String(length=200), nullable=True),
        sa.Column('consent_at', shared.database.UtcDateTime(timezone=True), nullable=True),
        sa.Column('client_ref', sa.String(length=64), nullable=True),
        sa.Column('anonymised_at', shared.database.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('cancel_code'),
    )
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_index('ix_enrolments_series_id', ['series_id'], unique=False)
        batch_op.create_index('ix_enrolments_contact_key', ['contact_key'], unique=False)
        batch_op.create_index('uq_enrolments_token_hash', ['token_hash'], unique=True)
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enrolment_id', sa.String(length=36), nullable=True))
        batch_op.create_index('ix_registrations_enrolment_id', ['enrolment_id'], unique=False)
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('series_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('session_number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('session_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('series_sms_code', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('series_weekly', sa.Boolean(), nullable=True))
        batch_op.create_index('ix_events_series_id', ['series_id'], unique=False)
        batch_op.create_index('ix_events_series_sms_code', ['series_sms_code'], unique=False)


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_series_sms_code')
        batch_op.drop_index('ix_events_series_id')
        for column in ('series_weekly', 'series_sms_code', 'session_count', 'session_number', 'series_id'):
            batch_op.drop_column(column)
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_enrolment_id')
        batch_op.drop_column('enrolment_id')
    op.drop_table('enrolments')
