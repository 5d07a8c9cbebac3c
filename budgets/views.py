"""Budget pages (blueprint ``budgets``): the list of processes, a process's page,
its set-up, the button that moves its phase, its reviewers, and the review of a
project. Projects are submitted with the proposal form (kind ``pb-project``).

Each view parses the request, checks a policy, calls one service and redirects
(or renders the form again with the service's message).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from budgets import queries, reviews, services
from budgets.forms import (
    BALLOT_FORM_NAMES,
    FUND_NAMES,
    RESULT_APPROVAL_NAMES,
    RULE_NAMES,
    ActionForm,
    AdvanceForm,
    ProcessForm,
    ReviewerForm,
    ReviewForm,
)
from budgets.models import PHASE_AFTER, Process, ProcessState, Project, Reviewer
from budgets.policies import TEMPLATE_POLICIES as BUDGET_POLICIES
from budgets.policies import (
    can_create_processes,
    can_edit_process,
    can_manage_process,
    can_review_project,
    can_view_budgets,
    can_view_process,
    chairs,
    is_reviewer,
)
from budgets.projects import get_project
from governance.errors import DomainError, NotFound
from governance.extensions import db
from governance.forms import offer_bodies
from governance.money import format_money, parse_amount
from governance.policies import TEMPLATE_POLICIES as GOVERNANCE_POLICIES
from governance.queries import all_bodies
from governance.views.common import refuse
from governance.web import authorize, refused, requires, utcnow
from proposals.services import STATE_NAMES as PROPOSAL_STATE_NAMES

bp = Blueprint("budgets", __name__, url_prefix="/budgets")


@bp.context_processor
def budget_helpers() -> dict:
    return {
        "policies": {**GOVERNANCE_POLICIES, **BUDGET_POLICIES},
        "phase_names": services.PHASE_NAMES,
        "phase_after": PHASE_AFTER,
        "rule_names": RULE_NAMES,
        "ballot_form_names": BALLOT_FORM_NAMES,
        "result_approval_names": RESULT_APPROVAL_NAMES,
        "fund_names": FUND_NAMES,
        "money": format_money,
        "proposal_state_names": PROPOSAL_STATE_NAMES,
    }


def visible_process(process_id: int) -> Process:
    try:
        process = services.get_process(process_id)
    except NotFound:
        abort(404)
    authorize(can_view_process, process)
    return process


def managed_process(process_id: int) -> Process:
    process = visible_process(process_id)
    authorize(can_manage_process, process)
    return process


def back_to(process_id: int, anchor: str | None = None):
    return redirect(url_for("budgets.detail", process_id=process_id, _anchor=anchor))


# --- list and process page -------------------------------------------------------------


@bp.get("/")
@requires(can_view_budgets)
def index():
    return render_template("budgets/index.html", processes=queries.visible_processes(current_user))


@bp.get("/<int:process_id>")
@requires(can_view_budgets)
def detail(process_id: int):
    process = visible_process(process_id)
    return render_template(
        "budgets/detail.html",
        process=process,
        pots=queries.process_pots(process, current_user),
        is_reviewer=is_reviewer(current_user, process),
        advance_form=AdvanceForm(formdata=None, expected=process.state.value),
    )


# --- set-up --------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@requires(can_create_processes)
def create():
    form = ProcessForm()
    bodies = [body for body in all_bodies() if chairs(current_user, body)]
    offer_bodies(
        form.body, bodies, preset_slug=request.args.get("body") if request.method == "GET" else None
    )
    if form.validate_on_submit():
        body_id = int(form.body.data) if form.body.data.isdigit() else 0
        try:
            process = services.create_process(
                current_user, body_id=body_id, spec=form.spec(), now=utcnow()
            )
        except DomainError as error:
            refuse(form, error)
        else:
            flash(
                _(
                    "The participatory budget is set up. It takes projects when you open "
                    "its intake (or at the time you set)."
                ),
                "success",
            )
            return back_to(process.id)
    return render_template("budgets/form.html", form=form, process=None)


@bp.route("/<int:process_id>/edit", methods=["GET", "POST"])
@requires(can_view_budgets)
def edit(process_id: int):
    process = managed_process(process_id)
    if not can_edit_process(current_user, process):
        flash(
            _(
                "A participatory budget in its %(phase)s phase can no longer be changed.",
                phase=services.PHASE_NAMES[process.state],
            ),
            "error",
        )
        return back_to(process.id)
    form = ProcessForm()
    del form.body  # a process stays in its body
    if form.validate_on_submit():
        try:
            services.update_process(current_user, process.id, spec=form.spec(), now=utcnow())
        except DomainError as error:
            refuse(form, error)
        else:
            flash(_("Saved."), "success")
            return back_to(process.id)
    elif not form.is_submitted():
        form.fill(process)
    return render_template("budgets/form.html", form=form, process=process)


@bp.post("/<int:process_id>/advance")
@requires(can_view_budgets)
def advance(process_id: int):
    process = managed_process(process_id)
    form = AdvanceForm()
    if form.validate_on_submit():
        try:
            expected = ProcessState(form.expected.data)
        except ValueError:
            abort(400)
        try:
            moved = services.advance(current_user, process.id, now=utcnow(), expected=expected)
        except DomainError as error:
            refused(error)
        else:
            flash(
                _(
                    "The budget is now in its %(phase)s phase.",
                    phase=services.PHASE_NAMES[moved.state],
                ),
                "success",
            )
    return back_to(process_id, "phases")


# --- reviewers and reviews -------------------------------------------------------------


@bp.route("/<int:process_id>/reviewers", methods=["GET", "POST"])
@requires(can_view_budgets)
def reviewers(process_id: int):
    process = managed_process(process_id)
    form = ReviewerForm()
    if form.validate_on_submit():
        try:
            reviewer = reviews.appoint_reviewer(
                current_user, process.id, form.email.data, now=utcnow()
            )
        except DomainError as error:
            refuse(form, error, default_field="email")
        else:
            flash(_("%(name)s is now a reviewer.", name=reviewer.member.display_name), "success")
            return redirect(url_for("budgets.reviewers", process_id=process.id))
    return render_template(
        "budgets/reviewers.html",
        process=process,
        form=form,
        reviewers=reviews.active_reviewers(process.id),
        remove_form=ActionForm(formdata=None),
    )


@bp.post("/reviewers/<int:reviewer_id>/remove")
@requires(can_view_budgets)
def remove_reviewer(reviewer_id: int):
    reviewer = db.session.get(Reviewer, reviewer_id)
    if reviewer is None:
        abort(404)
    process = managed_process(reviewer.process_id)
    if ActionForm().validate_on_submit():
        try:
            reviews.remove_reviewer(current_user, reviewer.id, now=utcnow())
        except DomainError as error:
            refused(error)
        else:
            flash(_("The reviewer was removed; their reviews stay."), "success")
    return redirect(url_for("budgets.reviewers", process_id=process.id))


def reviewable(project_id: int) -> Project:
    try:
        project = get_project(project_id)
    except NotFound:
        abort(404)
    visible_process(project.process_id)
    authorize(can_review_project, project)
    return project


@bp.route("/projects/<int:project_id>/review", methods=["GET", "POST"])
@requires(can_view_budgets)
def review(project_id: int):
    project = reviewable(project_id)
    process = project.process
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            revised = form.revised_cost.data or ""
            revised_cost = parse_amount(revised, process.currency) if revised.strip() else None
        except DomainError as error:
            refuse(form, DomainError(error.message, field="revised_cost"))
        else:
            try:
                reviews.review_project(
                    current_user,
                    project.id,
                    is_feasible=form.verdict.data == "feasible",
                    reason=form.reason.data or "",
                    revised_cost=revised_cost,
                    now=utcnow(),
                )
            except DomainError as error:
                refuse(form, error)
            else:
                flash(_("Your review is published."), "success")
                return back_to(process.id, f"project-{project.id}")
    return render_template(
        "budgets/review.html",
        process=process,
        project=project,
        form=form,
        previous=reviews.current_review(project.id),
    )
