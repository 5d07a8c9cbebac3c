"""The applicant's pages (blueprint ``applications``), open to anyone: the form at
``/apply``, the confirmation, the private status page and a fresh link, and the
public page of an organization of the network.

Each page reads in the applicant's language: the one chosen on the form, then the
application's; ``?lang=`` switches it (links on the page, no script needed).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import force_locale

from governance.admission import checks, concerns, criteria, intake, lifecycle, links, queries
from governance.admission.application_models import LinkPurpose
from governance.admission.forms import (
    ActionForm,
    AnswerQuestionForm,
    ApplyForm,
    EmailLinkForm,
    fields_by_id,
)
from governance.admission.links import LinkExpired
from governance.admission.rules import get_rules
from governance.config import LANGUAGES
from governance.errors import DomainError, TokenInvalid
from governance.extensions import db
from governance.models import Organization
from governance.web import public, select_locale, utcnow

bp = Blueprint("applications", __name__)
# Evidence: 3 files of 5 MB for each criterion would pass the site's 8 MB limit.
APPLY_MAX_BYTES = 32 * 1024 * 1024


def evidence_storage() -> Path:
    return Path(current_app.instance_path) / "admission-evidence"


@bp.url_value_preprocessor
def allow_evidence_uploads(endpoint: str | None, _values: dict | None) -> None:
    # URL value preprocessors run before the CSRF check reads the form, so the
    # larger limit is in place when the body is parsed.
    if endpoint == "applications.apply":
        request.max_content_length = APPLY_MAX_BYTES


def page_language(*preferred: str | None) -> str:
    """``?lang=``, else the first of ``preferred`` that we offer, else the visitor's."""
    for candidate in (request.args.get("lang"), *preferred):
        if candidate in LANGUAGES:
            return str(candidate)
    return select_locale()


def render_in(language: str, template: str, status: int = 200, **context):
    """Render the page in ``language`` (its words, its forms' words, ``<html lang>``)."""
    with force_locale(language):
        page = render_template(template, current_language=language, **context)
    return page, status


# --- the form -------------------------------------------------------------------------


def _answers(form: ApplyForm, version) -> tuple[checks.AnswerInput, ...]:
    answers = []
    for entry, criterion in zip(form.answers, version.criteria, strict=False):
        row = entry.form
        files = tuple(
            checks.Upload(upload.filename or "", upload.read(checks.MAX_FILE_BYTES + 1))
            for upload in request.files.getlist(row.evidence.name)
            if upload.filename
        )
        answers.append(
            checks.AnswerInput(
                criterion_id=criterion.id,
                declaration=row.declaration.data or "",
                has_transition=bool(row.has_transition.data),
                transition_plan=row.transition_plan.data or "",
                milestones=tuple(
                    checks.MilestoneInput(m.form.title.data or "", m.form.due_on.data or "")
                    for m in row.milestones
                ),
                files=files,
            )
        )
    return tuple(answers)


def _input(form: ApplyForm, version) -> checks.ApplicationInput:
    raw_version = form.criteria_version.data or ""
    return checks.ApplicationInput(
        name=form.name.data or "",
        kind=form.kind.data or "",
        activity=form.activity.data or "",
        territory=form.territory.data or "",
        contact_email=form.contact_email.data or "",
        contact_phone=form.contact_phone.data or "",
        delegate_name=form.delegate_name.data or "",
        delegate_email=form.delegate_email.data or "",
        language=form.language.data or "",
        criteria_version=int(raw_version) if raw_version.isdigit() else None,
        answers=_answers(form, version),
    )


def _show_problems(form: ApplyForm, problems: list[checks.Problem]) -> None:
    fields = fields_by_id(form)
    for problem in problems:
        field = fields.get(problem.field)
        if field is not None:
            field.errors = [*field.errors, problem.message]
        else:
            form.form_errors.append(problem.message)


def _error_summary(form: ApplyForm) -> list[tuple[str, object]]:
    """(field id, message) for every error, in the order of the page."""
    rows: list[tuple[str, object]] = [("", message) for message in form.form_errors]
    for field_id, field in fields_by_id(form).items():
        if field_id != "csrf_token":
            rows += [(field_id, message) for message in field.errors]
    return rows


