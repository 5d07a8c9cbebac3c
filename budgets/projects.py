"""Projects of a participatory budget: ``pb-project`` proposals in a process.

``clean_fields`` checks a project's fields (the process open for intake, a
district of it, a cost its pot can pay); ``link_project`` keeps the project row
that ties the proposal to its process, with its cost and district. Both run
through the proposal kind (``budgets.kinds``), so a project is submitted and
changed with the proposal pages like any proposal, during intake only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from budgets.models import Process, ProcessState, Project, Review
from governance.errors import DomainError, NotFound
from governance.extensions import db
from governance.models import Member
from governance.services import naive_utc
from proposals.models import Proposal, ProposalState, Revision

SUMMARY_MAX = 300
# Proposal states of a project still in the running (on the ballot if feasible).
# Where an imported project keeps its pabulib PROJECTS row, in its kind fields.
KEPT_FIELD = "pabulib"

LIVE_STATES = (
    ProposalState.PUBLISHED,
    ProposalState.READY,
    ProposalState.IN_BALLOT,
    ProposalState.APPROVED,
)


def get_project(project_id: int, *, lock: bool = False) -> Project:
    """The project (locked for update when ``lock``); NotFound when there is none."""
    statement = sa.select(Project).where(Project.id == project_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    project = db.session.execute(statement).scalar_one_or_none()
    if project is None:
        raise NotFound(_l("There is no such project."))
    return project


def project_for_proposal(proposal_id: int) -> Project | None:
    """The budget project a ``pb-project`` proposal stands for, or None."""
    return db.session.execute(
        sa.select(Project).where(Project.proposal_id == proposal_id)
    ).scalar_one_or_none()


def _intake_process(process_id: Any) -> Process:
    if not isinstance(process_id, int) or isinstance(process_id, bool):
        raise DomainError(_l("Choose the participatory budget."), field="pb_process")
    process = db.session.get(Process, process_id)
    if process is None:
        raise DomainError(_l("Choose the participatory budget."), field="pb_process")
    if process.state is not ProcessState.INTAKE:
        raise DomainError(
            _l(
                "Projects are submitted and changed only while “%(process)s” takes "
                "projects (intake); it is not taking them now.",
                process=process.title,
            ),
            field="pb_process",
        )
    return process


def clean_fields(fields: dict) -> dict:
    """A project's fields: its process (taking projects), its district (None for
    the city-wide pot), its cost in the process's currency, and a summary."""
    process = _intake_process(fields.get("process_id"))
    district_id = fields.get("district_id")
    if district_id is None:
        if not process.has_city_wide_pot:
            raise DomainError(
                _l("This budget has money only for its districts: choose one."),
                field="district",
            )
    elif not any(district.id == district_id for district in process.districts):
        raise DomainError(_l("Choose a district of this budget."), field="district")
    cost = fields.get("cost")
    if not isinstance(cost, int) or isinstance(cost, bool) or cost <= 0:
        raise DomainError(_l("The cost must be more than zero."), field="cost")
    if cost > process.pot(district_id):
        raise DomainError(
            _l("The project costs more than the whole budget it competes for."),
            field="cost",
        )
    summary = " ".join(str(fields.get("summary") or "").split())
    if not summary:
        raise DomainError(_l("Describe the project in a sentence."), field="summary")
    if len(summary) > SUMMARY_MAX:
        raise DomainError(_l("At most 300 characters."), field="summary")
    return {
        "process_id": process.id,
        "district_id": district_id,
        "cost": cost,
        "currency": process.currency,
        "summary": summary,
    }


def link_project(actor: Member, proposal: Proposal, fields: dict, now: datetime) -> Project:
    """Tie the proposal to its process (once), with the cost and district of the
    fields just saved. The proposal must be in the process's body, and stays in
    its process."""
    process = db.session.get(Process, fields["process_id"])
    assert process is not None  # clean_fields found it
    if proposal.body_id != process.body_id:
        raise DomainError(
            _l(
                "“%(process)s” is a budget of %(body)s: choose that body.",
                process=process.title,
                body=process.body.name,
            ),
            field="body",
        )
    project = project_for_proposal(proposal.id)
    if project is None:
        project = Project(
            process_id=process.id,
            proposal_id=proposal.id,
            district_id=fields["district_id"],
            cost=fields["cost"],
            created_at=naive_utc(now),
        )
        db.session.add(project)
    elif project.process_id != process.id:
        raise DomainError(
            _l("A project stays in the budget it was submitted to."), field="pb_process"
        )
    else:
        project.district_id = fields["district_id"]
        project.cost = fields["cost"]
    db.session.flush()
    return project


