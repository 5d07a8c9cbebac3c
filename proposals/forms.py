"""Forms of the proposal pages. Kind-specific fields are mixins that
``proposals.kinds`` registers; ``proposal_form`` builds the class for a kind."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from governance.forms import required
from governance.money import COMMON_CURRENCIES

TITLE_MAX = 200
TEXT_MAX = 20000
COMMENT_MAX = 5000


class ProposalBaseForm(FlaskForm):
    body = SelectField(
        _l("Body that decides"), choices=[], validate_choice=False, validators=[required()]
    )
    title = StringField(
        _l("Title"),
        validators=[required(), Length(max=TITLE_MAX, message=_l("At most 200 characters."))],
    )
    text = TextAreaField(
        _l("Text"),
        validators=[required(), Length(max=TEXT_MAX, message=_l("At most 20000 characters."))],
        description=_l(
            "You can use Markdown: **bold**, *italics*, lists with “-”, headings with “##”."
        ),
    )
    note = StringField(
        _l("What changed (for the revision history)"), validators=[Optional(), Length(max=300)]
    )
    submit = SubmitField(_l("Save"))


class BudgetLineForm(Form):
    label = StringField(_l("Budget line"), validators=[Optional(), Length(max=200)])
    amount = StringField(_l("Amount"), validators=[Optional(), Length(max=30)])


class MilestoneForm(Form):
    title = StringField(_l("Milestone"), validators=[Optional(), Length(max=200)])
    due_on = DateField(_l("Date"), validators=[Optional()])
    amount = StringField(_l("Amount"), validators=[Optional(), Length(max=30)])


class FundProjectFields:
    """The fields a fund project adds to a proposal."""

    beneficiary = StringField(
        _l("Beneficiary organization"),
        validators=[required(), Length(max=200, message=_l("At most 200 characters."))],
    )
    currency = SelectField(
        _l("Currency"), choices=[SelectChoice(code, code) for code in COMMON_CURRENCIES]
    )
    amount = StringField(
        _l("Amount requested"),
        validators=[required(), Length(max=30)],
        description=_l("In the currency chosen, e.g. 15000 or 15000,50."),
    )
    budget_lines = FieldList(
        FormField(BudgetLineForm),
        label=_l("Budget"),
        min_entries=5,
        max_entries=20,
        description=_l(
            "Optional. If you list budget lines, they must add up to the amount "
            "requested. Leave the rows you do not need empty."
        ),
    )
    milestones = FieldList(
        FormField(MilestoneForm),
        label=_l("Milestones"),
        min_entries=4,
        max_entries=20,
        description=_l(
            "The tranches of the money, each with its date and amount; they must "
            "add up to the amount requested. Leave the rows you do not need empty."
        ),
    )
    expected_results = TextAreaField(
        _l("Expected results"),
        validators=[required(), Length(max=5000, message=_l("At most 5000 characters."))],
    )


_FORM_CLASSES: dict[str, type[ProposalBaseForm]] = {}


def proposal_form(kind) -> type[ProposalBaseForm]:
    """The form class for a kind: the base fields plus the kind's mixin."""
    if kind.id not in _FORM_CLASSES:
        bases = (ProposalBaseForm, kind.form_mixin) if kind.form_mixin else (ProposalBaseForm,)
        _FORM_CLASSES[kind.id] = type(f"ProposalForm_{kind.id}", bases, {})
    return _FORM_CLASSES[kind.id]


def stance_choices():
    return [
        SelectChoice("in-favour", _l("In favour")),
        SelectChoice("against", _l("Against")),
        SelectChoice("neutral", _l("Neutral")),
    ]


class CommentForm(FlaskForm):
    parent_id = HiddenField()
    # Neutral until the member says otherwise: the form suggests no side.
    stance = SelectField(_l("Your position"), choices=stance_choices, default="neutral")
    text = TextAreaField(
        _l("Comment"),
        validators=[required(), Length(max=COMMENT_MAX, message=_l("At most 5000 characters."))],
    )
    submit = SubmitField(_l("Publish comment"))


class ReasonForm(FlaskForm):
    reason = StringField(
        _l("Reason"),
        validators=[required(), Length(max=300, message=_l("At most 300 characters."))],
    )
    submit = SubmitField(_l("Confirm"))


class FlagForm(FlaskForm):
    reason = StringField(
        _l("Why should a moderator look at it? (optional)"),
        validators=[Optional(), Length(max=300)],
    )
    submit = SubmitField(_l("Report this comment"))


class AmendmentForm(FlaskForm):
    text = TextAreaField(
        _l("The text as you propose it"),
        validators=[required(), Length(max=TEXT_MAX, message=_l("At most 20000 characters."))],
    )
    explanation = TextAreaField(
        _l("Why"),
        validators=[Optional(), Length(max=COMMENT_MAX, message=_l("At most 5000 characters."))],
    )
    submit = SubmitField(_l("Propose the amendment"))


class AmendmentDecisionForm(FlaskForm):
    decision = SelectField(
        _l("Decision"),
        choices=lambda: [
            SelectChoice("accept", _l("Accept: the text changes")),
            SelectChoice("reject", _l("Reject")),
        ],
    )
    reason = StringField(
        _l("Reason"),
        validators=[required(), Length(max=500, message=_l("At most 500 characters."))],
    )
    submit = SubmitField(_l("Decide"))


class CoauthorForm(FlaskForm):
    email = StringField(_l("Co-author's email"), validators=[required(), Length(max=254)])
    submit = SubmitField(_l("Add co-author"))


class AttachmentForm(FlaskForm):
    file = FileField(
        _l("File (PDF or image, at most 5 MB)"),
        validators=[FileRequired(message=_l("Choose a file."))],
    )
    submit = SubmitField(_l("Attach"))


class ActionForm(FlaskForm):
    """A button with only the CSRF token (publish, support, follow...)."""

    submit = SubmitField(_l("Confirm"))
