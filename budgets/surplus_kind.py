"""The ``surplus-split`` proposal kind: members split a surplus among destinations.

Registered once, when the app is built (``budgets.init_app``). Its fields and
their checks are in ``budgets.surplus_fields``; its form fields in
``budgets.surplus_forms``. Put to a vote, it is a ``split`` ballot
(``budgets.split_method``) whose options are the destinations, with the floors,
ceilings and the total fixed at that moment (``ballot_settings``); approved, its
effect moves the money in one linked batch (``governance.effects.split_surplus``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from budgets.split_method import METHOD_ID, unit_text
from budgets.surplus_fields import KIND_ID, DestinationError, balance_moment, clean
from budgets.surplus_forms import BLANK_ROWS, SurplusSplitFields
from governance import effects
from governance.errors import DomainError
from governance.extensions import db
from governance.services import naive_utc
from ledger.amounts import format_amount, parse_amount, plain
from ledger.history import accounts_by_id
from ledger.models import Account, Currency
from ledger.owners import Names
from ledger.queries import balance_at
from proposals import services as proposal_services
from proposals.kinds import ProposalKind, register_kind, registered_kinds
from votes.models import ThresholdBase
from votes.services import BallotSettings

RULE_NAMES = {
    "independent-markets": _l("Independent markets"),
    "mean": _l("Mean"),
}
RULE_EXPLANATIONS = {
    "independent-markets": _l(
        "Independent markets: each destination gets about the median of what the voters "
        "gave it, with every median moved alike so that the shares add up to the whole. "
        "No one gains by exaggerating, so everyone can vote what they really think."
    ),
    "mean": _l(
        "Mean: each destination gets the average of what the voters gave it. Simple, but a "
        "voter who exaggerates pulls the result further their way."
    ),
}
SCALE_NAMES = {100: _l("per cent"), 1000: _l("per mille")}


def account_name(account: Account | None) -> str:
    """An account as members read it: "Solidarity fund (network:solidarity-fund:BRL)"."""
    if account is None:
        return "?"
    return f"{Names([account]).account(account)} ({account.code})"


def account_names(ids: Iterable[int]) -> dict[int, str]:
    """:func:`account_name` of several accounts by id, read in one query."""
    accounts = accounts_by_id(set(ids)).values()
    names = Names(accounts)
    return {account.id: f"{names.account(account)} ({account.code})" for account in accounts}


def money(amount: int, currency_code: str) -> str:
    currency = db.session.get(Currency, currency_code)
    return format_amount(amount, currency) if currency is not None else f"{amount} {currency_code}"


# --- the form -------------------------------------------------------------------------


def _account_id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _share(raw: str | None) -> int | str | None:
    """A share as typed: blank is None, "20", "20 %" and "200‰" are whole numbers;
    anything else is returned as typed for ``clean`` to refuse."""
    text = (raw or "").strip().rstrip("%‰").strip()
    if not text:
        return None
    return int(text) if text.isdigit() and len(text) < 10 else text


def _amount(form: Any, source: Account | None) -> int | None:
    if form.basis.data != "amount":
        return None
    if source is None:
        raise DomainError(
            _l("Choose the account that holds the surplus."), field="source_account_id"
        )
    currency = db.session.get(Currency, source.currency)
    if currency is None:  # pragma: no cover - an account's currency exists
        raise DomainError(_l("Choose the account that holds the surplus."))
    try:
        return parse_amount(form.amount.data, currency)
    except DomainError as error:
        raise DomainError(error.message, field="amount") from None


def read_form(form: Any) -> dict:
    """The fields from the form; the rows left empty are skipped. A destination's
    error names the row the member sees."""
    source_id = _account_id(form.source_account_id.data)
    source = db.session.get(Account, source_id) if source_id is not None else None
    rows, row_numbers = [], []
    for number, entry in enumerate(form.destinations, start=1):
        row = entry.form
        typed = (row.destination.data, row.account.data, row.floor.data, row.ceiling.data)
        if not any((value or "").strip() for value in typed):
            continue
        rows.append(
            {
                "label": row.destination.data or "",
                "account_id": _account_id(row.account.data),
                "floor": _share(row.floor.data),
                "ceiling": _share(row.ceiling.data),
            }
        )
        row_numbers.append(number)
    balance_date = form.balance_date.data if form.basis.data == "balance" else None
    fields = {
        "source_account_id": source_id,
        "basis": form.basis.data,
        "amount": _amount(form, source),
        "balance_date": balance_date.isoformat() if balance_date else None,
        "scale": int(form.scale.data) if (form.scale.data or "").isdigit() else form.scale.data,
        "rule": form.rule.data,
        "destinations": rows,
    }
    try:
        clean(fields)
    except DestinationError as error:
        raise error.renumbered(row_numbers[error.position - 1]) from None
    return fields


def _share_text(value: int, default: int) -> str:
    return "" if value == default else str(value)


def fill_form(form: Any, fields: dict) -> None:
    """The form as the revision left it, with room for more destinations."""
    destinations = fields.get("destinations", [])
    scale = fields.get("scale", 100)
    form.source_account_id.data = str(fields.get("source_account_id", ""))
    form.basis.data = fields.get("basis", "amount")
    amount = fields.get("amount")
    source = db.session.get(Account, fields.get("source_account_id", 0))
    currency = db.session.get(Currency, source.currency) if source is not None else None
    form.amount.data = plain(amount, currency.minor_units) if amount and currency else ""
    balance_date = fields.get("balance_date")
    form.balance_date.data = date.fromisoformat(balance_date) if balance_date else None
    form.scale.data = str(scale)
    form.rule.data = fields.get("rule", "independent-markets")
    entries = form.destinations
    while len(entries) < min(max(len(destinations) + 2, BLANK_ROWS), entries.max_entries):
        entries.append_entry()
    for entry, destination in zip(entries, destinations, strict=False):
        entry.form.destination.data = destination["label"]
        entry.form.account.data = str(destination["account_id"])
        entry.form.floor.data = _share_text(destination["floor"], 0)
        entry.form.ceiling.data = _share_text(destination["ceiling"], scale)


# --- what it says ---------------------------------------------------------------------


def surplus_line(fields: dict) -> str:
    """How much is split, in words."""
    source = db.session.get(Account, fields.get("source_account_id", 0))
    if fields.get("basis") == "balance":
        return str(
            _l(
                "the balance of %(account)s at the end of %(date)s (UTC)",
                account=account_name(source),
                date=format_date(date.fromisoformat(fields["balance_date"])),
            )
        )
    return money(fields.get("amount") or 0, fields.get("currency", ""))


def describe(fields: dict) -> list[str]:
    """The split's fields, one fact a line, in the reader's language."""
    scale = fields.get("scale", 100)
    destinations = fields.get("destinations", [])
    source_id = fields.get("source_account_id", 0)
    names = account_names([source_id, *(destination["account_id"] for destination in destinations)])
    lines = [
        str(_l("Surplus")) + ": " + surplus_line(fields),
        str(_l("Account that holds the surplus")) + ": " + names.get(source_id, "?"),
        str(_l("Voters split in")) + ": " + str(SCALE_NAMES.get(scale, scale)),
        str(_l("Rule")) + ": " + str(RULE_NAMES.get(fields.get("rule", ""), "?")),
    ]
    for destination in destinations:
        bounds = _l(
            "at least %(floor)s, at most %(ceiling)s",
            floor=unit_text(destination["floor"], scale),
            ceiling=unit_text(destination["ceiling"], scale),
        )
        lines.append(
            str(_l("Destination"))
            + f": {destination['label']} — {names.get(destination['account_id'], '?')} — {bounds}"
        )
    return lines


# --- the ballot -----------------------------------------------------------------------


def surplus_total(fields: dict, now: datetime) -> int:
    """The amount split, fixed now: the amount, or the source's posted balance at the
    end of the day named. Refused before that day ends, or with nothing to split."""
    if fields.get("basis") != "balance":
        return int(fields["amount"])
    balance_date = date.fromisoformat(fields["balance_date"])
    moment = balance_moment(balance_date)
    source = db.session.get(Account, fields["source_account_id"])
    if naive_utc(now) < naive_utc(moment):
        raise DomainError(
            _l(
                "The surplus is the balance of %(account)s at the end of %(date)s (UTC), and "
                "that day has not ended yet. Put the proposal to a vote after it.",
                account=account_name(source),
                date=format_date(balance_date),
            )
        )
    balance = balance_at(fields["source_account_id"], moment)
    if balance <= 0:
        raise DomainError(
            _l(
                "At the end of %(date)s, %(account)s held %(balance)s: there is no surplus "
                "to split.",
                account=account_name(source),
                date=format_date(balance_date),
                balance=money(balance, fields["currency"]),
            )
        )
    return balance


def ballot_settings(proposal: Any, settings: BallotSettings, now: datetime) -> BallotSettings:
    """The chair's question, explanation, mode, times and quorum; a split among the
    destinations with their floors and ceilings, and the total fixed now."""
    fields = proposal_services.current_revision(proposal).fields
    destinations = fields["destinations"]
    return dataclasses.replace(
        settings,
        method=METHOD_ID,
        options=[destination["label"] for destination in destinations],
        threshold=None,
        threshold_base=ThresholdBase.VOTES,
        is_strict=True,
        max_choices=None,
        max_score=None,
        method_settings={
            "scale": fields["scale"],
            "rule": fields["rule"],
            "floors": [destination["floor"] for destination in destinations],
            "ceilings": [destination["ceiling"] for destination in destinations],
            "total": surplus_total(fields, now),
            "currency": fields["currency"],
        },
    )


SURPLUS_SPLIT = ProposalKind(
    id=KIND_ID,
    label=_l("Surplus split"),
    description=_l(
        "How to split a surplus among the network's funds and other destinations: each "
        "member divides it in shares, and the shares are combined into exact amounts that "
        "move when the ballot approves them."
    ),
    form_mixin=SurplusSplitFields,
    read_form=read_form,
    fill_form=fill_form,
    clean=clean,
    template="budgets/_surplus_split_fields.html",
    describe=describe,
    effect=effects.split_surplus,
    ballot_settings=ballot_settings,
    ballot_explanation=_l(
        "Each member of %(body)s will split the surplus of revision %(n)s of the proposal "
        "among its destinations; the splits are combined by the proposal's rule into exact "
        "amounts. The amount split is fixed now. There is no threshold: if the quorum is "
        "met, the result is the decision."
    ),
)


def register() -> None:
    """Register the kind (once, however many apps are built)."""
    if all(kind.id != KIND_ID for kind in registered_kinds()):
        register_kind(SURPLUS_SPLIT)
