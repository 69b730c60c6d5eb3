"""reminders: when each registration's reminder went (one at most)

Revision ID: 9c41e7b3d2a6
Revises: 5d3e8fa2b1c4
Create Date: 2026-11-28 11:00:00
"""
import sqlalchemy as sa
from alembic import op

import shared.database

revision = '9c41e7b3d2a6'
down_revision = '5d3e8fa2b1c4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', shared.database.UtcDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')
