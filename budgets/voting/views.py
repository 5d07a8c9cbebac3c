"""The ballot page of a participatory budget (blueprint ``pb_voting``): the district
choice, one paper per pot, and the receipt with the paper's tracker.

Each view parses the request, checks a policy, calls one service and renders.
A refused paper comes back with its message and the voter's marks.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from budgets.forms import BALLOT_FORM_NAMES
from budgets.models import Process
from budgets.policies import TEMPLATE_POLICIES as BUDGET_POLICIES
from budgets.policies import can_view_budgets
from budgets.projects import ballot_projects
from budgets.services import PHASE_NAMES
from budgets.views import visible_process
from budgets.voting import queries, services
from budgets.voting.forms import CastForm, DistrictForm, read_marks
from budgets.voting.marks import field_of
from governance.errors import DomainError, NotAllowed
from governance.extensions import db
from governance.money import format_money, minor_units
from governance.policies import TEMPLATE_POLICIES as GOVERNANCE_POLICIES
from governance.web import requires, utcnow
from votes.reading import whole_number

bp = Blueprint("pb_voting", __name__, url_prefix="/budgets")


@bp.context_processor
def voting_helpers() -> dict:
    return {
        "policies": {**GOVERNANCE_POLICIES, **BUDGET_POLICIES},
        "phase_names": PHASE_NAMES,
        "ballot_form_names": BALLOT_FORM_NAMES,
        "money": format_money,
        "minor_units": minor_units,
        "field_of": field_of,
    }


def render_page(
    process: Process,
    *,
    errors: dict[int, DomainError] | None = None,
    sent: dict[int, Any] | None = None,
    district_error: Any = None,
    status: int = 200,
):
    """The ballot page; a refused paper (``errors`` by pot) comes back with what
    the voter had marked (``sent`` by pot)."""
    errors = errors or {}
    page = queries.voting_page(process, current_user)
    shown = {pot.pot for pot in page.pots} if page.is_open and not page.needs_district else set()
    response = Response(
        render_template(
            "budgets/voting/ballot.html",
            process=process,
            page=page,
            errors=errors,
            # Refusals with no ballot of theirs on the page are said at its top.
            page_errors=[error.message for pot, error in errors.items() if pot not in shown],
            sent=sent or {},
            district_error=district_error,
            district_form=DistrictForm(formdata=None),
        ),
        status=status,
    )
    # The page may show the voter's marks: Back on a shared phone must not.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:process_id>/vote")
@requires(can_view_budgets)
def ballot(process_id: int):
    return render_page(visible_process(process_id))


@bp.post("/<int:process_id>/vote/district")
@requires(can_view_budgets)
def choose_district(process_id: int):
    process = visible_process(process_id)
    if not DistrictForm().validate_on_submit():
        abort(400)
    try:
        voter = services.choose_district(
            current_user, process.id, whole_number(request.form.get("district")), now=utcnow()
        )
    except DomainError as error:
        db.session.rollback()
        return render_page(
            process,
            district_error=error.message,
            status=403 if isinstance(error, NotAllowed) else 200,
        )
    district = next(d for d in process.districts if d.id == voter.district_id)
    flash(_("You vote in %(district)s.", district=district.name), "success")
    return redirect(url_for("pb_voting.ballot", process_id=process.id))


@bp.post("/<int:process_id>/vote")
@requires(can_view_budgets)
def cast(process_id: int):
    process = visible_process(process_id)
    form = CastForm()
    pot = whole_number(form.pot.data)
    if not form.validate_on_submit() or pot is None:
        abort(400)
    on_ballot = ballot_projects(process, queries.district_of(pot))
    try:
        marks = read_marks(
            process.ballot_form, request.form, [project.project_id for project in on_ballot]
        )
        receipt = services.cast_paper(current_user, process.id, pot=pot, marks=marks, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        return render_page(
            process,
            errors={pot: error},
            sent={pot: request.form},
            status=403 if isinstance(error, NotAllowed) else 200,
        )
    # The receipt is this response itself: the tracker is kept nowhere that
    # points to the voter (no session, no address, no cache).
    page = queries.voting_page(process, current_user)
    response = Response(
        render_template("budgets/voting/receipt.html", process=process, receipt=receipt, page=page)
    )
    response.headers["Cache-Control"] = "no-store"
    return response
