"""The exchange services (``ledger.exchange``): each modality posts the transfers it
should, refuses what it should with nothing posted, and conversion at the
community bank keeps the reserve equal to the social currency issued. Also the
web layer's reading of typed amounts and wording of the ledger's refusals."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from governance.errors import DomainError
from governance.extensions import db
from ledger import amounts, exchange, messages, network, queries
from ledger.errors import (
    CurrencyMismatch,
    InsufficientFunds,
    InvalidAmount,
    LedgerError,
    TransferIdReused,
)
from ledger.models import Currency, CurrencyKind, Modality, Transfer
from tests.fixtures.concurrency import race
from tests.fixtures.factories import NOW
from tests.fixtures.ledger import (
    balance,
    community_bank,
    fund,
    make_account,
    make_currency,
    new_id,
    transfer_count,
)


def stored_transfers(*ids: str) -> list[Transfer]:
    query = sa.select(Transfer).where(Transfer.id.in_(ids)).order_by(Transfer.seq)
    return list(db.session.execute(query.execution_options(populate_existing=True)).scalars())


def issued(currency: str) -> int:
    """The social currency in circulation: minus its issuance account's balance."""
    return -balance(network.issuance_account(currency))


def intact() -> bool:
    return queries.verify_chain().is_intact and queries.verify_balances().is_intact


# ---------------------------------------------------------------- purchase and sale


def test_pay_posts_one_purchase_in_national_currency(bank):
    result = exchange.pay(
        bank.ana_brl, bank.bruno_brl, 2_500, memo="bread", transfer_id="sale-1", now=NOW
    )
    (row,) = stored_transfers("sale-1")
    assert (row.modality, row.amount, row.currency, row.memo) == (
        Modality.PURCHASE,
        2_500,
        "BRL",
        "bread",
    )
    assert (row.debit_account_id, row.credit_account_id) == (bank.ana_brl.id, bank.bruno_brl.id)
    assert (balance(bank.ana_brl), balance(bank.bruno_brl)) == (97_500, 2_500)
    assert not result.is_replay


@pytest.mark.parametrize(
    ("payer", "payee", "amount", "code"),
    [
        ("ana_palma", "bruno_palma", 100, "wrong-currency-kind"),  # social: a barter
        ("ana_brl", "bruno_palma", 100, "currency-mismatch"),
        ("ana_brl", "ana_brl", 100, "same-account"),
        ("ana_brl", "reserve", 100, "not-exchanging"),
        ("ana_brl", "fund", 100, "not-exchanging"),  # the funds take donations only
        ("ana_brl", "bruno_brl", 100_001, "insufficient-funds"),
        ("ana_brl", "bruno_brl", 0, "invalid-amount"),
        ("ana_brl", "bruno_brl", -5, "invalid-amount"),
    ],
)
def test_pay_refusals_post_nothing(bank, payer, payee, amount, code):
    before = transfer_count()
    with pytest.raises(LedgerError) as refused:
        exchange.pay(
            getattr(bank, payer), getattr(bank, payee), amount, transfer_id=new_id(), now=NOW
        )
    assert refused.value.code == code
    assert transfer_count() == before
    assert balance(bank.ana_brl) == 100_000


def test_the_issuance_account_neither_pays_nor_receives_exchanges(bank):
    world = network.issuance_account("BRL")
    for payer, payee in ((world, bank.bruno_brl), (bank.ana_brl, world)):
        with pytest.raises(exchange.NotExchanging):
            exchange.pay(payer, payee, 100, transfer_id=new_id(), now=NOW)


# ---------------------------------------------------------------- barter


def test_barter_in_social_currency_may_use_credit_up_to_the_limit(bank):
    exchange.barter(bank.bruno_palma, bank.ana_palma, 5_000, transfer_id="b-1", now=NOW)
    (row,) = stored_transfers("b-1")
    assert row.modality == Modality.BARTER
    assert (balance(bank.bruno_palma), balance(bank.ana_palma)) == (-5_000, 5_000)
    with pytest.raises(InsufficientFunds):
        exchange.barter(bank.bruno_palma, bank.ana_palma, 1, transfer_id="b-2", now=NOW)
    assert stored_transfers("b-2") == []


def test_barter_in_mutual_credit_keeps_the_sum_at_zero(db_session):
    make_currency("CRED", CurrencyKind.MUTUAL_CREDIT, minor_units=0)
    one, two = (make_account("CRED", credit_limit=100) for _ in range(2))
    exchange.barter(one, two, 60, transfer_id=new_id(), now=NOW)
    exchange.barter(two, one, 10, transfer_id=new_id(), now=NOW)
    assert (balance(one), balance(two)) == (-50, 50)


