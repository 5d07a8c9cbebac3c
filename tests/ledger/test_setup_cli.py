"""Setting a ledger up from the terminal: ``asamblea ledger currency add``,
``ledger network open`` and ``ledger deposit``; a refusal writes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from governance.extensions import db
from ledger import network
from ledger.models import Account, Currency, Transfer
from ledger.setup_cli import to_minor


def run(app, *args: str):
    db.session.commit()
    return app.test_cli_runner().invoke(args=["ledger", *args])


def transfers() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Transfer)).scalar_one()


def test_a_network_is_set_up_and_money_enters_by_a_deposit(app, db_session):
    assert run(app, "currency", "add", "BRL", "Real").exit_code == 0
    added = run(app, "currency", "add", "PALMA", "Palma", "--kind", "social", "--backed-by", "BRL")
    assert added.exit_code == 0, added.output
    opened = run(app, "network", "open", "BRL")
    assert opened.exit_code == 0, opened.output

    assert db.session.get(Currency, "BRL").minor_units == 2  # Babel's, for an ISO code
    assert db.session.get(Currency, "PALMA").backed_by == "BRL"
    codes = set(db.session.execute(sa.select(Account.code)).scalars())
    assert codes == {
        "world:BRL",
        "world:PALMA",
        "network:solidarity-fund:BRL",
        "network:expansion-fund:BRL",
        "network:reserve:BRL",
        "network:bank-reserve:BRL",  # BRL backs PALMA
    }

    deposited = run(app, "deposit", "network:solidarity-fund:BRL", "1500,50", "--memo", "Aportes")
    assert deposited.exit_code == 0, deposited.output
    fund = network.network_account(network.Purpose.SOLIDARITY_FUND, "BRL")
    db.session.refresh(fund)
    assert fund.balance == 150_050
    assert network.issuance_account("BRL").balance == -150_050


def test_mutual_credit_has_no_issuance_account(app, db_session):
    assert run(app, "currency", "add", "CRED", "Crédito", "--kind", "mutual-credit").exit_code == 0
    assert network.issuance_account("CRED") is None
    assert db.session.get(Currency, "CRED").minor_units == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("currency", "add", "BRL", "Real"), "already exists"),
        (("currency", "add", "PALMA", "Palma", "--kind", "social"), "backed"),
        (("network", "open", "XYZ"), "no currency"),
        (("deposit", "nowhere", "10", "--memo", "x"), "no account"),
        (("deposit", "network:solidarity-fund:BRL", "abc", "--memo", "x"), "not an amount"),
        (("deposit", "network:solidarity-fund:BRL", "0", "--memo", "x"), "positive"),
        (("deposit", "network:solidarity-fund:BRL", "1.005", "--memo", "x"), "decimals"),
        (("deposit", "world:PALMA", "10", "--memo", "x"), "only by conversion"),
    ],
)
def test_a_refusal_says_why_and_writes_nothing(app, db_session, args, message):
    run(app, "currency", "add", "BRL", "Real")
    run(app, "currency", "add", "PALMA", "Palma", "--kind", "social", "--backed-by", "BRL")
    run(app, "network", "open", "BRL")
    accounts_before = db.session.execute(sa.select(sa.func.count(Account.id))).scalar_one()
    result = run(app, *args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert db.session.execute(sa.select(sa.func.count(Account.id))).scalar_one() == accounts_before
    assert transfers() == 0


@pytest.mark.pure
@pytest.mark.parametrize(
    ("text", "units", "minor"), [("1500", 2, 150_000), ("1500,5", 2, 150_050), ("7", 0, 7)]
)
def test_amounts_are_read_in_minor_units(text, units, minor):
    assert to_minor(text, units) == minor
