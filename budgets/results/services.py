"""Counting a participatory budget and approving its result.

``count_process`` runs when the process moves from voting to its result
(``budgets.services.advance``): each pot — every district's money and the
city-wide pot — is counted from its stored papers alone with the process's
rule, and kept as a :class:`PotResult` with the SHA-256 of its canonical JSON.
Papers are read in tracker order and projects in id order, and the rules break
ties by project id, so counting again gives the same bytes.

``approve_result`` (the body's chair or secretary, or the count itself when the
process approves automatically) makes each selected project a ``Decision``;
its effect (``fund_selected_project``, registered for the ``pb-project`` kind)
gives it a disbursement plan for exactly the cost it was counted with.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from budgets.models import Process, ProcessState, Project, ResultApproval
from budgets.policies import approves_results
from budgets.projects import LIVE_STATES, ballot_projects
from budgets.results.counting import count_pot
from budgets.results.models import PotResult
from budgets.voting.models import CITY_WIDE
from budgets.voting.queries import district_of
from governance import audit, effects
from governance.disbursements import plans
from governance.errors import DomainError, NotAllowed
from governance.extensions import db
from governance.models import Decision, Member
from governance.services import naive_utc
from ledger import network

# --- counting ------------------------------------------------------------------------


def pots_of(process: Process) -> list[int]:
    """The process's pots: the city-wide pot first (when it has one), then each
    district's."""
    return ([CITY_WIDE] if process.has_city_wide_pot else []) + [d.id for d in process.districts]


def count_process(actor: Member | None, process: Process, *, now: datetime) -> list[PotResult]:
    """Count every pot of a process leaving its voting phase and store the results;
    the caller holds the process's row lock and moves its state."""
    if process.state is not ProcessState.VOTING:
        raise DomainError(_l("Only a participatory budget leaving its voting phase is counted."))
    results = [
        count_pot(process, pot, ballot_projects(process, district_of(pot)), now=now)
        for pot in pots_of(process)
    ]
    db.session.flush()
    audit.record(
        actor,
        "pb.counted",
        process,
        now=now,
        data={
            "rule": process.rule,
            "pots": [
                {
                    "pot": result.pot,
                    "budget": result.budget,
                    "papers": result.papers,
                    "selected": result.outcome["selected"],
                    "hash": result.result_hash,
                }
                for result in results
            ],
        },
    )
    return results


def pot_results(process_id: int) -> list[PotResult]:
    """The stored results of a process, city-wide first, then by district id."""
    return list(
        db.session.execute(
            sa.select(PotResult).where(PotResult.process_id == process_id).order_by(PotResult.pot)
        ).scalars()
    )


# --- approval ------------------------------------------------------------------------


def check_result_approved(process: Process) -> None:
    """Execution starts only from an approved result."""
    if process.result_approved_at is None:
        raise DomainError(
            _l(
                "The result is not approved yet: the body's chair or secretary approves it "
                "on the results page, and then execution can start."
            )
        )


def approve_result(actor: Member | None, process_id: int, *, now: datetime) -> list[Decision]:
    """Approve the counted result: by the body's chair or secretary when the process
    says the body approves it, or by the count itself (``actor`` None) when it is
    automatic. Each selected project, pot by pot in the order selected, becomes a
    decision with its disbursement plan. A result is approved once."""
    from budgets.services import get_process

    process = get_process(process_id, lock=True)  # one approval, however many clicks
    if actor is not None and not approves_results(actor, process.body):
        raise NotAllowed(_l("Only the body's chair or secretary can approve the result."))
    if process.result_approved_at is not None:
        raise DomainError(_l("The result is already approved."))
    if actor is not None and process.result_approval is ResultApproval.AUTOMATIC:
        raise DomainError(_l("This budget's result is approved automatically when counted."))
    if process.state is not ProcessState.RESULT:
        raise DomainError(_l("Only a counted result awaiting approval can be approved."))
    results = pot_results(process.id)
    for result in results:
        # The rules never overspend; a stored result that did would be refused here.
        if result.outcome["cost"] > result.budget:
            raise DomainError(_l("The counted result spends more than its budget."))
    decisions = [
        _decide(actor, process, result, int(project_id), now=now)
        for result in results
        for project_id in result.outcome["selected"]
    ]
    process.result_approved_at = naive_utc(now)
    process.result_approved_by_id = actor.id if actor is not None else None
    db.session.flush()
    audit.record(
        actor,
        "pb.result_approved",
        process,
        now=now,
        data={
            "results": {str(result.pot): result.result_hash for result in results},
            "decisions": [decision.id for decision in decisions],
        },
    )
    return decisions


def _decide(
    actor: Member | None, process: Process, result: PotResult, project_id: int, *, now: datetime
) -> Decision:
    """One selected project's decision; its kind's effect makes the plan."""
    project = db.session.get(Project, project_id)
    assert project is not None and project.process_id == process.id  # counted from its rows
    proposal = project.proposal
    if proposal.state not in LIVE_STATES:  # frozen from voting on: a safeguard
        raise DomainError(_l("“%(title)s” is no longer in the running.", title=proposal.title))
    decision = Decision(
        body_id=process.body_id,
        proposal_id=proposal.id,
        revision_number=proposal.current_revision,
        ballot_id=None,
        result_hash=result.result_hash,
        title=proposal.title,
        decided_at=naive_utc(now),
    )
    db.session.add(decision)
    db.session.flush()
    project.decision_id = decision.id
    audit.record(
        actor,
        "decision.recorded",
        decision,
        now=now,
        data={
            "proposal": proposal.id,
            "ballot": None,
            "revision": decision.revision_number,
            "result_hash": result.result_hash,
            "supersedes": None,
            "process": process.id,
            "pot": result.pot,
        },
    )
    effect = effects.effect_for(proposal.kind)
    if effect is not None:
        effect(decision, proposal, now)
    db.session.flush()
    return decision


def counted_cost(result: PotResult, project_id: int) -> int:
    """What the project cost when its pot was counted: what its decision approves."""
    return int(result.outcome["projects"][str(project_id)]["cost"])


def fund_selected_project(decision: Any, proposal: Any, now: datetime) -> None:
    """The effect of a selected ``pb-project``: a plan paying its counted cost from
    the process's fund account to the project's own account, in one tranche
    (tranches are then approved twice and paid on the disbursements page)."""
    project = db.session.execute(
        sa.select(Project).where(Project.proposal_id == proposal.id)
    ).scalar_one()
    process = project.process
    result = db.session.execute(
        sa.select(PotResult).where(
            PotResult.process_id == process.id,
            PotResult.pot == (project.district_id or CITY_WIDE),
        )
    ).scalar_one()
    if (
        result.result_hash != decision.result_hash
        or str(project.id) not in result.outcome["selected"]
    ):
        raise DomainError(_l("Only a project its budget's result selected can be funded."))
    amount = counted_cost(result, project.id)
    plans.create_plan_from(
        decision,
        plans.PlanSpec(
            proposal_id=proposal.id,
            source_code=process.fund_account,
            beneficiary_owner=network.owner_ref("proposal", proposal.id),
            currency=process.currency,
            amount=amount,
            milestones=(
                {
                    "title": proposal.title,
                    "condition": proposal.title,
                    "due_on": None,
                    "amount": amount,
                },
            ),
        ),
        now=now,
    )
