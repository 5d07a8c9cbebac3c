"""Posting to the ledger, in the spirit of TigerBeetle, with SQLAlchemy Core.

Every posting, one transfer or a linked batch, runs these steps in the caller's
transaction (the caller commits, once):

1. check each transfer's fields (pure Python, ``ledger.specs``);
2. read the stored transfers it settles (a pending one to post or void, one to
   reverse): they are immutable, so no lock;
3. lock the accounts involved, ``SELECT ... FOR UPDATE`` in id order, and check
   that they exist and are in the transfer's currency;
4. apply the transfers in order to the locked totals, refusing any that would
   take an account below its credit limit (pending debits count);
5. lock the chain head, last: number and hash the transfers after it;
6. write the transfers, the accounts' new totals and the new head.

Ids already stored (a replay returns the first result; other fields are
refused) and transfers already settled (posted, voided, reversed) are found on
PostgreSQL by the write itself: its guard runs under the head's lock, which
every insert takes, so it sees every transfer committed before it and, if one
conflicts, writes nothing (``ledger.statements``); the posting then reads what
conflicts and answers accordingly. SQLite (one writer at a time) reads them
before step 4. A refusal in step 4 also looks for a replay first: a replayed
transfer need not fit the balances of today.

So every refusal comes before anything is written: an error leaves the
transaction as it was, nothing posted and nothing to undo. Postings take one
chain head (this ledger's), never the audit log's: a transfer is its own audit
record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from governance.extensions import db
from ledger import chain, statements
from ledger.errors import (
    AlreadyReversed,
    CurrencyMismatch,
    InsufficientFunds,
    InvalidAmount,
    InvalidBatch,
    LedgerError,
    NotPending,
    NotReversible,
    PendingAlreadyResolved,
    TransferIdReused,
    UnknownAccount,
    UnknownTransfer,
)
from ledger.models import MAX_AMOUNT, Account, LedgerChainHead, Modality, TransferKind
from ledger.specs import (
    MAX_BATCH,
    MODALITIES,
    PostPendingSpec,
    ReversalSpec,
    Spec,
    TransferResult,
    TransferSpec,
    VoidPendingSpec,
    check_batch_id,
    check_fields,
    located,
    ref_of,
    text_or_none,
    utc_naive,
)

POSTED_KINDS = (TransferKind.POSTED, TransferKind.POST_PENDING)
# The fields a replay must repeat: the chained ones but seq, id, time and hashes.
_COMPARED = tuple(
    name for name in chain.FIELDS if name not in ("seq", "id", "created_at", "prev_hash", "hash")
)


# ---------------------------------------------------------------- public operations


def post(spec: TransferSpec, *, now: datetime) -> TransferResult:
    """Post one transfer (or hold it as pending); a replay of its id returns the first result.

    Raises a ``LedgerError`` (and posts nothing) for a malformed transfer, an
    unknown account, a currency mismatch, insufficient funds or credit, or an id
    already posted with other fields.
    """
    return _post([spec], None, now)[0]


def post_batch(
    specs: Sequence[Spec], *, now: datetime, batch_id: str | None = None
) -> list[TransferResult]:
    """Post linked transfers whole or not at all, applied in order (a later one may post,
    void or reverse an earlier one). ``batch_id`` (default: the first transfer's id)
    is stored on each. Replaying the whole batch returns the first results."""
    if not specs:
        raise InvalidBatch("A batch holds at least one transfer.")
    if len(specs) > MAX_BATCH:
        raise InvalidBatch(f"A batch holds at most {MAX_BATCH} transfers.")
    return _post(specs, _FIRST_ID if batch_id is None else check_batch_id(batch_id), now)


def post_pending(
    pending_id: str,
    new_id: str,
    *,
    now: datetime,
    amount: int | None = None,
    memo: str | None = None,
) -> TransferResult:
    """Post a pending transfer under the new id ``new_id``: all of it or ``amount`` of it
    (what it held beyond that is released)."""
    return _post([PostPendingSpec(new_id, pending_id, amount, memo)], None, now)[0]


def void_pending(
    pending_id: str, new_id: str, *, now: datetime, memo: str | None = None
) -> TransferResult:
    """Void a pending transfer under the new id ``new_id``, releasing what it held."""
    return _post([VoidPendingSpec(new_id, pending_id, memo)], None, now)[0]


def reverse(
    transfer_id: str,
    new_id: str,
    *,
    now: datetime,
    memo: str | None = None,
    reference: str | None = None,
) -> TransferResult:
    """Reverse posted money by a new transfer ``new_id`` the other way, pointing to the
    original (a transfer is reversed once; a reversal may itself be reversed once)."""
    return _post([ReversalSpec(new_id, transfer_id, memo, reference)], None, now)[0]


# ---------------------------------------------------------------- the steps


_FIRST_ID = ""  # a batch named after its first transfer (ids are never empty)


def _post(specs: Sequence[Spec], batch: str | None, now: datetime) -> list[TransferResult]:
    created_at = utc_naive(now)
    check_fields(specs)
    if batch == _FIRST_ID:
        batch = specs[0].id
    db.session.flush()  # Core statements do not autoflush what the ORM holds
    conn = db.session.connection()
    sql = statements.for_dialect(conn.dialect)
    referenced = _read_referenced(conn, sql, specs)
    intended = _intended_rows(specs, referenced, batch)
    states = _lock_accounts(conn, sql, intended)
    if not sql.write_is_guarded and (replays := _settled(conn, sql, intended, referenced)):
        return replays
    try:
        _apply(intended, referenced, states)
    except LedgerError:
        if replays := _settled(conn, sql, intended, referenced):
            return replays
        raise
    refs = list(referenced)
    if not _append(conn, sql, intended, states, refs, created_at):
        # The write found one of the ids, or a settlement, stored: say which. With
        # nothing stored, the chain had no head yet: the general path makes one.
        if replays := _settled(conn, sql, intended, referenced):
            return replays
        if not _append(conn, sql, intended, states, refs, created_at, chain_in_database=False):
            raise RuntimeError("the ledger refused a write that conflicts with nothing stored")
    _expire_orm_accounts(states)
    db.session.info["ledger_posted"] = True  # ledger.outbox_queue sends it after the commit
    return [TransferResult(**row) for row in intended]


def _read_referenced(
    conn: sa.Connection, sql: statements.PostingSql, specs: Sequence[Spec]
) -> dict[str, dict[str, Any]]:
    """Step 2: the stored transfers that the batch posts, voids or reverses."""
    in_batch = {spec.id for spec in specs}
    wanted = [ref for spec in specs if (ref := ref_of(spec)) and ref not in in_batch]
    if not wanted:
        return {}
    return {row["id"]: dict(row) for row in sql.transfers_by_id(conn, wanted)}


def _intended_rows(
    specs: Sequence[Spec], referenced: dict[str, dict[str, Any]], batch: str | None
) -> list[dict[str, Any]]:
    """Each transfer's stored fields but seq, created_at and the hashes (the ones a replay
    must repeat), resolving references to stored or earlier transfers of the batch."""
    rows: list[dict[str, Any]] = []
    earlier: dict[str, dict[str, Any]] = {}
    for index, spec in enumerate(specs):
        try:
            row = _intended(spec, referenced, earlier, batch)
        except LedgerError as error:
            raise located(error, spec, index) from None
        rows.append(row)
        earlier[spec.id] = row
    _refuse_second_settlements(rows, set(), set())
    return rows


def _refuse_second_settlements(
    rows: list[dict[str, Any]], resolved: set[str], reversed_: set[str]
) -> None:
    """A pending transfer is posted or voided once, a transfer reversed once: not
    again after ``resolved`` and ``reversed_``, nor twice within the batch."""
    for index, row in enumerate(rows):
        pending_id, reverses_id = row["pending_id"], row["reverses_id"]
        if pending_id is not None:
            if pending_id in resolved:
                raise PendingAlreadyResolved(
                    f"Transfer {pending_id} was already posted or voided.",
                    transfer_id=row["id"],
                    index=index,
                )
            resolved.add(pending_id)
        if reverses_id is not None:
            if reverses_id in reversed_:
                raise AlreadyReversed(
                    f"Transfer {reverses_id} was already reversed.",
                    transfer_id=row["id"],
                    index=index,
                )
            reversed_.add(reverses_id)


def _intended(
    spec: Spec,
    referenced: dict[str, dict[str, Any]],
    earlier: dict[str, dict[str, Any]],
    batch: str | None,
) -> dict[str, Any]:
    if type(spec) is TransferSpec:
        return {
            "id": spec.id,
            "kind": TransferKind.PENDING if spec.is_pending else TransferKind.POSTED,
            "modality": MODALITIES[spec.modality],
            "debit_account_id": spec.debit_account_id,
            "credit_account_id": spec.credit_account_id,
            "amount": spec.amount,
            "currency": spec.currency,
            "pending_id": None,
            "reverses_id": None,
            "batch": batch,
            "reference": text_or_none(spec.reference),
            "memo": text_or_none(spec.memo),
            "thanks": text_or_none(spec.thanks),
        }
    ref_id = ref_of(spec)
    assert ref_id is not None
    ref = earlier.get(ref_id) or referenced.get(ref_id)
    if ref is None:
        raise UnknownTransfer(f"There is no transfer {ref_id}.")
    row = {field: ref[field] for field in _COMPARED}
    row.update(id=spec.id, batch=batch, memo=text_or_none(spec.memo), thanks=None, reverses_id=None)
    if type(spec) is ReversalSpec:
        if ref["kind"] not in POSTED_KINDS:
            raise NotReversible(
                f"Transfer {ref_id} is {ref['kind']}: only posted money is reversed "
                "(a pending transfer is voided)."
            )
        row.update(
            kind=TransferKind.POSTED,
            modality=Modality.REVERSAL,
            debit_account_id=ref["credit_account_id"],
            credit_account_id=ref["debit_account_id"],
            reverses_id=ref_id,
            pending_id=None,
            reference=text_or_none(spec.reference) or ref["reference"],
        )
        return row
    if ref["kind"] != TransferKind.PENDING:
        raise NotPending(f"Transfer {ref_id} is {ref['kind']}, not pending.")
    row.update(pending_id=ref_id)
    if type(spec) is PostPendingSpec:
        if spec.amount is not None and spec.amount > ref["amount"]:
            raise InvalidAmount(
                f"Transfer {ref_id} holds {ref['amount']}; no more than that can be posted."
            )
        row.update(kind=TransferKind.POST_PENDING, amount=spec.amount or ref["amount"])
    else:
        row.update(kind=TransferKind.VOID_PENDING)
    return row


class _Balance:
    """A locked account's totals as the batch moves them."""

    __slots__ = (
        "code",
        "credit_limit",
        "currency",
        "id",
        "initial",
        "may_go_negative",
        "pending_credits",
        "pending_debits",
        "posted_credits",
        "posted_debits",
    )

    def __init__(self, row: Any) -> None:
        (
            self.id,
            self.code,
            self.currency,
            self.credit_limit,
            self.may_go_negative,
            self.posted_debits,
            self.posted_credits,
            self.pending_debits,
            self.pending_credits,
        ) = row
        self.initial = self.totals()

    def totals(self) -> tuple[int, int, int, int]:
        return (self.posted_debits, self.posted_credits, self.pending_debits, self.pending_credits)

    def available(self) -> int:
        return self.posted_credits - self.posted_debits - self.pending_debits + self.credit_limit


