"""Disbursement plans: made when a decision approves money, read by the pages.

``create_plan`` is what approving a fund project does (registered in
``governance.effects``): the plan, its accounts and one tranche per milestone;
``create_plan_from`` makes one from explicit values (a participatory budget's
selected project). No money moves until a tranche is approved twice
(``disbursements.services``). ``fund_available`` says what the solidarity fund
can still promise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from babel.numbers import get_currency_name
from flask_babel import lazy_gettext as _l

from governance import audit
from governance.disbursements.models import DisbursementPlan, Tranche
from governance.errors import DomainError, NotFound
from governance.extensions import db
from governance.models import Decision, Organization
from governance.money import minor_units
from governance.services import naive_utc
from ledger import accounts, network
from ledger.models import Account, Currency, CurrencyKind
from ledger.network import Purpose
from proposals.models import Proposal, Revision


def create_plan(decision: Decision, proposal: Proposal, *, now: datetime) -> DisbursementPlan:
    """The disbursement plan of an approved fund project: from the solidarity fund in
    the project's currency to the beneficiary's account, one tranche per milestone
    of the revision voted on. Opens what is missing (the currency, the accounts).
    A decision has one plan: asked again, it is returned as it is."""
    existing = plan_for_decision(decision.id)
    if existing is not None:
        return existing
    fields = voted_fields(decision, proposal)
    currency = fields["currency"]
    return create_plan_from(
        decision,
        PlanSpec(
            proposal_id=proposal.id,
            source_code=network.network_code(Purpose.SOLIDARITY_FUND, currency),
            beneficiary_owner=beneficiary_owner(fields["beneficiary"], proposal.id),
            currency=currency,
            # The proposal's checks make its milestones add up to the amount.
            amount=fields["amount"],
            milestones=tuple(milestones_of(fields, proposal.title)),
        ),
        now=now,
    )


@dataclass(frozen=True)
class PlanSpec:
    """What a decision pays: from the account coded ``source_code`` (a network
    account, opened if missing, or an account that exists) to ``beneficiary_owner``'s
    account in ``currency``, ``amount`` in all, in ``milestones`` (dicts of title,
    condition, due_on and amount, adding up to ``amount``)."""

    proposal_id: int | None
    source_code: str
    beneficiary_owner: str
    currency: str
    amount: int
    milestones: tuple[dict[str, Any], ...]


def create_plan_from(decision: Decision, spec: PlanSpec, *, now: datetime) -> DisbursementPlan:
    """The decision's disbursement plan from explicit values (any kind of decision
    that approves money). Opens the currency and accounts that are missing. A
    decision has one plan: asked again, it is returned as it is."""
    existing = plan_for_decision(decision.id)
    if existing is not None:
        return existing
    if spec.amount <= 0 or sum(m["amount"] for m in spec.milestones) != spec.amount:
        raise ValueError(f"the tranches of decision {decision.id} do not add up to its amount")
    ensure_currency(spec.currency, now)
    source = source_account(spec.source_code, spec.currency, now)
    beneficiary = network.ensure_owned_account(spec.beneficiary_owner, spec.currency, now)
    plan = DisbursementPlan(
        decision_id=decision.id,
        proposal_id=spec.proposal_id,
        source_account_id=source.id,
        beneficiary_account_id=beneficiary.id,
        currency=spec.currency,
        approved_total=spec.amount,
        paid_total=0,
        created_at=naive_utc(now),
    )
    db.session.add(plan)
    db.session.flush()
    for position, milestone in enumerate(spec.milestones, start=1):
        db.session.add(
            Tranche(
                plan_id=plan.id,
                position=position,
                title=milestone["title"],
                condition=milestone["condition"],
                due_on=milestone["due_on"],
                amount=milestone["amount"],
                created_at=naive_utc(now),
            )
        )
    db.session.flush()
    audit.record(
        None,
        "disbursement.plan_created",
        plan,
        now=now,
        data={
            "decision": decision.id,
            "proposal": spec.proposal_id,
            "source": source.code,
            "beneficiary": beneficiary.code,
            "currency": spec.currency,
            "approved_total": plan.approved_total,
            "tranches": [milestone["amount"] for milestone in spec.milestones],
        },
    )
    return plan


def source_account(code: str, currency: str, now: datetime) -> Account:
    """The account a plan pays from: a network account (``network:<purpose>:<CUR>``),
    opened if missing, or any account that exists, in ``currency``."""
    kind, _sep, rest = code.partition(":")
    purpose, _sep, code_currency = rest.partition(":")
    if kind == network.NETWORK and purpose in set(Purpose) and code_currency == currency:
        return network.ensure_network_account(purpose, currency, now)
    account = network.account_by_code(code)
    if account is None or account.currency != currency:
        raise DomainError(
            _l(
                "There is no account %(code)s in %(currency)s to pay from.",
                code=code,
                currency=currency,
            )
        )
    return account


def voted_fields(decision: Decision, proposal: Proposal) -> dict[str, Any]:
    """The kind fields of the revision the decision approved (the current one if the
    decision names none)."""
    number = decision.revision_number or proposal.current_revision
    fields = db.session.execute(
        sa.select(Revision.fields).where(
            Revision.proposal_id == proposal.id, Revision.number == number
        )
    ).scalar_one()
    return dict(fields)


def milestones_of(fields: dict[str, Any], title: str) -> list[dict[str, Any]]:
    """Each tranche's title, condition, due date and amount; a project without
    milestones is paid in one tranche on the decision alone."""
    milestones = fields.get("milestones") or []
    if not milestones:
        return [{"title": title, "condition": title, "due_on": None, "amount": fields["amount"]}]
    tranches = []
    for milestone in milestones:
        due_on = date.fromisoformat(str(milestone["due_on"]))
        tranches.append(
            {
                "title": milestone["title"],
                # Stored as the proposal wrote it: the page says it in the reader's language.
                "condition": f"{milestone['title']} ({due_on.isoformat()})",
                "due_on": due_on,
                "amount": milestone["amount"],
            }
        )
    return tranches


def ensure_currency(code: str, now: datetime) -> Currency:
    """The ledger's currency ``code``; an ISO currency it lacks is added as national
    currency with Babel's minor units."""
    currency = db.session.get(Currency, code)
    if currency is None:
        currency = accounts.create_currency(
            code,
            get_currency_name(code, locale="en"),
            kind=CurrencyKind.NATIONAL,
            minor_units=minor_units(code),
            now=now,
        )
    return currency


