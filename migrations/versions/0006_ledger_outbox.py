"""delivery of posted transfers to an external ledger

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 18:10:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ledger_outbox_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('next_seq', sa.BigInteger(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('claimed_by', sa.String(length=32), nullable=True),
    sa.Column('claimed_until', sa.DateTime(), nullable=True),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_ledger_outbox_state_attempts')),
    sa.CheckConstraint('id = 1', name=op.f('ck_ledger_outbox_state_single_row')),
    sa.CheckConstraint('next_seq >= 1', name=op.f('ck_ledger_outbox_state_next_seq')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_outbox_state'))
    )
    op.create_table('ledger_deliveries',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('attempts >= 1', name=op.f('ck_ledger_deliveries_attempts')),
    sa.ForeignKeyConstraint(['seq'], ['ledger_transfers.seq'], name=op.f('fk_ledger_deliveries_seq_ledger_transfers')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_ledger_deliveries'))
    )
    # Delivery starts at the first transfer: the external ledger gets the whole chain.
    op.execute(
        "INSERT INTO ledger_outbox_state (id, next_seq, attempts) VALUES (1, 1, 0)"
    )


def downgrade():
    op.drop_table('ledger_deliveries')
    op.drop_table('ledger_outbox_state')
