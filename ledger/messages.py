"""The ledger's refusals and words in the member's language.

``ledger`` writes its errors in English, without Flask-Babel, so that ``python -m
ledger.verify`` runs alone; this module is where the web layer turns an error's
``code`` into a sentence a member understands (``message_for``) and names the
form field it concerns (``field_for``). Any view that calls the ledger may use
them. It also holds the labels of modalities and kinds of transfer.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from governance.extensions import db
from ledger import network
from ledger.amounts import format_amount
from ledger.errors import LedgerError
from ledger.models import Currency, Modality, TransferKind

MODALITY_LABELS = {
    Modality.PURCHASE: _l("Purchase or sale"),
    Modality.BARTER: _l("Barter"),
    Modality.DONATION: _l("Donation"),
    Modality.DISBURSEMENT: _l("Disbursement"),
    Modality.CONVERSION: _l("Conversion at the community bank"),
    Modality.REVERSAL: _l("Reversal"),
    Modality.DEPOSIT: _l("Deposit"),
}

KIND_LABELS = {
    TransferKind.POSTED: _l("Posted"),
    TransferKind.PENDING: _l("Pending: the money is reserved"),
    TransferKind.POST_PENDING: _l("Posts a pending transfer"),
    TransferKind.VOID_PENDING: _l("Voids a pending transfer"),
}

MESSAGES = {
    "invalid-amount": _l("The amount must be a positive number, e.g. 1500,50."),
    "invalid-transfer": _l("This transfer is not valid. Check the form and send it again."),
    "invalid-batch": _l("This transfer is not valid. Check the form and send it again."),
    "unknown-currency": _l("The ledger has no such currency."),
    "invalid-currency": _l("This currency cannot be used here."),
    "invalid-account": _l("This account cannot be opened."),
    "unknown-account": _l("There is no such account. Choose the recipient again."),
    "currency-mismatch": _l(
        "The two accounts are in different currencies: choose an account in the same currency."
    ),
    "insufficient-funds": _l("There is not enough money or credit in the account for this."),
    "transfer-id-reused": _l(
        "This form was already used for another transfer, which was recorded. "
        "Check the values and send the form again to make a new one."
    ),
    "unknown-transfer": _l("There is no such transfer."),
    "not-pending": _l("Only a pending transfer can be posted or voided."),
    "pending-already-resolved": _l("This pending transfer was already posted or voided."),
    "not-reversible": _l("Only posted money can be reversed; a pending transfer is voided."),
    "already-reversed": _l("This transfer was already reversed."),
    # ledger.exchange
    "wrong-currency-kind": _l(
        "This exchange is not made in this currency: purchases are paid in national currency, "
        "barters in social currency or credits."
    ),
    "same-account": _l("The money would go back to the account it comes from."),
    "not-exchanging": _l("This account does not take part in exchanges."),
    "thanks-required": _l("Write a thanks message: it travels with the donation."),
    "not-convertible": _l("The community bank does not convert this currency."),
    "not-enough-to-convert": _l(
        "The community bank converts the social currency you hold, not your credit."
    ),
    "currency-not-offered": _l("The network does not offer accounts in this currency."),
}
FALLBACK = _l("The ledger refused this. Nothing was recorded.")

FIELDS = {
    "invalid-amount": "amount",
    "insufficient-funds": "amount",
    "not-enough-to-convert": "amount",
    "unknown-account": "recipient",
    "currency-mismatch": "recipient",
    "same-account": "recipient",
    "not-exchanging": "recipient",
    "thanks-required": "thanks",
}

# ledger.services words its refusal "Account <code> has <n> <CUR> available (credit
# limit included); transfer <id> needs <n>." and ledger.exchange "Account <code>
# holds <n> <CUR>; converting <n> would use credit."
_INSUFFICIENT = re.compile(
    r"Account (?P<account>\S+) has (?P<available>-?\d+) (?P<currency>\S+) available .*"
    r"needs (?P<needed>\d+)\.$"
)
_TO_CONVERT = re.compile(r"Account (?P<account>\S+) holds (?P<available>\d+) (?P<currency>\S+);")


def message_for(error: LedgerError) -> str:
    """What to tell a member about a refusal, in their language."""
    detail = _amounts(error)
    if detail is not None:
        return detail
    return str(MESSAGES.get(error.code, FALLBACK))


def field_for(error: LedgerError) -> str | None:
    """The form field a refusal concerns (``amount``, ``recipient``, ``thanks``), if any."""
    return FIELDS.get(error.code)


def _amounts(error: LedgerError) -> str | None:
    """The refusals that can say how much there is, with the amounts formatted."""
    pattern = {"insufficient-funds": _INSUFFICIENT, "not-enough-to-convert": _TO_CONVERT}.get(
        error.code
    )
    match = pattern.search(error.message) if pattern else None
    currency = db.session.get(Currency, match["currency"]) if match else None
    if match is None or currency is None:
        return None
    available = format_amount(max(int(match["available"]), 0), currency)
    if error.code == "not-enough-to-convert":
        return _(
            "The community bank converts the social currency you hold, not your credit: "
            "there are %(available)s to convert.",
            available=available,
        )
    if match["account"].startswith("network:"):
        return _(
            "The network's account has %(available)s available, not enough for this.",
            available=available,
        )
    needed = format_amount(int(match["needed"]), currency)
    account = network.account_by_code(match["account"])
    if account is not None and account.credit_limit > 0:
        return _(
            "There is not enough in the account: %(available)s available (credit included), "
            "%(needed)s needed.",
            available=available,
            needed=needed,
        )
    return _(
        "There is not enough in the account: %(available)s available, %(needed)s needed.",
        available=available,
        needed=needed,
    )
