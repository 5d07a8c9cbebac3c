"""Forms of the governance pages. Messages are explicit and translatable so
that a validation error reads in the member's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, EqualTo, InputRequired, Length, NumberRange, Optional

from governance.models import BallotMail, Body, BodyKind, OrganizationKind, Role
from governance.services import sorted_timezones

# WTForms 3.3 deprecates (value, label) tuples as choices; SelectChoice is the way on.
LANGUAGE_CHOICES = [
    SelectChoice("es", "Español"),
    SelectChoice("pt_BR", "Português (Brasil)"),
    SelectChoice("en", "English"),
]


def required():
    return InputRequired(message=_l("This field is required."))


def email_address():
    return Email(message=_l("Enter a valid email address."), check_deliverability=False)


def role_choices():
    return [
        SelectChoice(Role.MEMBER.value, _l("Member")),
        SelectChoice(Role.CHAIR.value, _l("Chair")),
        SelectChoice(Role.SECRETARY.value, _l("Secretary")),
        SelectChoice(Role.TREASURER.value, _l("Treasurer")),
        SelectChoice(Role.OBSERVER.value, _l("Observer")),
    ]


ORGANIZATION_KIND_LABELS = {
    OrganizationKind.COOPERATIVE: _l("Cooperative"),
    OrganizationKind.ASSOCIATION: _l("Association"),
    OrganizationKind.COMMUNITY_BANK: _l("Community bank"),
    OrganizationKind.FAMILY_UNIT: _l("Family production unit"),
    OrganizationKind.GROUP: _l("Group"),
    OrganizationKind.OTHER: _l("Other"),
}
BODY_KIND_LABELS = {
    BodyKind.ASSEMBLY: _l("Assembly"),
    BodyKind.FUND_COMMITTEE: _l("Fund committee"),
    BodyKind.COUNCIL: _l("Council"),
    BodyKind.OTHER: _l("Other body"),
}


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[required(), email_address()])
    password = PasswordField(_l("Password"), validators=[required()])
    remember = BooleanField(_l("Keep me logged in on this device"))
    submit = SubmitField(_l("Log in"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[required(), email_address()])
    submit = SubmitField(_l("Send me a link"))


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        description=_l("At least 8 characters."),
        validators=[
            required(),
            Length(min=8, message=_l("The password must have at least 8 characters.")),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            required(),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )
    submit = SubmitField(_l("Save the password"))


def offer_bodies(field: SelectField, bodies: list[Body], *, preset_slug: str | None) -> None:
    """Offer ``bodies`` in a body select (after a "Choose the body" prompt);
    ``preset_slug`` (a link's ``?body=``, on the first showing) chooses one."""
    field.choices = [
        SelectChoice("", _l("Choose the body")),
        *(SelectChoice(str(body.id), body.name) for body in bodies),
    ]
    if preset_slug:
        chosen = next((body for body in bodies if body.slug == preset_slug), None)
        field.data = str(chosen.id) if chosen else ""


def timezone_choices() -> list[SelectChoice]:
    """Every IANA zone, named as people read them ("America/Sao Paulo")."""
    return [SelectChoice(name, name.replace("_", " ")) for name in sorted_timezones()]


def language_field() -> SelectField:
    # Next to the header's language menu this field looked like a duplicate: say
    # that it is the member's own, for pages and mail alike.
    return SelectField(
        _l("Language"),
        choices=LANGUAGE_CHOICES,
        description=_l("Asamblea's pages and the emails you receive will be in this language."),
    )


def timezone_field() -> SelectField:
    # The service checks the zone and explains a wrong one in the member's language.
    return SelectField(
        _l("Time zone"),
        choices=timezone_choices,
        validate_choice=False,
        validators=[required()],
        description=_l(
            "Dates and times of meetings and votes are shown in this zone. "
            "Choose the city nearest to you with the same time, e.g. America/Lima."
        ),
    )


class AcceptInvitationForm(NewPasswordForm):
    display_name = StringField(_l("Your name"), validators=[required(), Length(max=120)])
    language = language_field()
    timezone = timezone_field()
    submit = SubmitField(_l("Join"))


BALLOT_MAIL_LABELS = {
    BallotMail.IMMEDIATE: _l(
        "An email for each ballot: when it opens, the day before it closes, and its result"
    ),
    BallotMail.DAILY: _l("One email a day at most, with the news of all my ballots"),
    BallotMail.NONE: _l("No emails about ballots: I look at Asamblea myself"),
}


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[required(), Length(max=120)])
    language = language_field()
    timezone = timezone_field()
    ballot_mail = RadioField(
        _l("Emails about ballots"),
        choices=[SelectChoice(key.value, label) for key, label in BALLOT_MAIL_LABELS.items()],
        # Left out of the form, the member's choice stays as it was.
        validators=[Optional()],
    )
    submit = SubmitField(_l("Save"))


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Change"))


class InviteForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[required(), email_address()])
    display_name = StringField(_l("Name"), validators=[required(), Length(max=120)])
    language = SelectField(
        _l("Language of the invitation"),
        choices=LANGUAGE_CHOICES,
        description=_l("The email is written in this language. The person can change it later."),
    )
    body = SelectField(
        _l("Seat in body"),
        choices=[],
        validate_choice=True,
        description=_l(
            "A seat lets the person take part and vote in a body, such as the assembly. "
            "Choose “No seat” to invite them to the network only."
        ),
    )
    role = SelectField(
        _l("Role"),
        choices=role_choices,
        description=_l("Only counts when a body is chosen above."),
    )
    organization = StringField(
        _l("As delegate of the organization (optional)"),
        validators=[Optional(), Length(max=200)],
        description=_l("Leave it empty if the person takes part in their own name."),
    )
    organization_kind = SelectField(
        _l("Kind of organization"),
        choices=[SelectChoice(k.value, label) for k, label in ORGANIZATION_KIND_LABELS.items()],
        description=_l("Only used when the organization is not yet in Asamblea."),
    )
    submit = SubmitField(_l("Send the invitation"))


class SeatForm(FlaskForm):
    member_email = EmailField(_l("Member's email"), validators=[required(), email_address()])
    organization = StringField(
        _l("As delegate of the organization (optional)"),
        validators=[Optional(), Length(max=200)],
        description=_l("Leave it empty if the person takes part in their own name."),
    )
    role = SelectField(_l("Role"), choices=role_choices)
    weight = IntegerField(
        _l("Vote weight"),
        default=1,
        description=_l("How many votes this seat counts for. Usually 1."),
        validators=[required(), NumberRange(min=0, max=1000, message=_l("Between 0 and 1000."))],
    )
    starts_on = DateField(_l("From"), validators=[Optional()])
    ends_on = DateField(_l("Until (optional)"), validators=[Optional()])
    submit = SubmitField(_l("Add the seat"))


class EndSeatForm(FlaskForm):
    submit = SubmitField(_l("End this seat today"))


class BodyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[required(), Length(max=200)])
    slug = StringField(
        _l("Short name for addresses"),
        validators=[required(), Length(max=64)],
        description=_l("Lowercase letters, digits and hyphens, e.g. youth-council."),
    )
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, v) for k, v in BODY_KIND_LABELS.items()]
    )
    description = TextAreaField(_l("Description"), validators=[Optional()])
    support_threshold_count = IntegerField(
        _l("Supports a proposal needs (a number)"),
        validators=[Optional(), NumberRange(min=1, max=100000, message=_l("At least 1."))],
        description=_l(
            "When this many members with a vote support a proposal, it is ready "
            "for decision. Leave empty to use a percentage, or neither to let "
            "the chair decide."
        ),
    )
    support_threshold_percent = IntegerField(
        _l("…or a percentage of the body's voting seats"),
        validators=[Optional(), NumberRange(min=1, max=100, message=_l("Between 1 and 100."))],
    )
    support_period_days = IntegerField(
        _l("Days to collect supports (optional)"),
        validators=[Optional(), NumberRange(min=1, max=3650, message=_l("At least 1."))],
        description=_l("Counted from publication. Empty: no time limit."),
    )
    is_private = BooleanField(_l("Private: only the body's members can read its proposals"))
    submit = SubmitField(_l("Create the body"))


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(message=_l("Choose a file.")),
            FileAllowed(["csv", "txt"], message=_l("The file must be a .csv file.")),
        ],
    )
    submit = SubmitField(_l("Import"))
