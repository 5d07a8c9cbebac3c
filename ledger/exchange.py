"""The seed's three exchange modalities, and conversion at the community bank, as
plain services over ``ledger.services``.

- ``pay``: purchase and sale, in a national currency;
- ``barter``: barter mediated by a social currency, mutual credit, time or another
  unit of the network's own (any currency but a national one);
- ``donate``: a multi-reciprocal donation, in any currency. It always carries a
  thanks message: in the seed, donations are recorded with the volumes given and
  the thanks that go with them, so a donation without one is refused;
- ``convert``: national <-> social currency at the community bank, 1:1, as one
  linked batch of two conversion transfers (posted whole or not at all).

Each takes the caller's transfer id, an idempotency key: the pages put a random
one in the form when they show it, so a form sent twice posts once and the
second call returns the first result (``is_replay``). Like the rest of the
ledger these functions flush, never commit, know nothing of who is asking (the
views check ``ledger.policies``) and raise ``LedgerError`` subclasses with a
stable ``code``; nothing is posted when they do.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from governance.extensions import db
from ledger import network, services
from ledger.errors import LedgerError, UnknownAccount, UnknownCurrency
from ledger.models import Account, Currency, CurrencyKind, Modality, Transfer
from ledger.specs import TransferResult, TransferSpec

# The owners who exchange: members and the organizations they act for.
EXCHANGING_OWNERS = ("member:", "organization:")
# Currencies a member may open an account in by themselves, when the network runs
# accounts in them; mutual credit and time accounts come with limits the network sets.
SELF_SERVICE_KINDS = (CurrencyKind.NATIONAL, CurrencyKind.SOCIAL)


class ExchangeRefused(LedgerError):
    """An exchange the modality does not allow."""

    code = "exchange-refused"


class WrongCurrencyKind(ExchangeRefused):
    """Purchases are in a national currency, barters in anything but one."""

    code = "wrong-currency-kind"


class SameAccount(ExchangeRefused):
    code = "same-account"


class NotExchanging(ExchangeRefused):
    """Only member and organization accounts exchange (not the network's funds'
    issuance accounts); a donation may also go to one of the network's funds."""

    code = "not-exchanging"


class ThanksRequired(ExchangeRefused):
    code = "thanks-required"


class NotConvertible(ExchangeRefused):
    """The community bank does not convert this currency (no social currency backed
    by it, or no bank reserve)."""

    code = "not-convertible"


class NotEnoughToConvert(ExchangeRefused):
    """The bank converts the social currency one holds, not one's credit in it."""

    code = "not-enough-to-convert"


class CurrencyNotOffered(ExchangeRefused):
    code = "currency-not-offered"


# ---------------------------------------------------------------- the three modalities


def pay(
    from_account: Account,
    to_account: Account,
    amount: int,
    *,
    transfer_id: str,
    now: datetime,
    memo: str | None = None,
    reference: str | None = None,
) -> TransferResult:
    """A purchase: ``from_account`` pays ``to_account`` ``amount`` minor units of a
    national currency (both accounts in it)."""
    _check_parties(from_account, to_account)
    if _currency(from_account.currency).kind != CurrencyKind.NATIONAL:
        raise WrongCurrencyKind(
            f"A purchase is paid in a national currency; {from_account.currency} is not one."
        )
    return _post(
        from_account,
        to_account,
        amount,
        Modality.PURCHASE,
        transfer_id,
        now,
        memo=memo,
        reference=reference,
    )


def deposit(
    to_account: Account, amount: int, *, transfer_id: str, now: datetime, memo: str
) -> TransferResult:
    """Money entering the network from outside (cash brought in, a grant): a deposit
    from the currency's issuance account. Never into a social currency, which enters
    only by conversion at the bank, so that its reserve keeps up with it."""
    currency = _currency(to_account.currency)
    if currency.kind == CurrencyKind.SOCIAL:
        raise WrongCurrencyKind(
            f"{currency.code} is a social currency: it enters only by conversion of "
            f"{currency.backed_by} at the community bank."
        )
    source = network.issuance_account(currency.code)
    if source is None:
        raise NotExchanging(
            f"{currency.code} has no issuance account: money does not enter it from outside."
        )
    if to_account.may_go_negative:
        raise SameAccount("The issuance account cannot receive a deposit.")
    return services.post(
        TransferSpec(
            id=transfer_id,
            debit_account_id=source.id,
            credit_account_id=to_account.id,
            amount=amount,
            currency=currency.code,
            modality=Modality.DEPOSIT,
            memo=memo,
        ),
        now=now,
    )