def _lock_accounts(
    conn: sa.Connection, sql: statements.PostingSql, rows: list[dict[str, Any]]
) -> dict[int, _Balance]:
    """Step 3: lock every account involved, in id order (so postings never deadlock)."""
    ids = sorted({row[side] for row in rows for side in ("debit_account_id", "credit_account_id")})
    states = {state.id: state for state in map(_Balance, sql.lock_accounts(conn, ids))}
    for index, row in enumerate(rows):
        for side in ("debit_account_id", "credit_account_id"):
            state = states.get(row[side])
            if state is None:
                raise UnknownAccount(
                    f"There is no account {row[side]}.", transfer_id=row["id"], index=index
                )
            if state.currency != row["currency"]:
                raise CurrencyMismatch(
                    f"Account {state.code} is in {state.currency}, the transfer in "
                    f"{row['currency']}.",
                    transfer_id=row["id"],
                    index=index,
                )
    return states


def _settled(
    conn: sa.Connection,
    sql: statements.PostingSql,
    intended: list[dict[str, Any]],
    referenced: dict[str, dict[str, Any]],
) -> list[TransferResult] | None:
    """Ids already stored and transfers already settled: the first results when every
    id was posted before with the same fields, ``None`` when nothing conflicts, and
    otherwise the refusal."""
    ids = [row["id"] for row in intended]
    refs = list(referenced)
    found = sql.related(conn, ids, refs)
    stored = {row["id"]: row for row in found}
    if any(transfer_id in stored for transfer_id in ids):
        return _replayed(intended, stored)
    resolved = {row["pending_id"] for row in found if row["pending_id"] in referenced}
    reversed_ = {row["reverses_id"] for row in found if row["reverses_id"] in referenced}
    _refuse_second_settlements(intended, resolved, reversed_)
    return None


