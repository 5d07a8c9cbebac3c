"""Forms of the budget pages, the fields a project adds to a proposal, and the
names members read for phases, rules and ballot forms.

Amounts are typed as people write them ("15000", "15.000,50") and read with the
process's currency; districts are lines "name; amount". Times are typed in the
member's time zone and handed to the services in UTC.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
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
from wtforms.validators import Length, NumberRange, Optional

from budgets.models import BallotForm, Process, ResultApproval
from budgets.setup import (
    DESCRIPTION_MAX,
    FUND_PURPOSES,
    TITLE_MAX,
    DistrictSpec,
    PhaseDates,
    ProcessSpec,
)
from governance.errors import DomainError
from governance.forms import required
from governance.money import COMMON_CURRENCIES, input_value, parse_amount
from ledger.network import Purpose
from votes.forms import member_zone

RULE_NAMES = {
    "greedy": _l("Most votes first (greedy), skipping projects that no longer fit"),
    "greedy-no-skip": _l("Most votes first, stopping at the first project that does not fit"),
    "greedy-threshold": _l("Most votes first, for projects with at least a minimum of votes"),
    "mes": _l("Method of Equal Shares"),
    "mes-add1": _l("Method of Equal Shares, completed by raising each voter's share"),
    "mes-add1-greedy": _l(
        "Method of Equal Shares, completed by raising each voter's share, then by votes"
    ),
    "phragmen": _l("Sequential Phragmén"),
}
BALLOT_FORM_NAMES = {
    BallotForm.APPROVAL: _l("Approval: tick the projects you support"),
    BallotForm.KNAPSACK: _l("Within the budget: choose projects whose total cost fits the money"),
    BallotForm.CHOOSE_ONE: _l("Choose one project"),
    BallotForm.CUMULATIVE: _l("Cumulative: share out points among projects"),
    BallotForm.ORDINAL: _l("Ranking: rank the projects you prefer"),
}
RESULT_APPROVAL_NAMES = {
    ResultApproval.BODY: _l("The body approves the result"),
    ResultApproval.AUTOMATIC: _l("The result is approved as soon as it is counted"),
}
FUND_NAMES = {
    Purpose.SOLIDARITY_FUND: _l("Solidarity fund"),
    Purpose.EXPANSION_FUND: _l("Expansion fund"),
}
DATE_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
DATE_MESSAGE = _l("Write the date and time like this: 2026-12-01 18:00.")


def _date_field(label: Any) -> DateTimeLocalField:
    return DateTimeLocalField(
        label,
        format=DATE_FORMATS,
        tz=member_zone,
        validators=[Optional()],
        invalid_value_message=DATE_MESSAGE,
    )


def _count_field(label: Any, description: Any = None) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(min=0, max=100000, message=_l("A whole number from 0 to 100000.")),
        ],
        description=description,
    )


def read_districts(text: str, currency: str) -> tuple[DistrictSpec, ...]:
    """Lines "name; amount" (blank lines skipped); the line that is wrong is named."""
    districts = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, separator, amount = line.rpartition(";")
        if not separator or not name.strip():
            raise DomainError(
                _l("Line %(n)s: write the district's name, a semicolon and its amount.", n=number),
                field="districts",
            )
        try:
            value = parse_amount(amount, currency)
        except DomainError as error:
            raise DomainError(
                _l("Line %(n)s: %(message)s", n=number, message=error.message), field="districts"
            ) from None
        districts.append(DistrictSpec(name.strip(), value))
    return tuple(districts)


def write_districts(process: Process) -> str:
    return "\n".join(
        f"{district.name}; {input_value(district.amount, process.currency)}"
        for district in process.districts
    )


class ProcessForm(FlaskForm):
    """The set-up of a participatory budget."""

    body = SelectField(
        _l("Body that runs it"), choices=[], validate_choice=False, validators=[required()]
    )
    title = StringField(
        _l("Title"),
        validators=[required(), Length(max=TITLE_MAX, message=_l("At most 200 characters."))],
    )
    description = TextAreaField(
        _l("Description (optional)"),
        validators=[
            Optional(),
            Length(max=DESCRIPTION_MAX, message=_l("At most 10000 characters.")),
        ],
    )
    currency = SelectField(
        _l("Currency"),
        choices=[SelectChoice(code, code) for code in COMMON_CURRENCIES],
        validate_choice=False,
    )
    fund_purpose = SelectField(
        _l("The money comes from"),
        choices=lambda: [SelectChoice(p.value, FUND_NAMES[p]) for p in FUND_PURPOSES],
        default=Purpose.SOLIDARITY_FUND.value,
        validate_choice=False,
    )
    amount = StringField(
        _l("City-wide amount"),
        default="0",
        validators=[required(), Length(max=30)],
        description=_l(
            "For projects of the whole city, e.g. 150000 or 150000,50. It may be 0 when "
            "the districts below have the money."
        ),
    )
    districts = TextAreaField(
        _l("Districts (optional)"),
        validators=[Optional(), Length(max=10000)],
        description=_l(
            "One district a line: its name, a semicolon and its amount, e.g. "
            "“Centro; 50000”. Each district's residents vote on its projects."
        ),
    )
    rule = RadioField(
        _l("How the votes are counted"),
        choices=lambda: [SelectChoice(rule, name) for rule, name in RULE_NAMES.items()],
        default="mes-add1-greedy",
        validators=[required()],
    )
    min_score = _count_field(
        _l("Fewest votes a project needs"),
        _l("Only for “most votes first, with a minimum of votes”."),
    )
    ballot_form = RadioField(
        _l("Ballot"),
        choices=lambda: [SelectChoice(f.value, name) for f, name in BALLOT_FORM_NAMES.items()],
        default=BallotForm.APPROVAL.value,
        validators=[required()],
    )
    min_projects = _count_field(
        _l("Approval: fewest projects a voter ticks"), _l("Leave empty for no minimum.")
    )
    max_projects = _count_field(
        _l("Approval: most projects a voter ticks"), _l("Leave empty for no maximum.")
    )
    points = _count_field(_l("Cumulative: points each voter shares out"))
    max_ranks = _count_field(_l("Ranking: most projects a voter ranks"))
    result_approval = RadioField(
        _l("Approval of the result"),
        choices=lambda: [SelectChoice(a.value, n) for a, n in RESULT_APPROVAL_NAMES.items()],
        default=ResultApproval.BODY.value,
        validators=[required()],
    )
    starts_at = _date_field(_l("Intake opens at"))
    intake_ends_at = _date_field(_l("Intake ends at"))
    review_ends_at = _date_field(_l("Feasibility review ends at"))
    voting_ends_at = _date_field(_l("Voting ends at"))
    result_ends_at = _date_field(_l("Result phase ends at"))
    execution_ends_at = _date_field(_l("Execution ends at"))
    submit = SubmitField(_l("Save"))

    DATE_FIELDS = (
        "starts_at",
        "intake_ends_at",
        "review_ends_at",
        "voting_ends_at",
        "result_ends_at",
        "execution_ends_at",
    )

    def spec(self) -> ProcessSpec:
        """The set-up the services receive (raises DomainError on an amount or a
        district line it cannot read)."""
        currency = self.currency.data or ""
        if currency not in COMMON_CURRENCIES:
            raise DomainError(_l("Choose the currency of the budget."), field="currency")
        try:
            amount = parse_amount(self.amount.data or "", currency)
        except DomainError as error:
            raise DomainError(error.message, field="amount") from None
        dates = {
            name: (value.astimezone(UTC) if (value := self[name].data) is not None else None)
            for name in self.DATE_FIELDS
        }
        return ProcessSpec(
            title=self.title.data or "",
            description=self.description.data or "",
            currency=currency,
            fund_purpose=self.fund_purpose.data or "",
            amount=amount,
            districts=read_districts(self.districts.data or "", currency),
            rule=self.rule.data or "",
            min_score=self.min_score.data,
            ballot_form=BallotForm(self.ballot_form.data),
            min_projects=self.min_projects.data,
            max_projects=self.max_projects.data,
            points=self.points.data,
            max_ranks=self.max_ranks.data,
            result_approval=ResultApproval(self.result_approval.data),
            dates=PhaseDates(**dates),
        )

    def fill(self, process: Process) -> None:
        """Show a stored process for editing."""
        for name in (
            "title",
            "description",
            "currency",
            "rule",
            "min_score",
            "min_projects",
            "max_projects",
            "points",
            "max_ranks",
            *self.DATE_FIELDS,
        ):
            value = getattr(process, name)
            if name in self.DATE_FIELDS and value is not None:
                value = value.replace(tzinfo=UTC).astimezone(member_zone())
            self[name].data = value
        self.fund_purpose.data = process.fund_account.split(":")[1]
        self.amount.data = input_value(process.amount, process.currency)
        self.districts.data = write_districts(process)
        self.ballot_form.data = process.ballot_form.value
        self.result_approval.data = process.result_approval.value


class ActionForm(FlaskForm):
    """A button with only the CSRF token."""

    submit = SubmitField(_l("Confirm"))


class AdvanceForm(FlaskForm):
    # The phase the member saw: a second click does not move the process twice.
    expected = HiddenField()
    submit = SubmitField(_l("Move to the next phase"))


class ReviewerForm(FlaskForm):
    email = StringField(_l("Reviewer's email"), validators=[required(), Length(max=254)])
    submit = SubmitField(_l("Appoint reviewer"))


class ReviewForm(FlaskForm):
    verdict = RadioField(
        _l("Is the project feasible?"),
        choices=lambda: [
            SelectChoice("feasible", _l("Feasible: it goes to the ballot")),
            SelectChoice("not-feasible", _l("Not feasible: it does not go to the ballot")),
        ],
        validators=[required()],
    )
    reason = TextAreaField(
        _l("Reason (public)"),
        validators=[Optional(), Length(max=2000, message=_l("At most 2000 characters."))],
        description=_l("Required when the project is not feasible. Everyone reads it."),
    )
    revised_cost = StringField(
        _l("Revised cost (optional)"),
        validators=[Optional(), Length(max=30)],
        description=_l("When a feasible project will cost more or less than its authors said."),
    )
    submit = SubmitField(_l("Publish the review"))


# --- the fields a project adds to a proposal -----------------------------------------


def _chosen_process_id() -> int | None:
    """The process the form is about: posted, in the address, or the edited
    project's."""
    for value in (request.form.get("pb_process"), request.args.get("process")):
        if value and value.isdigit():
            return int(value)
    proposal_id = (request.view_args or {}).get("proposal_id")
    if proposal_id is not None:
        from budgets.projects import project_for_proposal

        project = project_for_proposal(proposal_id)
        return project.process_id if project is not None else None
    return None


