"""The reviewers' pages (blueprint ``admission_review``, members only): the
applications and concerns, assessing each criterion, asking the applicant,
sending on to a vote; the admission rules (administrators); raising a concern.

A refused operation (your own organization's application, a missing reason...)
shows the page again with the message, and stores nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from governance.admission import concerns, criteria, lifecycle, queries, review, rules
from governance.admission.application_models import EvidenceFile
from governance.admission.apply_views import evidence_storage
from governance.admission.forms import (
    AssessmentForm,
    ConcernForm,
    QuestionForm,
    RulesForm,
    SendToVoteForm,
)
from governance.admission.labels import (
    CONCERN_NAMES,
    MILESTONE_NAMES,
    STATE_EXPLANATIONS,
    STATE_NAMES,
    VERDICT_NAMES,
)
from governance.admission.policies import (
    TEMPLATE_POLICIES,
    can_edit_admission_rules,
    can_raise_concern,
    can_view_applications,
)
from governance.errors import DomainError, NotFound
from governance.extensions import db
from governance.forms import ORGANIZATION_KIND_LABELS
from governance.models import Organization
from governance.views.common import refuse
from governance.web import requires, utcnow
from ledger.amounts import format_amount, parse_amount
from ledger.models import Currency, CurrencyKind

bp = Blueprint("admission_review", __name__, url_prefix="/admission")


@bp.app_context_processor
def admission_helpers() -> dict:
    return {
        "admission_policies": TEMPLATE_POLICIES,
        "application_state_names": STATE_NAMES,
        "application_state_explanations": STATE_EXPLANATIONS,
        "milestone_names": MILESTONE_NAMES,
        "verdict_names": VERDICT_NAMES,
        "concern_state_names": CONCERN_NAMES,
        "organization_kind_names": ORGANIZATION_KIND_LABELS,
        "admission_subject": queries.admission_subject,
        "admission_today": utcnow().date(),
    }


def _application(application_id: int):
    try:
        return lifecycle.get_application(application_id)
    except NotFound:
        abort(404)


def _send_to_vote(form: SendToVoteForm, send, subject_id: int, done: str):
    """Post the form's note to ``send`` (an application's or a concern's
    ``send_to_vote``): the redirect to the new proposal, with the note ``done``;
    ``None`` when refused, the message on the form."""
    if form.validate_on_submit():
        try:
            proposal = send(current_user, subject_id, form.note.data or "", now=utcnow())
        except DomainError as error:
            refuse(form, error, "note")
        else:
            flash(done, "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return None


def _save_assessment(form: AssessmentForm, assess, subject_id: int, then: str, **criterion):
    """Post the form's verdict and reason to ``assess`` (an application's, with
    ``criterion_id``, or a concern's): the redirect to ``then``, with a note;
    ``None`` when refused, the message on the form."""
    if form.validate_on_submit():
        try:
            assess(
                current_user,
                subject_id,
                **criterion,
                verdict=form.verdict.data or "",
                reason=form.reason.data or "",
                now=utcnow(),
            )
        except DomainError as error:
            refuse(form, error)
        else:
            flash(_("Your assessment is saved."), "success")
            return redirect(then)
    return None


def assessment_form(criterion, *, blank: bool = False, mine=None) -> AssessmentForm:
    """One form per criterion on the page (the prefix keeps their ids apart): the
    one posted, or ``blank`` — filled with the reviewer's own latest assessment
    (``mine``) if there is one, so a second save visibly replaces it."""
    prefix = f"criterion-{criterion.position}"
    if not blank:
        return AssessmentForm(prefix=prefix)
    data = {} if mine is None else {"verdict": mine.verdict.value, "reason": mine.reason}
    return AssessmentForm(prefix=prefix, formdata=None, data=data)


@bp.get("/applications")
@requires(can_view_applications)
def index():
    return render_template(
        "admission/review_index.html",
        by_state=queries.applications_by_state(),
        concerns=queries.open_concerns(),
    )


def render_review(application, *, failed: dict | None = None, status: int = 200):
    failed = failed or {}
    page = queries.review_page(application)

    def mine(criterion_id: int):
        own = [a for a in page.latest.get(criterion_id, []) if a.reviewer_id == current_user.id]
        return own[0] if own else None

    forms = {
        criterion.id: failed.get(criterion.id)
        or assessment_form(criterion, blank=True, mine=mine(criterion.id))
        for criterion in application.criteria_version.criteria
    }
    return render_template(
        "admission/review.html",
        application=application,
        page=page,
        assessment_forms=forms,
        question_form=failed.get("question") or QuestionForm(formdata=None),
        send_form=failed.get("send") or SendToVoteForm(formdata=None),
        is_own=review.is_own_application(current_user, application),
    ), status


@bp.get("/applications/<int:application_id>")
@requires(can_view_applications)
def application(application_id: int):
    return render_review(_application(application_id))


@bp.post("/applications/<int:application_id>/criteria/<int:criterion_id>/assess")
@requires(can_view_applications)
def assess(application_id: int, criterion_id: int):
    application = _application(application_id)
    criterion = next(
        (c for c in application.criteria_version.criteria if c.id == criterion_id), None
    )
    if criterion is None:
        abort(404)
    form = assessment_form(criterion)
    then = url_for(
        ".application", application_id=application.id, _anchor=f"criterion-{criterion.position}"
    )
    saved = _save_assessment(form, review.assess, application.id, then, criterion_id=criterion.id)
    return saved or render_review(application, failed={criterion.id: form}, status=400)


@bp.post("/applications/<int:application_id>/ask")
@requires(can_view_applications)
def ask(application_id: int):
    application = _application(application_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            review.ask(current_user, application.id, form.text.data or "", now=utcnow())
        except DomainError as error:
            refuse(form, error, "text")
        else:
            flash(_("The question is sent to the applicant."), "success")
            return redirect(
                url_for(".application", application_id=application.id, _anchor="questions")
            )
    return render_review(application, failed={"question": form}, status=400)


@bp.post("/applications/<int:application_id>/send")
@requires(can_view_applications)
def send(application_id: int):
    application = _application(application_id)
    form = SendToVoteForm()
    done = _("The application is before the deciding body, ready for its vote.")
    return _send_to_vote(form, review.send_to_vote, application.id, done) or render_review(
        application, failed={"send": form}, status=400
    )


@bp.get("/evidence/<int:evidence_id>")
@requires(can_view_applications)
def evidence(evidence_id: int):
    stored = db.session.get(EvidenceFile, evidence_id)
    path = evidence_storage() / (stored.sha256 if stored else "")
    if stored is None or not path.is_file():
        abort(404)
    response = send_file(
        path, as_attachment=True, download_name=stored.filename, mimetype=stored.content_type
    )
    response.headers["Cache-Control"] = "private, max-age=0"
    return response


# --- the admission rules ----------------------------------------------------------------


def _offer(form: RulesForm) -> None:
    bodies = [SelectChoice("", _("Choose the body"))] + [
        SelectChoice(str(body.id), body.name) for body in rules.bodies()
    ]
    for field in (form.review_body, form.deciding_body, form.seat_body):
        field.choices = bodies
    currencies = list(db.session.execute(sa.select(Currency).order_by(Currency.code)).scalars())
    none = SelectChoice("", _("None"))
    form.national_currency.choices = [none] + [
        SelectChoice(c.code, f"{c.code} — {c.name}")
        for c in currencies
        if c.kind is CurrencyKind.NATIONAL
    ]
    form.social_currency.choices = [none] + [
        SelectChoice(c.code, f"{c.code} — {c.name}")
        for c in currencies
        if c.kind is not CurrencyKind.NATIONAL
    ]


def _limit(text: str | None, code: str | None, field: str) -> int:
    if not code or (text or "").strip() in ("", "0"):
        return 0
    currency = db.session.get(Currency, code)
    if currency is None:
        return 0
    try:
        return parse_amount(text, currency)
    except DomainError as error:
        raise DomainError(error.message, field=field) from None


def _as_id(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


@bp.route("/rules", methods=["GET", "POST"])
@requires(can_edit_admission_rules)
def rules_page():
    form = RulesForm()
    _offer(form)
    current = rules.get_rules()
    if not form.is_submitted() and current is not None:
        form.review_body.data = str(current.review_body_id or "")
        form.deciding_body.data = str(current.deciding_body_id or "")
        form.seat_body.data = str(current.seat_body_id or "")
        form.national_currency.data = current.national_currency or ""
        form.social_currency.data = current.social_currency or ""
        for code, limit, field in (
            (current.national_currency, current.national_credit_limit, form.national_credit_limit),
            (current.social_currency, current.social_credit_limit, form.social_credit_limit),
        ):
            currency = db.session.get(Currency, code) if code else None
            field.data = format_amount(limit, currency) if currency and limit else "0"
        form.status_link_days.data = current.status_link_days
    if form.validate_on_submit():
        try:
            rules.set_rules(
                current_user,
                rules.RulesSpec(
                    review_body_id=_as_id(form.review_body.data),
                    deciding_body_id=_as_id(form.deciding_body.data),
                    seat_body_id=_as_id(form.seat_body.data),
                    national_currency=form.national_currency.data or None,
                    national_credit_limit=_limit(
                        form.national_credit_limit.data,
                        form.national_currency.data,
                        "national_credit_limit",
                    ),
                    social_currency=form.social_currency.data or None,
                    social_credit_limit=_limit(
                        form.social_credit_limit.data,
                        form.social_currency.data,
                        "social_credit_limit",
                    ),
                    status_link_days=form.status_link_days.data or 0,
                ),
                now=utcnow(),
            )
        except DomainError as error:
            refuse(form, error)
        else:
            flash(_("The admission rules are saved."), "success")
            return redirect(url_for(".rules_page"))
    return render_template("admission/rules.html", form=form, rules=current)


# --- concerns ---------------------------------------------------------------------------


def _concern(concern_id: int):
    try:
        return concerns.get_concern(concern_id)
    except NotFound:
        abort(404)


@bp.route("/organizations/<int:organization_id>/concern", methods=["GET", "POST"])
@requires(can_raise_concern)
def raise_concern(organization_id: int):
    organization = db.session.get(Organization, organization_id)
    version = criteria.current_version()
    if organization is None or version is None:
        abort(404)
    form = ConcernForm()
    language = current_user.language
    form.criterion.choices = [SelectChoice("", _("Choose the criterion"))] + [
        SelectChoice(str(c.id), c.read("title", language)) for c in version.criteria
    ]
    if form.validate_on_submit():
        try:
            concerns.raise_concern(
                current_user,
                organization.id,
                criterion_id=_as_id(form.criterion.data) or 0,
                text=form.text.data or "",
                now=utcnow(),
            )
        except DomainError as error:
            refuse(form, error, "text")
        else:
            flash(_("Your concern is with the reviewers."), "success")
            return redirect(url_for("applications.organization", organization_id=organization.id))
    return render_template("admission/concern_new.html", form=form, organization=organization)


def render_concern(concern, *, assessment=None, send_form=None, status: int = 200):
    return render_template(
        "admission/concern.html",
        concern=concern,
        latest=review.latest_assessments(concern_id=concern.id).get(concern.criterion_id, []),
        assessment_form=assessment or assessment_form(concern.criterion, blank=True),
        send_form=send_form or SendToVoteForm(formdata=None),
        is_own=concerns.is_own_concern(current_user, concern),
    ), status


@bp.get("/concerns/<int:concern_id>")
@requires(can_view_applications)
def concern(concern_id: int):
    return render_concern(_concern(concern_id))


@bp.post("/concerns/<int:concern_id>/assess")
@requires(can_view_applications)
def assess_concern(concern_id: int):
    concern = _concern(concern_id)
    form = assessment_form(concern.criterion)
    then = url_for(".concern", concern_id=concern.id)
    saved = _save_assessment(form, concerns.assess_concern, concern.id, then)
    return saved or render_concern(concern, assessment=form, status=400)


@bp.post("/concerns/<int:concern_id>/send")
@requires(can_view_applications)
def send_concern(concern_id: int):
    concern = _concern(concern_id)
    form = SendToVoteForm()
    done = _("The concern is before the deciding body, ready for its vote.")
    return _send_to_vote(form, concerns.send_to_vote, concern.id, done) or render_concern(
        concern, send_form=form, status=400
    )
