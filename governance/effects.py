"""What an approved decision does, registered by proposal kind.

This is the only module outside ``ledger/`` that will call ``ledger.services``
(disbursement plans, surplus transfers); the admission issue registers the
admission of an applicant here. A kind with no effect (a motion) is simply
recorded as approved. A kind may register its effect with its registration
(``ProposalKind.effect``): ``surplus-split`` registers ``split_surplus``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from governance import audit, surplus
from governance.disbursements import plans
from governance.disbursements.models import DisbursementPlan, Tranche
from governance.extensions import db
from ledger import services as ledger_services
from ledger.errors import LedgerError
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


# --- surplus splits: one linked batch from the source to the destinations -------------


def post_surplus(plan: surplus.SurplusPlan, *, now: datetime) -> list[TransferResult]:
    """Post the plan's linked batch: one disbursement from the source to each
    destination with an amount, all or nothing, referring to the decision. Raises a
    ``LedgerError`` (and posts nothing) if the ledger refuses any of them; posting it
    again returns the first results (``is_replay``) and moves nothing."""
    specs = [
        TransferSpec(
            id=surplus.transfer_id(plan.decision_id, share.position),
            debit_account_id=plan.source_account_id,
            credit_account_id=share.account_id,
            amount=share.amount,
            currency=plan.currency,
            modality=Modality.DISBURSEMENT,
            reference=plan.reference,
            memo=share.label,
        )
        for share in plan.moving
    ]
    return ledger_services.post_batch(specs, now=now, batch_id=plan.batch_id)


def split_surplus(decision: Any, proposal: Any, now: datetime) -> None:
    """An approved surplus split moves its amounts at once, in the ballot's closing
    transaction. If the ledger refuses (the source holds less than the total), the
    close still stands: the refusal is recorded (``surplus.waiting``), nothing moves,
    and the body's chair or secretary moves it later
    (``governance.decisions.move_surplus``)."""
    plan = surplus.plan_for_decision(decision)
    if plan is None or not plan.moving:
        return
    try:
        # A savepoint: the ledger writes nothing when it refuses, and the close
        # must not depend on that.
        with db.session.begin_nested():
            post_surplus(plan, now=now)
    except LedgerError as error:
        audit.record(
            None,
            surplus.WAITING,
            decision,
            now=now,
            data={
                "batch": plan.batch_id,
                "total": plan.total,
                "currency": plan.currency,
                "code": error.code,
                "reason": error.message,
            },
        )
        return
    record_surplus_moved(None, plan, now=now)


def record_surplus_moved(actor: Any, plan: surplus.SurplusPlan, *, now: datetime) -> None:
    """The audit entry of a surplus that moved (the ledger's batch is its own record)."""
    audit.record(
        actor,
        surplus.MOVED,
        object_type="decisions",
        object_id=plan.decision_id,
        now=now,
        data={
            "batch": plan.batch_id,
            "total": plan.total,
            "currency": plan.currency,
            "transfers": [
                surplus.transfer_id(plan.decision_id, share.position) for share in plan.moving
            ],
        },
    )


# --- admission: an approved application joins, or a concern suspends ------------------


def admit_applicant(decision: Any, proposal: Any, now: datetime) -> None:
    """An approved ``admission`` proposal. To admit: the organization is created, its
    transition milestones are stored against it, its delegate is invited to its seat,
    the applicant is told, and it gets an account in the network's national and social
    currencies with the credit limits the admission rules give new members. To
    suspend (a concern upheld): the organization's seats end."""
    from governance.admission import decide
    from governance.admission.rules import get_rules
    from ledger import network

    fields = plans.voted_fields(decision, proposal)
    if fields.get("action") == "suspend":
        decide.suspend(decision, proposal, fields, now)
        return
    organization = decide.admit(decision, proposal, fields, now)
    rules = get_rules()
    if organization is None or rules is None:
        return
    owner = network.owner_ref("organization", organization.id)
    opened = [
        network.ensure_owned_account(owner, currency, now, credit_limit=limit).code
        for currency, limit in (
            (rules.national_currency, rules.national_credit_limit),
            (rules.social_currency, rules.social_credit_limit),
        )
        if currency
    ]
    audit.record(
        None,
        "organization.accounts_opened",
        organization,
        now=now,
        data={"decision": decision.id, "accounts": opened},
    )