def barter(
    from_account: Account,
    to_account: Account,
    amount: int,
    *,
    transfer_id: str,
    now: datetime,
    memo: str | None = None,
    reference: str | None = None,
) -> TransferResult:
    """A barter mediated by the network's own units: social currency, mutual credit,
    time or other (never a national currency). The payer may go into credit up to
    their account's limit."""
    _check_parties(from_account, to_account)
    if _currency(from_account.currency).kind == CurrencyKind.NATIONAL:
        raise WrongCurrencyKind(
            f"A barter is in social currency or credits; {from_account.currency} is a "
            "national currency (that is a purchase)."
        )
    return _post(
        from_account,
        to_account,
        amount,
        Modality.BARTER,
        transfer_id,
        now,
        memo=memo,
        reference=reference,
    )


def donate(
    from_account: Account,
    to_account: Account,
    amount: int,
    *,
    thanks: str,
    transfer_id: str,
    now: datetime,
    memo: str | None = None,
) -> TransferResult:
    """A multi-reciprocal donation in any currency, to a member, an organization or
    one of the network's funds; ``thanks`` (required) travels with it and shows on
    both statements."""
    _check_parties(from_account, to_account, to_network_allowed=True)
    if not (thanks or "").strip():
        raise ThanksRequired("A donation carries a thanks message.")
    return _post(
        from_account,
        to_account,
        amount,
        Modality.DONATION,
        transfer_id,
        now,
        memo=memo,
        thanks=thanks.strip(),
    )


# ---------------------------------------------------------------- the community bank


def convert(
    owner: str,
    currency_from: str,
    amount: int,
    *,
    transfer_id: str,
    now: datetime,
    currency_to: str | None = None,
) -> list[TransferResult]:
    """Convert ``amount`` of ``owner``'s money at the community bank, 1:1.

    National to social: the owner's national account pays the network's bank
    reserve, and the social currency's issuance account (``world:<SOC>``) issues
    the same amount into the owner's social account (opened if missing). Social
    to national: the reverse, taking the social currency out of circulation and
    paying the owner from the reserve; only the social currency the owner holds
    is converted, not credit. So the reserve always equals the social currency
    the bank has issued.

    ``currency_to`` names the social currency when more than one is backed by the
    same national currency. The two transfers are ``<transfer_id>.1`` and
    ``.2``, linked in the batch ``transfer_id``.
    """
    if not owner.startswith(EXCHANGING_OWNERS):
        raise NotExchanging(f"{owner} does not convert money at the community bank.")
    source_currency = _currency(currency_from)
    if source_currency.kind == CurrencyKind.NATIONAL:
        national, social = source_currency, _social_backed_by(source_currency, currency_to)
    elif source_currency.kind == CurrencyKind.SOCIAL and source_currency.backed_by:
        national, social = _currency(source_currency.backed_by), source_currency
        if currency_to not in (None, national.code):
            raise NotConvertible(f"{social.code} converts to {national.code} only.")
    else:
        raise NotConvertible(f"{currency_from} is not converted at the community bank.")
    reserve = network.network_account(network.Purpose.BANK_RESERVE, national.code)
    if reserve is None:
        raise NotConvertible(f"The network has no community bank reserve in {national.code}.")
    issuance = network.ensure_issuance_account(social.code, now)
    held = network.account_by_code(network.owned_code(owner, currency_from))
    if held is None:
        raise UnknownAccount(f"{owner} has no account in {currency_from}.")
    to_social = source_currency.code == national.code
    received = _ensure_account(owner, (social if to_social else national).code, now)
    locked = _lock([held, reserve, issuance, received])
    if to_social:
        legs = [(held, reserve, national), (issuance, received, social)]
    else:
        _refuse_converting_credit(held, amount, transfer_id, locked)
        legs = [(held, issuance, social), (reserve, received, national)]
    specs = [
        TransferSpec(
            id=f"{transfer_id}.{number}",
            debit_account_id=debit.id,
            credit_account_id=credit.id,
            amount=amount,
            currency=currency.code,
            modality=Modality.CONVERSION,
        )
        for number, (debit, credit, currency) in enumerate(legs, start=1)
    ]
    return services.post_batch(specs, batch_id=transfer_id, now=now)


def convertible_pairs() -> list[tuple[Currency, Currency]]:
    """(national, social) pairs the community bank converts: a social currency backed
    by a national one in which the network has its bank reserve."""
    social = sa.orm.aliased(Currency)
    reserves = sa.select(Account.currency).where(
        Account.code.like(f"{network.NETWORK}:{network.Purpose.BANK_RESERVE.value}:%")
    )
    query = (
        sa.select(Currency, social)
        .join(social, social.backed_by == Currency.code)
        .where(Currency.code.in_(reserves))
        .order_by(Currency.code, social.code)
    )
    return [(national, soc) for national, soc in db.session.execute(query).all()]


# ---------------------------------------------------------------- opening accounts


