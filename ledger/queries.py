"""Reading the ledger: accounts, the transfers in chain order, and the checks that
recompute the chain and the balances from the stored transfers.

Large reads stream through a server-side cursor on PostgreSQL (``yield_per``), so
checking a million transfers holds a few thousand rows in memory at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from governance.extensions import db
from ledger.chain import FIELDS, GENESIS, ChainReport, check_chain
from ledger.models import Account, LedgerChainHead, Transfer, TransferKind
from ledger.specs import utc_naive

STREAM_BATCH = 10_000
TOTALS = ("posted_debits", "posted_credits", "pending_debits", "pending_credits")

_transfers = Transfer.__table__
_accounts = Account.__table__


def find_account(code: str) -> Account | None:
    return db.session.execute(sa.select(Account).where(Account.code == code)).scalar_one_or_none()


def balance_at(account_id: int, moment: datetime) -> int:
    """The account's posted balance (credits less debits) at ``moment``: the sum of the
    transfers created before it (UTC; a naive datetime is taken as UTC).

    Only posted money counts, as in ``Account.balance``: ``posted`` and
    ``post-pending`` transfers move it (a settlement counts when it was posted, not
    when its pending transfer was made); ``pending`` and ``void-pending`` ones move
    nothing. Transfers are never edited or deleted, so the answer for a moment
    already past never changes."""
    at = utc_naive(moment)
    posted = _transfers.c.kind.in_((TransferKind.POSTED.value, TransferKind.POST_PENDING.value))
    before = _transfers.c.created_at < at

    def side(column: sa.ColumnElement[int]) -> sa.ScalarSelect[int]:
        return (
            sa.select(sa.func.coalesce(sa.func.sum(_transfers.c.amount), 0))
            .where(column == account_id, posted, before)
            .scalar_subquery()
        )

    credits = side(_transfers.c.credit_account_id)
    debits = side(_transfers.c.debit_account_id)
    return int(db.session.execute(sa.select(credits - debits)).scalar_one())


def snapshot() -> sa.Connection:
    """The session's connection; on PostgreSQL, in a REPEATABLE READ transaction when
    one can still be chosen, so that a long read sees one state of the ledger."""
    session = db.session()
    bind = session.get_bind()
    if (
        isinstance(bind, sa.Engine)
        and bind.dialect.name == "postgresql"
        and not session.in_transaction()
    ):
        return session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    return session.connection()


def chain_head(conn: sa.Connection) -> tuple[int, str]:
    row = conn.execute(
        sa.select(LedgerChainHead.last_seq, LedgerChainHead.last_hash).where(
            LedgerChainHead.id == 1
        )
    ).first()
    return (0, GENESIS) if row is None else (row[0], row[1])


def stream_transfers(
    conn: sa.Connection, *, up_to_seq: int | None = None, batch_size: int = STREAM_BATCH
) -> Iterator[Sequence[Any]]:
    """Each transfer's ``FIELDS`` and stored ``hash`` in seq order (kind and modality as
    plain text, ``created_at`` a naive UTC datetime)."""
    columns = [
        sa.type_coerce(_transfers.c[name], sa.String)
        if name in ("kind", "modality")
        else _transfers.c[name]
        for name in FIELDS
    ]
    query = sa.select(*columns, _transfers.c.hash).order_by(_transfers.c.seq)
    if up_to_seq is not None:
        query = query.where(_transfers.c.seq <= up_to_seq)
    with conn.execute(query.execution_options(yield_per=batch_size)) as result:
        yield from result


def verify_chain(conn: sa.Connection | None = None) -> ChainReport:
    """Recompute every hash in seq order up to the chain head; report the first break.

    The head is read first, so transfers posted during the walk are left for the
    next check rather than reported as a mismatch.
    """
    conn = conn or snapshot()
    last_seq, last_hash = chain_head(conn)
    report = check_chain(stream_transfers(conn, up_to_seq=last_seq))
    if not report.is_intact:
        return report
    if report.count != last_seq or report.last_hash != last_hash:
        reason = (
            f"the chain head names seq {last_seq} and hash {last_hash[:12]}..., "
            f"the transfers end at seq {report.count} and hash {report.last_hash[:12]}..."
        )
        return ChainReport(report.count, report.last_hash, None, None, reason)
    return report


@dataclass(frozen=True)
class BalanceReport:
    """The accounts' stored totals against the totals their transfers make."""

    accounts: int
    transfer_id: str | None = None
    account_code: str | None = None
    reason: str | None = None

    @property
    def is_intact(self) -> bool:
        return self.reason is None