def test_barter_is_not_in_national_currency(bank):
    with pytest.raises(exchange.WrongCurrencyKind):
        exchange.barter(bank.ana_brl, bank.bruno_brl, 100, transfer_id=new_id(), now=NOW)


# ---------------------------------------------------------------- donations


def test_a_donation_carries_its_thanks(bank):
    exchange.donate(
        bank.ana_brl,
        bank.bruno_brl,
        1_000,
        thanks="  For the seeds you shared  ",
        transfer_id="d-1",
        now=NOW,
    )
    (row,) = stored_transfers("d-1")
    assert (row.modality, row.thanks) == (Modality.DONATION, "For the seeds you shared")


def test_a_donation_may_go_to_the_solidarity_fund_but_not_the_bank_reserve(bank):
    exchange.donate(bank.ana_brl, bank.fund, 1_000, thanks="For all", transfer_id="d-2", now=NOW)
    assert balance(bank.fund) == 1_000
    with pytest.raises(exchange.NotExchanging):
        exchange.donate(bank.ana_brl, bank.reserve, 1_000, thanks="x", transfer_id="d-3", now=NOW)


@pytest.mark.parametrize("thanks", ["", "   "])
def test_a_donation_without_thanks_is_refused(bank, thanks):
    before = transfer_count()
    with pytest.raises(exchange.ThanksRequired):
        exchange.donate(
            bank.ana_brl, bank.bruno_brl, 100, thanks=thanks, transfer_id=new_id(), now=NOW
        )
    assert transfer_count() == before


# ---------------------------------------------------------------- conversion


def test_converting_reais_into_palmas_is_two_linked_transfers(bank):
    results = exchange.convert(
        f"member:{bank.ana.id}", "BRL", 30_000, transfer_id="conv-1", now=NOW
    )
    legs = stored_transfers("conv-1.1", "conv-1.2")
    assert [r.id for r in results] == ["conv-1.1", "conv-1.2"]
    assert [(t.modality, t.currency, t.amount, t.batch) for t in legs] == [
        (Modality.CONVERSION, "BRL", 30_000, "conv-1"),
        (Modality.CONVERSION, "PALMA", 30_000, "conv-1"),
    ]
    assert (legs[0].debit_account_id, legs[0].credit_account_id) == (
        bank.ana_brl.id,
        bank.reserve.id,
    )
    assert legs[1].credit_account_id == bank.ana_palma.id
    assert (balance(bank.ana_brl), balance(bank.ana_palma)) == (70_000, 30_000)
    assert balance(bank.reserve) == issued("PALMA") == 30_000


def test_converting_back_keeps_the_reserve_equal_to_what_is_issued(bank):
    ana = f"member:{bank.ana.id}"
    exchange.convert(ana, "BRL", 30_000, transfer_id="in", now=NOW)
    exchange.barter(bank.ana_palma, bank.bruno_palma, 10_000, transfer_id=new_id(), now=NOW)
    # Bruno's palmas go back into reais: his BRL account receives them from the reserve.
    exchange.convert(f"member:{bank.bruno.id}", "PALMA", 4_000, transfer_id="out", now=NOW)
    legs = stored_transfers("out.1", "out.2")
    assert [(t.currency, t.debit_account_id) for t in legs] == [
        ("PALMA", bank.bruno_palma.id),
        ("BRL", bank.reserve.id),
    ]
    assert balance(bank.bruno_brl) == 4_000
    assert balance(bank.reserve) == issued("PALMA") == 26_000
    assert intact()


def test_the_bank_converts_what_one_holds_not_ones_credit(bank):
    exchange.convert(f"member:{bank.ana.id}", "BRL", 2_000, transfer_id="in", now=NOW)
    exchange.barter(bank.ana_palma, bank.bruno_palma, 2_000, transfer_id=new_id(), now=NOW)
    bruno = f"member:{bank.bruno.id}"
    before = transfer_count()
    # Bruno holds 20.00 palmas and may owe 50.00 more in barters: 20.00 convert, no more.
    with pytest.raises(exchange.NotEnoughToConvert):
        exchange.convert(bruno, "PALMA", 2_001, transfer_id=new_id(), now=NOW)
    assert transfer_count() == before
    exchange.convert(bruno, "PALMA", 2_000, transfer_id=new_id(), now=NOW)
    assert balance(bank.bruno_palma) == 0
    assert balance(bank.reserve) == issued("PALMA") == 0


