"""delivery claims: a lease per claim and the moment of hand-over to the provider

Revision ID: 7c1d2e9a4b60
Revises: 74cc92661501
Create Date: 2026-11-28 07:20:00
"""
import sqlalchemy as sa
from alembic import op

import shared.database

revision = '7c1d2e9a4b60'
down_revision = '74cc92661501'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_token', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', shared.database.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('handed_over_at', shared.database.UtcDateTime(timezone=True), nullable=True))
    # Messages the earlier code left `sending` may or may not have gone out: counted as handed
    # over with a lapsed claim, they are settled by asking the provider, not sent blindly.
    op.execute("UPDATE notifications SET handed_over_at = updated_at, claimed_until = updated_at "
               "WHERE status = 'sending'")


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('handed_over_at')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claim_token')