@bp.route("/apply", methods=["GET", "POST"])
@public
def apply():
    version = criteria.current_version()
    language = page_language(request.form.get("language") if request.method == "POST" else None)
    if version is None or get_rules() is None:
        return render_in(language, "admission/apply_closed.html")
    with force_locale(language):
        form = ApplyForm()
        while len(form.answers) < len(version.criteria):
            form.answers.append_entry()
        if not form.is_submitted():
            form.language.data = language
            form.criteria_version.data = str(version.number)
        elif form.validate_on_submit():
            try:
                intake.submit_application(
                    _input(form, version), storage=evidence_storage(), now=utcnow()
                )
            except checks.ApplicationRefused as refusal:
                db.session.rollback()
                _show_problems(form, refusal.problems)
            except DomainError as error:
                db.session.rollback()
                form.form_errors.append(error.message)
            else:
                return redirect(url_for("applications.sent", lang=form.language.data))
        return render_in(
            language,
            "admission/apply.html",
            form=form,
            version=version,
            errors=_error_summary(form),
            had_files=bool(request.files),
        )


@bp.get("/apply/sent")
@public
def sent():
    return render_in(page_language(), "admission/apply_sent.html")


# --- the private links ----------------------------------------------------------------


def _link_refused(error: TokenInvalid, token: str, language: str):
    """An expired link offers a fresh one; an unknown one asks for the contact email."""
    if isinstance(error, LinkExpired):
        return render_in(
            language, "admission/link_expired.html", 410, token=token, form=ActionForm()
        )
    return render_in(
        language, "admission/link_invalid.html", 404, message=error.message, form=EmailLinkForm()
    )


@bp.route("/apply/confirm/<token>", methods=["GET", "POST"])
@public
def confirm(token: str):
    try:
        link = links.find(LinkPurpose.CONFIRM, token, now=utcnow())
    except TokenInvalid as error:
        return _link_refused(error, token, page_language())
    application = link.application
    language = page_language(application.language)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            _confirmed, status_token = lifecycle.confirm(token, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            return redirect(url_for("applications.status", token=status_token, confirmed=1))
    return render_in(
        language, "admission/confirm.html", application=application, form=form, token=token
    )


@bp.get("/apply/status/<token>")
@public
def status(token: str):
    try:
        application = lifecycle.application_for_status(token, now=utcnow())
    except TokenInvalid as error:
        return _link_refused(error, token, page_language())
    return _status_page(application, token)


def _status_page(application, token: str, *, answer_form=None, failed_question=None, status=200):
    return render_in(
        page_language(application.language),
        "admission/status.html",
        status,
        application=application,
        token=token,
        page=queries.status_page(application),
        answer_form=answer_form,
        failed_question=failed_question,
        blank_answer_form=AnswerQuestionForm(formdata=None),
        action_form=ActionForm(formdata=None),
        just_confirmed=request.args.get("confirmed") == "1",
    )


@bp.post("/apply/status/<token>/answer")
@public
def answer(token: str):
    try:
        application = lifecycle.application_for_status(token, now=utcnow())
    except TokenInvalid as error:
        return _link_refused(error, token, page_language())
    form = AnswerQuestionForm()
    question_id = form.question_id.data or ""
    if form.validate_on_submit() and question_id.isdigit():
        try:
            lifecycle.answer_question(token, int(question_id), form.text.data or "", now=utcnow())
        except DomainError as error:
            db.session.rollback()
            form.text.errors = [*form.text.errors, error.message]
        else:
            return redirect(
                url_for("applications.status", token=token, _anchor=f"question-{question_id}")
            )
    return _status_page(
        application,
        token,
        answer_form=form,
        failed_question=int(question_id) if question_id.isdigit() else None,
        status=400,
    )


@bp.post("/apply/status/<token>/withdraw")
@public
def withdraw(token: str):
    try:
        application = lifecycle.application_for_status(token, now=utcnow())
    except TokenInvalid as error:
        return _link_refused(error, token, page_language())
    if ActionForm().validate_on_submit():
        try:
            lifecycle.withdraw(token, now=utcnow())
        except DomainError:
            db.session.rollback()
            return _status_page(application, token, status=400)
    return redirect(url_for("applications.status", token=token))


@bp.post("/apply/status/<token>/renew")
@public
def renew(token: str):
    if ActionForm().validate_on_submit():
        lifecycle.renew(token, now=utcnow())
    link = links.lookup(token)
    language = page_language(link.application.language if link is not None else None)
    return render_in(language, "admission/link_sent.html")


@bp.route("/apply/link", methods=["GET", "POST"])
@public
def lost_link():
    form = EmailLinkForm()
    if form.validate_on_submit():
        lifecycle.link_by_email(form.email.data or "", now=utcnow())
        return render_in(page_language(), "admission/link_sent.html")
    return render_in(page_language(), "admission/link_invalid.html", message=None, form=form)


# --- the organizations of the network --------------------------------------------------


@bp.get("/organizations/<int:organization_id>")
@public
def organization(organization_id: int):
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        abort(404)
    return render_template(
        "admission/organization.html",
        organization=organization,
        page=queries.organization_page(organization),
        is_suspended=concerns.is_suspended(organization.id),
    )
