"""A budget's results page and the approval of its result (blueprint
``budget_results``, under ``/budgets``)."""

from __future__ import annotations

import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from budgets import services
from budgets.forms import BALLOT_FORM_NAMES, FUND_NAMES, RULE_NAMES, ActionForm
from budgets.models import Process
from budgets.policies import (
    approves_results,
    can_approve_result,
    can_view_budgets,
    can_view_results,
)
from budgets.results import queries
from budgets.results import services as results
from governance.disbursements.plans import fund_available
from governance.errors import DomainError, NotFound
from governance.money import format_money
from governance.web import authorize, refused, requires, utcnow
from ledger.network import Purpose

bp = Blueprint("budget_results", __name__, url_prefix="/budgets")


def counted_process(process_id: int) -> Process:
    try:
        process = services.get_process(process_id)
    except NotFound:
        abort(404)
    authorize(can_view_results, process)
    return process


@bp.get("/<int:process_id>/results")
@requires(can_view_budgets)
def results_page(process_id: int):
    process = counted_process(process_id)
    pots = queries.pot_pages(process)
    purpose = Purpose(process.fund_account.split(":")[1])
    return render_template(
        "budgets/results/page.html",
        process=process,
        pots=pots,
        # What approving commits, against what the solidarity fund has free.
        committing=sum(pot.cost for pot in pots),
        fund=fund_available(process.currency) if purpose is Purpose.SOLIDARITY_FUND else None,
        rule_name=RULE_NAMES[process.rule],
        rule_explanation=queries.RULE_EXPLANATIONS[process.rule],
        ballot_form_name=BALLOT_FORM_NAMES[process.ballot_form],
        can_approve=can_approve_result(current_user, process),
        approve_form=ActionForm(formdata=None),
        money=format_money,
        fund_name=FUND_NAMES.get(purpose, process.fund_account),
    )


@bp.get("/<int:process_id>/results/<int:pot>/papers.pb")
@requires(can_view_budgets)
def papers_file(process_id: int, pot: int):
    """Every paper of one pot with its tracker, as a pabulib file: a voter finds
    their paper by the receipt's code, and anyone can count it again with
    ``asamblea pb tally``."""
    from budgets.transfer.common import TransferError
    from budgets.transfer.exporter import export_pabulib

    process = counted_process(process_id)
    district = None
    if pot:
        district = next((d for d in process.districts if d.id == pot), None)
        if district is None:
            abort(404)
    out = io.StringIO()
    try:
        export_pabulib(process, out, district=district)
    except TransferError:
        # A pabulib file counts whole currency units: amounts with cents do not fit.
        flash(_("The papers of this budget cannot be written as a pabulib file."), "error")
        return redirect(url_for("budget_results.results_page", process_id=process_id))
    name = f"budget-{process.id}-{'city' if district is None else district.id}.pb"
    return Response(
        out.getvalue(),
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/<int:process_id>/results/approve")
@requires(can_view_budgets)
def approve(process_id: int):
    process = counted_process(process_id)
    # Who may approve is the service's to say (it also refuses a second approval).
    if not approves_results(current_user, process.body):
        abort(403)
    if ActionForm().validate_on_submit():
        try:
            decisions = results.approve_result(current_user, process.id, now=utcnow())
        except DomainError as error:
            refused(error)
        else:
            flash(
                ngettext(
                    "The result is approved: %(num)s project is now a decision with its "
                    "disbursement plan.",
                    "The result is approved: %(num)s projects are now decisions with their "
                    "disbursement plans.",
                    len(decisions),
                ),
                "success",
            )
    return redirect(url_for("budget_results.results_page", process_id=process_id))
