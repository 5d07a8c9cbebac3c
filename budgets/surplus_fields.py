"""The fields of a ``surplus-split`` proposal and their checks (``clean``), whatever
their source (the form, a command, an import).

The fields, stored as JSON on each revision::

    {"source_account_id": 7,          # a network account holding the surplus
     "currency": "BRL",               # the source account's currency
     "basis": "amount" | "balance",
     "amount": 6000000 | None,        # minor units, for basis "amount"
     "balance_date": "2026-12-31" | None,  # basis "balance": the account's posted
                                      # balance at the END of that day, UTC
     "scale": 100 | 1000,             # voters split in per cent or per mille
     "rule": "independent-markets" | "mean",
     "destinations": [{"label": "Expansion", "account_id": 3,
                       "floor": 20, "ceiling": 100}, ...]}

Two to twelve destinations, each a distinct name (the ballot's options) and a
distinct account in the source's currency other than the source; floors and
ceilings are whole numbers of the scale. A destination's errors name it by its
place in the list ("Destination 3: ..."); ``DestinationError`` lets the form say
the row the member sees instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeGuard

from flask_babel import lazy_gettext as _l

from budgets.split_method import MAX_TOTAL, RULE_IDS, SCALES, unit_text
from governance.errors import DomainError
from governance.extensions import db
from ledger import network
from ledger.models import Account

KIND_ID = "surplus-split"
BASES = ("amount", "balance")
MIN_DESTINATIONS = 2
MAX_DESTINATIONS = 12
LABEL_MAX = 120  # a ballot option's length (votes.services.OPTION_MAX)
DEFAULT_RULE = "independent-markets"

# What is wrong with one destination; ``n`` is its place (from 1).
_ROW_MESSAGES: dict[str, Callable[..., Any]] = {
    "not-a-row": lambda n: _l("Destination %(n)s is not a destination.", n=n),
    "no-label": lambda n: _l("Destination %(n)s: give it a name.", n=n),
    "label-too-long": lambda n: _l(
        "Destination %(n)s: the name is too long (%(max)s characters at most).", n=n, max=LABEL_MAX
    ),
    "label-twice": lambda n: _l("Destination %(n)s: another destination has the same name.", n=n),
    "no-account": lambda n: _l("Destination %(n)s: choose the account that receives it.", n=n),
    "unknown-account": lambda n: _l("Destination %(n)s: there is no such account.", n=n),
    "account-cannot-receive": lambda n: _l(
        "Destination %(n)s: this account cannot receive a share of the surplus.", n=n
    ),
    "other-currency": lambda n, account, surplus: _l(
        "Destination %(n)s: the account is in %(account)s, the surplus in %(surplus)s.",
        n=n,
        account=account,
        surplus=surplus,
    ),
    "source-account": lambda n: _l(
        "Destination %(n)s: this is the account the surplus comes from.", n=n
    ),
    "account-twice": lambda n: _l(
        "Destination %(n)s: another destination has the same account.", n=n
    ),
    "bad-floor": lambda n, whole: _l(
        "Destination %(n)s: the floor must be a whole number from 0 to %(whole)s.",
        n=n,
        whole=whole,
    ),
    "bad-ceiling": lambda n, whole: _l(
        "Destination %(n)s: the ceiling must be a whole number from 0 to %(whole)s.",
        n=n,
        whole=whole,
    ),
    "floor-above-ceiling": lambda n: _l("Destination %(n)s: the floor is above the ceiling.", n=n),
}


class DestinationError(DomainError):
    """What is wrong with the destination in place ``position`` (from 1)."""

    def __init__(self, code: str, position: int, **params: Any) -> None:
        super().__init__(_ROW_MESSAGES[code](position, **params), field="destinations")
        self.code = code
        self.position = position
        self.params = params

    def renumbered(self, position: int) -> DestinationError:
        """The same error naming the destination by another number (a form's row)."""
        return DestinationError(self.code, position, **self.params)


def _whole(value: Any) -> TypeGuard[int]:
    return type(value) is int  # not a bool, not a float


def is_bank_reserve(account: Account) -> bool:
    return account.code == network.network_code(network.Purpose.BANK_RESERVE, account.currency)


def can_hold_surplus(account: Account) -> bool:
    """A network fund or reserve: not an issuance account (money would be made, not
    split) nor the community bank's reserve (it backs the social currency)."""
    return account.is_network and not account.may_go_negative and not is_bank_reserve(account)


def can_receive_surplus(account: Account) -> bool:
    """Any account but an issuance account or the bank's reserve."""
    return not account.may_go_negative and not is_bank_reserve(account)


def balance_moment(balance_date: date) -> datetime:
    """The end of ``balance_date`` in UTC: midnight starting the next day."""
    return datetime.combine(balance_date + timedelta(days=1), time(0), tzinfo=UTC)


def _source(value: Any) -> Account:
    account = db.session.get(Account, value) if _whole(value) else None
    if account is None:
        raise DomainError(
            _l("Choose the account that holds the surplus."), field="source_account_id"
        )
    if not can_hold_surplus(account):
        raise DomainError(
            _l(
                "The surplus must be in one of the network's own accounts (a fund or a "
                "reserve), not in %(code)s.",
                code=account.code,
            ),
            field="source_account_id",
        )
    return account


def _how_much(fields: dict) -> tuple[str, int | None, str | None]:
    """(basis, amount, balance_date)."""
    basis = fields.get("basis")
    if basis not in BASES:
        raise DomainError(
            _l("Say whether a fixed amount is split or the account's balance at a date."),
            field="basis",
        )
    if basis == "amount":
        amount = fields.get("amount")
        if not _whole(amount) or amount <= 0:
            raise DomainError(_l("The amount to split must be more than zero."), field="amount")
        if amount > MAX_TOTAL:
            raise DomainError(
                _l("That amount is too large: check the number of digits."), field="amount"
            )
        return basis, amount, None
    raw = fields.get("balance_date")
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        return basis, None, raw.isoformat()
    try:
        return basis, None, date.fromisoformat(str(raw or "")).isoformat()
    except ValueError:
        raise DomainError(
            _l("Write the date of the balance, e.g. 2026-12-31."), field="balance_date"
        ) from None


def _choice(fields: dict, key: str, allowed: tuple, default: Any, message: Any) -> Any:
    value = fields.get(key)
    if value is None:
        return default
    if type(value) is not type(default) or value not in allowed:  # 100.0 and True are not 100
        raise DomainError(message, field=key)
    return value


def _destination(row: Any, n: int, source: Account, scale: int) -> dict:
    """One destination, checked on its own (distinctness comes after)."""
    if not isinstance(row, dict):
        raise DestinationError("not-a-row", n)
    label = " ".join(str(row.get("label") or "").split())
    if not label:
        raise DestinationError("no-label", n)
    if len(label) > LABEL_MAX:
        raise DestinationError("label-too-long", n)
    account_id = row.get("account_id")
    if account_id is None:
        raise DestinationError("no-account", n)
    account = db.session.get(Account, account_id) if _whole(account_id) else None
    if account is None:
        raise DestinationError("unknown-account", n)
    if account.id == source.id:
        raise DestinationError("source-account", n)
    if not can_receive_surplus(account):
        raise DestinationError("account-cannot-receive", n)
    if account.currency != source.currency:
        raise DestinationError(
            "other-currency", n, account=account.currency, surplus=source.currency
        )
    floor, ceiling = row.get("floor"), row.get("ceiling")
    floor = 0 if floor is None else floor
    ceiling = scale if ceiling is None else ceiling
    if not _whole(floor) or not 0 <= floor <= scale:
        raise DestinationError("bad-floor", n, whole=scale)
    if not _whole(ceiling) or not 0 <= ceiling <= scale:
        raise DestinationError("bad-ceiling", n, whole=scale)
    if floor > ceiling:
        raise DestinationError("floor-above-ceiling", n)
    return {"label": label, "account_id": account.id, "floor": floor, "ceiling": ceiling}


def _destinations(rows: Any, source: Account, scale: int) -> list[dict]:
    if not isinstance(rows, list) or len(rows) < MIN_DESTINATIONS:
        raise DomainError(
            _l(
                "Name at least %(min)s destinations: a split needs somewhere to split to.",
                min=MIN_DESTINATIONS,
            ),
            field="destinations",
        )
    if len(rows) > MAX_DESTINATIONS:
        raise DomainError(
            _l("At most %(max)s destinations.", max=MAX_DESTINATIONS), field="destinations"
        )
    destinations: list[dict] = []
    labels: set[str] = set()
    accounts: set[int] = set()
    for n, row in enumerate(rows, start=1):
        destination = _destination(row, n, source, scale)
        if destination["label"].casefold() in labels:
            raise DestinationError("label-twice", n)
        if destination["account_id"] in accounts:
            raise DestinationError("account-twice", n)
        labels.add(destination["label"].casefold())
        accounts.add(destination["account_id"])
        destinations.append(destination)
    floors = sum(d["floor"] for d in destinations)
    if floors > scale:
        raise DomainError(
            _l("The floors add up to %(sum)s, more than the whole.", sum=unit_text(floors, scale)),
            field="destinations",
        )
    ceilings = sum(d["ceiling"] for d in destinations)
    if ceilings < scale:
        raise DomainError(
            _l(
                "The ceilings add up to %(sum)s, less than the whole (%(whole)s).",
                sum=unit_text(ceilings, scale),
                whole=unit_text(scale, scale),
            ),
            field="destinations",
        )
    return destinations


def clean(fields: dict) -> dict:
    """A surplus split's fields, checked and normalised (see the module's docstring).

    Raises a DomainError naming the field, and for a destination its place; a
    missing scale is per cent, a missing rule independent markets, a missing
    floor 0 and a missing ceiling the whole."""
    source = _source(fields.get("source_account_id"))
    basis, amount, balance_date = _how_much(fields)
    scale = _choice(
        fields,
        "scale",
        SCALES,
        SCALES[0],
        _l("Voters split in per cent (100) or in per mille (1000)."),
    )
    rule = _choice(
        fields, "rule", RULE_IDS, DEFAULT_RULE, _l("Choose how the voters' splits are combined.")
    )
    return {
        "source_account_id": source.id,
        "currency": source.currency,
        "basis": basis,
        "amount": amount,
        "balance_date": balance_date,
        "scale": scale,
        "rule": rule,
        "destinations": _destinations(fields.get("destinations"), source, scale),
    }
