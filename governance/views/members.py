"""Member list, profiles, invitations and CSV import."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from governance import auth, imports, queries, services
from governance.errors import DomainError
from governance.extensions import db
from governance.forms import InviteForm, ProfileForm
from governance.models import BallotMail, Member, OrganizationKind, Role
from governance.policies import (
    can_edit_member,
    can_import_members,
    can_invite,
    can_manage_seats,
    can_view_members,
)
from governance.views.common import refuse
from governance.web import authorize, requires, utcnow

bp = Blueprint("members", __name__, url_prefix="/members")
PAGE_SIZE = 50


@bp.get("/")
@requires(can_view_members)
def index():
    query = request.args.get("q", "").strip()
    members = db.paginate(queries.member_search(query), per_page=PAGE_SIZE, error_out=False)
    return render_template("governance/members.html", members=members, query=query)


def _member_or_404(member_id: int) -> Member:
    member = db.session.get(Member, member_id)
    if member is None:
        abort(404)
    return member


@bp.get("/<int:member_id>")
@requires(can_view_members)
def profile(member_id: int):
    member = _member_or_404(member_id)
    return render_template("governance/member.html", member=member, today=utcnow().date())


@bp.route("/<int:member_id>/edit", methods=["GET", "POST"])
@requires(can_view_members)
def edit(member_id: int):
    member = _member_or_404(member_id)
    authorize(can_edit_member, member)
    form = ProfileForm(obj=member)
    if form.validate_on_submit():
        try:
            services.update_profile(
                current_user,
                member.id,
                display_name=form.display_name.data,
                language=form.language.data,
                timezone=form.timezone.data.strip(),
                ballot_mail=BallotMail(form.ballot_mail.data) if form.ballot_mail.data else None,
                now=utcnow(),
            )
        except DomainError as error:
            refuse(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("members.profile", member_id=member.id))
    return render_template("governance/member_edit.html", form=form, member=member)


@bp.route("/invite", methods=["GET", "POST"])
@requires(can_invite)
def invite():
    form = InviteForm()
    bodies = queries.all_bodies()
    form.body.choices = [SelectChoice("", _("No seat"))] + [
        SelectChoice(body.slug, body.name)
        for body in bodies
        if can_manage_seats(current_user, body)
    ]
    if form.validate_on_submit():
        try:
            auth.invite_member(
                current_user,
                auth.InvitationSpec(
                    email=form.email.data,
                    display_name=form.display_name.data,
                    language=form.language.data,
                    body_slug=form.body.data or None,
                    role=Role(form.role.data),
                    organization=form.organization.data or None,
                    organization_kind=OrganizationKind(form.organization_kind.data),
                ),
                now=utcnow(),
            )
        except DomainError as error:
            refuse(form, error)
        else:
            flash(_("The invitation was sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("members.invite"))
    return render_template("governance/invite.html", form=form)


@bp.route("/import", methods=["GET", "POST"])
@requires(can_import_members)
def import_csv():
    from governance.forms import ImportForm

    form = ImportForm()
    problems: list[tuple[int, str]] = []
    if form.validate_on_submit():
        raw = form.file.data.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            form.file.errors = [_("The file must be saved as UTF-8 text.")]
        else:
            try:
                report = imports.import_members(
                    current_user,
                    text,
                    now=utcnow(),
                    default_tz=current_app.config["ASAMBLEA"].default_timezone,
                )
            except imports.ImportRejected as error:
                db.session.rollback()
                problems = error.problems
                form.form_errors.append(error.message)
            except DomainError as error:
                refuse(form, error)
            else:
                flash(
                    ngettext(
                        "Imported %(num)s new member",
                        "Imported %(num)s new members",
                        report.members_created,
                    )
                    + " · "
                    + ngettext("%(num)s seat", "%(num)s seats", report.seats_added),
                    "success",
                )
                return redirect(url_for("members.index"))
    return render_template(
        "governance/import.html", form=form, problems=problems, columns=imports.COLUMNS
    )