def offered_currencies() -> list[Currency]:
    """The national and social currencies a member may open an account in: those in
    which the network keeps accounts of its own (its funds, or the issuance account
    of a social currency)."""
    with_network_accounts = sa.select(Account.currency).where(Account.is_network)
    query = (
        sa.select(Currency)
        .where(Currency.kind.in_(SELF_SERVICE_KINDS), Currency.code.in_(with_network_accounts))
        .order_by(Currency.code)
    )
    return list(db.session.execute(query).scalars())


def open_account(owner: str, currency: str, *, now: datetime) -> Account:
    """Open ``owner``'s account in an offered currency (no credit limit); an account
    already open is returned as it is."""
    if not owner.startswith(EXCHANGING_OWNERS):
        raise NotExchanging(f"{owner} does not open accounts here.")
    if currency not in {offered.code for offered in offered_currencies()}:
        raise CurrencyNotOffered(f"The network offers no accounts in {currency}.")
    return _ensure_account(owner, currency, now)


def _ensure_account(owner: str, currency: str, now: datetime) -> Account:
    """The owner's account, opened if missing. A form sent twice at once may race to
    open the same account: the second waits for the first and then finds it."""
    found = network.account_by_code(network.owned_code(owner, currency))
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            return network.ensure_owned_account(owner, currency, now)
    except sa.exc.IntegrityError:
        found = network.account_by_code(network.owned_code(owner, currency))
        if found is None:
            raise
        return found


# ---------------------------------------------------------------- helpers


def _currency(code: str) -> Currency:
    currency = db.session.get(Currency, code)
    if currency is None:
        raise UnknownCurrency(f"There is no currency {code!r}.")
    return currency


def _social_backed_by(national: Currency, wanted: str | None) -> Currency:
    query = sa.select(Currency).where(Currency.backed_by == national.code).order_by(Currency.code)
    candidates = [c for c in db.session.execute(query).scalars() if wanted in (None, c.code)]
    if len(candidates) != 1:
        raise NotConvertible(
            f"Name the social currency to convert {national.code} into."
            if candidates
            else f"No social currency{f' {wanted}' if wanted else ''} is backed by {national.code}."
        )
    return candidates[0]


def _check_parties(
    from_account: Account, to_account: Account, *, to_network_allowed: bool = False
) -> None:
    if from_account.id == to_account.id:
        raise SameAccount("The money would go to the account it comes from.")
    if not from_account.owner.startswith(EXCHANGING_OWNERS):
        raise NotExchanging(f"Account {from_account.code} does not exchange.")
    # Donations may go to the network's funds, never into the bank's reserve, which
    # must equal the social currency issued.
    to_network = (
        to_network_allowed
        and to_account.owner == network.NETWORK
        and to_account.code
        != network.network_code(network.Purpose.BANK_RESERVE, to_account.currency)
    )
    if not (to_account.owner.startswith(EXCHANGING_OWNERS) or to_network):
        raise NotExchanging(f"Account {to_account.code} does not receive exchanges.")


def _lock(accounts: list[Account]) -> dict[int, tuple[int, int, int]]:
    """Lock the accounts in id order, as the posting does (so no two postings wait on
    each other), and read their posted credits, posted debits and pending debits."""
    ids = sorted({account.id for account in accounts})
    rows = db.session.execute(
        sa.select(Account.id, Account.posted_credits, Account.posted_debits, Account.pending_debits)
        .where(Account.id.in_(ids))
        .order_by(Account.id)
        .with_for_update()
    )
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def _refuse_converting_credit(
    account: Account, amount: int, transfer_id: str, locked: dict[int, tuple[int, int, int]]
) -> None:
    """Refuse converting more social currency than the account holds: its credit limit
    does not count. A replay is answered by the ledger, whatever the balance now."""
    credits, debits, pending_debits = locked[account.id]
    holds = credits - debits - pending_debits
    if type(amount) is not int or amount <= holds:
        return  # a malformed amount is the ledger's to refuse
    first_leg = sa.select(Transfer.seq).where(Transfer.id == f"{transfer_id}.1")
    if db.session.execute(first_leg).first() is None:
        raise NotEnoughToConvert(
            f"Account {account.code} holds {max(holds, 0)} {account.currency}; "
            f"converting {amount} would use credit."
        )


def _post(
    from_account: Account,
    to_account: Account,
    amount: int,
    modality: Modality,
    transfer_id: str,
    now: datetime,
    *,
    memo: str | None,
    reference: str | None = None,
    thanks: str | None = None,
) -> TransferResult:
    spec = TransferSpec(
        id=transfer_id,
        debit_account_id=from_account.id,
        credit_account_id=to_account.id,
        amount=amount,
        currency=from_account.currency,
        modality=modality,
        reference=reference,
        memo=memo,
        thanks=thanks,
    )
    return services.post(spec, now=now)
