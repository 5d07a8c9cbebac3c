"""disbursement plans, tranches and their four-eyes approvals

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 18:10:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# What was approved is never edited: only a tranche's payment (state, transfer,
# time) and the plan's paid total change, the total only upwards; a paid tranche
# does not change again; approvals and every row stay. (name, table, event, when)
GUARDS = (
    ("disbursement_plans_no_delete", "disbursement_plans", "DELETE", None),
    (
        "disbursement_plans_fixed",
        "disbursement_plans",
        "UPDATE OF decision_id, proposal_id, source_account_id, beneficiary_account_id, "
        "currency, approved_total, created_at",
        None,
    ),
    (
        "disbursement_plans_paid_grows",
        "disbursement_plans",
        "UPDATE OF paid_total",
        "NEW.paid_total < OLD.paid_total",
    ),
    ("disbursement_tranches_no_delete", "disbursement_tranches", "DELETE", None),
    (
        "disbursement_tranches_fixed",
        "disbursement_tranches",
        'UPDATE OF plan_id, "position", title, "condition", due_on, amount, created_at',
        None,
    ),
    ("disbursement_tranches_paid", "disbursement_tranches", "UPDATE", "OLD.state = 'paid'"),
    ("disbursement_approvals_no_update", "disbursement_approvals", "UPDATE", None),
    ("disbursement_approvals_no_delete", "disbursement_approvals", "DELETE", None),
)
TABLES = ("disbursement_plans", "disbursement_tranches", "disbursement_approvals")


def refuse_changes():
    # asamblea_refuse_change() belongs to revision 0001.
    is_postgres = op.get_bind().dialect.name == "postgresql"
    for name, table, event, when in GUARDS:
        if is_postgres:
            condition = f"WHEN ({when}) " if when else ""
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW "
                f"{condition}EXECUTE FUNCTION asamblea_refuse_change()"
            )
        else:
            condition = f"WHEN {when} " if when else ""
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} {condition}"
                f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END"
            )
    if is_postgres:
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION asamblea_refuse_change()"
            )


def allow_changes():
    is_postgres = op.get_bind().dialect.name == "postgresql"
    for name, table, _event, _when in GUARDS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if is_postgres else ""))
    if is_postgres:
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")


def upgrade():
    op.create_table('disbursement_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('source_account_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_account_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=16), nullable=False),
    sa.Column('approved_total', sa.BigInteger(), nullable=False),
    sa.Column('paid_total', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('approved_total > 0', name=op.f('ck_disbursement_plans_approved_total')),
    sa.CheckConstraint('paid_total >= 0 AND paid_total <= approved_total', name=op.f('ck_disbursement_plans_paid_within_approved')),
    sa.CheckConstraint('source_account_id <> beneficiary_account_id', name=op.f('ck_disbursement_plans_two_accounts')),
    sa.ForeignKeyConstraint(['beneficiary_account_id'], ['ledger_accounts.id'], name=op.f('fk_disbursement_plans_beneficiary_account_id_ledger_accounts')),
    sa.ForeignKeyConstraint(['currency'], ['ledger_currencies.code'], name=op.f('fk_disbursement_plans_currency_ledger_currencies')),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_disbursement_plans_decision_id_decisions')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_disbursement_plans_proposal_id_proposals')),
    sa.ForeignKeyConstraint(['source_account_id'], ['ledger_accounts.id'], name=op.f('fk_disbursement_plans_source_account_id_ledger_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disbursement_plans')),
    sa.UniqueConstraint('decision_id', name=op.f('uq_disbursement_plans_decision_id'))
    )
    with op.batch_alter_table('disbursement_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disbursement_plans_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disbursement_plans_source_account_id'), ['source_account_id'], unique=False)

    op.create_table('disbursement_tranches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('condition', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.Enum('requested', 'paid', name='tranchestate', native_enum=False, length=32), nullable=False),
    sa.Column('transfer_id', sa.String(length=64), nullable=True),
    sa.Column('paid_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(state = 'paid' AND transfer_id IS NOT NULL AND paid_at IS NOT NULL) OR (state = 'requested' AND transfer_id IS NULL AND paid_at IS NULL)", name=op.f('ck_disbursement_tranches_paid_with_transfer')),
    sa.CheckConstraint("state IN ('requested', 'paid')", name=op.f('ck_disbursement_tranches_state')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_disbursement_tranches_amount')),
    sa.CheckConstraint('position > 0', name=op.f('ck_disbursement_tranches_position')),
    sa.ForeignKeyConstraint(['plan_id'], ['disbursement_plans.id'], name=op.f('fk_disbursement_tranches_plan_id_disbursement_plans')),
    sa.ForeignKeyConstraint(['transfer_id'], ['ledger_transfers.id'], name=op.f('fk_disbursement_tranches_transfer_id_ledger_transfers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disbursement_tranches')),
    sa.UniqueConstraint('plan_id', 'position', name=op.f('uq_disbursement_tranches_plan_id')),
    sa.UniqueConstraint('transfer_id', name=op.f('uq_disbursement_tranches_transfer_id'))
    )
    op.create_table('disbursement_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tranche_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_disbursement_approvals_member_id_members')),
    sa.ForeignKeyConstraint(['tranche_id'], ['disbursement_tranches.id'], name=op.f('fk_disbursement_approvals_tranche_id_disbursement_tranches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disbursement_approvals')),
    sa.UniqueConstraint('tranche_id', 'member_id', name=op.f('uq_disbursement_approvals_tranche_id'))
    )
    with op.batch_alter_table('disbursement_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disbursement_approvals_member_id'), ['member_id'], unique=False)

    refuse_changes()


def downgrade():
    allow_changes()
    with op.batch_alter_table('disbursement_approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disbursement_approvals_member_id'))

    op.drop_table('disbursement_approvals')
    op.drop_table('disbursement_tranches')
    with op.batch_alter_table('disbursement_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disbursement_plans_source_account_id'))
        batch_op.drop_index(batch_op.f('ix_disbursement_plans_proposal_id'))

    op.drop_table('disbursement_plans')
