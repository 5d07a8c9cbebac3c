"""Who may do what with participatory budgets.

The body's chair or secretary (or an administrator) sets a process up, moves
its phases and appoints its reviewers; any member who may propose in the body
submits projects during intake; appointed reviewers review during review. A
private body's processes are seen by those who sit in it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from budgets.models import (
    EDITABLE_STATES,
    PHASE_AFTER,
    Process,
    ProcessState,
    Project,
    ResultApproval,
    Reviewer,
)
from governance.extensions import db
from governance.models import Member, Role
from governance.policies import HasRoleAnywhere, IsAdmin, IsMember, Requirement
from proposals.policies import _can_propose, _seat_roles, chairs, sits_in


def _member(member: Any) -> Member | None:
    if getattr(member, "is_authenticated", False) and isinstance(member, Member):
        return member
    return None


def _process_of(target: Any) -> Process | None:
    if isinstance(target, Process):
        return target
    if isinstance(target, Project):
        return target.process
    return None


def _can_view(member: Any, target: Any) -> bool:
    process = _process_of(target)
    m = _member(member)
    if process is None or m is None:
        return False
    return not process.body.is_private or m.is_admin or sits_in(m, process.body)


def _can_manage(member: Any, target: Any) -> bool:
    process = _process_of(target)
    return process is not None and chairs(member, process.body)


def _can_edit(member: Any, target: Any) -> bool:
    process = _process_of(target)
    return process is not None and process.state in EDITABLE_STATES and _can_manage(member, process)


def _can_advance(member: Any, target: Any) -> bool:
    process = _process_of(target)
    return (
        process is not None
        and PHASE_AFTER[process.state] is not None
        and _can_manage(member, process)
    )


def _can_submit(member: Any, target: Any) -> bool:
    process = _process_of(target)
    return (
        process is not None
        and process.state is ProcessState.INTAKE
        and _can_propose(member, process.body)
    )


def is_reviewer(member: Any, process: Process) -> bool:
    """Whether ``member`` is one of the process's reviewers now."""
    m = _member(member)
    if m is None:
        return False
    return (
        db.session.execute(
            sa.select(Reviewer.id).where(
                Reviewer.process_id == process.id,
                Reviewer.member_id == m.id,
                Reviewer.removed_at.is_(None),
            )
        ).first()
        is not None
    )


def _can_review(member: Any, target: Any) -> bool:
    process = _process_of(target)
    if process is None or process.state is not ProcessState.REVIEW:
        return False
    if isinstance(target, Project) and target.proposal.is_author(member):
        return False
    return is_reviewer(member, process)


can_view_budgets = IsMember.named("can_view_budgets")
# Who is offered the "new process" page: those who could run a process in some body.
can_create_processes = (IsAdmin | HasRoleAnywhere(Role.CHAIR, Role.SECRETARY)).named(
    "can_create_processes"
)
can_view_process = Requirement("can_view_process", _can_view)
can_manage_process = Requirement("can_manage_process", _can_manage)
can_edit_process = Requirement("can_edit_process", _can_edit)
can_advance_process = Requirement("can_advance_process", _can_advance)
# Reviewers are appointed, like the set-up is changed, before voting.
can_appoint_reviewers = Requirement("can_appoint_reviewers", _can_edit)
can_submit_project = Requirement("can_submit_project", _can_submit)
can_review_project = Requirement("can_review_project", _can_review)

# --- results (budgets/results) ---------------------------------------------------------

COUNTED_STATES = frozenset({ProcessState.RESULT, ProcessState.EXECUTION, ProcessState.CLOSED})


def approves_results(member: Any, body: Any) -> bool:
    """Whether ``member`` holds the body's chair or secretary seat now: approving a
    result is the body's decision, so an administrator who does not sit in it
    cannot."""
    m = _member(member)
    return m is not None and bool(_seat_roles(m, body.id) & {Role.CHAIR, Role.SECRETARY})


def _can_view_results(member: Any, target: Any) -> bool:
    process = _process_of(target)
    return process is not None and process.state in COUNTED_STATES and _can_view(member, process)


def _can_approve_result(member: Any, target: Any) -> bool:
    process = _process_of(target)
    return (
        process is not None
        and process.state is ProcessState.RESULT
        and process.result_approval is ResultApproval.BODY
        and process.result_approved_at is None
        and approves_results(member, process.body)
    )


can_view_results = Requirement("can_view_results", _can_view_results)
can_approve_result = Requirement("can_approve_result", _can_approve_result)

TEMPLATE_POLICIES = {
    name: value
    for name, value in globals().items()
    if isinstance(value, Requirement) and name.startswith("can_")
}


# --- voting (budgets.voting) -----------------------------------------------------------


def _can_vote(member: Any, target: Any) -> bool:
    from budgets.voting.models import Voter  # budgets.models imports it last

    process = _process_of(target)
    m = _member(member)
    if process is None or m is None or process.state is not ProcessState.VOTING:
        return False
    return db.session.get(Voter, (process.id, m.id)) is not None


# A member of the electorate frozen when voting opened, while the process is voting.
can_vote = Requirement("can_vote", _can_vote)
TEMPLATE_POLICIES["can_vote"] = can_vote
