"""inbound SMS: residents' texts, and per number its opt-out and language

Revision ID: 3f8b6c2d9e14
Revises: 5e2a9c41d7b3
Create Date: 2026-11-28 11:00:00
"""
import sqlalchemy as sa
from alembic import op

import shared.database

revision = '3f8b6c2d9e14'
down_revision = '5e2a9c41d7b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'inbound_sms',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('provider_ref', sa.String(length=100), nullable=False),
        sa.Column('sender', sa.String(length=40), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('received_at', shared.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column('claimed_until', shared.database.UtcDateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('processed_at', shared.database.UtcDateTime(timezone=True), nullable=True),
        sa.Column('command', sa.String(length=16), nullable=True),
        sa.Column('anonymised_at', shared.database.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('provider_ref'),
    )
    op.create_index('ix_inbound_sms_sender', 'inbound_sms', ['sender'])
    op.create_index('ix_inbound_sms_unprocessed', 'inbound_sms', ['processed_at', 'received_at'])
    op.create_table(
        'sms_numbers',
        sa.Column('phone', sa.String(length=254), nullable=False),
        sa.Column('stopped_at', shared.database.UtcDateTime(timezone=True), nullable=True),
        sa.Column('language', sa.String(length=2), nullable=True),
        sa.Column('updated_at', shared.database.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('phone'),
    )


def downgrade():
    op.drop_table('sms_numbers')
    op.drop_index('ix_inbound_sms_unprocessed', table_name='inbound_sms')
    op.drop_index('ix_inbound_sms_sender', table_name='inbound_sms')
    op.drop_table('inbound_sms')
