"""Setting a network's ledger up from the terminal: currencies, the network's
accounts, and money entering from outside (a deposit).

``asamblea ledger currency add``, ``asamblea ledger network open`` and
``asamblea ledger deposit``. Each is one transaction: it commits at its end or,
on a refusal, prints why and writes nothing.
"""

from __future__ import annotations

import secrets
import sys
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import NoReturn

import click
from babel.numbers import get_currency_precision

from governance.extensions import db
from ledger import accounts, exchange, network
from ledger.cli import ledger_group
from ledger.errors import LedgerError
from ledger.models import Currency, CurrencyKind


def _now() -> datetime:
    return datetime.now(UTC)


def _refuse(message: str) -> NoReturn:
    db.session.rollback()
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def to_minor(text: str, minor_units: int) -> int:
    """``"1500"`` or ``"1500.50"`` (a point or a comma) in minor units; a ValueError otherwise."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount: write digits, e.g. 1500 or 1500.50") from None
    scaled = value.scaleb(minor_units)
    if not value.is_finite() or scaled != scaled.to_integral_value() or scaled <= 0:
        raise ValueError(f"{text!r} is not a positive amount with at most {minor_units} decimals")
    return int(scaled)


@ledger_group.group("currency")
def currency_group() -> None:
    """The ledger's currencies."""


@currency_group.command("add")
@click.argument("code")
@click.argument("name")
@click.option(
    "--kind",
    type=click.Choice([kind.value for kind in CurrencyKind]),
    default=CurrencyKind.NATIONAL.value,
    show_default=True,
)
@click.option(
    "--minor-units",
    type=int,
    default=None,
    help="Decimals (default: the ISO currency's, or 2).",
)
@click.option("--backed-by", default=None, help="A social currency's national currency.")
def currency_add_command(
    code: str, name: str, kind: str, minor_units: int | None, backed_by: str | None
) -> None:
    """Add a currency and, unless it is mutual credit, its issuance account."""
    now = _now()
    if minor_units is None:
        minor_units = get_currency_precision(code) if kind == CurrencyKind.NATIONAL else 2
    try:
        currency = accounts.create_currency(
            code, name, kind=kind, minor_units=minor_units, now=now, backed_by=backed_by
        )
        if currency.kind != CurrencyKind.MUTUAL_CREDIT:
            # Mutual credit is created by the exchanges themselves: its sum stays zero.
            network.ensure_issuance_account(code, now)
    except LedgerError as error:
        _refuse(str(error))
    db.session.commit()
    click.echo(f"Added {currency.kind.value} currency {code} ({currency.name}).")


@ledger_group.group("network")
def network_group() -> None:
    """The network's own accounts."""


@network_group.command("open")
@click.argument("currency")
def network_open_command(currency: str) -> None:
    """Open the network's accounts in CURRENCY (solidarity fund, expansion fund,
    reserve; the community bank's reserve when a social currency is backed by it)."""
    now = _now()
    found = db.session.get(Currency, currency)
    if found is None:
        _refuse(f"There is no currency {currency!r}; add it with `asamblea ledger currency add`.")
    purposes = [
        network.Purpose.SOLIDARITY_FUND,
        network.Purpose.EXPANSION_FUND,
        network.Purpose.RESERVE,
    ]
    backs = db.session.query(Currency).filter(Currency.backed_by == currency).first()
    if backs is not None:
        purposes.append(network.Purpose.BANK_RESERVE)
    opened = [network.ensure_network_account(purpose, currency, now).code for purpose in purposes]
    db.session.commit()
    click.echo("Network accounts: " + ", ".join(opened) + ".")


@ledger_group.command("deposit")
@click.argument("account_code")
@click.argument("amount")
@click.option("--memo", required=True, help="Where the money comes from (kept in the ledger).")
@click.option("--id", "transfer_id", default=None, help="An idempotency key (default: random).")
def deposit_command(account_code: str, amount: str, memo: str, transfer_id: str | None) -> None:
    """Record money entering the network into ACCOUNT_CODE, e.g. cash a member brought
    or a grant received: a deposit from the currency's issuance account."""
    now = _now()
    account = network.account_by_code(account_code)
    if account is None:
        _refuse(f"There is no account {account_code!r}.")
    currency = db.session.get(Currency, account.currency)
    assert currency is not None  # an account's currency is a foreign key
    try:
        minor = to_minor(amount, currency.minor_units)
        result = exchange.deposit(
            account,
            minor,
            transfer_id=transfer_id or f"deposit:{secrets.token_hex(8)}",
            now=now,
            memo=memo,
        )
    except (ValueError, LedgerError) as error:
        _refuse(str(error))
    db.session.commit()
    click.echo(
        f"Deposited {minor} minor units of {account.currency} into {account_code} "
        f"(transfer {result.id}, seq {result.seq})."
    )
