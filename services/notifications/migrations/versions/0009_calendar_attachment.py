"""calendar attachment: the .ics an email carries (its event's, no personal data)

Revision ID: 7c1d4e9a2b60
Revises: 3f8b6c2d9e14
Create Date: 2026-11-28 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '7c1d4e9a2b60'
down_revision = '3f8b6c2d9e14'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications') as batch:
        batch.add_column(sa.Column('calendar', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('notifications') as batch:
        batch.drop_column('calendar')
