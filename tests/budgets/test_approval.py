"""Approving a counted result: who may, once only, automatically when the process
says so; each selected project becomes a decision with a disbursement plan for
exactly its counted cost; execution waits for the approval. And a project is
never put to a yes / no ballot of its own."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from budgets import services
from budgets.models import Process, ProcessState, Project, ResultApproval
from budgets.results import services as results
from governance.disbursements import plans
from governance.disbursements.models import DisbursementPlan, Tranche
from governance.errors import DomainError, NotAllowed
from governance.extensions import db
from governance.models import AuditEntry, Decision
from ledger.models import Account
from proposals import deliberation
from proposals import services as proposal_services
from proposals.models import ProposalState
from proposals.policies import can_put_forward
from tests.fixtures.factories import NOW, make_member
from tests.fixtures.pb_results import (
    TWO_DISTRICTS,
    make_voting_process,
    vote_two_districts,
)
from tests.fixtures.pb_results import count as count_process


@pytest.fixture
def counted(pb):
    voting = make_voting_process(pb, TWO_DISTRICTS, rule="greedy")
    vote_two_districts(voting)
    count_process(voting)
    return voting


def decisions() -> list[Decision]:
    return list(db.session.execute(sa.select(Decision).order_by(Decision.id)).scalars())


def test_the_chair_approves_and_each_selected_project_becomes_a_funded_decision(counted):
    voting = counted
    made = results.approve_result(voting.pb.chair, voting.process.id, now=NOW)

    # City-wide first, then the districts, each in the order selected.
    selected = [voting.projects[key] for key in "HACDE"]
    assert [d.proposal_id for d in made] == [project.proposal_id for project in selected]
    pots = {result.pot: result for result in results.pot_results(voting.process.id)}
    for decision, project in zip(made, selected, strict=True):
        db.session.refresh(project)
        assert project.decision_id == decision.id
        assert decision.ballot_id is None
        assert decision.body_id == voting.pb.body.id
        assert decision.title == project.proposal.title
        assert decision.revision_number == project.proposal.current_revision
        assert decision.result_hash == pots[project.district_id or 0].result_hash
        plan = plans.plan_for_decision(decision.id)
        assert plan is not None and plan.proposal_id == project.proposal_id
        source = db.session.get(Account, plan.source_account_id)
        beneficiary = db.session.get(Account, plan.beneficiary_account_id)
        assert source.code == "network:solidarity-fund:BRL"
        assert beneficiary.code == f"proposal:{project.proposal_id}:BRL"
        assert (plan.currency, plan.paid_total) == ("BRL", 0)
        assert [tranche.amount for tranche in plan.tranches] == [plan.approved_total]
    approved = {d.proposal_id: plans.plan_for_decision(d.id).approved_total for d in made}
    # E was counted (and is paid) at its revised cost, never more.
    assert approved[voting.projects["E"].proposal_id] == 100_000
    assert approved[voting.projects["A"].proposal_id] == 300_000
    assert sum(approved.values()) == 100_000 + 450_000 + 300_000
    process = db.session.get(Process, voting.process.id)
    assert process.result_approved_by_id == voting.pb.chair.id
    assert process.result_approved_at is not None
    unselected = [voting.projects[key] for key in "GBF"]
    assert all(project.decision_id is None for project in unselected)


def test_the_approval_and_the_decisions_are_in_the_audit_log(counted):
    results.approve_result(counted.pb.secretary, counted.process.id, now=NOW)
    actions = db.session.execute(
        sa.select(AuditEntry.action, AuditEntry.actor_id).order_by(AuditEntry.id)
    ).all()
    assert actions[-1] == ("pb.result_approved", counted.pb.secretary.id)
    assert [action for action, _actor in actions].count("decision.recorded") == 5
    assert [action for action, _actor in actions].count("disbursement.plan_created") == 5


def test_only_the_chair_or_secretary_approves(counted, request_context):
    admin = make_member(name="Admin Ada", is_admin=True)
    for member in (counted.pb.members[0], admin, make_member(name="Outsider")):
        with pytest.raises(NotAllowed):
            results.approve_result(member, counted.process.id, now=NOW)
    assert decisions() == []


def test_a_result_is_approved_once(counted):
    results.approve_result(counted.pb.chair, counted.process.id, now=NOW)
    with pytest.raises(DomainError, match="already approved"):
        results.approve_result(counted.pb.secretary, counted.process.id, now=NOW)
    assert len(decisions()) == 5
    assert (
        db.session.execute(sa.select(sa.func.count()).select_from(DisbursementPlan)).scalar() == 5
    )


def test_execution_waits_for_the_approval(counted):
    with pytest.raises(DomainError, match="not approved yet"):
        services.advance(counted.pb.secretary, counted.process.id, now=NOW)
    assert db.session.get(Process, counted.process.id).state is ProcessState.RESULT

    results.approve_result(counted.pb.chair, counted.process.id, now=NOW)
    process = services.advance(counted.pb.secretary, counted.process.id, now=NOW)
    assert process.state is ProcessState.EXECUTION


def test_an_automatic_process_is_approved_when_counted(pb):
    voting = make_voting_process(
        pb, TWO_DISTRICTS, rule="greedy", result_approval=ResultApproval.AUTOMATIC
    )
    vote_two_districts(voting)

    process = count_process(voting)

    assert process.result_approved_at is not None and process.result_approved_by_id is None
    assert len(decisions()) == 5
    entry = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "pb.result_approved")
    ).scalar_one()
    assert entry.actor_id is None
    with pytest.raises(DomainError, match="already approved"):
        results.approve_result(pb.chair, process.id, now=NOW)
    assert services.advance(pb.secretary, process.id, now=NOW).state is ProcessState.EXECUTION


def test_a_result_not_yet_counted_cannot_be_approved(pb):
    voting = make_voting_process(pb, TWO_DISTRICTS, rule="greedy")
    with pytest.raises(DomainError, match="awaiting approval"):
        results.approve_result(pb.chair, voting.process.id, now=NOW)


def test_the_tranche_is_paid_through_the_four_eyes_flow_and_never_more(counted):
    results.approve_result(counted.pb.chair, counted.process.id, now=NOW)
    project = db.session.get(Project, counted.projects["E"].id)
    plan = plans.plan_for_decision(project.decision_id)
    tranche = db.session.execute(sa.select(Tranche).where(Tranche.plan_id == plan.id)).scalar_one()
    assert tranche.amount == plan.approved_total == 100_000
    assert not tranche.is_paid


# --- plans from explicit values --------------------------------------------------------


def test_a_plan_from_values_refuses_tranches_that_do_not_add_up(counted):
    results.approve_result(counted.pb.chair, counted.process.id, now=NOW)
    decision = decisions()[0]
    other = Decision(body_id=decision.body_id, title="Other", decided_at=decision.decided_at)
    db.session.add(other)
    db.session.flush()
    spec = plans.PlanSpec(
        proposal_id=None,
        source_code="network:solidarity-fund:BRL",
        beneficiary_owner="proposal:999",
        currency="BRL",
        amount=1_000,
        milestones=({"title": "x", "condition": "x", "due_on": None, "amount": 999},),
    )
    with pytest.raises(ValueError, match="add up"):
        plans.create_plan_from(other, spec, now=NOW)
    unknown = plans.PlanSpec(
        **{
            **spec.__dict__,
            "source_code": "member:1:BRL",
            "milestones": ({"title": "x", "condition": "x", "due_on": None, "amount": 1_000},),
        }
    )
    with pytest.raises(DomainError, match="no account"):
        plans.create_plan_from(other, unknown, now=NOW)


# --- no yes / no ballot for a project --------------------------------------------------


def test_a_project_is_never_put_up_for_a_yes_no_decision(pb):
    voting = make_voting_process(pb, TWO_DISTRICTS, rule="greedy")
    proposal = voting.projects["A"].proposal
    assert not can_put_forward(pb.chair, proposal)
    with pytest.raises(DomainError, match="not by a yes / no ballot"):
        proposal_services.put_forward(pb.chair, proposal.id, now=NOW)
    with pytest.raises(DomainError, match="not by a yes / no ballot"):
        proposal_services.transition(pb.chair, proposal, ProposalState.IN_BALLOT, now=NOW)
    assert proposal.state is ProposalState.PUBLISHED


def test_a_project_gathers_no_supports_and_is_not_offered_for_support(pb, client, auth):
    pb.body.support_threshold_count = 1  # one support would make a motion ready
    db.session.flush()
    voting = make_voting_process(pb, TWO_DISTRICTS, rule="greedy")
    proposal = voting.projects["A"].proposal
    with pytest.raises(DomainError, match="not by a yes / no ballot"):
        deliberation.add_support(pb.members[1], proposal.id, now=NOW)
    assert proposal.state is ProposalState.PUBLISHED
    assert deliberation.support_count(proposal.id) == 0
    auth.login(pb.members[1].email)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert 'id="supports"' not in page and "Support this proposal" not in page
    home = client.get("/").get_data(as_text=True)
    assert "open for your support" not in home


def test_a_project_on_the_ballot_can_no_longer_be_withdrawn_or_amended(pb):
    """What members vote on is what is counted, decided and published."""
    from proposals import amendments
    from proposals.policies import can_withdraw

    voting = make_voting_process(pb, TWO_DISTRICTS, rule="greedy")
    project = voting.projects["A"]
    proposal = project.proposal
    author = next(member for member in pb.members if proposal.is_author(member))
    assert not can_withdraw(author, proposal)
    with pytest.raises(DomainError, match="can no longer be withdrawn or changed"):
        proposal_services.withdraw(author, proposal.id, now=NOW)
    with pytest.raises(DomainError, match="can no longer be withdrawn or changed"):
        amendments.propose_amendment(
            pb.members[0], proposal.id, text="Another text.", explanation="Why not.", now=NOW
        )
    assert proposal.state is ProposalState.PUBLISHED
    count_process(voting)
    with pytest.raises(DomainError, match="can no longer be withdrawn or changed"):
        proposal_services.withdraw(author, proposal.id, now=NOW)