def beneficiary_owner(name: str, proposal_id: int) -> str:
    """The owner of the account the project is paid into: the organization of the
    network with that name (letter case aside), else the project's own account."""
    wanted = " ".join(name.split()).casefold()
    organizations = db.session.execute(sa.select(Organization.id, Organization.name)).all()
    exact = [org_id for org_id, org_name in organizations if org_name == name.strip()]
    folded = [org_id for org_id, org_name in organizations if org_name.casefold() == wanted]
    # Two organizations differing only in letter case: the exact one, else neither.
    matches = exact or folded
    if len(matches) == 1:
        return network.owner_ref("organization", matches[0])
    return network.owner_ref("proposal", proposal_id)


def plan_for_decision(decision_id: int) -> DisbursementPlan | None:
    return db.session.execute(
        sa.select(DisbursementPlan).where(DisbursementPlan.decision_id == decision_id)
    ).scalar_one_or_none()


def get_tranche(tranche_id: int) -> Tranche:
    """The tranche, or NotFound."""
    tranche = db.session.get(Tranche, tranche_id)
    if tranche is None:
        raise NotFound(_l("There is no such tranche."))
    return tranche


@dataclass(frozen=True)
class FundAvailability:
    """The solidarity fund in one currency: what it holds, what approved decisions
    still have to pay from it, and the difference (negative when over-committed)."""

    currency: str
    balance: int
    committed: int

    @property
    def available(self) -> int:
        return self.balance - self.committed


def fund_available(currency: str) -> FundAvailability:
    """The solidarity fund's money available in ``currency``: its balance less what
    the plans paying from it have yet to pay."""
    fund = network.network_account(Purpose.SOLIDARITY_FUND, currency)
    if fund is None:
        return FundAvailability(currency, 0, 0)
    committed = db.session.execute(
        sa.select(
            sa.func.coalesce(
                sa.func.sum(DisbursementPlan.approved_total - DisbursementPlan.paid_total), 0
            )
        ).where(DisbursementPlan.source_account_id == fund.id)
    ).scalar_one()
    return FundAvailability(currency, fund.balance, int(committed))
