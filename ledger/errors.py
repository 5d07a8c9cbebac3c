"""The ledger's refusals: each has a stable ``code`` and a message that says what was wrong.

The ledger imports nothing of ``governance``; the web layer maps these errors to
a form error or a status code and translates the message. When a refusal comes
from one transfer of a batch, ``transfer_id`` and ``index`` (its position in the
batch, from 0) say which one. Nothing is posted when any of them is raised.
"""

from __future__ import annotations


class LedgerError(Exception):
    """Base of every refusal by the ledger; nothing was posted."""

    code = "ledger-error"

    def __init__(
        self, message: str, *, transfer_id: str | None = None, index: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.transfer_id = transfer_id
        self.index = index

    def __str__(self) -> str:
        return self.message


class InvalidTransfer(LedgerError):
    """A field of the transfer is malformed (id, modality, text too long, ...)."""

    code = "invalid-transfer"


class InvalidAmount(InvalidTransfer):
    """The amount is not a positive integer number of minor units."""

    code = "invalid-amount"


class InvalidBatch(InvalidTransfer):
    """The batch is empty, too large, or names one id twice."""

    code = "invalid-batch"


class UnknownCurrency(LedgerError):
    code = "unknown-currency"


class InvalidCurrency(LedgerError):
    code = "invalid-currency"


class InvalidAccount(LedgerError):
    code = "invalid-account"


class UnknownAccount(LedgerError):
    code = "unknown-account"


class CurrencyMismatch(LedgerError):
    """The two accounts, or an account and the transfer, are in different currencies."""

    code = "currency-mismatch"


class InsufficientFunds(LedgerError):
    """The debit would take an account below its credit limit (pending debits included)."""

    code = "insufficient-funds"


class TransferIdReused(LedgerError):
    """The id was already posted with other fields (an id is an idempotency key)."""

    code = "transfer-id-reused"


class UnknownTransfer(LedgerError):
    """A pending transfer to post or void, or a transfer to reverse, does not exist."""

    code = "unknown-transfer"


class NotPending(LedgerError):
    """Only a pending transfer can be posted or voided."""

    code = "not-pending"


class PendingAlreadyResolved(LedgerError):
    """The pending transfer was already posted or voided."""

    code = "pending-already-resolved"


class NotReversible(LedgerError):
    """Only posted money can be reversed; a pending transfer is voided instead."""

    code = "not-reversible"


class AlreadyReversed(LedgerError):
    """A transfer is reversed at most once."""

    code = "already-reversed"
