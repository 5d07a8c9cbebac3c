"""Bad input is refused with a clear error and leaves nothing behind: no transfer,
no change to any account, and a transaction the caller can go on using."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger import accounts, queries, services
from ledger.errors import (
    CurrencyMismatch,
    InsufficientFunds,
    InvalidAccount,
    InvalidAmount,
    InvalidCurrency,
    InvalidTransfer,
    LedgerError,
    UnknownAccount,
    UnknownCurrency,
)
from ledger.models import CurrencyKind, Modality
from ledger.specs import TransferSpec
from tests.fixtures.factories import NOW
from tests.fixtures.ledger import (
    make_account,
    make_currency,
    new_id,
    spec,
    stored,
    transfer_count,
)


def snapshot(network) -> tuple:
    return (
        transfer_count(),
        tuple(stored(a) for a in (network.world, network.ana, network.bruno, network.carla)),
    )


@pytest.mark.parametrize(
    "amount", [0, -1, 1.5, 100.0, "100", True, Decimal("100"), None, 2**63], ids=repr
)
def test_an_amount_is_a_positive_whole_number_of_minor_units(network, amount):
    before = snapshot(network)
    with pytest.raises(InvalidAmount) as refused:
        services.post(spec(network.ana, network.bruno, amount), now=NOW)
    assert refused.value.code == "invalid-amount"
    assert "positive number of minor units" in refused.value.message
    assert snapshot(network) == before


def bad_specs(network):
    mutual = make_currency("CRD", CurrencyKind.MUTUAL_CREDIT)
    credit_account = make_account(mutual.code, credit_limit=100)
    return {
        "unknown debit account": (UnknownAccount, spec(999_999, network.bruno, 5)),
        "unknown credit account": (UnknownAccount, spec(network.ana, 999_999, 5)),
        "account id not an integer": (
            InvalidTransfer,
            TransferSpec(new_id(), network.ana.id, network.bruno.code, 5, "BRL", "purchase"),
        ),
        "same account twice": (InvalidTransfer, spec(network.ana, network.ana, 5)),
        "currency of the accounts": (CurrencyMismatch, spec(network.ana, credit_account, 5)),
        "currency of the transfer": (
            CurrencyMismatch,
            spec(network.ana, network.bruno, 5, currency="CRD"),
        ),
        "unknown currency": (CurrencyMismatch, spec(network.ana, network.bruno, 5, currency="XXX")),
        "not enough money": (InsufficientFunds, spec(network.ana, network.bruno, 10_001)),
        "beyond the credit limit": (InsufficientFunds, spec(network.carla, network.bruno, 501)),
        "unknown modality": (InvalidTransfer, spec(network.ana, network.bruno, 5, modality="gift")),
        "reversal without original": (
            InvalidTransfer,
            spec(network.ana, network.bruno, 5, modality=Modality.REVERSAL),
        ),
        "thanks on a sale": (InvalidTransfer, spec(network.ana, network.bruno, 5, thanks="ty")),
        "id with spaces": (InvalidTransfer, spec(network.ana, network.bruno, 5, transfer_id="a b")),
        "id too long": (InvalidTransfer, spec(network.ana, network.bruno, 5, transfer_id="x" * 65)),
        "id not text": (InvalidTransfer, spec(network.ana, network.bruno, 5, transfer_id=7)),
        "memo too long": (InvalidTransfer, spec(network.ana, network.bruno, 5, memo="m" * 1001)),
        "memo not text": (InvalidTransfer, spec(network.ana, network.bruno, 5, memo=5)),
        "NUL in reference": (
            InvalidTransfer,
            spec(network.ana, network.bruno, 5, reference="a\x00b"),
        ),
        "is_pending not a bool": (
            InvalidTransfer,
            spec(network.ana, network.bruno, 5, is_pending="yes"),
        ),
    }


CASES = [
    "unknown debit account",
    "unknown credit account",
    "account id not an integer",
    "same account twice",
    "currency of the accounts",
    "currency of the transfer",
    "unknown currency",
    "not enough money",
    "beyond the credit limit",
    "unknown modality",
    "reversal without original",
    "thanks on a sale",
    "id with spaces",
    "id too long",
    "id not text",
    "memo too long",
    "memo not text",
    "NUL in reference",
    "is_pending not a bool",
]


@pytest.mark.parametrize("case", CASES)
def test_bad_transfers_are_refused_and_leave_nothing(network, case):
    error, bad = bad_specs(network)[case]
    before = snapshot(network)
    with pytest.raises(error) as refused:
        services.post(bad, now=NOW)
    assert isinstance(refused.value, LedgerError) and refused.value.message
    assert snapshot(network) == before
    # The transaction is still good: the next posting goes through and chains on.
    services.post(spec(network.ana, network.bruno, 1), now=NOW)
    assert queries.verify_chain().is_intact
    assert transfer_count() == before[0] + 1


@pytest.mark.parametrize("case", CASES)
def test_a_bad_transfer_anywhere_in_a_batch_refuses_the_batch(network, case):
    error, bad = bad_specs(network)[case]
    before = snapshot(network)
    deposit = {"modality": Modality.DEPOSIT}
    batch = [
        spec(network.world, network.bruno, 1, **deposit),
        spec(network.world, network.bruno, 2, **deposit),
        bad,
    ]
    with pytest.raises(error) as refused:
        services.post_batch(batch, now=NOW)
    assert refused.value.index == 2
    assert snapshot(network) == before


def test_a_spec_that_is_not_one_is_refused(network):
    with pytest.raises(InvalidTransfer):
        services.post_batch([object()], now=NOW)  # type: ignore[list-item]


# ---------------------------------------------------------------- currencies and accounts


@pytest.mark.parametrize(
    ("code", "kind", "backed_by", "minor_units"),
    [
        ("brl", CurrencyKind.NATIONAL, None, 2),
        ("B", CurrencyKind.NATIONAL, None, 2),
        ("BRL", CurrencyKind.NATIONAL, None, 2),  # exists
        ("PEN", "gold", None, 2),
        ("PEN", CurrencyKind.NATIONAL, None, 19),
        ("PEN", CurrencyKind.NATIONAL, None, True),
        ("PAL", CurrencyKind.SOCIAL, None, 2),  # a social currency needs its backing
        ("PAL", CurrencyKind.SOCIAL, "CRD", 2),  # ... in a national currency
        ("HRS", CurrencyKind.TIME, "BRL", 0),  # only a social currency is backed
    ],
)
def test_bad_currencies_are_refused(network, code, kind, backed_by, minor_units):
    make_currency("CRD", CurrencyKind.MUTUAL_CREDIT)
    with pytest.raises(InvalidCurrency):
        accounts.create_currency(
            code, "A name", kind=kind, minor_units=minor_units, now=NOW, backed_by=backed_by
        )


def test_bad_accounts_are_refused(network):
    cases = [
        ({"code": "with space"}, InvalidAccount),
        ({"code": network.ana.code}, InvalidAccount),
        ({"owner": ""}, InvalidAccount),
        ({"currency": "XXX"}, UnknownCurrency),
        ({"credit_limit": -1}, InvalidAccount),
        ({"credit_limit": 1.5}, InvalidAccount),
        ({"may_go_negative": True}, InvalidAccount),  # BRL has its issuance account
        ({"may_go_negative": True, "currency": "PEN", "credit_limit": 10}, InvalidAccount),
    ]
    make_currency("PEN")
    for overrides, error in cases:
        values = {"code": "member:99:BRL", "owner": "member:99", "currency": "BRL", **overrides}
        code = values.pop("code")
        with pytest.raises(error):
            accounts.open_account(code, now=NOW, **values)


def test_a_social_currency_names_its_national_backing(network):
    palmas = accounts.create_currency(
        "PAL", "Palmas", kind=CurrencyKind.SOCIAL, minor_units=2, now=NOW, backed_by="BRL"
    )
    assert (palmas.kind, palmas.backed_by) == (CurrencyKind.SOCIAL, "BRL")


def test_raw_specs_with_strings_work(network):
    result = services.post(
        TransferSpec("raw-1", network.ana.id, network.bruno.id, 5, "BRL", "purchase"), now=NOW
    )
    assert result.modality == Modality.PURCHASE
