"""webhooks: last errors of the first release ("unreachable: …", "answered 403") become the generic
"not delivered", which no longer tells a closed port from an answering one (data only)

Revision ID: 7384ec18817b
Revises: 3ba1e55430b2
Create Date: 2026-11-28 07:30:00
"""
from alembic import op

revision = '7384ec18817b'
down_revision = '3ba1e55430b2'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE webhook_deliveries SET last_error = 'not delivered' WHERE last_error IS NOT NULL")


def downgrade():
    pass  # what the old texts said is not kept, on purpose