def verify_balances(conn: sa.Connection | None = None) -> BalanceReport:
    """Every transfer is in its accounts' currency, and every account's four totals
    equal what its transfers add up to."""
    conn = conn or snapshot()
    mismatch = _first_currency_mismatch(conn)
    if mismatch is not None:
        return mismatch
    expected = _recomputed_totals(conn)
    accounts = conn.execute(
        sa.select(
            _accounts.c.id, _accounts.c.code, *(_accounts.c[name] for name in TOTALS)
        ).order_by(_accounts.c.id)
    ).all()
    for account_id, code, *stored in accounts:
        made = expected.pop(account_id, [0, 0, 0, 0])
        for name, have, want in zip(TOTALS, stored, made, strict=True):
            if have != want:
                reason = f"{name} is {have}, its transfers make {want}"
                return BalanceReport(len(accounts), None, code, reason)
    if expected:
        return BalanceReport(len(accounts), None, None, "transfers name accounts that do not exist")
    return BalanceReport(len(accounts))


def _first_currency_mismatch(conn: sa.Connection) -> BalanceReport | None:
    debit, credit = _accounts.alias("debit"), _accounts.alias("credit")
    row = conn.execute(
        sa.select(_transfers.c.id, _transfers.c.currency, debit.c.currency, credit.c.currency)
        .join(debit, debit.c.id == _transfers.c.debit_account_id)
        .join(credit, credit.c.id == _transfers.c.credit_account_id)
        .where(
            sa.or_(
                _transfers.c.currency != debit.c.currency,
                _transfers.c.currency != credit.c.currency,
            )
        )
        .order_by(_transfers.c.seq)
        .limit(1)
    ).first()
    if row is None:
        return None
    reason = f"the transfer is in {row[1]}, its accounts in {row[2]} and {row[3]}"
    return BalanceReport(0, row[0], None, reason)


def _recomputed_totals(conn: sa.Connection) -> dict[int, list[int]]:
    """posted and pending debits and credits per account, from the transfers alone."""
    totals: dict[int, list[int]] = {}
    t = _transfers
    posted = t.c.kind.in_(("posted", "post-pending"))
    amount = sa.func.sum(t.c.amount)
    for side, offset in ((t.c.debit_account_id, 0), (t.c.credit_account_id, 1)):
        rows = conn.execute(
            sa.select(side, sa.type_coerce(posted, sa.Boolean), amount)
            .where(t.c.kind.in_(("posted", "post-pending", "pending")))
            .group_by(side, posted)
        )
        for account_id, is_posted, total in rows:
            totals.setdefault(account_id, [0, 0, 0, 0])[offset + (0 if is_posted else 2)] += int(
                total
            )
    # What a pending transfer held is released when it is posted or voided.
    pending, settlement = t.alias("pending"), t.alias("settlement")
    released = conn.execute(
        sa.select(
            pending.c.debit_account_id, pending.c.credit_account_id, sa.func.sum(pending.c.amount)
        )
        .join(settlement, settlement.c.pending_id == pending.c.id)
        .group_by(pending.c.debit_account_id, pending.c.credit_account_id)
    )
    for debit_id, credit_id, total in released:
        totals.setdefault(debit_id, [0, 0, 0, 0])[2] -= int(total)
        totals.setdefault(credit_id, [0, 0, 0, 0])[3] -= int(total)
    return totals
