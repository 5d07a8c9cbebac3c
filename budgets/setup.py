"""The set-up of a participatory budget: what the form says (``ProcessSpec``),
checked and turned into the process's columns, and the snapshot the audit log
records. Pure checks: no session, no writes.
"""

from __future__ import annotations

import dataclasses
import itertools
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from budgets.models import DEFAULT_RULE, RULE_IDS, BallotForm, Process, ResultApproval
from governance.errors import DomainError
from governance.money import COMMON_CURRENCIES
from governance.services import naive_utc
from ledger.network import Purpose, network_code

TITLE_MAX = 200
DESCRIPTION_MAX = 10000
DISTRICT_NAME_MAX = 120
DISTRICTS_MAX = 50
POINTS_MAX = 1000
RANKS_MAX = 50
# The network accounts a process may draw from.
FUND_PURPOSES = (Purpose.SOLIDARITY_FUND, Purpose.EXPANSION_FUND)


@dataclass(frozen=True)
class DistrictSpec:
    name: str
    amount: int


@dataclass(frozen=True)
class PhaseDates:
    """When intake opens and when each phase ends, in UTC; None: moved by hand."""

    starts_at: datetime | None = None
    intake_ends_at: datetime | None = None
    review_ends_at: datetime | None = None
    voting_ends_at: datetime | None = None
    result_ends_at: datetime | None = None
    execution_ends_at: datetime | None = None

    def given(self) -> list[tuple[str, datetime]]:
        """The dates set, in phase order, as (field name, naive UTC)."""
        return [
            (item.name, naive_utc(value))
            for item in dataclasses.fields(self)
            if (value := getattr(self, item.name)) is not None
        ]


@dataclass(frozen=True)
class ProcessSpec:
    """Everything the set-up form says about a process."""

    title: str
    currency: str
    amount: int
    description: str = ""
    fund_purpose: str = Purpose.SOLIDARITY_FUND.value
    districts: tuple[DistrictSpec, ...] = ()
    rule: str = DEFAULT_RULE
    min_score: int | None = None
    ballot_form: BallotForm = BallotForm.APPROVAL
    min_projects: int | None = None
    max_projects: int | None = None
    points: int | None = None
    max_ranks: int | None = None
    result_approval: ResultApproval = ResultApproval.BODY
    dates: PhaseDates = field(default_factory=PhaseDates)


