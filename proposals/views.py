"""Proposal pages (blueprint ``proposals``): the list, creation, the proposal
page, editing, revisions, co-authors, attachments and the lifecycle buttons.
Comments, amendments, supports and follows are in ``proposals.deliberation_views``.

Each view parses the request, checks a policy, calls one service and redirects
(or re-renders the form with the service's message).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from governance.errors import DomainError
from governance.extensions import db
from governance.forms import offer_bodies
from governance.money import format_money
from governance.policies import TEMPLATE_POLICIES as GOVERNANCE_POLICIES
from governance.policies import is_member
from governance.queries import all_bodies
from governance.views.common import refuse
from governance.web import authorize, public, refused, requires, utcnow
from proposals import deliberation, queries, services
from proposals import home as proposal_home
from proposals.forms import (
    ActionForm,
    AmendmentDecisionForm,
    AttachmentForm,
    CoauthorForm,
    CommentForm,
    FlagForm,
    ReasonForm,
    proposal_form,
    stance_choices,
)
from proposals.kinds import ProposalKind, get_kind, registered_kinds
from proposals.models import Attachment, Proposal, ProposalState
from proposals.policies import TEMPLATE_POLICIES as PROPOSAL_POLICIES
from proposals.policies import can_edit_proposal, can_moderate, can_propose, can_view_proposal
from proposals.text import diff_lines, render_markdown

bp = Blueprint("proposals", __name__, url_prefix="/proposals")
bp.record_once(lambda _state: proposal_home.register())


@bp.context_processor
def proposal_helpers() -> dict:
    return {
        "policies": {**GOVERNANCE_POLICIES, **PROPOSAL_POLICIES},
        "state_names": services.STATE_NAMES,
        "stance_names": {choice.value: choice.label for choice in stance_choices()},
        "markdown": render_markdown,
        "money": format_money,
        "diff_lines": diff_lines,
        "iso_date": date.fromisoformat,
        "kind_labels": {kind.id: kind.label for kind in registered_kinds()},
    }


# --- helpers --------------------------------------------------------------------------


def visible_proposal(proposal_id: int) -> Proposal:
    """The proposal with its body and authors; 404 if none, 403 if not for this visitor."""
    proposal = queries.proposal_for_page(proposal_id)
    if proposal is None:
        abort(404)
    authorize(can_view_proposal, proposal)
    return proposal


def back_to(proposal_id: int, anchor: str | None = None):
    return redirect(url_for("proposals.detail", proposal_id=proposal_id, _anchor=anchor))


def flash_form_errors(form) -> None:
    """The errors of a small form posted from the proposal page, as messages."""
    for error in form.form_errors:
        flash(str(error), "error")
    for field_name, errors in form.errors.items():
        if field_name and field_name != "csrf_token":
            label = form[field_name].label.text
            for error in errors:
                flash(f"{label}: {error}", "error")


def creatable_kind_or_404(kind_id: str) -> ProposalKind:
    try:
        kind = get_kind(kind_id)
    except DomainError:
        abort(404)
    if not kind.is_creatable:
        abort(404)
    return kind


def render_proposal_page(
    proposal: Proposal, *, comment_form=None, reply_form=None, status: int = 200
):
    """The proposal page; a form that failed is passed back with its errors."""
    is_moderator = can_moderate(current_user, proposal)
    page = queries.proposal_page(proposal, current_user, with_flags=is_moderator)
    kind = get_kind(proposal.kind)
    return render_template(
        "proposals/detail.html",
        proposal=proposal,
        page=page,
        kind=kind,
        threshold=deliberation.support_threshold(proposal.body),
        is_moderator=is_moderator,
        comment_form=comment_form or CommentForm(formdata=None),
        blank_comment_form=CommentForm(formdata=None),
        reply_form=reply_form,
        reason_form=ReasonForm(formdata=None),
        flag_form=FlagForm(formdata=None),
        decision_form=AmendmentDecisionForm(formdata=None),
        coauthor_form=CoauthorForm(formdata=None),
        attachment_form=AttachmentForm(formdata=None),
    ), status


# --- list and creation ----------------------------------------------------------------


@bp.get("/")
@public
def index():
    today = utcnow().date()
    filters = queries.ListFilters.from_args(request.args)
    proposals = queries.proposal_list(current_user, filters, today)
    ids = [proposal.id for proposal in proposals.items]
    return render_template(
        "proposals/index.html",
        proposals=proposals,
        filters=filters,
        supports=queries.support_counts(ids),
        comments=queries.comment_counts(ids),
        bodies=queries.filter_bodies(current_user, today),
        kinds=registered_kinds(),
        states=list(ProposalState),
        named_author=queries.named_member(
            filters.author if filters.author != getattr(current_user, "id", None) else None,
            current_user,
            today,
        ),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(is_member)
def create():
    kind_id = request.args.get("kind", "")
    if not kind_id:
        if request.method == "POST":
            abort(400)
        kinds = [kind for kind in registered_kinds() if kind.is_creatable]
        return render_template("proposals/choose_kind.html", kinds=kinds)
    kind = creatable_kind_or_404(kind_id)
    form = proposal_form(kind)()
    del form.note  # a new proposal has no history yet
    bodies = [body for body in all_bodies() if can_propose(current_user, body)]
    offer_bodies(
        form.body, bodies, preset_slug=request.args.get("body") if request.method == "GET" else None
    )
    if request.method == "GET" and kind.initial_fields is not None:
        kind.fill_form(form, kind.initial_fields())
    if form.validate_on_submit():
        body_id = int(form.body.data) if form.body.data.isdigit() else 0
        try:
            proposal = services.create_proposal(
                current_user,
                body_id=body_id,
                kind=kind.id,
                title=form.title.data,
                text=form.text.data,
                fields=kind.read_form(form),
                now=utcnow(),
            )
        except DomainError as error:
            refuse(form, error)
        else:
            flash(
                _("The draft is saved. Only its authors see it until it is published."), "success"
            )
            return back_to(proposal.id)
    return render_template("proposals/new.html", form=form, kind=kind)


# --- the proposal page, editing, revisions --------------------------------------------


@bp.get("/<int:proposal_id>")
@public
def detail(proposal_id: int):
    return render_proposal_page(visible_proposal(proposal_id))


@bp.route("/<int:proposal_id>/edit", methods=["GET", "POST"])
@requires(is_member)
def edit(proposal_id: int):
    proposal = visible_proposal(proposal_id)
    authorize(can_edit_proposal, proposal)
    kind = get_kind(proposal.kind)
    form = proposal_form(kind)()
    del form.body  # a proposal stays in its body
    if proposal.state is ProposalState.DRAFT:
        del form.note  # a draft is changed in place: no revision, no note
    if form.validate_on_submit():
        try:
            revision = services.revise(
                current_user,
                proposal.id,
                title=form.title.data,
                text=form.text.data,
                fields=kind.read_form(form),
                note=form.note.data if "note" in form else "",
                now=utcnow(),
            )
        except DomainError as error:
            refuse(form, error)
        else:
            if proposal.state is ProposalState.DRAFT:
                flash(_("Saved."), "success")
            else:
                flash(_("Revision %(n)s is published.", n=revision.number), "success")
            return back_to(proposal.id)
    elif not form.is_submitted():
        revision = services.current_revision(proposal)
        form.title.data, form.text.data = revision.title, revision.text
        kind.fill_form(form, revision.fields)
    return render_template("proposals/edit.html", form=form, kind=kind, proposal=proposal)


@bp.get("/<int:proposal_id>/diff")
@public
def diff(proposal_id: int):
    proposal = visible_proposal(proposal_id)
    current = proposal.current_revision
    second = request.args.get("to", current, type=int)
    first = request.args.get("from", max(second - 1, 1), type=int)
    revisions = {r.number: r for r in queries.revision_pair(proposal, first, second)}
    if first not in revisions or second not in revisions:
        abort(404)
    old, new = revisions[first], revisions[second]
    describe = get_kind(proposal.kind).describe
    return render_template(
        "proposals/diff.html",
        proposal=proposal,
        old=old,
        new=new,
        lines=diff_lines(old.text, new.text),
        field_lines=diff_lines("\n".join(describe(old.fields)), "\n".join(describe(new.fields)))
        if old.fields != new.fields
        else [],
        numbers=range(1, current + 1),
    )


# --- co-authors and attachments -------------------------------------------------------


@bp.post("/<int:proposal_id>/coauthors")
@requires(is_member)
def add_coauthor(proposal_id: int):
    proposal = visible_proposal(proposal_id)
    form = CoauthorForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return back_to(proposal.id, "authors")
    try:
        member = services.add_coauthor(current_user, proposal.id, form.email.data, now=utcnow())
    except DomainError as error:
        refused(error)
    else:
        flash(_("%(name)s is now a co-author.", name=member.display_name), "success")
    return back_to(proposal_id, "authors")


@bp.post("/<int:proposal_id>/attachments")
@requires(is_member)
def add_attachment(proposal_id: int):
    proposal = visible_proposal(proposal_id)
    form = AttachmentForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return back_to(proposal.id, "attachments")
    upload = form.file.data
    try:
        services.add_attachment(
            current_user,
            proposal.id,
            filename=upload.filename or "",
            # One byte more than allowed is enough for the service to refuse it.
            data=upload.read(services.MAX_ATTACHMENT_BYTES + 1),
            storage=Path(current_app.instance_path) / "attachments",
            now=utcnow(),
        )
    except DomainError as error:
        refused(error)
    else:
        flash(_("The file is attached."), "success")
    return back_to(proposal_id, "attachments")


@bp.get("/attachments/<int:attachment_id>")
@public
def attachment(attachment_id: int):
    stored = db.session.get(Attachment, attachment_id)
    if stored is None:
        abort(404)
    visible_proposal(stored.proposal_id)
    path = Path(current_app.instance_path) / "attachments" / stored.sha256
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        as_attachment=True,
        download_name=stored.filename,
        mimetype=stored.content_type,
    )
    # A private body's files must not stay in a shared cache.
    response.headers["Cache-Control"] = "private, max-age=0"
    return response


# --- lifecycle buttons ----------------------------------------------------------------


def move(proposal_id: int, operation: Callable, done: Callable[[Proposal], str]):
    """Run one lifecycle operation from a button; a refusal is shown as a message."""
    proposal = visible_proposal(proposal_id)
    if ActionForm().validate_on_submit():
        try:
            operation(current_user, proposal.id, now=utcnow())
        except DomainError as error:
            refused(error)
        else:
            flash(done(proposal), "success")
    return back_to(proposal_id)


@bp.post("/<int:proposal_id>/publish")
@requires(is_member)
def publish(proposal_id: int):
    return move(
        proposal_id,
        services.publish,
        lambda _p: _(
            "The proposal is published: members can now comment on it, amend it and support it."
        ),
    )


@bp.post("/<int:proposal_id>/withdraw")
@requires(is_member)
def withdraw(proposal_id: int):
    return move(proposal_id, services.withdraw, lambda _p: _("The proposal was withdrawn."))


@bp.post("/<int:proposal_id>/put-forward")
@requires(is_member)
def put_forward(proposal_id: int):
    return move(
        proposal_id, services.put_forward, lambda _p: _("The proposal is ready for decision.")
    )


@bp.post("/<int:proposal_id>/archive")
@requires(is_member)
def archive(proposal_id: int):
    return move(proposal_id, services.archive, lambda _p: _("The proposal was archived."))


from proposals import deliberation_views  # noqa: E402, F401 - adds its routes to bp
