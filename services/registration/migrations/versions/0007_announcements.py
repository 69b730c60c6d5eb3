"""announcements: staff's messages to everyone coming, once per key

Revision ID: 4a7c2e91b5d8
Revises: 9c41e7d2a6b3
Create Date: 2026-11-28 15:00:00
"""
import sqlalchemy as sa
from alembic import op

import shared.database

revision = '4a7c2e91b5d8'
down_revision = '9c41e7d2a6b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'announcements',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('include_waitlist', sa.Boolean(), nullable=False),
        sa.Column('urgent', sa.Boolean(), nullable=False),
        sa.Column('sms', sa.Integer(), nullable=False),
        sa.Column('email', sa.Integer(), nullable=False),
        sa.Column('sent_at', shared.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column('sent_by', sa.String(length=36), nullable=False),
        sa.Column('sent_by_name', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index('uq_announcements_event_key', ['event_id', 'key'], unique=True)


def downgrade():
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index('uq_announcements_event_key')
    op.drop_table('announcements')
