"""Forms of the ballot pages and the names members read for methods, modes and
states. Reading a vote form into a choice is in ``votes.reading``.

Times are typed in the member's time zone (a ``datetime-local`` field, or
"2026-12-01 18:00" on browsers without one) and handed to the services in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from governance.forms import required
from votes.methods import METHODS
from votes.models import METHOD_IDS, Ballot, BallotMode, BallotState, ThresholdBase
from votes.services import OPTION_MAX, OPTIONS_MAX, TITLE_MAX, BallotSettings

DEFAULT_DURATION = timedelta(days=7)
DESCRIPTION_MAX = 5000
MAX_SCORE_LIMIT = 100
# A score up to this is a menu of numbers; above it, a number field.

METHOD_NAMES = {
    "yes-no-abstain": _l("Yes / No / Abstain"),
    "plurality": _l("One choice (plurality)"),
    "approval": _l("Approval"),
    "score": _l("Score"),
    "schulze": _l("Ranking (Schulze)"),
    "instant-runoff": _l("Ranking (instant runoff)"),
    "split": _l("Split of money (shares summing to the whole)"),
}
# A split is set up from a surplus-split proposal, never as a question of its own.
STANDALONE_METHOD_IDS = tuple(method for method in METHOD_IDS if method != "split")
METHOD_SUMMARIES = {
    "yes-no-abstain": _l("One question; each voter answers yes, no or abstain."),
    "plurality": _l("Each voter chooses one option; the option with most votes comes first."),
    "approval": _l(
        "Each voter ticks every option they accept; the option with most ticks comes first."
    ),
    "score": _l("Each voter gives every option points; the option with most points comes first."),
    "schulze": _l(
        "Each voter ranks the options; the option preferred to each of the others "
        "in one-to-one comparisons comes first."
    ),
    "instant-runoff": _l(
        "Each voter ranks the options; the option with fewest first choices is dropped, "
        "round after round, until one has more than half."
    ),
    "split": _l(
        "Each voter splits the money among the destinations in whole percentages "
        "(or per mille); the votes are combined into one split."
    ),
}
MODE_NAMES = {
    BallotMode.SECRET: _l("Secret"),
    BallotMode.NOMINAL: _l("Nominal (open)"),
}
STATE_NAMES = {
    BallotState.SCHEDULED: _l("Not open yet"),
    BallotState.OPEN: _l("Voting open"),
    BallotState.CLOSED: _l("Voting closed"),
    BallotState.CANCELLED: _l("Cancelled"),
}
ANSWER_NAMES = {"yes": _l("Yes"), "no": _l("No"), "abstain": _l("Abstain")}

# Threshold presets: (fraction, strict, base). "custom" reads its own fields.
THRESHOLD_PRESETS: dict[str, tuple[tuple[int, int] | None, bool, ThresholdBase]] = {
    "simple": ((1, 2), True, ThresholdBase.VOTES),
    "absolute": ((1, 2), True, ThresholdBase.ELECTORATE),
    "two-thirds": ((2, 3), False, ThresholdBase.VOTES),
    "none": (None, True, ThresholdBase.VOTES),
}


def option_label(ballot_or_method: Ballot | str, option: str) -> str:
    """How an option reads on a page: yes / no / abstain in the member's language."""
    method = getattr(ballot_or_method, "method", ballot_or_method)
    if method == "yes-no-abstain" and option in ANSWER_NAMES:
        return str(ANSWER_NAMES[option])
    return option


def member_zone() -> ZoneInfo:
    """The member's time zone as a ``zoneinfo`` zone. Flask-Babel's is a pytz zone,
    which ``datetime.replace(tzinfo=...)`` would read with its first historical
    offset (Lima's 1890 one), so the form gets the zone by its name."""
    return ZoneInfo(getattr(get_timezone(), "zone", None) or "UTC")


def local_now_default() -> datetime:
    """Now, to the minute, as the datetime-local field shows it."""
    return datetime.now(UTC).replace(second=0, microsecond=0)


def closes_default() -> datetime:
    return local_now_default() + DEFAULT_DURATION


def threshold_choices(*, with_none: bool) -> list[SelectChoice]:
    choices = [
        SelectChoice("simple", _l("Simple majority: more than half of the yes and no votes")),
        SelectChoice(
            "absolute",
            _l("Absolute majority: more than half of the whole electorate's votes"),
        ),
        SelectChoice("two-thirds", _l("Two thirds: at least two thirds of the yes and no votes")),
    ]
    if with_none:
        choices.append(SelectChoice("none", _l("No threshold: only the ranking counts")))
    choices.append(SelectChoice("custom", _l("Another share (write it below)")))
    return choices


