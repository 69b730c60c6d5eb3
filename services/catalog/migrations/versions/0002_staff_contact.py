"""staff tokens carry a contact for assisted sign-ups

Revision ID: 0002_staff_contact
Revises: 9a33d28e887f
Create Date: 2026-11-27 19:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0002_staff_contact'
down_revision = '9a33d28e887f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_tokens') as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table('staff_tokens') as batch_op:
        batch_op.drop_column('email')
        batch_op.drop_column('phone')
