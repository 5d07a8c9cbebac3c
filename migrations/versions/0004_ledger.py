"""ledger: currencies, accounts, transfers (append-only, hash-chained) and the
ledger's chain head

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 00:55:35.078525

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def refuse_changes_to_transfers():
    # A transfer is never edited or deleted: a correction is a reversal. The
    # function asamblea_refuse_change() belongs to revision 0001.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER ledger_transfers_append_only BEFORE UPDATE OR DELETE "
            "ON ledger_transfers FOR EACH ROW EXECUTE FUNCTION asamblea_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER ledger_transfers_no_truncate BEFORE TRUNCATE ON ledger_transfers "
            "FOR EACH STATEMENT EXECUTE FUNCTION asamblea_refuse_change()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER ledger_transfers_no_{event.lower()} BEFORE {event} "
                "ON ledger_transfers "
                "BEGIN SELECT RAISE(ABORT, 'ledger_transfers rows are append-only'); END"
            )


def allow_changes_to_transfers():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ledger_transfers_append_only ON ledger_transfers")
        op.execute("DROP TRIGGER IF EXISTS ledger_transfers_no_truncate ON ledger_transfers")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS ledger_transfers_no_{event}")


def upgrade():
    op.create_table('ledger_chain_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_ledger_chain_head_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_chain_head'))
    )
    op.create_table('ledger_currencies',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('minor_units', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('national', 'social', 'mutual-credit', 'time', 'other', name='currencykind', native_enum=False, length=32), nullable=False),
    sa.Column('backed_by', sa.String(length=16), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(kind = 'social' AND backed_by IS NOT NULL AND backed_by <> code) OR (kind <> 'social' AND backed_by IS NULL)", name=op.f('ck_ledger_currencies_backed_by')),
    sa.CheckConstraint("kind IN ('national', 'social', 'mutual-credit', 'time', 'other')", name=op.f('ck_ledger_currencies_kind')),
    sa.CheckConstraint('minor_units BETWEEN 0 AND 18', name=op.f('ck_ledger_currencies_minor_units')),
    sa.ForeignKeyConstraint(['backed_by'], ['ledger_currencies.code'], name=op.f('fk_ledger_currencies_backed_by_ledger_currencies')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_ledger_currencies'))
    )
    op.create_table('ledger_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=128), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=16), nullable=False),
    sa.Column('credit_limit', sa.BigInteger(), nullable=False),
    sa.Column('is_network', sa.Boolean(), nullable=False),
    sa.Column('may_go_negative', sa.Boolean(), nullable=False),
    sa.Column('posted_debits', sa.BigInteger(), nullable=False),
    sa.Column('posted_credits', sa.BigInteger(), nullable=False),
    sa.Column('pending_debits', sa.BigInteger(), nullable=False),
    sa.Column('pending_credits', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('credit_limit >= 0', name=op.f('ck_ledger_accounts_credit_limit')),
    sa.CheckConstraint('may_go_negative OR posted_credits - posted_debits - pending_debits >= -credit_limit', name=op.f('ck_ledger_accounts_within_limit')),
    sa.CheckConstraint('posted_debits >= 0 AND posted_credits >= 0 AND pending_debits >= 0 AND pending_credits >= 0', name=op.f('ck_ledger_accounts_totals')),
    sa.ForeignKeyConstraint(['currency'], ['ledger_currencies.code'], name=op.f('fk_ledger_accounts_currency_ledger_currencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_accounts')),
    sa.UniqueConstraint('code', name=op.f('uq_ledger_accounts_code'))
    )
    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_accounts_issuance', ['currency'], unique=True, postgresql_where=sa.text('may_go_negative'), sqlite_where=sa.text('may_go_negative'))
        batch_op.create_index(batch_op.f('ix_ledger_accounts_owner'), ['owner'], unique=False)

    op.create_table('ledger_transfers',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.Enum('posted', 'pending', 'post-pending', 'void-pending', name='transferkind', native_enum=False, length=32), nullable=False),
    sa.Column('modality', sa.Enum('purchase', 'barter', 'donation', 'disbursement', 'conversion', 'reversal', 'deposit', name='modality', native_enum=False, length=32), nullable=False),
    sa.Column('debit_account_id', sa.Integer(), nullable=False),
    sa.Column('credit_account_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=16), nullable=False),
    sa.Column('pending_id', sa.String(length=64), nullable=True),
    sa.Column('reverses_id', sa.String(length=64), nullable=True),
    sa.Column('batch', sa.String(length=64), nullable=True),
    sa.Column('reference', sa.String(length=128), nullable=True),
    sa.Column('memo', sa.Text(), nullable=True),
    sa.Column('thanks', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint("(kind IN ('post-pending', 'void-pending') AND pending_id IS NOT NULL) OR (kind IN ('posted', 'pending') AND pending_id IS NULL)", name=op.f('ck_ledger_transfers_pending_id')),
    sa.CheckConstraint("(modality = 'reversal' AND reverses_id IS NOT NULL AND kind = 'posted') OR (modality <> 'reversal' AND reverses_id IS NULL)", name=op.f('ck_ledger_transfers_reverses_id')),
    sa.CheckConstraint("kind IN ('posted', 'pending', 'post-pending', 'void-pending')", name=op.f('ck_ledger_transfers_kind')),
    sa.CheckConstraint("modality IN ('purchase', 'barter', 'donation', 'disbursement', 'conversion', 'reversal', 'deposit')", name=op.f('ck_ledger_transfers_modality')),
    sa.CheckConstraint("thanks IS NULL OR modality = 'donation'", name=op.f('ck_ledger_transfers_thanks')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_ledger_transfers_amount')),
    sa.CheckConstraint('debit_account_id <> credit_account_id', name=op.f('ck_ledger_transfers_two_accounts')),
    sa.ForeignKeyConstraint(['credit_account_id'], ['ledger_accounts.id'], name=op.f('fk_ledger_transfers_credit_account_id_ledger_accounts')),
    sa.ForeignKeyConstraint(['debit_account_id'], ['ledger_accounts.id'], name=op.f('fk_ledger_transfers_debit_account_id_ledger_accounts')),
    sa.ForeignKeyConstraint(['pending_id'], ['ledger_transfers.id'], name=op.f('fk_ledger_transfers_pending_id_ledger_transfers')),
    sa.ForeignKeyConstraint(['reverses_id'], ['ledger_transfers.id'], name=op.f('fk_ledger_transfers_reverses_id_ledger_transfers')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_ledger_transfers')),
    sa.UniqueConstraint('id', name=op.f('uq_ledger_transfers_id'))
    )
    with op.batch_alter_table('ledger_transfers', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_transfers_credit_account_id', ['credit_account_id', 'seq'], unique=False)
        batch_op.create_index('ix_ledger_transfers_debit_account_id', ['debit_account_id', 'seq'], unique=False)
        batch_op.create_index('ix_ledger_transfers_reference', ['reference'], unique=False, postgresql_where=sa.text('reference IS NOT NULL'), sqlite_where=sa.text('reference IS NOT NULL'))
        batch_op.create_index('uq_ledger_transfers_pending_id', ['pending_id'], unique=True, postgresql_where=sa.text('pending_id IS NOT NULL'), sqlite_where=sa.text('pending_id IS NOT NULL'))
        batch_op.create_index('uq_ledger_transfers_reverses_id', ['reverses_id'], unique=True, postgresql_where=sa.text('reverses_id IS NOT NULL'), sqlite_where=sa.text('reverses_id IS NOT NULL'))

    refuse_changes_to_transfers()
    if op.get_bind().dialect.name == "postgresql":
        # Every posting updates its accounts' totals: room on each page lets the
        # new row version stay there (a HOT update, no index entry to add).
        op.execute("ALTER TABLE ledger_accounts SET (fillfactor = 70)")
    # The chain starts here: every posting locks this row last.
    op.execute(
        "INSERT INTO ledger_chain_head (id, last_seq, last_hash) VALUES (1, 0, "
        "'0000000000000000000000000000000000000000000000000000000000000000')"
    )


def downgrade():
    allow_changes_to_transfers()
    with op.batch_alter_table('ledger_transfers', schema=None) as batch_op:
        batch_op.drop_index('uq_ledger_transfers_reverses_id', postgresql_where=sa.text('reverses_id IS NOT NULL'), sqlite_where=sa.text('reverses_id IS NOT NULL'))
        batch_op.drop_index('uq_ledger_transfers_pending_id', postgresql_where=sa.text('pending_id IS NOT NULL'), sqlite_where=sa.text('pending_id IS NOT NULL'))
        batch_op.drop_index('ix_ledger_transfers_reference', postgresql_where=sa.text('reference IS NOT NULL'), sqlite_where=sa.text('reference IS NOT NULL'))
        batch_op.drop_index('ix_ledger_transfers_debit_account_id')
        batch_op.drop_index('ix_ledger_transfers_credit_account_id')

    op.drop_table('ledger_transfers')
    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_accounts_owner'))
        batch_op.drop_index('ix_ledger_accounts_issuance', postgresql_where=sa.text('may_go_negative'), sqlite_where=sa.text('may_go_negative'))

    op.drop_table('ledger_accounts')
    op.drop_table('ledger_currencies')
    op.drop_table('ledger_chain_head')
