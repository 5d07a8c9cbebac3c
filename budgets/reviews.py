"""Feasibility review: the reviewers a process's secretary appoints, and their
reviews of its projects.

A review says feasible or not, with a public reason (required when not
feasible) and, when feasible, perhaps a revised cost. Reviews are never edited:
a new one supersedes the project's current review (``supersedes_id`` names it,
and is unique, so two reviews written at once cannot both supersede the same).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from budgets.models import Process, ProcessState, Project, Review, Reviewer
from budgets.policies import can_appoint_reviewers, can_manage_process, is_reviewer
from budgets.projects import LIVE_STATES, get_project
from budgets.services import PHASE_NAMES, get_process
from governance import audit
from governance.errors import DomainError, NotAllowed, NotFound
from governance.extensions import db
from governance.models import Member
from governance.services import find_member_by_email, naive_utc

REASON_MAX = 2000


def appoint_reviewer(actor: Member, process_id: int, email: str, *, now: datetime) -> Reviewer:
    """The body's chair or secretary appoints the member with ``email`` as a
    reviewer of the process (before voting)."""
    process = get_process(process_id, lock=True)
    if not can_appoint_reviewers(actor, process):
        if can_manage_process(actor, process):
            raise DomainError(
                _l(
                    "Reviewers are appointed before voting; this budget is in its %(phase)s phase.",
                    phase=PHASE_NAMES[process.state],
                )
            )
        raise NotAllowed(_l("Only the body's chair or secretary can appoint reviewers."))
    member = find_member_by_email(email or "")
    if member is None or not member.is_active_member:
        raise DomainError(_l("No member has this email."), field="email")
    if is_reviewer(member, process):
        raise DomainError(
            _l("%(name)s is already a reviewer.", name=member.display_name), field="email"
        )
    reviewer = Reviewer(
        process_id=process.id,
        member_id=member.id,
        appointed_by_id=actor.id,
        appointed_at=naive_utc(now),
    )
    db.session.add(reviewer)
    db.session.flush()
    audit.record(actor, "pb.reviewer_appointed", process, now=now, data={"member_id": member.id})
    return reviewer


def remove_reviewer(actor: Member, reviewer_id: int, *, now: datetime) -> Reviewer:
    """The body's chair or secretary ends a reviewer's appointment; their reviews stay."""
    reviewer = db.session.get(Reviewer, reviewer_id)
    if reviewer is None or not reviewer.is_active:
        raise NotFound(_l("There is no such reviewer."))
    process = get_process(reviewer.process_id, lock=True)
    if not can_manage_process(actor, process):
        raise NotAllowed(_l("Only the body's chair or secretary can remove reviewers."))
    reviewer.removed_at = naive_utc(now)
    db.session.flush()
    audit.record(
        actor,
        "pb.reviewer_removed",
        process,
        now=now,
        data={"member_id": reviewer.member_id},
    )
    return reviewer


def active_reviewers(process_id: int) -> list[Reviewer]:
    """The process's reviewers not removed, in the order appointed."""
    return list(
        db.session.execute(
            sa.select(Reviewer)
            .where(Reviewer.process_id == process_id, Reviewer.removed_at.is_(None))
            .order_by(Reviewer.id)
        ).scalars()
    )


def current_review(project_id: int) -> Review | None:
    """The project's latest review (the one in force), or None."""
    return db.session.execute(
        sa.select(Review).where(Review.project_id == project_id).order_by(Review.id.desc()).limit(1)
    ).scalar_one_or_none()


def review_project(
    actor: Member,
    project_id: int,
    *,
    is_feasible: bool,
    reason: str,
    revised_cost: int | None,
    now: datetime,
) -> Review:
    """An appointed reviewer judges a project during the review phase. Refused for
    the project's own authors, for a project withdrawn, without a reason when not
    feasible, and with a revised cost when not feasible, not above zero or above
    the whole money of the project's pot."""
    project = get_project(project_id, lock=True)
    # A shared lock on the process: voting cannot open while a review is written.
    process = db.session.execute(
        sa.select(Process).where(Process.id == project.process_id).with_for_update(read=True)
    ).scalar_one()
    if process.state is not ProcessState.REVIEW:
        raise DomainError(
            _l(
                "Projects are reviewed during the feasibility review; this budget is in "
                "its %(phase)s phase.",
                phase=PHASE_NAMES[process.state],
            )
        )
    if not is_reviewer(actor, process):
        raise NotAllowed(_l("Only the reviewers appointed for this budget can review projects."))
    if project.proposal.is_author(actor):
        raise NotAllowed(_l("You cannot review your own project."))
    if project.proposal.state not in LIVE_STATES:
        raise DomainError(_l("This project was withdrawn; it is not reviewed."))
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise DomainError(_l("At most 2000 characters."), field="reason")
    if not is_feasible and not reason:
        raise DomainError(
            _l("Say why the project is not feasible: the reason is published."), field="reason"
        )
    if revised_cost is not None:
        if not is_feasible:
            raise DomainError(
                _l("A project that is not feasible has no revised cost."), field="revised_cost"
            )
        if revised_cost <= 0:
            raise DomainError(_l("The revised cost must be more than zero."), field="revised_cost")
        if revised_cost > process.pot(project.district_id):
            raise DomainError(
                _l("The project costs more than the whole budget it competes for."),
                field="revised_cost",
            )
    previous = current_review(project.id)
    review = Review(
        project_id=project.id,
        reviewer_id=actor.id,
        is_feasible=is_feasible,
        reason=reason,
        revised_cost=revised_cost,
        supersedes_id=previous.id if previous is not None else None,
        created_at=naive_utc(now),
    )
    db.session.add(review)
    db.session.flush()
    audit.record(
        actor,
        "pb.project_reviewed",
        review,
        now=now,
        data={
            "project": project.id,
            "is_feasible": is_feasible,
            "revised_cost": revised_cost,
            "supersedes": review.supersedes_id,
        },
    )
    return review


def reviewable_projects(process_id: int) -> list[Project]:
    """The process's projects still in the running, oldest first."""
    from proposals.models import Proposal

    return list(
        db.session.execute(
            sa.select(Project)
            .join(Proposal, Proposal.id == Project.proposal_id)
            .where(Project.process_id == process_id, Proposal.state.in_(LIVE_STATES))
            .order_by(Project.id)
        ).scalars()
    )
