"""Currencies and accounts: added by the network's administrators, never deleted.

An account's totals change only through postings (``ledger/services.py``).
"""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa

from governance.extensions import db
from ledger.errors import InvalidAccount, InvalidCurrency, UnknownCurrency
from ledger.models import MAX_AMOUNT, Account, Currency, CurrencyKind
from ledger.specs import utc_naive

CURRENCY_RE = re.compile(r"[A-Z][A-Z0-9]{1,15}")
ACCOUNT_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9:._-]{0,127}")


def create_currency(
    code: str,
    name: str,
    *,
    kind: CurrencyKind | str,
    minor_units: int,
    now: datetime,
    backed_by: str | None = None,
) -> Currency:
    """Add a currency. A social currency names the national currency that backs it 1:1."""
    if type(code) is not str or not CURRENCY_RE.fullmatch(code):
        raise InvalidCurrency(f"A currency code is 2 to 16 capitals and digits (got {code!r}).")
    if type(name) is not str or not 0 < len(name.strip()) <= 100:
        raise InvalidCurrency("A currency has a name of 1 to 100 characters.")
    if kind not in CurrencyKind.__members__.values():
        raise InvalidCurrency(f"Unknown kind of currency {kind!r}.")
    if type(minor_units) is not int or not 0 <= minor_units <= 18:
        raise InvalidCurrency("Minor units are a whole number from 0 to 18.")
    kind = CurrencyKind(kind)
    if (kind == CurrencyKind.SOCIAL) != (backed_by is not None):
        raise InvalidCurrency("A social currency, and only one, is backed by a national currency.")
    if backed_by is not None:
        backing = db.session.get(Currency, backed_by)
        if backing is None or backing.kind != CurrencyKind.NATIONAL:
            raise InvalidCurrency(f"{backed_by} is not a national currency of this ledger.")
    if db.session.get(Currency, code) is not None:
        raise InvalidCurrency(f"The currency {code} already exists.")
    currency = Currency(
        code=code,
        name=name.strip(),
        kind=kind,
        minor_units=minor_units,
        backed_by=backed_by,
        created_at=utc_naive(now),
    )
    db.session.add(currency)
    db.session.flush()
    return currency


def open_account(
    code: str,
    *,
    owner: str,
    currency: str,
    now: datetime,
    credit_limit: int = 0,
    is_network: bool = False,
    may_go_negative: bool = False,
) -> Account:
    """Open an account. ``may_go_negative`` marks the currency's one issuance account,
    through which money enters the ledger; it has no credit limit."""
    if type(code) is not str or not ACCOUNT_CODE_RE.fullmatch(code):
        raise InvalidAccount(
            f"An account code is 1 to 128 letters, digits and : . _ - (got {code!r})."
        )
    if type(owner) is not str or not 0 < len(owner) <= 64:
        raise InvalidAccount("An account's owner is a reference of 1 to 64 characters.")
    if db.session.get(Currency, currency) is None:
        raise UnknownCurrency(f"There is no currency {currency!r}.")
    if type(credit_limit) is not int or not 0 <= credit_limit <= MAX_AMOUNT:
        raise InvalidAccount("A credit limit is a whole number of minor units, 0 or more.")
    if may_go_negative and credit_limit:
        raise InvalidAccount("The issuance account has no credit limit: it may go negative.")
    if db.session.execute(sa.select(Account.id).where(Account.code == code)).first():
        raise InvalidAccount(f"The account {code} already exists.")
    if (
        may_go_negative
        and db.session.execute(
            sa.select(Account.id).where(Account.currency == currency, Account.may_go_negative)
        ).first()
    ):
        raise InvalidAccount(f"{currency} already has its issuance account.")
    account = Account(
        code=code,
        owner=owner,
        currency=currency,
        credit_limit=credit_limit,
        is_network=bool(is_network),
        may_go_negative=bool(may_go_negative),
        posted_debits=0,
        posted_credits=0,
        pending_debits=0,
        pending_credits=0,
        created_at=utc_naive(now),
    )
    db.session.add(account)
    db.session.flush()
    return account
