"""What the results page and the process page show of a counted budget: each pot's
projects with their votes, cost and the sentence that explains them, a chart,
the rule in plain words, and the selected projects' money during execution.

Everything is read from the stored results (never counted again here): the
stored reasons are turned back into :class:`~budgets.rules.outcome.Reason`-like
objects for ``budgets.explain``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from budgets.explain import explain
from budgets.models import District, Process, Project
from budgets.results.models import PotResult
from budgets.results.services import pot_results
from governance.disbursements.models import DisbursementPlan
from governance.extensions import db
from proposals.models import Proposal
from votes.charts import ResultRow, bar_chart, percent

if TYPE_CHECKING:
    from budgets.rules.outcome import Reason

# How each rule works, for a resident: one paragraph each.
RULE_EXPLANATIONS = {
    "greedy": _l(
        "Greedy by votes: projects are taken from the most voted down. Each one is funded if "
        "its cost fits in the money still left; one that does not fit is skipped, and the "
        "count goes on with the next, cheaper ones included."
    ),
    "greedy-no-skip": _l(
        "Greedy by votes, stopping at the first that does not fit: projects are taken from "
        "the most voted down and funded while the money lasts; at the first project that "
        "costs more than what is left, the count stops."
    ),
    "greedy-threshold": _l(
        "Greedy by votes with a minimum: projects with fewer votes than the minimum are "
        "passed over; the others are taken from the most voted down, each funded if its "
        "cost fits in the money still left."
    ),
    "mes": _l(
        "Method of Equal Shares: the budget is split into equal shares, one per voter. A "
        "project is funded when its supporters can pay its cost from their shares; the next "
        "project funded is always the one that asks least of each supporter for what it "
        "costs. Groups of voters get projects in proportion to their size, so no majority "
        "takes the whole budget."
    ),
    "mes-add1": _l(
        "Method of Equal Shares with completion: the budget is split into equal shares, one "
        "per voter, and each project is paid by its supporters' shares (the next one is the "
        "one that asks least of each supporter for what it costs). If money is left over, "
        "every voter's share is raised by one currency unit and the count is run again, as "
        "long as the result still fits in the budget."
    ),
    "mes-add1-greedy": _l(
        "Method of Equal Shares with completion and a final fill: the budget is split into "
        "equal shares, one per voter, and each project is paid by its supporters' shares; "
        "shares are raised one currency unit at a time while the result fits in the budget. "
        "Money still left then goes to the most voted projects that fit, one by one."
    ),
    "phragmen": _l(
        "Sequential Phragmén: voters take on the cost of the projects they support, as a "
        "load. In each round the project funded is the one whose supporters would end up "
        "carrying the smallest load; the count stops at the first project that does not fit "
        "in the money left."
    ),
}


@dataclass(frozen=True)
class ProjectResult:
    project: Project
    proposal: Proposal
    reason: Reason
    place: int | None  # 1 for the first selected; None when not selected
    explanation: str

    @property
    def is_selected(self) -> bool:
        return self.place is not None


@dataclass(frozen=True)
class PotPage:
    result: PotResult
    district: District | None
    selected: list[ProjectResult]
    others: list[ProjectResult]
    chart: Markup
    per_voter_budget: Fraction | None = None
    projects: list[ProjectResult] = field(default_factory=list)

    @property
    def cost(self) -> int:
        return int(self.result.outcome["cost"])

    @property
    def left(self) -> int:
        return self.result.budget - self.cost


def _projects_by_id(process: Process) -> dict[str, Project]:
    projects = db.session.execute(
        sa.select(Project)
        .options(selectinload(Project.proposal))
        .where(Project.process_id == process.id)
        .order_by(Project.id)
    ).scalars()
    return {str(project.id): project for project in projects}


def _chart(pot: PotResult, rows: list[ProjectResult], title: str, is_pointed: bool) -> Markup:
    """The projects' votes (points, for cumulative ballots) as bars, most voted first;
    the selected ones in the darker colour."""
    ordered = sorted(rows, key=lambda row: (-row.reason.score, str(row.project.id)))
    whole = sum(row.reason.score for row in rows) if is_pointed else pot.papers
    chart_rows = []
    for place, row in enumerate(ordered, start=1):
        share = Fraction(row.reason.score, whole) if whole else Fraction(0)
        chart_rows.append(
            ResultRow(
                place=place,
                option=str(row.project.id),
                label=row.proposal.title,
                count=row.reason.score,
                share=share,
                percent=percent(share),
                is_winner=row.is_selected,
            )
        )
    return bar_chart(chart_rows, chart_id=f"chart-pot-{pot.pot}", title=title)


def pot_pages(process: Process) -> list[PotPage]:
    """Each counted pot of the process, city-wide first, with every project it
    counted: the selected ones in the order chosen, then the others by votes."""
    from budgets.rules.outcome import Reason  # the rules pull in numpy: not at start-up

    projects = _projects_by_id(process)
    districts = {district.id: district for district in process.districts}
    is_pointed = process.ballot_form.value == "cumulative"
    pages = []
    for result in pot_results(process.id):
        outcome = result.outcome
        order = {project_id: place for place, project_id in enumerate(outcome["selected"], 1)}
        rows = []
        for project_id, data in outcome.get("projects", {}).items():
            project = projects[project_id]
            reason = Reason.from_json(data)
            rows.append(
                ProjectResult(
                    project=project,
                    proposal=project.proposal,
                    reason=reason,
                    place=order.get(project_id),
                    explanation=explain(reason, process.currency),
                )
            )
        selected = sorted((row for row in rows if row.is_selected), key=lambda r: r.place or 0)
        others = sorted(
            (row for row in rows if not row.is_selected),
            key=lambda row: (-row.reason.score, str(row.project.id)),
        )
        district = districts.get(result.district_id) if result.district_id else None
        name = district.name if district else _("City-wide")
        per_voter = outcome.get("per_voter_budget")
        pages.append(
            PotPage(
                result=result,
                district=district,
                selected=selected,
                others=others,
                chart=_chart(result, rows, _("Votes per project: %(pot)s", pot=name), is_pointed),
                per_voter_budget=Fraction(per_voter) if per_voter else None,
                projects=selected + others,
            )
        )
    return pages


# --- execution -----------------------------------------------------------------------


@dataclass(frozen=True)
class ExecutionRow:
    """A selected project during execution: its decision and its plan's money."""

    project: Project
    proposal: Proposal
    district: District | None
    plan: DisbursementPlan | None

    @property
    def approved(self) -> int:
        return self.plan.approved_total if self.plan else 0

    @property
    def paid(self) -> int:
        return self.plan.paid_total if self.plan else 0

    @property
    def remaining(self) -> int:
        return self.approved - self.paid


def execution_rows(process: Process) -> list[ExecutionRow]:
    """The projects the approved result selected, by pot then in the order selected."""
    projects = _projects_by_id(process)
    plans = {
        plan.decision_id: plan
        for plan in db.session.execute(
            sa.select(DisbursementPlan)
            .join(Project, Project.decision_id == DisbursementPlan.decision_id)
            .where(Project.process_id == process.id)
        ).scalars()
    }
    rows = []
    for result in pot_results(process.id):
        for project_id in result.outcome["selected"]:
            project = projects[project_id]
            if project.decision_id is None:
                continue  # not approved yet
            rows.append(
                ExecutionRow(
                    project, project.proposal, project.district, plans.get(project.decision_id)
                )
            )
    return rows
