"""What a caller asks the ledger to post, what it gets back, and the checks on the
fields alone (pure Python: nothing here reads the database).

A ``TransferSpec`` moves money (or, with ``is_pending``, reserves it); the
other three settle earlier transfers under ids of their own: ``PostPendingSpec``
posts a pending transfer (all of it or less), ``VoidPendingSpec`` releases it,
``ReversalSpec`` undoes posted money by a transfer the other way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from ledger.errors import InvalidAmount, InvalidBatch, InvalidTransfer, LedgerError
from ledger.models import MAX_AMOUNT, Modality, TransferKind

# Ids are idempotency keys chosen by the caller: a UUID, "decision:42:tranche:1", ...
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
MAX_BATCH = 8000
TEXT_LIMITS = {"reference": 128, "memo": 1000, "thanks": 1000}


@dataclass(frozen=True, slots=True)
class TransferSpec:
    """A transfer to post, or to hold as pending (``is_pending``) until posted or voided."""

    id: str
    debit_account_id: int
    credit_account_id: int
    amount: int
    currency: str
    modality: Modality | str
    reference: str | None = None
    memo: str | None = None
    thanks: str | None = None
    is_pending: bool = False


@dataclass(frozen=True, slots=True)
class PostPendingSpec:
    """Post a pending transfer: all of it, or ``amount`` of it (the rest is released)."""

    id: str
    pending_id: str
    amount: int | None = None
    memo: str | None = None


@dataclass(frozen=True, slots=True)
class VoidPendingSpec:
    """Release a pending transfer: nothing moves."""

    id: str
    pending_id: str
    memo: str | None = None


@dataclass(frozen=True, slots=True)
class ReversalSpec:
    """Undo a posted transfer by a new one the other way (same amount, same reference
    unless another is given)."""

    id: str
    reverses_id: str
    memo: str | None = None
    reference: str | None = None


Spec = TransferSpec | PostPendingSpec | VoidPendingSpec | ReversalSpec
SPEC_TYPES = (TransferSpec, PostPendingSpec, VoidPendingSpec, ReversalSpec)


class TransferResult(NamedTuple):
    """A stored transfer; ``is_replay`` when its id had been posted before this call."""

    id: str
    seq: int
    kind: TransferKind
    modality: Modality
    debit_account_id: int
    credit_account_id: int
    amount: int
    currency: str
    pending_id: str | None
    reverses_id: str | None
    batch: str | None
    reference: str | None
    memo: str | None
    thanks: str | None
    created_at: datetime
    prev_hash: str
    hash: str
    is_replay: bool = False

    @classmethod
    def from_row(cls, row: Any, *, is_replay: bool) -> TransferResult:
        values = dict(row)
        values["kind"] = KINDS[values["kind"]]
        values["modality"] = MODALITIES[values["modality"]]
        return cls(**values, is_replay=is_replay)


# By value: faster than calling the enum, and a StrEnum member finds itself.
KINDS = {kind.value: kind for kind in TransferKind}
MODALITIES = {modality.value: modality for modality in Modality}


def utc_naive(now: datetime) -> datetime:
    """Times are stored in UTC without a zone; a naive ``now`` is taken to be UTC."""
    if now.tzinfo is not None:
        return now.astimezone(UTC).replace(tzinfo=None)
    return now


def check_batch_id(batch: object) -> str:
    if type(batch) is not str or not ID_RE.fullmatch(batch):
        raise InvalidBatch("A batch id is 1 to 64 letters, digits and . _ : -")
    return batch


def check_fields(specs: Sequence[Spec]) -> None:
    """Step 1: the fields alone, before anything is read."""
    seen: set[str] = set()
    for index, spec in enumerate(specs):
        if type(spec) not in SPEC_TYPES:
            raise InvalidTransfer(f"Not a transfer: {spec!r}.", index=index)
        try:
            if type(spec.id) is not str or not ID_RE.fullmatch(spec.id):
                raise InvalidTransfer(
                    f"A transfer id is 1 to 64 letters, digits and . _ : - (got {spec.id!r})."
                )
            if spec.id in seen:
                raise InvalidBatch(f"The batch names transfer {spec.id} twice.")
            seen.add(spec.id)
            if isinstance(spec, TransferSpec):
                _check_transfer_spec(spec)
            elif isinstance(spec, PostPendingSpec):
                _check_ref(spec.pending_id)
                if spec.amount is not None:
                    _check_amount(spec.amount)
            elif isinstance(spec, VoidPendingSpec):
                _check_ref(spec.pending_id)
            else:
                _check_ref(spec.reverses_id)
            for name in TEXT_LIMITS:
                _check_text(name, getattr(spec, name, None))
        except LedgerError as error:
            raise located(error, spec, index) from None


def _check_transfer_spec(spec: TransferSpec) -> None:
    _check_amount(spec.amount)
    for account_id in (spec.debit_account_id, spec.credit_account_id):
        if type(account_id) is not int:
            raise InvalidTransfer(f"An account id is an integer (got {account_id!r}).")
    if spec.debit_account_id == spec.credit_account_id:
        raise InvalidTransfer("A transfer moves money between two different accounts.")
    if type(spec.currency) is not str:
        raise InvalidTransfer(f"A currency is a code such as BRL (got {spec.currency!r}).")
    if type(spec.modality) not in (str, Modality) or spec.modality not in MODALITIES:
        raise InvalidTransfer(f"Unknown modality {spec.modality!r}.")
    if spec.modality == Modality.REVERSAL:
        raise InvalidTransfer("A reversal points to the transfer it undoes: use reverse().")
    if spec.thanks and spec.modality != Modality.DONATION:
        raise InvalidTransfer("Only a donation carries a thanks message.")
    if type(spec.is_pending) is not bool:
        raise InvalidTransfer("is_pending is True or False.")


def _check_amount(amount: object) -> None:
    # bool is an int subclass; True is not one unit of money.
    if type(amount) is not int or not 0 < amount <= MAX_AMOUNT:
        raise InvalidAmount(
            f"An amount is a whole, positive number of minor units (got {amount!r})."
        )


def _check_ref(transfer_id: object) -> None:
    if type(transfer_id) is not str or not ID_RE.fullmatch(transfer_id):
        raise InvalidTransfer(f"No transfer can have the id {transfer_id!r}.")


def _check_text(name: str, value: object) -> None:
    if value is None:
        return
    if type(value) is not str:
        raise InvalidTransfer(f"The {name} is text (got {value!r}).")
    if len(value) > TEXT_LIMITS[name]:
        raise InvalidTransfer(f"The {name} has at most {TEXT_LIMITS[name]} characters.")
    if "\x00" in value:
        raise InvalidTransfer(f"The {name} contains a NUL character.")


def text_or_none(value: str | None) -> str | None:
    return value or None  # "" and None are the same: nothing


def located(error: LedgerError, spec: Spec, index: int) -> LedgerError:
    if error.transfer_id is None:
        error.transfer_id = spec.id if type(spec.id) is str else None
        error.index = index
    return error


def ref_of(spec: Spec) -> str | None:
    """The id of the transfer a spec posts, voids or reverses."""
    if isinstance(spec, TransferSpec):
        return None
    if isinstance(spec, ReversalSpec):
        return spec.reverses_id
    return spec.pending_id
