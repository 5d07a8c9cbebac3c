"""What an approved decision does, registered by proposal kind.

This is the only module outside ``ledger/`` that will call ``ledger.services``
(disbursement plans, surplus transfers); the admission issue registers the
admission of an applicant here. A kind with no effect (a motion) is simply
recorded as approved.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from governance.disbursements import plans
from governance.disbursements.models import DisbursementPlan, Tranche
from ledger import services as ledger_services
from ledger.models import Modality
from ledger.specs import TransferResult, TransferSpec

Effect = Callable[[Any, Any, datetime], None]  # (decision, proposal, now)
_EFFECTS: dict[str, Effect] = {}


def register_effect(kind: str, effect: Effect) -> Effect:
    if kind in _EFFECTS:
        raise ValueError(f"an effect for {kind!r} is already registered")
    _EFFECTS[kind] = effect
    return effect


def unregister_effect(kind: str) -> None:
    _EFFECTS.pop(kind, None)


def effect_for(kind: str) -> Effect | None:
    return _EFFECTS.get(kind)


# --- fund projects: a disbursement plan, paid tranche by tranche ---------------------


def fund_project(decision: Any, proposal: Any, now: datetime) -> None:
    """An approved fund project gets its disbursement plan; nothing is paid yet (each
    tranche waits for two approvals, ``governance.disbursements.services``)."""
    plans.create_plan(decision, proposal, now=now)


def tranche_transfer_id(tranche: Tranche) -> str:
    """The payment's transfer id, an idempotency key: a tranche is paid at most once."""
    return f"disbursement:tranche:{tranche.id}"


def pay_tranche(plan: DisbursementPlan, tranche: Tranche, *, now: datetime) -> TransferResult:
    """Post the tranche's payment from the plan's source to its beneficiary, referring
    to the decision. Raises a ``LedgerError`` (and posts nothing) if the source
    cannot cover it; a retry of a posted payment returns the first result."""
    return ledger_services.post(
        TransferSpec(
            id=tranche_transfer_id(tranche),
            debit_account_id=plan.source_account_id,
            credit_account_id=plan.beneficiary_account_id,
            amount=tranche.amount,
            currency=plan.currency,
            modality=Modality.DISBURSEMENT,
            reference=f"decision:{plan.decision_id}",
            # The reader's language is not known here: the number and the milestone's
            # own title; pages say "tranche" in the reader's language.
            memo=f"{tranche.position}. {tranche.title}"[:1000],
        ),
        now=now,
    )


register_effect("fund-project", fund_project)
