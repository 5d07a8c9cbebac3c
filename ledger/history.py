"""An account's statement: its transfers with the counterparty and the balance
after each one, a page at a time (newest first) or all of them (oldest first,
for the CSV file); and the recent transfer a form would repeat.

The balance is the posted balance (``credits - debits``): a pending transfer is
listed but moves it only when posted. Transfers are numbered (``seq``) under the
chain head's lock, taken until commit, so the transfers a reader sees always
form a prefix of the chain; that makes a page's balances exact without reading
every older transfer: the balance after the page's newest transfer is the
account's stored balance less what every newer transfer moved, both read in one
statement.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

import sqlalchemy as sa
from babel import Locale
from flask_babel import force_locale, get_locale, get_timezone

from governance.extensions import db
from ledger.amounts import plain
from ledger.models import Account, Currency, Modality, Transfer, TransferKind
from ledger.owners import Names
from ledger.specs import utc_naive

PER_PAGE = 50
CHUNK = 1000
MOVES_BALANCE = (TransferKind.POSTED, TransferKind.POST_PENDING)

_t = Transfer.__table__
_a = Account.__table__
_COLUMNS = (
    _t.c.seq,
    _t.c.id,
    _t.c.kind,
    _t.c.modality,
    _t.c.debit_account_id,
    _t.c.credit_account_id,
    _t.c.amount,
    _t.c.currency,
    _t.c.reference,
    _t.c.memo,
    _t.c.thanks,
    _t.c.created_at,
)


@dataclass(frozen=True)
class Line:
    """One transfer as the account's statement shows it."""

    transfer: Any  # the row: seq, id, kind, modality, amount, memo, thanks, created_at, ...
    counterparty: Account
    signed_amount: int  # + received, - sent
    moves_balance: bool
    balance_after: int


@dataclass(frozen=True)
class StatementPage:
    lines: list[Line]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _either_side(account_id: int, *conditions: Any, newest_first: bool, limit: int) -> Any:
    """The account's transfers on both sides, each side read along its (account, seq)
    index and cut to ``limit`` before they are merged."""
    order = _t.c.seq.desc() if newest_first else _t.c.seq
    sides = [
        sa.select(*_COLUMNS)
        .where(side == account_id, *conditions)
        .order_by(order)
        .limit(limit)
        .subquery()
        for side in (_t.c.debit_account_id, _t.c.credit_account_id)
    ]
    merged = sa.union_all(*(sa.select(side) for side in sides)).subquery()
    return sa.select(merged).order_by(merged.c.seq.desc() if newest_first else merged.c.seq)


def _effect(row: Any, account_id: int) -> tuple[int, bool]:
    signed = row.amount if row.credit_account_id == account_id else -row.amount
    return signed, row.kind in MOVES_BALANCE


def _counterparties(rows: list[Any], account_id: int, known: dict[int, Account]) -> None:
    wanted = {
        row.debit_account_id if row.credit_account_id == account_id else row.credit_account_id
        for row in rows
    } - set(known)
    if wanted:
        query = sa.select(Account).where(Account.id.in_(wanted))
        known.update((a.id, a) for a in db.session.execute(query).scalars())


def _line(row: Any, account_id: int, known: dict[int, Account], balance_after: int) -> Line:
    signed, moves = _effect(row, account_id)
    other = row.debit_account_id if signed > 0 else row.credit_account_id
    return Line(row, known[other], signed, moves, balance_after)


def statement_page(account: Account, page: int, per_page: int = PER_PAGE) -> StatementPage:
    """Page ``page`` (from 1) of the account's transfers, newest first."""
    offset = (page - 1) * per_page
    rows = list(
        db.session.execute(
            _either_side(account.id, newest_first=True, limit=offset + per_page)
            .offset(offset)
            .limit(per_page)
        )
    )
    total = db.session.execute(
        sa.select(
            sa.select(sa.func.count()).where(_t.c.debit_account_id == account.id).scalar_subquery()
            + sa.select(sa.func.count())
            .where(_t.c.credit_account_id == account.id)
            .scalar_subquery()
        )
    ).scalar_one()
    if not rows:
        return StatementPage([], page, per_page, total)
    balance = _balance_after(account.id, rows[0].seq)
    known: dict[int, Account] = {}
    _counterparties(rows, account.id, known)
    lines = []
    for row in rows:
        lines.append(_line(row, account.id, known, balance))
        signed, moves = _effect(row, account.id)
        if moves:
            balance -= signed
    return StatementPage(lines, page, per_page, total)


