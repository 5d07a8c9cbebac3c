"""Log in and out, invitations, password reset."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from governance import auth
from governance.errors import DomainError, TokenInvalid
from governance.forms import AcceptInvitationForm, ForgotPasswordForm, LoginForm, NewPasswordForm
from governance.models import TokenPurpose
from governance.views.common import refuse
from governance.web import client_address, public, safe_next, select_locale, utcnow

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            member = auth.authenticate(
                form.email.data, form.password.data, address=client_address(), now=utcnow()
            )
        except DomainError as error:
            refuse(form, error)
        else:
            if member is None:
                form.form_errors.append(_("The email or the password is not right."))
            else:
                login_user(member, remember=form.remember.data)
                return redirect(safe_next(request.args.get("next"), url_for("main.index")))
    return render_template("governance/login.html", form=form)


@bp.post("/logout")
@public
def logout():
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        auth.request_password_reset(form.email.data, now=utcnow())
        flash(
            _("If this email belongs to a member, a link to choose a new password is on its way."),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("governance/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    try:
        auth.find_token(TokenPurpose.PASSWORD_RESET, token, now=utcnow())
    except TokenInvalid as error:
        return render_template("governance/token_invalid.html", message=error.message), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            member = auth.reset_password(token, form.password.data, now=utcnow())
        except DomainError as error:
            refuse(form, error, "password")
        else:
            logout_user()
            login_user(member)
            flash(_("Your new password is saved."), "success")
            return redirect(url_for("main.index"))
    return render_template("governance/reset_password.html", form=form)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    try:
        invitation = auth.find_token(TokenPurpose.INVITATION, token, now=utcnow())
    except TokenInvalid as error:
        return render_template("governance/token_invalid.html", message=error.message), 410
    form = AcceptInvitationForm()
    if request.method == "GET":
        form.display_name.data = invitation.payload.get("display_name", "")
        form.language.data = invitation.payload.get("language", select_locale())
        form.timezone.data = current_app.config["ASAMBLEA"].default_timezone
    if form.validate_on_submit():
        try:
            member = auth.accept_invitation(
                token,
                display_name=form.display_name.data,
                password=form.password.data,
                language=form.language.data,
                timezone=form.timezone.data.strip(),
                now=utcnow(),
            )
        except DomainError as error:
            refuse(form, error)
        else:
            logout_user()
            flash(
                _("Welcome! Your account is ready. Log in with your email and password."), "success"
            )
            return redirect(url_for("auth.login", email=member.email))
    return render_template("governance/accept_invitation.html", form=form, invitation=invitation)