def _check_text(spec: ProcessSpec) -> tuple[str, str]:
    title = (spec.title or "").strip()
    if not title:
        raise DomainError(_l("A participatory budget needs a title."), field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(_l("At most 200 characters."), field="title")
    if any(unicodedata.category(char) == "Cc" for char in title):
        raise DomainError(_l("A title is one line, without tabs or line breaks."), field="title")
    description = (spec.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise DomainError(_l("At most 10000 characters."), field="description")
    return title, description


def _check_money(spec: ProcessSpec) -> tuple[DistrictSpec, ...]:
    if spec.currency not in COMMON_CURRENCIES:
        raise DomainError(_l("Choose the currency of the budget."), field="currency")
    if spec.fund_purpose not in FUND_PURPOSES:
        raise DomainError(_l("Choose the fund the money comes from."), field="fund_purpose")
    if spec.amount < 0:
        raise DomainError(_l("An amount cannot be negative."), field="amount")
    districts = tuple(DistrictSpec(" ".join(d.name.split()), d.amount) for d in spec.districts)
    if len(districts) > DISTRICTS_MAX:
        raise DomainError(_l("At most 50 districts."), field="districts")
    seen: set[str] = set()
    for district in districts:
        if not district.name or len(district.name) > DISTRICT_NAME_MAX:
            raise DomainError(
                _l("Each district needs a name of at most 120 characters."), field="districts"
            )
        if district.name.casefold() in seen:
            raise DomainError(
                _l("Two districts are called “%(name)s”.", name=district.name), field="districts"
            )
        seen.add(district.name.casefold())
        if district.amount <= 0:
            raise DomainError(
                _l("The district “%(name)s” needs an amount above zero.", name=district.name),
                field="districts",
            )
    if not districts and spec.amount == 0:
        raise DomainError(
            _l("Say how much money the budget has (or give each district its amount)."),
            field="amount",
        )
    return districts


def _check_counting(spec: ProcessSpec) -> dict[str, int | None]:
    """The rule's threshold and the ballot form's parameters, those that do not
    apply set to None."""
    if spec.rule not in RULE_IDS:
        raise DomainError(_l("Choose how the votes are counted."), field="rule")
    min_score = None
    if spec.rule == "greedy-threshold":
        if spec.min_score is None or spec.min_score < 0:
            raise DomainError(
                _l("Say the fewest votes a project needs to be selected (0 or more)."),
                field="min_score",
            )
        min_score = spec.min_score
    values: dict[str, int | None] = {
        "min_score": min_score,
        "min_projects": None,
        "max_projects": None,
        "points": None,
        "max_ranks": None,
    }
    form = BallotForm(spec.ballot_form)
    if form is BallotForm.APPROVAL:
        low, high = spec.min_projects, spec.max_projects
        if low is not None and low < 0:
            raise DomainError(_l("The minimum cannot be negative."), field="min_projects")
        if high is not None and (high < 1 or (low is not None and high < low)):
            raise DomainError(
                _l("The maximum must be at least 1 and at least the minimum."),
                field="max_projects",
            )
        values.update(min_projects=low or None, max_projects=high)
    elif form is BallotForm.CUMULATIVE:
        if spec.points is None or not 1 <= spec.points <= POINTS_MAX:
            raise DomainError(
                _l("Say how many points each voter shares out (1 to 1000)."), field="points"
            )
        values["points"] = spec.points
    elif form is BallotForm.ORDINAL:
        if spec.max_ranks is None or not 1 <= spec.max_ranks <= RANKS_MAX:
            raise DomainError(
                _l("Say how many projects a voter may rank (1 to 50)."), field="max_ranks"
            )
        values["max_ranks"] = spec.max_ranks
    return values


def _check_dates(dates: PhaseDates) -> dict[str, datetime | None]:
    given = dates.given()
    for (_earlier, first), (later, second) in itertools.pairwise(given):
        if second <= first:
            raise DomainError(_l("Each phase must end after the one before it."), field=later)
    values: dict[str, datetime | None] = {item.name: None for item in dataclasses.fields(dates)}
    values.update(given)
    return values


def checked_columns(spec: ProcessSpec) -> tuple[dict[str, Any], tuple[DistrictSpec, ...]]:
    """The process's columns from a set-up, checked; and its districts."""
    title, description = _check_text(spec)
    districts = _check_money(spec)
    columns = {
        "title": title,
        "description": description,
        "currency": spec.currency,
        "fund_account": network_code(spec.fund_purpose, spec.currency),
        "amount": spec.amount,
        "rule": spec.rule,
        "ballot_form": BallotForm(spec.ballot_form),
        "result_approval": ResultApproval(spec.result_approval),
        **_check_counting(spec),
        **_check_dates(spec.dates),
    }
    return columns, districts


def snapshot(process: Process) -> dict:
    """The set-up as the audit log records it."""
    return {
        "title": process.title,
        "currency": process.currency,
        "fund_account": process.fund_account,
        "amount": process.amount,
        "districts": [[d.name, d.amount] for d in process.districts],
        "rule": process.rule,
        "min_score": process.min_score,
        "ballot_form": process.ballot_form.value,
        "min_projects": process.min_projects,
        "max_projects": process.max_projects,
        "points": process.points,
        "max_ranks": process.max_ranks,
        "result_approval": process.result_approval.value,
        "dates": {
            name: (value.isoformat() if value else None)
            for name, value in (
                ("starts_at", process.starts_at),
                ("intake_ends_at", process.intake_ends_at),
                ("review_ends_at", process.review_ends_at),
                ("voting_ends_at", process.voting_ends_at),
                ("result_ends_at", process.result_ends_at),
                ("execution_ends_at", process.execution_ends_at),
            )
        },
    }
