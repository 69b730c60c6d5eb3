"""registrations by phone: an index on contact_key, to find a texting resident's registrations

Revision ID: 9c41e7d2a6b3
Revises: 9c41e7b3d2a6
Create Date: 2026-11-28 11:00:00
"""
from alembic import op

revision = '9c41e7d2a6b3'
down_revision = '9c41e7b3d2a6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('ix_registrations_contact_key', ['contact_key'], unique=False)


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_contact_key')
