"""Approving tranches (four eyes) and paying them.

A tranche is paid when the second of two different members allowed by
``can_approve_disbursements`` approves it. Every approval of a plan's tranches
locks the plan's row first (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite has
one writer at a time), so the checks below see every earlier approval and
payment committed: a tranche is paid once, and a plan never pays more than its
decision approved (the database's check on ``paid_total`` says so too).

Locks are taken in the order the rest of the application takes them: the plan,
then the audit log's head, then (paying) the ledger's accounts and chain head.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from governance import audit, effects
from governance.disbursements import plans
from governance.disbursements.models import (
    APPROVALS_NEEDED,
    DisbursementPlan,
    Tranche,
    TrancheApproval,
)
from governance.errors import DomainError, NotAllowed
from governance.extensions import db
from governance.models import Member
from governance.money import format_money
from governance.policies import can_approve_disbursements
from governance.services import naive_utc
from ledger.errors import InsufficientFunds, LedgerError
from ledger.models import Account
from ledger.specs import TransferResult
from proposals.models import Proposal


class AlreadyPaid(DomainError):
    status = 409


class AlreadyApproved(DomainError):
    status = 409


class FundTooLow(DomainError):
    status = 409


@dataclass(frozen=True)
class ApprovalOutcome:
    """What an approval did: recorded it and, for the second one, paid the tranche."""

    tranche: Tranche
    approval: TrancheApproval
    transfer: TransferResult | None

    @property
    def is_paid(self) -> bool:
        return self.transfer is not None


def approve_tranche(actor: Member, tranche_id: int, *, now: datetime) -> ApprovalOutcome:
    """``actor`` approves the tranche; the second approval by another member pays it
    (one ledger transfer from the plan's source to its beneficiary).

    Refused, with nothing stored, when the tranche does not exist (NotFound), the
    actor may not approve disbursements (NotAllowed), the tranche is paid
    (AlreadyPaid), the actor approved it already (AlreadyApproved), or the source
    cannot cover it (FundTooLow: the tranche still awaits its second approval).
    """
    tranche = plans.get_tranche(tranche_id)
    if not can_approve_disbursements(actor):
        raise NotAllowed(
            _l("Only a treasurer or a member of the fund committee can approve a tranche.")
        )
    plan = _lock_plan(tranche.plan_id)
    tranche = _reread(tranche_id)
    if tranche.is_paid:
        raise AlreadyPaid(
            _l(
                "This tranche is already paid; paying it again would exceed what the "
                "decision approved."
            )
        )
    if benefits(actor, plan):
        raise NotAllowed(
            _l(
                "You cannot approve a payment to an organization you are a delegate of, "
                "nor to your own project: two other members must approve it."
            )
        )
    approver_ids = _approver_ids(tranche.id)
    if actor.id in approver_ids:
        raise AlreadyApproved(
            _l(
                "You have already approved this tranche. Another treasurer or member of "
                "the fund committee must give the second approval."
            )
        )
    # A refusal below (the fund cannot pay) leaves nothing of this approval behind.
    with db.session.begin_nested():
        approval = TrancheApproval(
            tranche_id=tranche.id, member_id=actor.id, created_at=naive_utc(now)
        )
        db.session.add(approval)
        db.session.flush()
        approvals = len(approver_ids) + 1
        audit.record(
            actor,
            "disbursement.tranche_approved",
            tranche,
            now=now,
            data={"decision": plan.decision_id, "plan": plan.id, "approvals": approvals},
        )
        transfer = None
        if approvals >= APPROVALS_NEEDED:
            transfer = _pay(actor, plan, tranche, [*approver_ids, actor.id], now=now)
    return ApprovalOutcome(tranche=tranche, approval=approval, transfer=transfer)


def _pay(
    actor: Member,
    plan: DisbursementPlan,
    tranche: Tranche,
    approver_ids: list[int],
    *,
    now: datetime,
) -> TransferResult:
    """Post the tranche's payment and record it on the tranche and the plan."""
    if plan.paid_total + tranche.amount > plan.approved_total:
        raise AlreadyPaid(
            _l(
                "Paying this tranche would exceed what the decision approved "
                "(%(approved)s, of which %(paid)s is paid).",
                approved=format_money(plan.approved_total, plan.currency),
                paid=format_money(plan.paid_total, plan.currency),
            )
        )
    try:
        transfer = effects.pay_tranche(plan, tranche, now=now)
    except InsufficientFunds:
        raise FundTooLow(
            _l(
                "The solidarity fund holds %(held)s, less than the %(amount)s this tranche "
                "needs. Nothing was paid; the tranche still awaits its second approval.",
                held=format_money(_available(plan.source_account_id), plan.currency),
                amount=format_money(tranche.amount, plan.currency),
            )
        ) from None
    except LedgerError as error:
        raise DomainError(
            _l("The ledger refused the payment: %(reason)s", reason=error.message)
        ) from None
    tranche.mark_paid(transfer.id, naive_utc(now))
    plan.paid_total += tranche.amount
    db.session.flush()
    audit.record(
        actor,
        "disbursement.tranche_paid",
        tranche,
        now=now,
        data={
            "decision": plan.decision_id,
            "plan": plan.id,
            "transfer": transfer.id,
            "amount": tranche.amount,
            "currency": plan.currency,
            "approved_by": sorted(approver_ids),
        },
    )
    return transfer


def benefits(actor: Member, plan: DisbursementPlan) -> bool:
    """Whether ``actor`` stands on the receiving side: an author of the project, the
    account's owner, or a delegate of the organization that receives the money."""
    if plan.proposal_id is not None:
        proposal = db.session.get(Proposal, plan.proposal_id)
        if proposal is not None and proposal.is_author(actor):
            return True
    owner = db.session.execute(
        sa.select(Account.owner).where(Account.id == plan.beneficiary_account_id)
    ).scalar_one()
    kind, _sep, owner_id = owner.partition(":")
    if not owner_id.isdigit():
        return False
    if kind == "member":
        return int(owner_id) == actor.id
    if kind == "organization":
        return any(d.organization_id == int(owner_id) for d in actor.delegations)
    return False


def _lock_plan(plan_id: int) -> DisbursementPlan:
    return db.session.execute(
        sa.select(DisbursementPlan)
        .where(DisbursementPlan.id == plan_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _reread(tranche_id: int) -> Tranche:
    """The tranche as committed now (read after the plan's lock)."""
    return db.session.execute(
        sa.select(Tranche).where(Tranche.id == tranche_id).execution_options(populate_existing=True)
    ).scalar_one()


def _approver_ids(tranche_id: int) -> list[int]:
    return list(
        db.session.execute(
            sa.select(TrancheApproval.member_id)
            .where(TrancheApproval.tranche_id == tranche_id)
            .order_by(TrancheApproval.id)
        ).scalars()
    )


def _available(account_id: int) -> int:
    """What the account may still send, as stored."""
    account = db.session.execute(
        sa.select(Account).where(Account.id == account_id).execution_options(populate_existing=True)
    ).scalar_one()
    return account.available
