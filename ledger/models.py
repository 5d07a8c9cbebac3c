"""Currencies, accounts and transfers of the exchange ledger (after TigerBeetle's).

An account keeps four running totals in minor units; its balance is
``credits - debits``. A transfer is immutable (the database refuses UPDATE and
DELETE on ``ledger_transfers``); a correction is a new transfer. The chain
head is one row whose lock orders every posting (``ledger/services.py``).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from governance.extensions import db

if TYPE_CHECKING:  # db.Model is built at run time; mypy reads the declarative base
    from governance.extensions import Base as Model
else:
    Model = db.Model

ID_LENGTH = 64
CODE_LENGTH = 16
# Balances and amounts are PostgreSQL bigints; the service refuses anything larger.
MAX_AMOUNT = 2**63 - 1


class CurrencyKind(enum.StrEnum):
    NATIONAL = "national"
    # Issued by a community bank, convertible 1:1 against a national-currency reserve.
    SOCIAL = "social"
    # Accounts go negative up to their credit limit; all balances sum to zero.
    MUTUAL_CREDIT = "mutual-credit"
    TIME = "time"
    OTHER = "other"


class TransferKind(enum.StrEnum):
    POSTED = "posted"
    PENDING = "pending"  # reserves the amount: pending debits and credits
    POST_PENDING = "post-pending"  # posts a pending transfer (all or part of it)
    VOID_PENDING = "void-pending"  # releases a pending transfer


class Modality(enum.StrEnum):
    """What an exchange is (the seed's three modalities and the network's own moves)."""

    PURCHASE = "purchase"  # purchase and sale, in national currency
    BARTER = "barter"  # barter mediated by a social currency or credits
    DONATION = "donation"  # multi-reciprocal donation; carries a thanks message
    DISBURSEMENT = "disbursement"  # the network pays what a decision approved
    CONVERSION = "conversion"  # one leg of a national <-> social exchange at the bank
    REVERSAL = "reversal"  # undoes an earlier transfer; points to it
    DEPOSIT = "deposit"  # money entering from outside, through an issuance account


def _values(enum_cls: type[enum.Enum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum_cls)


def _str_enum(enum_cls: type[enum.Enum]) -> sa.Enum:
    """Store an enum by value as a plain string; a CheckConstraint guards it."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda cls: [member.value for member in cls],
    )


def _partial_index(name: str, column: str, *, unique: bool) -> sa.Index:
    where = sa.text(f"{column} IS NOT NULL")
    return sa.Index(name, column, unique=unique, postgresql_where=where, sqlite_where=where)


