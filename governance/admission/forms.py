"""Forms of the admission pages. The application form only reads what was sent;
``checks`` checks it whole and names every problem."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from governance.admission import checks
from governance.admission.application_models import Verdict
from governance.admission.labels import VERDICT_NAMES
from governance.forms import LANGUAGE_CHOICES, ORGANIZATION_KIND_LABELS

EVIDENCE_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class MilestoneForm(Form):
    title = StringField(_l("What will be done"))
    due_on = StringField(_l("By when"), render_kw={"type": "date"})


class AnswerForm(Form):
    declaration = TextAreaField(
        _l("Your declaration"),
        description=_l("How your organization meets this criterion, in your own words."),
        render_kw={"rows": 5},
    )
    evidence = MultipleFileField(
        _l("Evidence (optional)"),
        description=_l("Up to 3 files, PDF, JPEG or PNG, 5 MB each at most."),
        render_kw={"accept": EVIDENCE_ACCEPT},
    )
    has_transition = BooleanField(_l("We are on our way: we ask for a transition period"))
    transition_plan = TextAreaField(
        _l("Our transition plan"),
        description=_l("Where you are, and what you will do to meet the criterion."),
        render_kw={"rows": 4},
    )
    milestones = FieldList(
        FormField(MilestoneForm),
        min_entries=checks.MAX_MILESTONES,
        max_entries=checks.MAX_MILESTONES,
    )


def kind_choices() -> list[SelectChoice]:
    return [
        SelectChoice("", _l("Choose the kind")),
        *(SelectChoice(kind.value, label) for kind, label in ORGANIZATION_KIND_LABELS.items()),
    ]


class ApplyForm(FlaskForm):
    language = SelectField(
        _l("Language of our emails to you"),
        choices=LANGUAGE_CHOICES,
        description=_l("We write to you, and show this page, in this language."),
    )
    name = StringField(_l("Name of the organization"))
    kind = SelectField(_l("Kind of organization"), choices=kind_choices, validate_choice=False)
    activity = TextAreaField(
        _l("What the organization does"),
        description=_l("What you produce, sell or offer, and who works in it."),
        render_kw={"rows": 4},
    )
    territory = StringField(
        _l("City or territory"), description=_l("Where the organization works.")
    )
    contact_email = EmailField(
        _l("Contact email"),
        description=_l("We send the confirmation and your private status link here."),
    )
    contact_phone = StringField(_l("Contact phone (optional)"))
    delegate_name = StringField(
        _l("Name of your delegate"),
        description=_l("The person who will take your organization's seat and vote for it."),
    )
    delegate_email = EmailField(
        _l("Delegate's email"),
        description=_l("If you are admitted, the invitation to take the seat goes here."),
    )
    criteria_version = HiddenField()
    answers = FieldList(FormField(AnswerForm))
    submit = SubmitField(_l("Send the application"))


def fields_by_id(form: Any) -> dict[str, Any]:
    """Every field of the form, nested rows included, by its id."""
    found = {}
    for field in form:
        if isinstance(field, FieldList):
            for entry in field:
                if isinstance(entry, FormField):
                    found.update(fields_by_id(entry.form))
                else:
                    found[entry.id] = entry
        elif isinstance(field, FormField):
            found.update(fields_by_id(field.form))
        else:
            found[field.id] = field
    return found


class AnswerQuestionForm(FlaskForm):
    question_id = HiddenField()
    text = TextAreaField(_l("Your answer"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Send the answer"))


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token."""

    submit = SubmitField(_l("Confirm"))


class EmailLinkForm(FlaskForm):
    email = EmailField(_l("Contact email of the application"))
    submit = SubmitField(_l("Send me a new link"))


def verdict_choices() -> list[SelectChoice]:
    return [SelectChoice(verdict.value, VERDICT_NAMES[verdict]) for verdict in Verdict]


class AssessmentForm(FlaskForm):
    criterion_id = HiddenField()
    verdict = RadioField(_l("Verdict"), choices=verdict_choices, validate_choice=False)
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 3})
    submit = SubmitField(_l("Save the assessment"))


class QuestionForm(FlaskForm):
    text = TextAreaField(
        _l("Question to the applicant"),
        description=_l("It is emailed to the applicant, who answers on the application's page."),
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Send the question"))


class SendToVoteForm(FlaskForm):
    note = TextAreaField(
        _l("Note for the deciding body (optional)"),
        description=_l("Added to the proposal's text, after the reviewers' summary."),
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Send to a vote"))


class ConcernForm(FlaskForm):
    criterion = SelectField(_l("Criterion it no longer meets"), choices=[], validate_choice=False)
    text = TextAreaField(
        _l("What makes you think so"),
        description=_l("Facts the reviewers can check. The organization's delegates see it."),
        render_kw={"rows": 5},
    )
    submit = SubmitField(_l("Raise the concern"))


def _required() -> InputRequired:
    return InputRequired(message=_l("This field is required."))


class RulesForm(FlaskForm):
    review_body = SelectField(
        _l("Body whose members review applications"),
        choices=[],
        validate_choice=False,
        description=_l(
            "Its members with a vote assess applications; its chair or secretary sends them "
            "to a vote."
        ),
    )
    deciding_body = SelectField(
        _l("Body that decides on admissions"),
        choices=[],
        validate_choice=False,
        description=_l(
            "The assembly, or a committee: its chair puts each admission to its own "
            "yes / no ballot."
        ),
    )
    seat_body = SelectField(
        _l("Body where new members get their seat"),
        choices=[],
        validate_choice=False,
        description=_l("Usually the assembly. Empty: the deciding body."),
    )
    national_currency = SelectField(_l("National currency"), choices=[], validate_choice=False)
    national_credit_limit = StringField(
        _l("Credit limit of new members in the national currency"),
        default="0",
        description=_l("How much a new member's account may go below zero. 0: none."),
    )
    social_currency = SelectField(_l("Social currency"), choices=[], validate_choice=False)
    social_credit_limit = StringField(
        _l("Credit limit of new members in the social currency"), default="0"
    )
    status_link_days = IntegerField(
        _l("Days a status link works"),
        default=30,
        validators=[_required(), NumberRange(min=1, max=365, message=_l("From 1 to 365."))],
    )
    submit = SubmitField(_l("Save the rules"))
