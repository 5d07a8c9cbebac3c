"""What the budget pages show: the processes a member may see, and one process
with its pots and its projects grouped by district, each with its review."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from budgets.models import District, Process, ProcessState, Project, Review
from budgets.policies import can_view_process
from budgets.projects import LIVE_STATES, current_reviews, effective_cost
from governance.extensions import db
from proposals.models import Proposal, ProposalAuthor, ProposalState


def visible_processes(member: Any) -> list[Process]:
    """The processes ``member`` may see, the open ones first, newest first."""
    processes = db.session.execute(
        sa.select(Process)
        .options(selectinload(Process.body), selectinload(Process.districts))
        .order_by((Process.state == ProcessState.CLOSED).asc(), Process.id.desc())
    ).scalars()
    return [process for process in processes if can_view_process(member, process)]


def intake_processes() -> list[Process]:
    """The processes taking projects now."""
    return list(
        db.session.execute(
            sa.select(Process)
            .options(selectinload(Process.districts), selectinload(Process.body))
            .where(Process.state == ProcessState.INTAKE)
            .order_by(Process.title, Process.id)
        ).scalars()
    )


@dataclass(frozen=True)
class ProjectRow:
    project: Project
    proposal: Proposal
    review: Review | None

    @property
    def cost(self) -> int:
        """The cost on the ballot: the revised cost, if the reviewers set one."""
        return effective_cost(self.project, self.review)

    @property
    def is_live(self) -> bool:
        return self.proposal.state in LIVE_STATES

    @property
    def is_withdrawn(self) -> bool:
        return self.proposal.state is ProposalState.WITHDRAWN


@dataclass(frozen=True)
class Pot:
    """The city-wide pot (``district`` None) or one district's, with its projects."""

    district: District | None
    amount: int
    projects: list[ProjectRow]


def process_pots(process: Process, member: Any) -> list[Pot]:
    """The process's pots in order (city-wide first, if it has money or projects),
    each with the projects ``member`` may see: every project but drafts, which
    only their authors see."""
    projects = db.session.execute(
        sa.select(Project)
        .join(Proposal, Proposal.id == Project.proposal_id)
        .options(
            selectinload(Project.proposal)
            .selectinload(Proposal.authors)
            .selectinload(ProposalAuthor.member)
        )
        .where(Project.process_id == process.id)
        .order_by(Project.id)
    ).scalars()
    reviews = current_reviews(process)
    by_district: dict[int | None, list[ProjectRow]] = {}
    for project in projects:
        proposal = project.proposal
        if proposal.state is ProposalState.DRAFT and not proposal.is_author(member):
            continue
        row = ProjectRow(project, proposal, reviews.get(project.id))
        by_district.setdefault(project.district_id, []).append(row)
    pots = []
    if process.has_city_wide_pot or None in by_district:
        pots.append(Pot(None, process.amount, by_district.get(None, [])))
    pots += [
        Pot(district, district.amount, by_district.get(district.id, []))
        for district in process.districts
    ]
    return pots


@dataclass(frozen=True)
class ProjectPage:
    """What the proposal page of a project shows of its budget."""

    process: Process
    row: ProjectRow
    district: District | None


def project_page(proposal_id: int) -> ProjectPage | None:
    """The project of a ``pb-project`` proposal, with its process and review."""
    from budgets.projects import project_for_proposal
    from budgets.reviews import current_review

    project = project_for_proposal(proposal_id)
    if project is None:
        return None
    row = ProjectRow(project, project.proposal, current_review(project.id))
    return ProjectPage(project.process, row, project.district)
