"""Deliberation on the proposal page: comments and their moderation,
amendments, supports and follows. Routes of the ``proposals`` blueprint (see
``proposals.views``)."""

from __future__ import annotations

from functools import partial

from flask import abort, flash, render_template
from flask_babel import gettext as _
from flask_login import current_user

from governance.errors import DomainError, NotFound
from governance.extensions import db
from governance.policies import is_member
from governance.views.common import refuse
from governance.web import authorize, requires, utcnow
from proposals import amendments, deliberation, services
from proposals.forms import AmendmentDecisionForm, AmendmentForm, CommentForm, FlagForm, ReasonForm
from proposals.models import AmendmentState, Comment, Proposal, ProposalState
from proposals.policies import can_amend
from proposals.views import (
    back_to,
    bp,
    flash_form_errors,
    move,
    refused,
    render_proposal_page,
    visible_proposal,
)


def _comment_or_404(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    return comment


@bp.post("/<int:proposal_id>/comments")
@requires(is_member)
def add_comment(proposal_id: int):
    proposal = visible_proposal(proposal_id)
    form = CommentForm()
    raw_parent = (form.parent_id.data or "").strip()
    is_reply = bool(raw_parent)
    if form.validate_on_submit():
        try:
            comment = deliberation.add_comment(
                current_user,
                proposal.id,
                text=form.text.data,
                stance=form.stance.data,
                # An id that is not a number names no comment: the service says so.
                parent_id=(int(raw_parent) if raw_parent.isdigit() else 0) if is_reply else None,
                now=utcnow(),
            )
        except DomainError as error:
            refuse(form, error)
        else:
            flash(_("Your comment is published."), "success")
            return back_to(proposal.id, f"comment-{comment.id}")
    return render_proposal_page(
        proposal,
        comment_form=None if is_reply else form,
        reply_form=form if is_reply else None,
    )


@bp.post("/comments/<int:comment_id>/hide")
@requires(is_member)
def hide_comment(comment_id: int):
    comment = _comment_or_404(comment_id)
    proposal = visible_proposal(comment.proposal_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return back_to(proposal.id, f"comment-{comment_id}")
    try:
        deliberation.hide_comment(current_user, comment.id, reason=form.reason.data, now=utcnow())
    except DomainError as error:
        refused(error)
    else:
        flash(_("The comment is hidden; the reason is shown in its place."), "success")
    return back_to(proposal.id, f"comment-{comment_id}")


@bp.post("/comments/<int:comment_id>/flag")
@requires(is_member)
def flag_comment(comment_id: int):
    comment = _comment_or_404(comment_id)
    proposal = visible_proposal(comment.proposal_id)
    form = FlagForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return back_to(proposal.id, f"comment-{comment_id}")
    try:
        deliberation.flag_comment(
            current_user, comment.id, reason=form.reason.data or "", now=utcnow()
        )
    except DomainError as error:
        refused(error)
    else:
        flash(_("Thank you. The moderators will look at this comment."), "success")
    return back_to(proposal.id, f"comment-{comment_id}")


@bp.route("/<int:proposal_id>/amendments/new", methods=["GET", "POST"])
@requires(is_member)
def propose_amendment(proposal_id: int):
    proposal = visible_proposal(proposal_id)
    authorize(can_amend, proposal)
    current = services.current_revision(proposal)
    form = AmendmentForm()
    if form.validate_on_submit():
        try:
            amendment = deliberation.propose_amendment(
                current_user,
                proposal.id,
                text=form.text.data,
                explanation=form.explanation.data or "",
                now=utcnow(),
            )
        except DomainError as error:
            refuse(form, error)
        else:
            flash(_("Your amendment is proposed. The authors will accept or reject it."), "success")
            return back_to(proposal.id, f"amendment-{amendment.id}")
    elif not form.is_submitted():
        form.text.data = current.text
    return render_template(
        "proposals/amendment_new.html", form=form, proposal=proposal, current=current
    )


@bp.post("/amendments/<int:amendment_id>/decide")
@requires(is_member)
def decide_amendment(amendment_id: int):
    try:
        amendment = amendments.get_amendment(amendment_id)
    except NotFound:
        abort(404)
    proposal = visible_proposal(amendment.proposal_id)
    form = AmendmentDecisionForm()
    anchor = f"amendment-{amendment_id}"
    if not form.validate_on_submit():
        flash_form_errors(form)
        return back_to(proposal.id, anchor)
    try:
        decided = deliberation.decide_amendment(
            current_user,
            amendment.id,
            accept=form.decision.data == "accept",
            reason=form.reason.data,
            now=utcnow(),
        )
    except DomainError as error:
        refused(error)
    else:
        if decided.state is AmendmentState.ACCEPTED:
            flash(
                _(
                    "The amendment is accepted: revision %(n)s of the text is published.",
                    n=decided.resulting_revision,
                ),
                "success",
            )
        else:
            flash(_("The amendment is rejected."), "success")
    return back_to(proposal.id, anchor)


# --- supports and follows -------------------------------------------------------------


@bp.post("/<int:proposal_id>/support")
@requires(is_member)
def support(proposal_id: int):
    def done(proposal: Proposal) -> str:
        if proposal.state is ProposalState.READY:
            return _(
                "Your support was counted. The proposal reached its threshold and is "
                "ready for decision."
            )
        return _("Your support was counted.")

    return move(proposal_id, deliberation.add_support, done)


@bp.post("/<int:proposal_id>/unsupport")
@requires(is_member)
def unsupport(proposal_id: int):
    return move(
        proposal_id, deliberation.withdraw_support, lambda _p: _("Your support was withdrawn.")
    )


@bp.post("/<int:proposal_id>/follow")
@requires(is_member)
def follow(proposal_id: int):
    return move(
        proposal_id,
        partial(deliberation.set_following, is_following=True),
        lambda _p: _(
            "You follow this proposal: you will get an email when it "
            "changes and when someone replies to you."
        ),
    )


@bp.post("/<int:proposal_id>/unfollow")
@requires(is_member)
def unfollow(proposal_id: int):
    return move(
        proposal_id,
        partial(deliberation.set_following, is_following=False),
        lambda _p: _("You no longer follow this proposal."),
    )
