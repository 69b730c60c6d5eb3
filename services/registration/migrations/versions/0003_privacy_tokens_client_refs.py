"""privacy: link tokens (hashed), client refs, details resent, idempotency keys bound to their request

Revision ID: 6a0dc1dceaec
Revises: 68e64d2045a7
Create Date: 2026-11-28 07:01:49.480623
"""
import sqlalchemy as sa
from alembic import op

import shared.database


revision = '6a0dc1dceaec'
down_revision = '68e64d2045a7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_hash', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_idempotency_keys_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('client_ref', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('details_resent_at', shared.database.UtcDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_registrations_event_client', ['event_id', 'client_ref'], unique=False)
        batch_op.create_index('uq_registrations_token_hash', ['token_hash'], unique=True)



def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('uq_registrations_token_hash')
        batch_op.drop_index('ix_registrations_event_client')
        batch_op.drop_column('details_resent_at')
        batch_op.drop_column('client_ref')
        batch_op.drop_column('token_hash')

    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_keys_created_at'))
        batch_op.drop_column('request_hash')