def withdraw_drafts(process: Process, *, now: datetime) -> list[int]:
    """When intake closes, the drafts never published are withdrawn (their authors
    still read them); the ids of their proposals."""
    from proposals.services import transition

    drafts = db.session.execute(
        sa.select(Proposal)
        .join(Project, Project.proposal_id == Proposal.id)
        .where(Project.process_id == process.id, Proposal.state == ProposalState.DRAFT)
        .order_by(Proposal.id)
    ).scalars()
    withdrawn = []
    for proposal in drafts:
        transition(None, proposal, ProposalState.WITHDRAWN, now=now, reason="intake closed")
        withdrawn.append(proposal.id)
    return withdrawn


def current_reviews(process: Process) -> dict[int, Review]:
    """Each reviewed project's current review (the latest), by project id."""
    reviews = db.session.execute(
        sa.select(Review)
        .join(Project, Project.id == Review.project_id)
        .where(Project.process_id == process.id)
        .order_by(Review.id)
    ).scalars()
    return {review.project_id: review for review in reviews}


def effective_cost(project: Project, review: Review | None) -> int:
    """What the project costs on the ballot: the reviewers' revised cost if any."""
    if review is not None and review.revised_cost is not None:
        return review.revised_cost
    return project.cost


@dataclass(frozen=True)
class BallotProject:
    """A project on one pot's ballot, at its effective cost. ``pabulib_id`` is the
    id the rules and a pabulib file know it by (an imported file's own id, else
    ``str(project_id)``); ``kept`` is an imported project's PROJECTS row."""

    project_id: int
    proposal_id: int
    title: str
    summary: str
    cost: int
    pabulib_id: str
    kept: dict[str, str] = field(default_factory=dict)


def ballot_projects(process: Process, district_id: int | None) -> list[BallotProject]:
    """The projects on the ballot of one pot (None: city-wide), oldest first: those
    still in the running whose current review found them feasible, at their
    effective cost; every project of an imported process (it has no reviews)."""
    return ballots_by_district(process, only=district_id).get(district_id, [])


_EVERY_DISTRICT = object()


def ballots_by_district(
    process: Process, *, only: Any = _EVERY_DISTRICT
) -> dict[int | None, list[BallotProject]]:
    """Every pot's ballot (see :func:`ballot_projects`), by district id (None:
    city-wide), in one query; ``only`` keeps one district."""
    statement = (
        sa.select(Project, Proposal.title, Proposal.state, Revision.fields)
        .join(Proposal, Proposal.id == Project.proposal_id)
        .join(
            Revision,
            sa.and_(
                Revision.proposal_id == Proposal.id,
                Revision.number == Proposal.current_revision,
            ),
        )
        .where(Project.process_id == process.id)
        .order_by(Project.id)
    )
    if only is not _EVERY_DISTRICT:
        statement = statement.where(
            Project.district_id.is_(None) if only is None else Project.district_id == only
        )
    is_imported = process.source_meta is not None
    reviews = {} if is_imported else current_reviews(process)
    ballots: dict[int | None, list[BallotProject]] = {}
    for project, title, state, fields in db.session.execute(statement).all():
        fields = fields or {}
        kept = fields.get(KEPT_FIELD)
        kept = dict(kept) if isinstance(kept, dict) else {}
        if is_imported:
            cost = project.cost
        else:
            review = reviews.get(project.id)
            if state not in LIVE_STATES or review is None or not review.is_feasible:
                continue
            cost = effective_cost(project, review)
        ballots.setdefault(project.district_id, []).append(
            BallotProject(
                project_id=project.id,
                proposal_id=project.proposal_id,
                title=title,
                summary=str(fields.get("summary", "")),
                cost=cost,
                pabulib_id=kept.get("project_id") or project.pabulib_id,
                kept=kept,
            )
        )
    return ballots
