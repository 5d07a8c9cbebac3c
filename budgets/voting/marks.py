"""The checks of a paper's marks, one per ballot form.

A paper is checked against the projects on its pot's ballot (id → effective
cost), the pot's money and the process's ballot parameters; what comes out is
what the paper stores: ``[[project_id, value], ...]`` in ballot order (by rank
for ordinal), value 1 for approval, knapsack and choose-1, the points (only
those above 0) for cumulative, the rank for ordinal. A refusal says what to
change; its ``field`` names the project input at fault, if one is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from budgets.models import BallotForm
from governance.errors import DomainError
from governance.money import format_money


@dataclass(frozen=True)
class BallotRules:
    """What a paper of one pot must respect."""

    form: BallotForm
    costs: Mapping[int, int]  # the projects on the ballot, in ballot order, by id
    budget: int
    currency: str
    min_projects: int | None = None
    max_projects: int | None = None
    points: int | None = None
    max_ranks: int | None = None


class InvalidPaper(DomainError):
    """The marks break a rule of the ballot: nothing is stored."""


def field_of(project_id: int) -> str:
    """The form field of a project's mark (the page links a message to it)."""
    return f"project-{project_id}"


def check_marks(rules: BallotRules, marks: Mapping[int, int]) -> list[list[int]]:
    """The marks as stored, or ``InvalidPaper`` saying what is wrong."""
    for project_id, value in marks.items():
        if project_id not in rules.costs:
            raise InvalidPaper(
                _l("A project you marked is not on this ballot. Reload the page and try again.")
            )
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InvalidPaper(
                _l("Marks are whole numbers, 0 or more."), field=field_of(project_id)
            )
    given = {project_id: value for project_id, value in marks.items() if value > 0}
    return _CHECKS[rules.form](rules, given)


def _in_ballot_order(rules: BallotRules, given: Mapping[int, int]) -> list[list[int]]:
    return [[project_id, given[project_id]] for project_id in rules.costs if project_id in given]


def _ticks(rules: BallotRules, given: Mapping[int, int]) -> list[list[int]]:
    for project_id, value in given.items():
        if value != 1:
            raise InvalidPaper(
                _l("Tick a project or leave it unticked."), field=field_of(project_id)
            )
    return _in_ballot_order(rules, given)


def _approval(rules: BallotRules, given: Mapping[int, int]) -> list[list[int]]:
    marks = _ticks(rules, given)
    # A minimum above the projects on the ballot asks for them all, not the impossible.
    low, high = min(rules.min_projects or 0, len(rules.costs)), rules.max_projects
    if len(marks) < low:
        raise InvalidPaper(
            lazy_ngettext(
                "Tick at least %(num)s project; you ticked %(given)s.",
                "Tick at least %(num)s projects; you ticked %(given)s.",
                low,
                given=len(marks),
            )
        )
    if high is not None and len(marks) > high:
        raise InvalidPaper(
            lazy_ngettext(
                "Tick at most %(num)s project; you ticked %(given)s.",
                "Tick at most %(num)s projects; you ticked %(given)s.",
                high,
                given=len(marks),
            )
        )
    return marks


def _knapsack(rules: BallotRules, given: Mapping[int, int]) -> list[list[int]]:
    marks = _ticks(rules, given)
    total = sum(rules.costs[project_id] for project_id, _ in marks)
    if total > rules.budget:
        raise InvalidPaper(
            _l(
                "Your choice costs %(total)s; the budget is %(budget)s. Untick projects "
                "worth at least %(over)s.",
                total=format_money(total, rules.currency),
                budget=format_money(rules.budget, rules.currency),
                over=format_money(total - rules.budget, rules.currency),
            )
        )
    return marks


def _choose_one(rules: BallotRules, given: Mapping[int, int]) -> list[list[int]]:
    marks = _ticks(rules, given)
    if len(marks) != 1:
        raise InvalidPaper(_l("Choose one project."))
    return marks


def _cumulative(rules: BallotRules, given: Mapping[int, int]) -> list[list[int]]:
    points = rules.points or 0
    total = sum(given.values())
    if total == 0:
        raise InvalidPaper(_l("Give at least one point to a project."))
    if total > points:
        raise InvalidPaper(
            _l(
                "You gave %(given)s points; you have %(points)s. Take away %(over)s.",
                given=total,
                points=points,
                over=total - points,
            )
        )
    return _in_ballot_order(rules, given)


def _ordinal(rules: BallotRules, given: Mapping[int, int]) -> list[list[int]]:
    max_ranks = min(rules.max_ranks or len(rules.costs), len(rules.costs))
    if not given:
        raise InvalidPaper(_l("Rank at least one project: give your first choice rank 1."))
    for project_id, rank in given.items():
        if rank > max_ranks:
            raise InvalidPaper(
                _l("Ranks go from 1 to %(max)s.", max=max_ranks), field=field_of(project_id)
            )
    seen: dict[int, int] = {}
    for project_id in rules.costs:
        if project_id not in given:
            continue
        rank = given[project_id]
        if rank in seen:
            raise InvalidPaper(
                _l(
                    "You gave rank %(rank)s to two projects: give each rank to one project only.",
                    rank=rank,
                ),
                field=field_of(project_id),
            )
        seen[rank] = project_id
    missing = next((rank for rank in range(1, len(seen) + 1) if rank not in seen), None)
    if missing is not None:
        raise InvalidPaper(
            _l(
                "Ranks follow each other from 1: rank %(missing)s is missing. You ranked "
                "%(num)s projects, so use ranks 1 to %(num)s.",
                missing=missing,
                num=len(seen),
            )
        )
    return [[seen[rank], rank] for rank in sorted(seen)]


_CHECKS: dict[BallotForm, Callable[[BallotRules, Mapping[int, int]], list[list[int]]]] = {
    BallotForm.APPROVAL: _approval,
    BallotForm.KNAPSACK: _knapsack,
    BallotForm.CHOOSE_ONE: _choose_one,
    BallotForm.CUMULATIVE: _cumulative,
    BallotForm.ORDINAL: _ordinal,
}
