"""What the disbursement pages show: a decision's plan with its tranches, approvals
and transfers, and the plans that still have tranches to pay."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from governance.disbursements.models import (
    APPROVALS_NEEDED,
    DisbursementPlan,
    Tranche,
    TrancheApproval,
    TrancheState,
)
from governance.disbursements.plans import FundAvailability, fund_available
from governance.extensions import db
from governance.models import Decision, Member
from ledger import owners
from ledger.models import Account, Transfer


@dataclass(frozen=True)
class TrancheRow:
    tranche: Tranche
    approvers: list[Member]

    @property
    def approvals_missing(self) -> int:
        """How many approvals it still needs before it is paid (0 once paid)."""
        if self.tranche.is_paid:
            return 0
        return max(APPROVALS_NEEDED - len(self.approvers), 0)

    def approved_by(self, member: object) -> bool:
        member_id = getattr(member, "id", None)
        return any(approver.id == member_id for approver in self.approvers)


@dataclass(frozen=True)
class PlanPage:
    plan: DisbursementPlan
    decision: Decision
    source: Account
    beneficiary: Account
    source_name: str
    beneficiary_name: str
    tranches: list[TrancheRow]
    transfers: list[Transfer]
    fund: FundAvailability


def _tranche_rows(plan: DisbursementPlan) -> list[TrancheRow]:
    return [
        TrancheRow(tranche, [approval.member for approval in tranche.approvals])
        for tranche in plan.tranches
    ]


def _plans_query() -> sa.Select:
    return sa.select(DisbursementPlan).options(
        selectinload(DisbursementPlan.tranches)
        .selectinload(Tranche.approvals)
        .selectinload(TrancheApproval.member)
    )


def plan_page(decision_id: int) -> PlanPage | None:
    """The decision's plan as its page shows it, or None if it has none."""
    plan = db.session.execute(
        _plans_query()
        .where(DisbursementPlan.decision_id == decision_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if plan is None:
        return None
    transfers = db.session.execute(
        sa.select(Transfer)
        .where(Transfer.reference == f"decision:{decision_id}")
        .order_by(Transfer.seq)
    ).scalars()
    source = db.session.get(Account, plan.source_account_id)
    beneficiary = db.session.get(Account, plan.beneficiary_account_id)
    decision = db.session.get(Decision, plan.decision_id)
    assert source is not None and beneficiary is not None and decision is not None
    names = owners.Names(accounts=[source, beneficiary])
    return PlanPage(
        source_name=names.account(source),
        beneficiary_name=names.account(beneficiary),
        plan=plan,
        decision=decision,
        source=source,
        beneficiary=beneficiary,
        tranches=_tranche_rows(plan),
        transfers=list(transfers),
        fund=fund_available(plan.currency),
    )


@dataclass(frozen=True)
class OpenPlan:
    plan: DisbursementPlan
    decision: Decision
    tranches: list[TrancheRow]  # the unpaid ones


def open_plans() -> list[OpenPlan]:
    """Plans with tranches still to pay, oldest first, with those tranches."""
    plans = db.session.execute(
        _plans_query()
        .where(DisbursementPlan.paid_total < DisbursementPlan.approved_total)
        .order_by(DisbursementPlan.id)
    ).scalars()
    rows = []
    for plan in plans:
        decision = db.session.get(Decision, plan.decision_id)
        assert decision is not None
        unpaid = [row for row in _tranche_rows(plan) if row.tranche.state is TrancheState.REQUESTED]
        rows.append(OpenPlan(plan, decision, unpaid))
    return rows
