"""Decisions (blueprint ``decisions``): putting a proposal to the vote, and the
decision page.

This blueprint also gives the templates what joins proposals and ballots,
which neither package knows of the other: the Jinja globals
``ballots_for_proposal``, ``decisions_for_proposal``, ``decision_for_ballot``
and ``ballot_subject`` (the proposal a ballot decides, if the member may read it).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import RadioField
from wtforms.validators import Optional

from governance import decisions
from governance.errors import DomainError, NotFound
from governance.policies import is_member
from governance.views.common import refuse
from governance.web import authorize, public, refused, requires, safe_next, utcnow
from proposals import amendments
from proposals import services as proposal_services
from proposals.kinds import get_kind
from proposals.models import AmendmentState, Proposal, ProposalState
from proposals.policies import can_view_proposal
from votes import services as ballot_services
from votes.forms import ProposalBallotForm
from votes.policies import can_run_ballots, can_view_ballot

bp = Blueprint("decisions", __name__)


def ballot_subject(ballot: Any) -> Proposal | None:
    """The proposal the ballot decides, if there is one the member may read."""
    if getattr(ballot, "proposal_id", None) is None:
        return None
    try:
        proposal = proposal_services.get_proposal(ballot.proposal_id)
    except NotFound:
        return None
    return proposal if can_view_proposal(current_user, proposal) else None


TEMPLATE_GLOBALS = {
    "ballots_for_proposal": decisions.ballots_for_proposal,
    "decisions_for_proposal": decisions.decisions_for_proposal,
    "decision_for_ballot": decisions.decision_for_ballot,
    "ballot_subject": ballot_subject,
    "ballots_for_amendments": decisions.ballots_for_amendments,
    "can_run_ballots": can_run_ballots,
}
bp.record_once(lambda state: state.app.jinja_env.globals.update(TEMPLATE_GLOBALS))


class KindBallotForm(ProposalBallotForm):
    """For a kind that sets up its own ballot (``ProposalKind.ballot_settings``): the
    chair sets the question, explanation, mode, times and quorum; the kind sets the
    method, the options and the threshold, so none is asked (``asks_threshold``)."""

    asks_threshold = False
    threshold = RadioField(
        _l("Needed to approve"), default="simple", validators=[Optional()], choices=[]
    )


def visible_proposal(proposal_id: int) -> Proposal:
    try:
        proposal = proposal_services.get_proposal(proposal_id)
    except NotFound:
        abort(404)
    authorize(can_view_proposal, proposal)
    return proposal


@bp.route("/proposals/<int:proposal_id>/ballot/new", methods=["GET", "POST"])
@requires(is_member)
def put_to_vote(proposal_id: int):
    proposal = visible_proposal(proposal_id)
    authorize(can_run_ballots, proposal.body)
    kind = get_kind(proposal.kind)
    form = ProposalBallotForm() if kind.ballot_settings is None else KindBallotForm()
    if not form.is_submitted():
        form.title.data = proposal.title
    if form.validate_on_submit():
        try:
            ballot = decisions.put_to_vote(
                current_user, proposal.id, form.ballot_settings(), now=utcnow()
            )
        except DomainError as error:
            refuse(form, error)
        else:
            flash(_("The proposal is put to the vote."), "success")
            return redirect(url_for("votes.ballot", ballot_id=ballot.id))
    return render_template(
        "governance/put_to_vote.html",
        form=form,
        proposal=proposal,
        subject_title=proposal.title,
        heading=_("Put the proposal to a vote"),
        explanation=_(
            "The members of %(body)s will answer yes, no or abstain on revision %(n)s of the "
            "proposal, the text as it is now.",
            body=proposal.body.name,
            n=proposal.current_revision,
        )
        if kind.ballot_explanation is None
        else str(kind.ballot_explanation)
        % {"body": proposal.body.name, "n": proposal.current_revision},
        refusal=None
        if proposal.state is ProposalState.READY
        else _("Only a proposal that is ready for decision can be put to a vote."),
        back_url=url_for("proposals.detail", proposal_id=proposal.id),
    )


@bp.route("/amendments/<int:amendment_id>/ballot/new", methods=["GET", "POST"])
@requires(is_member)
def amendment_to_vote(amendment_id: int):
    try:
        amendment = amendments.get_amendment(amendment_id)
    except NotFound:
        abort(404)
    proposal = visible_proposal(amendment.proposal_id)
    authorize(can_run_ballots, proposal.body)
    form = ProposalBallotForm()
    if not form.is_submitted():
        form.title.data = _(
            "Amendment %(id)s to “%(title)s”", id=amendment.id, title=proposal.title
        )[:200]
    if form.validate_on_submit():
        try:
            ballot = decisions.put_amendment_to_vote(
                current_user, amendment.id, form.ballot_settings(), now=utcnow()
            )
        except DomainError as error:
            refuse(form, error)
        else:
            flash(_("The amendment is put to the vote."), "success")
            return redirect(url_for("votes.ballot", ballot_id=ballot.id))
    return render_template(
        "governance/put_to_vote.html",
        form=form,
        proposal=proposal,
        subject_title=_("Amendment %(id)s", id=amendment.id),
        heading=_("Put amendment %(id)s to a vote", id=amendment.id),
        explanation=_(
            "The members of %(body)s will answer yes, no or abstain. If the amendment is "
            "approved, its text becomes the proposal's next revision; until the vote ends, "
            "the text cannot change.",
            body=proposal.body.name,
        ),
        refusal=None
        if amendment.state is AmendmentState.OPEN
        else _("Only an open amendment can be put to a vote."),
        back_url=url_for(
            "proposals.detail", proposal_id=proposal.id, _anchor=f"amendment-{amendment.id}"
        ),
    )


@bp.post("/decisions/<int:decision_id>/surplus/move")
@requires(is_member)
def move_surplus(decision_id: int):
    """The chair or secretary moves an approved surplus split's money that waited."""
    try:
        decision = decisions.get_decision(decision_id)
    except NotFound:
        abort(404)
    authorize(can_run_ballots, decision.body)
    try:
        moved = decisions.move_surplus(current_user, decision.id, now=utcnow())
    except DomainError as error:
        refused(error)
    else:
        if moved.is_new:
            flash(_("The money has moved to the destinations."), "success")
        else:
            flash(_("The money had already moved; nothing was moved again."), "info")
    default = url_for("decisions.detail", decision_id=decision_id, _anchor="surplus-money")
    return redirect(safe_next(request.form.get("next"), default))


@bp.get("/decisions/<int:decision_id>")
@public  # as public as its body's ballots: authorize below
def detail(decision_id: int):
    try:
        decision = decisions.get_decision(decision_id)
    except NotFound:
        abort(404)
    # A decision is as public as the ballots of its body.
    authorize(can_view_ballot, decision)
    proposal = None
    if decision.proposal_id is not None:
        proposal = proposal_services.get_proposal(decision.proposal_id)
        if not can_view_proposal(current_user, proposal):
            proposal = None
    return render_template(
        "governance/decision.html",
        decision=decision,
        ballot=ballot_services.get_ballot(decision.ballot_id) if decision.ballot_id else None,
        proposal=proposal,
        superseded_by=decisions.superseded_by(decision.id),
    )
