"""reminder chosen: whether staff set an event's reminder time (it stays) or it is the default (it moves with the start)

Revision ID: 8d1f3a6c2b57
Revises: 4c2b7e91d0a3
Create Date: 2026-11-28 11:05:00
"""
import sqlalchemy as sa
from alembic import op

revision = '8d1f3a6c2b57'
down_revision = '4c2b7e91d0a3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_chosen', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('reminder_chosen')
