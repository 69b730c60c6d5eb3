"""sms dialogs: the question PERU asks a number with an enrolment ("only the next, or all?")

Revision ID: 9a4e2f7c1b85
Revises: 7c1d4e9a2b60
Create Date: 2026-11-29 10:00:00
"""
import sqlalchemy as sa
from alembic import op

import shared.database

revision = '9a4e2f7c1b85'
down_revision = '7c1d4e9a2b60'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sms_dialogs',
        sa.Column('phone', sa.String(length=254), nullable=False),
        sa.Column('enrolment_id', sa.String(length=36), nullable=False),
        sa.Column('asked_at', shared.database.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('phone'),
    )
    op.create_index('ix_sms_dialogs_asked_at', 'sms_dialogs', ['asked_at'])


def downgrade():
    op.drop_index('ix_sms_dialogs_asked_at', table_name='sms_dialogs')
    op.drop_table('sms_dialogs')
