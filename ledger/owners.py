"""The names behind accounts' owner references, for the pages.

The ledger stores ``member:12``, ``organization:3``, ``network`` or ``world``;
members read "Ana Souza", "Cooperativa Recicla Vida", "Solidarity fund" or
"Community bank: issuance". ``Names`` looks up every member and organization a
page needs in two queries.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from governance.extensions import db
from governance.models import Member, Organization
from ledger import network
from ledger.models import Account, Currency, CurrencyKind

PURPOSE_LABELS = {
    network.Purpose.SOLIDARITY_FUND: _l("Solidarity fund"),
    network.Purpose.EXPANSION_FUND: _l("Expansion fund"),
    network.Purpose.RESERVE: _l("Network reserve"),
    network.Purpose.SURPLUS: _l("Surplus to allocate"),
    network.Purpose.BANK_RESERVE: _l("Community bank reserve"),
}


def _split(owner: str) -> tuple[str, int | None]:
    kind, _sep, rest = owner.partition(":")
    return kind, int(rest) if rest.isdigit() else None


class Names:
    """Display names of the owners of ``accounts`` (and of ``owners``)."""

    def __init__(self, accounts: Iterable[Account] = (), owners: Iterable[str] = ()) -> None:
        self._accounts = list(accounts)
        refs = {account.owner for account in self._accounts} | set(owners)
        ids: dict[str, set[int]] = {"member": set(), "organization": set()}
        for ref in refs:
            kind, owner_id = _split(ref)
            if kind in ids and owner_id is not None:
                ids[kind].add(owner_id)
        members = db.session.execute(
            sa.select(Member.id, Member.display_name, Member.is_active_member).where(
                Member.id.in_(ids["member"])
            )
        ).all()
        self._members = {member_id: name for member_id, name, _active in members}
        self._inactive = {f"member:{member_id}" for member_id, _n, active in members if not active}
        self._organizations = dict(
            db.session.execute(
                sa.select(Organization.id, Organization.name).where(
                    Organization.id.in_(ids["organization"])
                )
            ).all()
        )
        codes = {account.currency for account in self._accounts}
        self._social = set(
            db.session.execute(
                sa.select(Currency.code).where(
                    Currency.code.in_(codes), Currency.kind == CurrencyKind.SOCIAL
                )
            ).scalars()
        )

    def owner(self, ref: str) -> str:
        """Who an owner reference is: a member's or organization's name, or the network."""
        kind, owner_id = _split(ref)
        if kind == "member" and owner_id in self._members:
            return self._members[owner_id]
        if kind == "organization" and owner_id in self._organizations:
            return self._organizations[owner_id]
        if ref == network.NETWORK:
            return _("The network")
        if ref == network.WORLD:
            return _("Outside the network")
        if kind == "proposal" and owner_id is not None:
            return _("Project of proposal %(id)s", id=owner_id)
        return ref

    def is_active(self, ref: str) -> bool:
        """False for a member who has left the network (deactivated)."""
        return ref not in self._inactive

    def account(self, account: Account) -> str:
        """The account's name as a counterparty: its owner, or the network's purpose."""
        if account.owner == network.NETWORK:
            purpose = account.code.split(":")[1] if account.code.count(":") >= 2 else ""
            label = PURPOSE_LABELS.get(purpose)  # type: ignore[call-overload]
            return str(label) if label else account.code
        if account.may_go_negative:
            if account.currency in self._social:
                return _("Community bank: issuance")
            return _("Outside the network: deposits")
        return self.owner(account.owner)


def usable_accounts(owner_refs: list[str]) -> list[Account]:
    """The accounts of these owners, in the order of the owners, then by currency."""
    query = sa.select(Account).where(Account.owner.in_(owner_refs))
    found = list(db.session.execute(query).scalars())
    order = {ref: index for index, ref in enumerate(owner_refs)}
    return sorted(found, key=lambda a: (order[a.owner], a.currency))


def recipient_accounts(currencies: Iterable[str], *, with_network: bool = False) -> list[Account]:
    """Accounts that may receive an exchange in ``currencies``: members' and
    organizations' (and the network's funds, for donations; never the bank reserve)."""
    owners = sa.or_(Account.owner.like("member:%"), Account.owner.like("organization:%"))
    if with_network:
        bank = f"{network.NETWORK}:{network.Purpose.BANK_RESERVE.value}:%"
        funds = sa.and_(Account.owner == network.NETWORK, Account.code.not_like(bank))
        owners = sa.or_(owners, funds)
    query = sa.select(Account).where(Account.currency.in_(list(currencies)), owners)
    return list(db.session.execute(query).scalars())