# A SQLite INTEGER PRIMARY KEY is the rowid: the table is stored in seq order.
SeqType = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class Currency(Model):
    __tablename__ = "ledger_currencies"
    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({_values(CurrencyKind)})", name="kind"),
        sa.CheckConstraint("minor_units BETWEEN 0 AND 18", name="minor_units"),
        # A social currency names the national currency that backs it; no other does.
        sa.CheckConstraint(
            "(kind = 'social' AND backed_by IS NOT NULL AND backed_by <> code) "
            "OR (kind <> 'social' AND backed_by IS NULL)",
            name="backed_by",
        ),
    )

    code: Mapped[str] = mapped_column(sa.String(CODE_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    minor_units: Mapped[int]
    kind: Mapped[CurrencyKind] = mapped_column(_str_enum(CurrencyKind))
    backed_by: Mapped[str | None] = mapped_column(
        sa.String(CODE_LENGTH), sa.ForeignKey("ledger_currencies.code")
    )
    created_at: Mapped[datetime]


class Account(Model):
    """An account in one currency.

    ``may_go_negative`` marks the one issuance account per currency (the
    "outside world"): money enters the network by a transfer from it, so its
    balance is minus everything issued, and it has no credit limit. Every other
    account keeps ``posted_credits - posted_debits - pending_debits >=
    -credit_limit``: pending debits count against it, pending credits do not.
    """

    __tablename__ = "ledger_accounts"
    __table_args__ = (
        sa.CheckConstraint("credit_limit >= 0", name="credit_limit"),
        sa.CheckConstraint(
            "posted_debits >= 0 AND posted_credits >= 0 "
            "AND pending_debits >= 0 AND pending_credits >= 0",
            name="totals",
        ),
        sa.CheckConstraint(
            "may_go_negative OR posted_credits - posted_debits - pending_debits >= -credit_limit",
            name="within_limit",
        ),
        sa.Index(
            "ix_ledger_accounts_issuance",
            "currency",
            unique=True,
            postgresql_where=sa.text("may_go_negative"),
            sqlite_where=sa.text("may_go_negative"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(128), unique=True)
    # An opaque reference the governance side resolves: "network", "member:12", ...
    owner: Mapped[str] = mapped_column(sa.String(64), index=True)
    currency: Mapped[str] = mapped_column(
        sa.String(CODE_LENGTH), sa.ForeignKey("ledger_currencies.code")
    )
    credit_limit: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    is_network: Mapped[bool] = mapped_column(default=False)
    may_go_negative: Mapped[bool] = mapped_column(default=False)
    posted_debits: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    posted_credits: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    pending_debits: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    pending_credits: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    created_at: Mapped[datetime]

    @property
    def balance(self) -> int:
        """Posted credits minus posted debits."""
        return self.posted_credits - self.posted_debits

    @property
    def available(self) -> int:
        """What the account may still send: its balance less pending debits, plus its limit."""
        return self.posted_credits - self.posted_debits - self.pending_debits + self.credit_limit


class Transfer(Model):
    """One immutable movement of ``amount`` from the debit to the credit account.

    ``id`` is the caller's idempotency key; ``seq`` orders the hash chain.
    """

    __tablename__ = "ledger_transfers"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount"),
        sa.CheckConstraint("debit_account_id <> credit_account_id", name="two_accounts"),
        sa.CheckConstraint(f"kind IN ({_values(TransferKind)})", name="kind"),
        sa.CheckConstraint(f"modality IN ({_values(Modality)})", name="modality"),
        sa.CheckConstraint(
            "(kind IN ('post-pending', 'void-pending') AND pending_id IS NOT NULL) "
            "OR (kind IN ('posted', 'pending') AND pending_id IS NULL)",
            name="pending_id",
        ),
        sa.CheckConstraint(
            "(modality = 'reversal' AND reverses_id IS NOT NULL AND kind = 'posted') "
            "OR (modality <> 'reversal' AND reverses_id IS NULL)",
            name="reverses_id",
        ),
        sa.CheckConstraint("thanks IS NULL OR modality = 'donation'", name="thanks"),
        sa.Index("ix_ledger_transfers_debit_account_id", "debit_account_id", "seq"),
        sa.Index("ix_ledger_transfers_credit_account_id", "credit_account_id", "seq"),
        # Partial: most transfers settle nothing and carry no reference, and an
        # index without those rows costs the inserts nothing.
        # A pending transfer is posted or voided once; a transfer is reversed once.
        _partial_index("uq_ledger_transfers_pending_id", "pending_id", unique=True),
        _partial_index("uq_ledger_transfers_reverses_id", "reverses_id", unique=True),
        _partial_index("ix_ledger_transfers_reference", "reference", unique=False),
    )

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), unique=True)
    kind: Mapped[TransferKind] = mapped_column(_str_enum(TransferKind))
    modality: Mapped[Modality] = mapped_column(_str_enum(Modality))
    debit_account_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_accounts.id"))
    credit_account_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_accounts.id"))
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    # Both accounts' currency (they reference the currencies table): the posting
    # service checks it under the accounts' locks, and `ledger verify` again.
    currency: Mapped[str] = mapped_column(sa.String(CODE_LENGTH))
    pending_id: Mapped[str | None] = mapped_column(
        sa.String(ID_LENGTH), sa.ForeignKey("ledger_transfers.id")
    )
    reverses_id: Mapped[str | None] = mapped_column(
        sa.String(ID_LENGTH), sa.ForeignKey("ledger_transfers.id")
    )
    batch: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    reference: Mapped[str | None] = mapped_column(sa.String(128))
    memo: Mapped[str | None] = mapped_column(sa.Text)
    thanks: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))


class LedgerChainHead(Model):
    """The last link of the ledger's chain; its row lock is the last one a posting takes."""

    __tablename__ = "ledger_chain_head"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=1)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64))
