"""Disbursement pages (blueprint ``disbursements``): approving a tranche, and the
list of plans with tranches still to pay. A decision's plan is shown on the
decision page (``templates/governance/disbursements/_plan.html``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from governance.disbursements import plans, queries, services
from governance.errors import DomainError, NotFound
from governance.extensions import db
from governance.models import Decision
from governance.policies import can_approve_disbursements
from governance.web import authorize, requires, utcnow
from ledger.errors import LedgerError
from ledger.messages import message_for
from votes.policies import can_view_ballot

bp = Blueprint("disbursements", __name__)


@bp.post("/tranches/<int:tranche_id>/approve")
@requires(can_approve_disbursements)
def approve(tranche_id: int):
    try:
        tranche = plans.get_tranche(tranche_id)
    except NotFound:
        abort(404)
    decision_id = tranche.plan.decision_id
    authorize(can_view_ballot, db.session.get(Decision, decision_id))
    try:
        outcome = services.approve_tranche(current_user, tranche.id, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    except LedgerError as error:  # the service says what it refuses; this is a fallback
        db.session.rollback()
        flash(_("The ledger refused the payment: %(reason)s", reason=message_for(error)), "error")
    else:
        if outcome.is_paid:
            flash(_("Second approval recorded: the tranche is paid."), "success")
        else:
            flash(
                _(
                    "Your approval is recorded. The tranche is paid when a second member "
                    "approves it."
                ),
                "success",
            )
    return redirect(
        url_for("decisions.detail", decision_id=decision_id, _anchor=f"tranche-{tranche_id}")
    )


@bp.get("/disbursements")
@requires(can_approve_disbursements)
def index():
    return render_template("governance/disbursements/index.html", plans=queries.open_plans())
