"""Who owns which account: the naming every part of the application shares.

An account's ``owner`` is an opaque reference the ledger never resolves:

- ``network``: the network's own accounts, one per purpose and currency, coded
  ``network:<purpose>:<CUR>`` (``network:solidarity-fund:BRL``);
- ``world``: the one issuance account of each currency, ``world:<CUR>``, through
  which money enters the ledger (a deposit) and social currency is issued;
- ``member:<id>`` and ``organization:<id>``: ``member:12:BRL``,
  ``organization:3:SOC``; ``proposal:<id>`` for a funded project's own account
  when its beneficiary is not an organization of the network.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa

from governance.extensions import db
from ledger import accounts
from ledger.models import Account

NETWORK = "network"
WORLD = "world"


class Purpose(enum.StrEnum):
    """The network's accounts (the seed texts' funds and reserves)."""

    SOLIDARITY_FUND = "solidarity-fund"
    EXPANSION_FUND = "expansion-fund"
    RESERVE = "reserve"
    # Where the year's surplus collects until members decide its split (issue 8).
    SURPLUS = "surplus"
    # The national currency that backs the social currency 1:1.
    BANK_RESERVE = "bank-reserve"


def owner_ref(kind: str, owner_id: int) -> str:
    return f"{kind}:{owner_id}"


def network_code(purpose: Purpose | str, currency: str) -> str:
    return f"{NETWORK}:{Purpose(purpose).value}:{currency}"


def issuance_code(currency: str) -> str:
    return f"{WORLD}:{currency}"


def owned_code(owner: str, currency: str) -> str:
    return f"{owner}:{currency}"


def account_by_code(code: str) -> Account | None:
    return db.session.execute(sa.select(Account).where(Account.code == code)).scalar_one_or_none()


def network_account(purpose: Purpose | str, currency: str) -> Account | None:
    return account_by_code(network_code(purpose, currency))


def issuance_account(currency: str) -> Account | None:
    query = sa.select(Account).where(Account.currency == currency, Account.may_go_negative)
    return db.session.execute(query).scalar_one_or_none()


def accounts_of(owner: str) -> list[Account]:
    query = sa.select(Account).where(Account.owner == owner).order_by(Account.currency)
    return list(db.session.execute(query).scalars())


def network_accounts() -> list[Account]:
    query = (
        sa.select(Account).where(Account.owner == NETWORK).order_by(Account.currency, Account.code)
    )
    return list(db.session.execute(query).scalars())


def ensure_issuance_account(currency: str, now: datetime) -> Account:
    return issuance_account(currency) or accounts.open_account(
        issuance_code(currency),
        owner=WORLD,
        currency=currency,
        now=now,
        is_network=True,
        may_go_negative=True,
    )


def ensure_network_account(purpose: Purpose | str, currency: str, now: datetime) -> Account:
    return network_account(purpose, currency) or accounts.open_account(
        network_code(purpose, currency),
        owner=NETWORK,
        currency=currency,
        now=now,
        is_network=True,
    )


def ensure_owned_account(
    owner: str, currency: str, now: datetime, *, credit_limit: int = 0
) -> Account:
    """The owner's account in ``currency``, opened (with ``credit_limit``) if missing."""
    return account_by_code(owned_code(owner, currency)) or accounts.open_account(
        owned_code(owner, currency),
        owner=owner,
        currency=currency,
        now=now,
        credit_limit=credit_limit,
    )
