"""What the pages show of a surplus split: its fields on the proposal page
(``surplus_split_page``) and, once its ballot closed, whether the money moved
(``surplus_money``, for ``templates/budgets/_surplus_money.html``). Both are
Jinja globals (``budgets.init_app``); amounts come formatted in the reader's
language and links only where the reader may follow them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from flask import request, url_for
from flask_login import current_user

from budgets.split_method import unit_text
from budgets.surplus_fields import balance_moment
from budgets.surplus_kind import RULE_EXPLANATIONS, SCALE_NAMES, money
from governance import surplus
from governance.decisions import decision_for_ballot
from governance.models import Decision
from ledger.history import accounts_by_id
from ledger.models import Account, Transfer
from ledger.owners import Names
from ledger.policies import can_view_account, can_view_transfer
from ledger.queries import balance_at
from votes.models import Ballot, BallotState
from votes.policies import can_run_ballots


@dataclass(frozen=True)
class AccountLink:
    name: str
    code: str
    url: str | None  # None: the reader may not open its statement


def _account_link(account: Account | None, names: Names) -> AccountLink:
    if account is None:
        return AccountLink("?", "?", None)
    url = (
        url_for("ledger.account", code=account.code)
        if can_view_account(current_user, account)
        else None
    )
    return AccountLink(names.account(account), account.code, url)


def _accounts(ids: list[int]) -> tuple[dict[int, Account], Names]:
    """The accounts by id, read in one query, and their names."""
    accounts = accounts_by_id(set(ids))
    return accounts, Names(accounts.values())


# --- the proposal page ----------------------------------------------------------------


@dataclass(frozen=True)
class DestinationRow:
    label: str
    account: AccountLink
    floor: str
    ceiling: str


@dataclass(frozen=True)
class SplitPage:
    source: AccountLink
    is_balance: bool
    amount: str | None  # a fixed amount, formatted
    balance_date: date | None
    # The balance at the end of that day, once the day has ended (formatted).
    balance: str | None
    scale_name: str
    rule_explanation: str
    destinations: list[DestinationRow]


def surplus_split_page(fields: dict) -> SplitPage:
    """A revision's fields as the proposal page shows them."""
    destinations = fields.get("destinations", [])
    source_id = fields.get("source_account_id", 0)
    accounts, names = _accounts([source_id, *(d["account_id"] for d in destinations)])
    scale = fields.get("scale", 100)
    currency = fields.get("currency", "")
    is_balance = fields.get("basis") == "balance"
    balance_date = date.fromisoformat(fields["balance_date"]) if is_balance else None
    moment = balance_moment(balance_date) if balance_date is not None else None
    balance = None
    if moment is not None and datetime.now(UTC) >= moment:
        balance = money(balance_at(source_id, moment), currency)
    return SplitPage(
        source=_account_link(accounts.get(source_id), names),
        is_balance=is_balance,
        amount=None if is_balance else money(fields.get("amount") or 0, currency),
        balance_date=balance_date,
        balance=balance,
        scale_name=str(SCALE_NAMES.get(scale, scale)),
        rule_explanation=str(RULE_EXPLANATIONS.get(fields.get("rule", ""), "")),
        destinations=[
            DestinationRow(
                label=d["label"],
                account=_account_link(accounts.get(d["account_id"]), names),
                floor=unit_text(d["floor"], scale),
                ceiling=unit_text(d["ceiling"], scale),
            )
            for d in destinations
        ],
    )


# --- after the ballot: the money --------------------------------------------------------


@dataclass(frozen=True)
class MoneyRow:
    position: int
    label: str
    account: AccountLink
    amount: str
    transfer_id: str | None  # once moved (None: nothing to move, or not yet)
    transfer_url: str | None


@dataclass(frozen=True)
class SurplusMoney:
    """``state``: ``moved``, ``waiting`` (approved, the money not moved yet) or
    ``undecided`` (the ballot approved no split: nothing moves)."""

    state: str
    decision: Decision | None
    total: str | None = None
    source: AccountLink | None = None
    available: str | None = None  # what the source may send now, while waiting
    rows: tuple[MoneyRow, ...] = ()
    batch_id: str | None = None
    moved_at: datetime | None = None
    can_move: bool = False
    move_url: str | None = None
    next_url: str | None = None

    @property
    def is_moved(self) -> bool:
        return self.state == "moved"

    @property
    def is_waiting(self) -> bool:
        return self.state == "waiting"


def _rows(
    plan: surplus.SurplusPlan,
    moved: dict[str, Transfer],
    accounts: dict[int, Account],
    names: Names,
) -> tuple[MoneyRow, ...]:
    source = accounts.get(plan.source_account_id)
    rows = []
    for share in plan.shares:
        transfer = moved.get(surplus.transfer_id(plan.decision_id, share.position))
        account = accounts.get(share.account_id)
        visible = transfer is not None and can_view_transfer(current_user, (source, account))
        rows.append(
            MoneyRow(
                position=share.position,
                label=share.label,
                account=_account_link(account, names),
                amount=money(share.amount, plan.currency),
                transfer_id=transfer.id if transfer is not None else None,
                transfer_url=url_for("ledger.transfer", transfer_id=transfer.id)
                if visible and transfer is not None
                else None,
            )
        )
    return tuple(rows)


def surplus_money(ballot: Any) -> SurplusMoney | None:
    """Whether a closed split ballot's money moved; None for any other ballot."""
    if not isinstance(ballot, Ballot) or ballot.method != surplus.METHOD:
        return None
    if ballot.state is not BallotState.CLOSED:
        return None
    decision = decision_for_ballot(ballot.id)
    plan = surplus.plan_for_decision(decision) if decision is not None else None
    if decision is None or plan is None:
        return SurplusMoney("undecided", decision)
    moved = {transfer.id: transfer for transfer in surplus.moved_transfers(plan)}
    accounts, names = _accounts(
        [plan.source_account_id, *(share.account_id for share in plan.shares)]
    )
    source = accounts.get(plan.source_account_id)
    state = "moved" if moved or not plan.moving else "waiting"
    shown = SurplusMoney(
        state,
        decision,
        total=money(plan.total, plan.currency),
        source=_account_link(source, names),
        rows=_rows(plan, moved, accounts, names),
        batch_id=plan.batch_id,
    )
    if shown.is_moved:
        first = min(moved.values(), key=lambda transfer: transfer.seq) if moved else None
        return replace(shown, moved_at=first.created_at if first else None)
    return replace(
        shown,
        available=money(max(source.available, 0), plan.currency) if source else None,
        can_move=can_run_ballots(current_user, decision.body),
        move_url=url_for("decisions.move_surplus", decision_id=decision.id),
        next_url=request.full_path.rstrip("?"),
    )