def _offered_processes() -> list[Process]:
    """The processes taking projects that the member may see (a private body's
    stay hidden), and the one a link or the project names."""
    from flask_login import current_user

    from budgets.policies import can_view_process
    from budgets.queries import intake_processes
    from governance.extensions import db

    processes = intake_processes()
    chosen = _chosen_process_id()
    if chosen is not None and all(process.id != chosen for process in processes):
        process = db.session.get(Process, chosen)
        if process is not None:
            processes.append(process)
    return [process for process in processes if can_view_process(current_user, process)]


def process_choices() -> list[SelectChoice]:
    return [
        SelectChoice("", _l("Choose the participatory budget")),
        *(SelectChoice(str(p.id), f"{p.title} ({p.body.name})") for p in _offered_processes()),
    ]


def district_choices() -> list[SelectChoice]:
    """The districts of the chosen process; without one, every district of every
    process taking projects, grouped by process."""
    processes = _offered_processes()
    chosen = _chosen_process_id()
    if chosen is not None:
        processes = [p for p in processes if p.id == chosen] or processes
    # Where only the districts have money, nothing is chosen for the member (an
    # empty choice is then refused with a message saying to choose a district).
    first = (
        _l("Choose the district")
        if len(processes) == 1 and not processes[0].has_city_wide_pot
        else _l("City-wide (the whole territory)")
    )
    choices = [SelectChoice("", first)]
    for process in processes:
        group = process.title if len(processes) > 1 else None
        choices += [SelectChoice(str(d.id), d.name, optgroup=group) for d in process.districts]
    return choices


def preset_process() -> str:
    return request.args.get("process", "")


class PbProjectFields:
    """The fields a participatory-budget project adds to a proposal."""

    # Not "process": a form has a method of that name.
    pb_process = SelectField(
        _l("Participatory budget"),
        choices=process_choices,
        default=preset_process,
        validate_choice=False,
        validators=[required()],
    )
    district = SelectField(
        _l("District"),
        choices=district_choices,
        validate_choice=False,
        description=_l("Where the project is carried out; its residents vote on it."),
    )
    cost = StringField(
        _l("Cost"),
        validators=[required(), Length(max=30)],
        description=_l("In the budget's currency, e.g. 15000 or 15000,50."),
    )
    summary = StringField(
        _l("Summary"),
        validators=[required(), Length(max=300, message=_l("At most 300 characters."))],
        description=_l("One sentence, shown on the ballot; the text above explains it in full."),
    )