def _balance_after(account_id: int, seq: int) -> int:
    """The posted balance right after transfer ``seq``: the stored balance less what
    the newer transfers moved (one statement, so one snapshot)."""

    def newer(side: Any) -> Any:
        return (
            sa.select(sa.func.coalesce(sa.func.sum(_t.c.amount), 0))
            .where(side == account_id, _t.c.seq > seq, _t.c.kind.in_(MOVES_BALANCE))
            .scalar_subquery()
        )

    query = sa.select(
        _a.c.posted_credits
        - _a.c.posted_debits
        - newer(_t.c.credit_account_id)
        + newer(_t.c.debit_account_id)
    ).where(_a.c.id == account_id)
    return int(db.session.execute(query).scalar_one())


def accounts_by_id(ids: set[int]) -> dict[int, Account]:
    query = sa.select(Account).where(Account.id.in_(ids))
    return {a.id: a for a in db.session.execute(query).scalars()}


def related_transfers(
    transfer: Transfer, *, neighbours: int
) -> tuple[list[Transfer], list[tuple[Transfer, tuple[Account, Account]]]]:
    """The transfers that post, void or reverse ``transfer``, and the others of its
    batch within ``neighbours`` of it, each with its (debit, credit) accounts. A
    batch is posted under one lock of the chain head, so its seqs are consecutive
    and no index on ``batch`` is needed."""
    t = Transfer
    points_here = sa.or_(t.pending_id == transfer.id, t.reverses_id == transfer.id)
    settled_by = list(db.session.execute(sa.select(t).where(points_here)).scalars())
    if transfer.batch is None:
        return settled_by, []
    near = t.seq.between(transfer.seq - neighbours, transfer.seq + neighbours)
    query = sa.select(t).where(near, t.batch == transfer.batch, t.seq != transfer.seq)
    batch = list(db.session.execute(query.order_by(t.seq)).scalars())
    accounts = accounts_by_id({i for x in batch for i in (x.debit_account_id, x.credit_account_id)})
    pairs = [(x, (accounts[x.debit_account_id], accounts[x.credit_account_id])) for x in batch]
    return settled_by, pairs


def last_seq(account_id: int) -> int | None:
    """The seq of the account's newest transfer, None if it has none."""
    lasts = db.session.execute(
        sa.select(
            *(
                sa.select(sa.func.max(_t.c.seq)).where(side == account_id).scalar_subquery()
                for side in (_t.c.debit_account_id, _t.c.credit_account_id)
            )
        )
    ).one()
    return max((seq for seq in lasts if seq is not None), default=None)


def all_lines(account_id: int, *, last: int | None = None) -> Iterator[Line]:
    """Every transfer of the account, oldest first, with the balance after each, up to
    transfer ``last`` (by default its newest when the reading begins): read a chunk
    at a time by seq, each chunk with its own queries."""
    if last is None:
        last = last_seq(account_id)
        if last is None:
            return
    balance, after = 0, 0
    while after < last:
        rows = list(
            db.session.execute(
                _either_side(
                    account_id, _t.c.seq > after, _t.c.seq <= last, newest_first=False, limit=CHUNK
                ).limit(CHUNK)
            )
        )
        if not rows:
            return
        # Read again for each chunk: a streamed file may change sessions between two.
        known: dict[int, Account] = {}
        _counterparties(rows, account_id, known)
        for row in rows:
            signed, moves = _effect(row, account_id)
            if moves:
                balance += signed
            yield _line(row, account_id, known, balance)
        after = rows[-1].seq


CSV_HEADER = (
    "seq",
    "date",
    "transfer_id",
    "modality",
    "kind",
    "counterparty",
    "counterparty_account",
    "memo",
    "thanks",
    "reference",
    "currency",
    "amount",
    "amount_minor",
    "balance",
    "balance_minor",
)


def _cell(text: str | None) -> str:
    """Text a member wrote, kept from being read as a formula by a spreadsheet."""
    text = text or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@dataclass(frozen=True)
class CsvRequest:
    """What the CSV file needs from the request, as plain values.

    The file streams after the request's commit and teardown: by then the
    request's session is closed, its ORM objects (the account, the member behind
    ``current_user``) are detached, and reading one of their attributes raises.
    So all of it is read in the view, and the file is written from these values in
    a session of its own."""

    account_id: int
    currency: str
    minor_units: int
    last_seq: int | None  # the file ends where the account stood when it was asked for
    timezone: tzinfo
    locale: Locale


