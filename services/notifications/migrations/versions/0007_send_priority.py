"""send priority: messages that answer what a person just did go first, the rest behind them

Revision ID: 5e2a9c41d7b3
Revises: 7c1d2e9a4b60
Create Date: 2026-11-28 11:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '5e2a9c41d7b3'
down_revision = '7c1d2e9a4b60'
branch_labels = None
depends_on = None


def upgrade():
    # messages recorded before this were all sent at once: immediate
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('immediate', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.create_index('ix_notifications_queue', ['immediate', 'status', 'next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_queue')
        batch_op.drop_column('immediate')
