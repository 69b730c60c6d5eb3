"""sms codes and reminders: registration's copy of what residents text and when they are reminded

Revision ID: 5d3e8fa2b1c4
Revises: 6a0dc1dceaec
Create Date: 2026-11-28 10:50:00
"""
import sqlalchemy as sa
import shared.database
from alembic import op

revision = '5d3e8fa2b1c4'
down_revision = '6a0dc1dceaec'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sms_code', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('reminder_at', shared.database.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminders', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.create_index(batch_op.f('ix_events_sms_code'), ['sms_code'], unique=False)


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_sms_code'))
        batch_op.drop_column('reminders')
        batch_op.drop_column('reminder_at')
        batch_op.drop_column('sms_code')