def csv_request(account: Account, currency: Currency) -> CsvRequest:
    """Read, in the request, everything the CSV file of ``account`` will need."""
    return CsvRequest(
        account_id=account.id,
        currency=currency.code,
        minor_units=currency.minor_units,
        last_seq=last_seq(account.id),
        timezone=get_timezone(),
        locale=get_locale(),
    )


def csv_lines(wanted: CsvRequest) -> Iterator[str]:
    """The statement as CSV, oldest first: dates in the member's time zone (ISO 8601),
    amounts signed in major units with the currency's decimals and in minor units,
    and the posted balance after each transfer. Yields a chunk of rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    if wanted.last_seq is None:
        yield _drain(buffer)
        return
    with force_locale(str(wanted.locale)):  # the names of the network's accounts
        chunk: list[Line] = []
        for line in all_lines(wanted.account_id, last=wanted.last_seq):
            chunk.append(line)
            if len(chunk) == CHUNK:
                _write(writer, chunk, wanted)
                chunk = []
                yield _drain(buffer)
        _write(writer, chunk, wanted)
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _write(writer: Any, lines: list[Line], wanted: CsvRequest) -> None:
    names = Names([line.counterparty for line in lines])
    units = wanted.minor_units
    for line in lines:
        row = line.transfer
        amount = line.signed_amount
        writer.writerow(
            (
                row.seq,
                _local(row.created_at, wanted.timezone).isoformat(timespec="seconds"),
                row.id,
                str(row.modality),
                str(row.kind),
                _cell(names.account(line.counterparty)),
                line.counterparty.code,
                _cell(row.memo),
                _cell(row.thanks),
                _cell(row.reference),
                wanted.currency,
                plain(amount, units),
                amount,
                plain(line.balance_after, units),
                line.balance_after,
            )
        )


def _local(moment: datetime, zone: Any) -> datetime:
    """A stored (naive UTC) time in the member's zone (a pytz zone needs normalising)."""
    local = moment.replace(tzinfo=UTC).astimezone(zone)
    return zone.normalize(local) if hasattr(zone, "normalize") else local


# ---------------------------------------------------------------- a form sent again

# How far back the look-up for a repeated form reads an account's debits, newest
# first along its (account, seq) index: an account that sends more than this in a
# few minutes is no member at a form, and the look-up stays cheap on a busy one.
REPEAT_SCAN = 100


def _latest_debits(account_id: int, since: datetime) -> Any:
    """The account's latest debits (at most ``REPEAT_SCAN``) posted since ``since``."""
    latest = (
        sa.select(_t.c.seq)
        .where(_t.c.debit_account_id == account_id)
        .order_by(_t.c.seq.desc())
        .limit(REPEAT_SCAN)
    )
    return sa.and_(Transfer.seq.in_(latest), Transfer.created_at >= utc_naive(since))


def recent_repeat(
    debit_id: int,
    credit_id: int,
    amount: int,
    modality: Modality,
    *,
    since: datetime,
    other_than: str,
) -> Transfer | None:
    """The newest transfer posted since ``since`` between the same two accounts, of the
    same amount and modality, under an id other than ``other_than``: what a form sent
    again after the browser's Back button would repeat."""
    query = (
        sa.select(Transfer)
        .where(
            _latest_debits(debit_id, since),
            Transfer.credit_account_id == credit_id,
            Transfer.amount == amount,
            Transfer.modality == modality,
            Transfer.id != other_than,
        )
        .order_by(Transfer.seq.desc())
        .limit(1)
    )
    return db.session.execute(query).scalar_one_or_none()


def recent_conversion(
    held_id: int, received_id: int, amount: int, *, since: datetime, other_than: str
) -> Transfer | None:
    """The newest conversion since ``since`` of ``amount`` out of account ``held_id``
    into ``received_id`` (so by the same owner, in the same direction), in a batch
    other than ``other_than``; its first leg. Its first leg debits the account
    converted from, and its second (the next seq: a batch is posted under one lock)
    credits the account converted into."""
    first, second = Transfer, sa.orm.aliased(Transfer)
    query = (
        sa.select(first)
        .join(second, sa.and_(second.seq == first.seq + 1, second.batch == first.batch))
        .where(
            _latest_debits(held_id, since),
            first.modality == Modality.CONVERSION,
            first.amount == amount,
            first.batch != other_than,
            second.credit_account_id == received_id,
        )
        .order_by(first.seq.desc())
        .limit(1)
    )
    return db.session.execute(query).scalar_one_or_none()