class BallotSetupForm(FlaskForm):
    """What every ballot asks: the question, times, mode, quorum and threshold."""

    title = StringField(
        _l("Question"),
        validators=[
            required(),
            Length(max=TITLE_MAX, message=_l("At most %(max)s characters.", max=TITLE_MAX)),
        ],
    )
    description = TextAreaField(
        _l("Explanation (optional)"),
        validators=[
            Optional(),
            Length(
                max=DESCRIPTION_MAX,
                message=_l("At most %(max)s characters.", max=DESCRIPTION_MAX),
            ),
        ],
        description=_l("What the voters should know before they vote."),
    )
    mode = RadioField(
        _l("Kind of vote"),
        choices=[
            SelectChoice(
                BallotMode.SECRET.value,
                _l("Secret: no one can see how each seat voted"),
            ),
            SelectChoice(
                BallotMode.NOMINAL.value,
                _l("Nominal: the body's members see how each seat voted"),
            ),
        ],
        default=BallotMode.SECRET.value,
        validators=[required()],
    )
    opens_at = DateTimeLocalField(
        _l("Opens at"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        tz=member_zone,
        default=local_now_default,
        validators=[required()],
        invalid_value_message=_l("Write the date and time like this: 2026-12-01 18:00."),
    )
    closes_at = DateTimeLocalField(
        _l("Closes at"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        tz=member_zone,
        default=closes_default,
        validators=[required()],
        invalid_value_message=_l("Write the date and time like this: 2026-12-01 18:00."),
    )
    quorum_percent = IntegerField(
        _l("Quorum (percent)"),
        default=0,
        validators=[
            required(),
            NumberRange(min=0, max=100, message=_l("A whole number from 0 to 100.")),
        ],
        description=_l(
            "The share of the electorate's votes that must take part, abstentions "
            "and blank votes included, for the result to count. 0: no quorum."
        ),
    )
    threshold = RadioField(
        _l("Needed to approve"), default="simple", validators=[required()], choices=[]
    )
    threshold_num = IntegerField(
        _l("Share: top number"),
        # At least 1: "at least 0 of the votes" would approve with no yes at all.
        validators=[Optional(), NumberRange(min=1, max=1000, message=_l("From 1 to 1000."))],
    )
    threshold_den = IntegerField(
        _l("Share: bottom number"),
        validators=[Optional(), NumberRange(min=1, max=1000, message=_l("From 1 to 1000."))],
    )
    threshold_base = SelectField(
        _l("Counted against"),
        choices=[
            SelectChoice(ThresholdBase.VOTES.value, _l("the yes and no votes (or the votes cast)")),
            SelectChoice(ThresholdBase.ELECTORATE.value, _l("the whole electorate")),
        ],
        default=ThresholdBase.VOTES.value,
    )
    is_strict = BooleanField(
        _l("More than the share (reaching it exactly is not enough)"), default=True
    )
    submit = SubmitField(_l("Set up the ballot"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        this_year = datetime.now(UTC).year
        for field in (self.opens_at, self.closes_at):
            # Checked on the year before any time zone arithmetic, which fails
            # near the calendar's ends.
            if field.data is not None and not this_year - 1 <= field.data.year <= this_year + 5:
                field.errors = [*field.errors, _l("Choose a date within the next five years.")]
                valid = False
        if self.threshold.data == "custom":
            if self.threshold_num.data is None:
                self.threshold_num.errors = [*self.threshold_num.errors, _l("Write the share.")]
                valid = False
            if self.threshold_den.data is None:
                self.threshold_den.errors = [*self.threshold_den.errors, _l("Write the share.")]
                valid = False
            if (
                self.threshold_num.data is not None
                and self.threshold_den.data
                and self.threshold_num.data > self.threshold_den.data
            ):
                self.threshold_num.errors = [
                    *self.threshold_num.errors,
                    _l("The top number cannot be larger than the bottom one."),
                ]
                valid = False
        return valid

    def threshold_rule(self) -> tuple[tuple[int, int] | None, bool, ThresholdBase]:
        if self.threshold.data == "custom":
            return (
                (self.threshold_num.data or 0, self.threshold_den.data or 1),
                bool(self.is_strict.data),
                ThresholdBase(self.threshold_base.data),
            )
        return THRESHOLD_PRESETS[self.threshold.data]

    def settings(self, method: str, options: list[str], **limits: Any) -> BallotSettings:
        """The settings the service receives, times in UTC."""
        fraction, strict, base = self.threshold_rule()
        if method in METHODS and not METHODS[method].has_threshold:
            # The form's hint says so: a method that only ranks has no threshold.
            fraction, strict, base = None, True, ThresholdBase.VOTES
        return BallotSettings(
            title=self.title.data or "",
            description=self.description.data or "",
            method=method,
            options=options,
            mode=BallotMode(self.mode.data),
            opens_at=self.opens_at.data.astimezone(UTC),
            closes_at=self.closes_at.data.astimezone(UTC),
            quorum=(self.quorum_percent.data or 0, 100),
            threshold=fraction,
            threshold_base=base,
            is_strict=strict,
            **limits,
        )


class ProposalBallotForm(BallotSetupForm):
    """A proposal is decided by yes / no / abstain, which needs a threshold."""

    submit = SubmitField(_l("Put it to the vote"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.threshold.choices = threshold_choices(with_none=False)

    def ballot_settings(self) -> BallotSettings:
        return self.settings("yes-no-abstain", [])


class StandaloneBallotForm(BallotSetupForm):
    """A question of the body's own, with any counting method."""

    method = SelectField(
        _l("How the votes are counted"),
        choices=lambda: [SelectChoice(m, METHOD_NAMES[m]) for m in STANDALONE_METHOD_IDS],
        default="yes-no-abstain",
    )
    options = TextAreaField(
        _l("Options, one per line"),
        validators=[Optional(), Length(max=OPTIONS_MAX * (OPTION_MAX + 2))],
        description=_l(
            "Not needed for yes / no / abstain. At least two, at most %(count)s, "
            "each up to %(max)s characters.",
            count=OPTIONS_MAX,
            max=OPTION_MAX,
        ),
    )
    max_choices = IntegerField(
        _l("Approval: most options one voter may tick (optional)"),
        validators=[
            Optional(),
            NumberRange(min=1, max=OPTIONS_MAX, message=_l("At least 1.")),
        ],
        description=_l("Empty: as many as there are options."),
    )
    max_score = IntegerField(
        _l("Score: highest score"),
        default=5,
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_SCORE_LIMIT,
                message=_l("From 1 to %(max)s.", max=MAX_SCORE_LIMIT),
            ),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.threshold.choices = threshold_choices(with_none=True)

    def option_lines(self) -> list[str]:
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]

    def ballot_settings(self) -> BallotSettings:
        method = self.method.data
        return self.settings(
            method,
            self.option_lines(),
            max_choices=self.max_choices.data if method == "approval" else None,
            max_score=self.max_score.data if method == "score" else None,
        )


class VoteForm(FlaskForm):
    """The CSRF token and the seat; the choice is read by ``read_choice``."""

    seat_id = HiddenField()


class CancelForm(FlaskForm):
    submit = SubmitField(_l("Yes, cancel the ballot"))


class ProxyForm(FlaskForm):
    holder = SelectField(
        _l("Give my vote to"), choices=[], validate_choice=False, validators=[required()]
    )
    ballot = SelectField(
        _l("For which ballots"),
        choices=[],
        validate_choice=False,
        description=_l("Every ballot of the body until you take it back, or one ballot only."),
    )
    submit = SubmitField(_l("Give my vote"))


class RevokeProxyForm(FlaskForm):
    submit = SubmitField(_l("Take my vote back"))


def _is_tracker(_form: Any, field: Any) -> None:
    if len(field.data or "") != 64:
        raise ValidationError(_l("A tracker has 64 characters."))


class PaperForm(FlaskForm):
    """Looking a paper up by its tracker: a GET form, nothing to protect."""

    class Meta:
        csrf = False

    tracker = StringField(
        _l("Your tracker"),
        filters=[lambda text: "".join(text.split()).lower() if text else text],
        # Checked after the spaces are taken out: no HTML length limit, which a
        # phone would use to cut the code as it is shown, in groups with spaces.
        validators=[required(), _is_tracker],
        description=_l("The 64 letters and digits shown to you when you voted."),
    )