def _replayed(intended: list[dict[str, Any]], stored: dict[str, Any]) -> list[TransferResult]:
    for index, row in enumerate(intended):
        first = stored.get(row["id"])
        if first is None:
            raise TransferIdReused(
                "Part of this batch was posted before, without this transfer: "
                "a batch is replayed whole or not at all.",
                transfer_id=row["id"],
                index=index,
            )
        differing = [field for field in _COMPARED if first[field] != row[field]]
        if differing:
            raise TransferIdReused(
                f"Transfer {row['id']} was already posted with another {', '.join(differing)}.",
                transfer_id=row["id"],
                index=index,
            )
    return [TransferResult.from_row(stored[row["id"]], is_replay=True) for row in intended]


def _apply(
    intended: list[dict[str, Any]],
    referenced: dict[str, dict[str, Any]],
    states: dict[int, _Balance],
) -> None:
    """Step 4: move the locked totals, transfer by transfer, refusing any overdraft."""
    held_by = {row["id"]: row["amount"] for row in intended}
    held_by.update((ref_id, ref["amount"]) for ref_id, ref in referenced.items())
    for index, row in enumerate(intended):
        debit, credit = states[row["debit_account_id"]], states[row["credit_account_id"]]
        kind, amount = row["kind"], row["amount"]
        if kind == TransferKind.POSTED:
            if not debit.may_go_negative and amount > debit.available():
                raise _insufficient(debit, row, index)
            debit.posted_debits += amount
            credit.posted_credits += amount
        elif kind == TransferKind.PENDING:
            if not debit.may_go_negative and amount > debit.available():
                raise _insufficient(debit, row, index)
            debit.pending_debits += amount
            credit.pending_credits += amount
        else:
            # Posting or voiding releases all the pending transfer held.
            held = held_by[row["pending_id"]]
            debit.pending_debits -= held
            credit.pending_credits -= held
            if kind == TransferKind.POST_PENDING:
                debit.posted_debits += amount
                credit.posted_credits += amount
        if max(credit.totals()) > MAX_AMOUNT or max(debit.totals()) > MAX_AMOUNT:
            raise InvalidAmount(
                "This transfer would take an account's totals beyond what the ledger can hold.",
                transfer_id=row["id"],
                index=index,
            )