def test_a_conversion_the_owner_cannot_pay_posts_neither_leg(bank):
    before = transfer_count()
    with pytest.raises(InsufficientFunds):
        exchange.convert(f"member:{bank.ana.id}", "BRL", 100_001, transfer_id=new_id(), now=NOW)
    assert transfer_count() == before
    assert balance(bank.reserve) == issued("PALMA") == 0


def test_a_conversion_sent_twice_posts_once(bank):
    ana = f"member:{bank.ana.id}"
    first = exchange.convert(ana, "BRL", 5_000, transfer_id="twice", now=NOW)
    again = exchange.convert(ana, "BRL", 5_000, transfer_id="twice", now=NOW)
    assert [r.seq for r in again] == [r.seq for r in first]
    assert all(r.is_replay for r in again)
    assert balance(bank.ana_palma) == 5_000
    with pytest.raises(TransferIdReused):
        exchange.convert(ana, "BRL", 6_000, transfer_id="twice", now=NOW)


def test_the_bank_converts_only_currencies_it_backs(bank):
    ana = f"member:{bank.ana.id}"
    make_currency("CRED", CurrencyKind.MUTUAL_CREDIT)
    make_account("CRED", owner=ana, code=f"{ana}:CRED")
    with pytest.raises(exchange.NotConvertible):
        exchange.convert(ana, "CRED", 100, transfer_id=new_id(), now=NOW)
    with pytest.raises(exchange.NotExchanging):
        exchange.convert("network", "BRL", 100, transfer_id=new_id(), now=NOW)


def test_without_a_bank_reserve_nothing_converts(db_session):
    make_currency("BRL")
    make_currency("PALMA", CurrencyKind.SOCIAL, backed_by="BRL")
    account = make_account("BRL")
    with pytest.raises(exchange.NotConvertible):
        exchange.convert(account.owner, "BRL", 100, transfer_id=new_id(), now=NOW)


def test_a_single_payment_replayed_returns_the_first(bank):
    first = exchange.pay(bank.ana_brl, bank.bruno_brl, 700, transfer_id="p-twice", now=NOW)
    again = exchange.pay(bank.ana_brl, bank.bruno_brl, 700, transfer_id="p-twice", now=NOW)
    assert (again.seq, again.is_replay) == (first.seq, True)
    assert balance(bank.bruno_brl) == 700
    with pytest.raises(TransferIdReused):
        exchange.pay(bank.ana_brl, bank.bruno_brl, 800, transfer_id="p-twice", now=NOW)


# ---------------------------------------------------------------- opening accounts


def test_members_open_accounts_in_the_currencies_the_network_offers(bank):
    assert [c.code for c in exchange.offered_currencies()] == ["BRL", "PALMA"]
    account = exchange.open_account("organization:7", "PALMA", now=NOW)
    assert (account.code, account.credit_limit) == ("organization:7:PALMA", 0)
    assert exchange.open_account("organization:7", "PALMA", now=NOW).id == account.id
    make_currency("CRED", CurrencyKind.MUTUAL_CREDIT)
    with pytest.raises(exchange.CurrencyNotOffered):
        exchange.open_account("organization:7", "CRED", now=NOW)


# ---------------------------------------------------------------- typed amounts and messages


@pytest.mark.parametrize(
    ("text", "minor_units", "expected"),
    [
        ("1500", 2, 150_000),
        ("1.500,50", 2, 150_050),
        ("1,500.50", 2, 150_050),
        ("1.500", 2, 150_000),
        (" 12,5 ", 2, 1_250),
        ("3", 0, 3),
        ("1,555", 0, 1_555),  # a thousands mark
        ("0,125", 3, 125),
    ],
)
def test_amounts_are_read_as_people_write_them(request_context, text, minor_units, expected):
    currency = Currency(code="PALMA", name="Palma", minor_units=minor_units)
    assert amounts.parse_amount(text, currency) == expected


@pytest.mark.parametrize(
    ("text", "minor_units", "message"),
    [
        ("abc", 2, "Write the amount with digits"),
        ("", 2, "Write the amount with digits"),
        ("-5", 2, "more than zero"),
        ("0", 2, "more than zero"),
        ("0,00", 2, "more than zero"),
        ("1,5", 0, "whole units"),
        ("0,001", 2, "at most 2 decimals"),
        ("99999999999999999999", 2, "larger than the ledger"),
    ],
)
def test_bad_amounts_are_refused_in_words(request_context, text, minor_units, message):
    currency = Currency(code="HOUR", name="Hours", minor_units=minor_units)
    with pytest.raises(DomainError) as refused:
        amounts.parse_amount(text, currency)
    assert message in str(refused.value.message)
    assert refused.value.field == "amount"


