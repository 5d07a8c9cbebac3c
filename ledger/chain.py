"""The ledger's hash chain: the canonical line of a transfer, its hash, and a checker.

Pure Python (``hashlib`` only), so that ``python -m ledger.verify`` and any third
party can check an export without a database; ``ledger/README.md`` specifies the
format this module implements. In short: a transfer's hash is the sha256 hex of
the UTF-8 bytes of one line,

    L1|seq|id|kind|modality|debit_account_id|credit_account_id|amount|currency|
    pending_id|reverses_id|batch|reference|memo|thanks|created_at|prev_hash

(one line, no spaces, no newline at the end), where text fields are escaped
(``\\`` → ``\\\\``, ``|`` → ``\\|``) and an absent value is ``\\N``; the first
transfer's ``prev_hash`` is 64 zeros and every later one's is the hash of the
transfer before it in ``seq`` order (1, 2, 3, ... with no gap).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

VERSION = "L1"
GENESIS = "0" * 64

# The hashed fields in the order of the canonical line; a row given to the
# checker has these and then the stored ``hash``.
FIELDS = (
    "seq",
    "id",
    "kind",
    "modality",
    "debit_account_id",
    "credit_account_id",
    "amount",
    "currency",
    "pending_id",
    "reverses_id",
    "batch",
    "reference",
    "memo",
    "thanks",
    "created_at",
    "prev_hash",
)
KINDS = frozenset({"posted", "pending", "post-pending", "void-pending"})
MODALITIES = frozenset(
    {"purchase", "barter", "donation", "disbursement", "conversion", "reversal", "deposit"}
)
NULL = "\\N"


def escape(value: str | None) -> str:
    """A text field as written in the canonical line."""
    if value is None:
        return NULL
    if "\\" in value or "|" in value:
        return value.replace("\\", "\\\\").replace("|", "\\|")
    return value


def format_timestamp(value: datetime) -> str:
    """``created_at`` as hashed: UTC, ``YYYY-MM-DDTHH:MM:SS.ffffff`` (always 26 characters)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def canonical_middle(
    transfer_id: str,
    kind: str,
    modality: str,
    debit_account_id: int,
    credit_account_id: int,
    amount: int,
    currency: str,
    pending_id: str | None,
    reverses_id: str | None,
    batch: str | None,
    reference: str | None,
    memo: str | None,
    thanks: str | None,
    created_at: str,
) -> str:
    """The canonical line between ``seq`` and ``prev_hash``, the two fields that come
    from the chain head: ``canonical_line`` is ``L1|seq|middle|prev_hash``."""
    return (
        f"{escape(transfer_id)}|{kind}|{modality}|{debit_account_id:d}|"
        f"{credit_account_id:d}|{amount:d}|{escape(currency)}|{escape(pending_id)}|"
        f"{escape(reverses_id)}|{escape(batch)}|{escape(reference)}|{escape(memo)}|"
        f"{escape(thanks)}|{created_at}"
    )


def canonical_line(seq: int, *fields: Any) -> str:
    """The line whose UTF-8 bytes are hashed (see ``ledger/README.md``): ``seq``, then
    the other ``FIELDS`` in order, ``prev_hash`` last."""
    *middle, prev_hash = fields
    return f"{VERSION}|{seq:d}|{canonical_middle(*middle)}|{prev_hash}"


def transfer_hash(*fields: Any) -> str:
    """The sha256 hex of the canonical line of ``fields`` (in ``FIELDS`` order)."""
    return hashlib.sha256(canonical_line(*fields).encode()).hexdigest()


class ChainChecker:
    """Checks transfers one at a time, in the order they are stored.

    ``check(row)`` takes the ``FIELDS`` and then the stored hash (``created_at``
    as a ``datetime`` or already as its canonical text) and returns ``None`` or
    the reason the row breaks the chain. After a bad row the checker stops
    being meaningful: callers report the first and stop.
    """

    __slots__ = ("count", "last_hash", "next_seq")

    def __init__(self) -> None:
        self.count = 0
        self.next_seq = 1
        self.last_hash = GENESIS

    def check(self, row: Sequence[Any]) -> str | None:
        (
            seq,
            transfer_id,
            kind,
            modality,
            debit_account_id,
            credit_account_id,
            amount,
            currency,
            pending_id,
            reverses_id,
            batch,
            reference,
            memo,
            thanks,
            created_at,
            prev_hash,
            stored_hash,
        ) = row
        self.count += 1
        if seq != self.next_seq:
            return f"expected seq {self.next_seq}, found {seq}"
        if prev_hash != self.last_hash:
            return "its previous hash is not the hash of the transfer before it"
        if kind not in KINDS or modality not in MODALITIES:
            return "unknown kind or modality"
        if type(created_at) is not str:
            created_at = format_timestamp(created_at)
        line = (
            f"{VERSION}|{seq:d}|{escape(transfer_id)}|{kind}|{modality}|{debit_account_id:d}|"
            f"{credit_account_id:d}|{amount:d}|{escape(currency)}|{escape(pending_id)}|"
            f"{escape(reverses_id)}|{escape(batch)}|{escape(reference)}|{escape(memo)}|"
            f"{escape(thanks)}|{created_at}|{prev_hash}"
        )
        if hashlib.sha256(line.encode()).hexdigest() != stored_hash:
            return "its hash does not match its fields"
        self.last_hash = stored_hash
        self.next_seq += 1
        return None


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a walk along the chain; ``first_bad_id`` names the first break."""

    count: int
    last_hash: str
    first_bad_id: str | None = None
    first_bad_seq: int | None = None
    reason: str | None = None

    @property
    def is_intact(self) -> bool:
        return self.reason is None


def check_chain(rows: Iterable[Sequence[Any]]) -> ChainReport:
    """Walk ``rows`` (``FIELDS`` + stored hash, in seq order); report the first break."""
    checker = ChainChecker()
    check = checker.check
    for row in rows:
        reason = check(row)
        if reason is not None:
            return ChainReport(checker.count, checker.last_hash, row[1], row[0], reason)
    return ChainReport(checker.count, checker.last_hash)