def _insufficient(account: _Balance, row: dict[str, Any], index: int) -> InsufficientFunds:
    return InsufficientFunds(
        f"Account {account.code} has {account.available()} {account.currency} available "
        f"(credit limit included); transfer {row['id']} needs {row['amount']}.",
        transfer_id=row["id"],
        index=index,
    )


def _append(
    conn: sa.Connection,
    sql: statements.PostingSql,
    intended: list[dict[str, Any]],
    states: dict[int, _Balance],
    refs: list[str],
    created_at: datetime,
    *,
    chain_in_database: bool = True,
) -> bool:
    """Steps 5 and 6: lock the chain head, number and hash the transfers, write them,
    the accounts' totals and the head. False if the guard wrote nothing.

    One transfer on PostgreSQL goes in a single statement that locks the head
    itself, so the head is held for that statement and the commit only."""
    stamp = chain.format_timestamp(created_at)
    moves = []
    for state in states.values():
        now, before = state.totals(), state.initial
        if now != before:
            moves.append((state.id, *(after - was for after, was in zip(now, before, strict=True))))
    for row in intended:
        row["created_at"] = created_at
    if chain_in_database and sql.chains_one and len(intended) == 1 and len(moves) == 2:
        row = intended[0]
        written = sql.write_chained(conn, row, moves, _middle(row, stamp))
        if written is None:
            return False
        row["seq"], row["prev_hash"], row["hash"] = written
        return True
    seq, prev_hash = _lock_head(conn, sql)
    sha256 = hashlib.sha256
    for row in intended:
        seq += 1
        row["seq"], row["prev_hash"] = seq, prev_hash
        line = f"{chain.VERSION}|{seq}|{_middle(row, stamp)}|{prev_hash}"
        prev_hash = row["hash"] = sha256(line.encode()).hexdigest()
    return sql.write(conn, intended, moves, (seq, prev_hash), refs)


def _middle(row: dict[str, Any], stamp: str) -> str:
    """The row's canonical line between seq and prev_hash (``chain.canonical_middle``)."""
    return chain.canonical_middle(
        row["id"],
        row["kind"],
        row["modality"],
        row["debit_account_id"],
        row["credit_account_id"],
        row["amount"],
        row["currency"],
        row["pending_id"],
        row["reverses_id"],
        row["batch"],
        row["reference"],
        row["memo"],
        row["thanks"],
        stamp,
    )


def _lock_head(conn: sa.Connection, sql: statements.PostingSql) -> tuple[int, str]:
    head = sql.lock_head(conn)
    if head is None:
        # The migration writes the head; a database made by create_all lacks it.
        # A concurrent first writer waits on the key, then locks the committed row.
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(LedgerChainHead.__table__)
        conn.execute(
            insert.values(id=1, last_seq=0, last_hash=chain.GENESIS).on_conflict_do_nothing()
        )
        head = sql.lock_head(conn)
    return head[0], head[1]


_BALANCE_FIELDS = ["posted_debits", "posted_credits", "pending_debits", "pending_credits"]


def _expire_orm_accounts(states: dict[int, _Balance]) -> None:
    """Accounts the session already holds show the totals just written (Core went past it)."""
    session = db.session()
    keys = session.identity_map.keys()
    held = [key for key in keys if key[0] is Account and key[1][0] in states]
    for key in held:
        account = session.identity_map.get(key)
        if account is not None:
            session.expire(account, _BALANCE_FIELDS)