def test_amounts_show_the_symbol_of_an_iso_currency_or_the_code(request_context, bank):
    palma = db.session.get(Currency, "PALMA")
    brl = db.session.get(Currency, "BRL")
    assert amounts.format_amount(150_050, brl) == "R$1,500.50"
    assert amounts.format_amount(-150_050, palma) == "-1,500.50\u00a0PALMA"
    assert amounts.plain(-150_050, 2) == "-1500.50"


def test_a_refusal_for_lack_of_funds_says_what_is_available(request_context, bank):
    with pytest.raises(InsufficientFunds) as refused:
        exchange.pay(bank.ana_brl, bank.bruno_brl, 150_000, transfer_id=new_id(), now=NOW)
    text = messages.message_for(refused.value)
    # Ana's account has no credit limit: the message does not speak of credit.
    assert text == "There is not enough in the account: R$1,000.00 available, R$1,500.00 needed."
    assert messages.field_for(refused.value) == "amount"
    with pytest.raises(InsufficientFunds) as refused:
        exchange.barter(bank.bruno_palma, bank.ana_palma, 6_000, transfer_id=new_id(), now=NOW)
    assert messages.message_for(refused.value) == (
        "There is not enough in the account: 50.00\u00a0PALMA available (credit included), "
        "60.00\u00a0PALMA needed."
    )


def test_every_refusal_has_words_for_members(request_context):
    for error in (CurrencyMismatch("x"), InvalidAmount("x"), TransferIdReused("x")):
        assert messages.message_for(error) == str(messages.MESSAGES[error.code])
    assert messages.message_for(LedgerError("x")) == str(messages.FALLBACK)
    codes = {cls.code for cls in _subclasses(LedgerError)}
    assert codes - {"ledger-error", "exchange-refused"} <= set(messages.MESSAGES)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


# ---------------------------------------------------------------- at the same time (PostgreSQL)


def _bank_in(app) -> tuple[int, int]:
    """A committed community bank in the app's own database: (ana's id, bruno's id)."""
    with app.app_context():
        bank = community_bank()
        ids = (bank.ana.id, bank.bruno.id)
        db.session.commit()
        db.session.remove()
    return ids


def _count(app, model=Transfer) -> int:
    with app.app_context():
        total = db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()
        db.session.remove()
    return total


@pytest.mark.postgres
def test_a_conversion_sent_twice_at_once_opens_one_account_and_posts_once(own_migrated_app):
    app = own_migrated_app
    ana, _bruno = _bank_in(app)
    owner = f"organization:{ana}"  # a new owner: neither account exists yet
    with app.app_context():
        account = network.ensure_owned_account(owner, "BRL", NOW)
        fund(account, 10_000)
        db.session.commit()
        db.session.remove()
    before = _count(app)

    def convert():
        exchange.convert(owner, "BRL", 2_500, transfer_id="same-form", now=NOW)

    wins, errors = race(app, [convert, convert])
    assert (wins, errors) == (2, [])
    assert _count(app) == before + 2
    with app.app_context():
        assert balance(network.account_by_code(f"{owner}:PALMA")) == 2_500
        assert intact()
        db.session.remove()


@pytest.mark.postgres
def test_two_conversions_at_once_never_convert_credit(own_migrated_app):
    app = own_migrated_app
    ana, bruno = _bank_in(app)
    with app.app_context():
        exchange.convert(f"member:{ana}", "BRL", 3_000, transfer_id="in", now=NOW)
        ana_palma = network.account_by_code(f"member:{ana}:PALMA")
        bruno_palma = network.account_by_code(f"member:{bruno}:PALMA")
        exchange.barter(ana_palma, bruno_palma, 3_000, transfer_id="b", now=NOW)
        db.session.commit()
        db.session.remove()
    refusals: list[str] = []

    def convert(transfer_id: str):
        def attempt():
            try:
                exchange.convert(
                    f"member:{bruno}", "PALMA", 2_000, transfer_id=transfer_id, now=NOW
                )
            except exchange.NotEnoughToConvert as refusal:
                refusals.append(refusal.code)
                raise DomainError(refusal.message) from None

        return attempt

    wins, errors = race(app, [convert("out-1"), convert("out-2")])
    assert (wins, errors, refusals) == (1, [], ["not-enough-to-convert"])
    with app.app_context():
        # Bruno may owe 50.00 palmas, but only the 30.00 he held was converted.
        assert balance(network.account_by_code(f"member:{bruno}:PALMA")) == 1_000
        assert balance(network.network_account("bank-reserve", "BRL")) == issued("PALMA") == 1_000
        assert intact()
        db.session.remove()
