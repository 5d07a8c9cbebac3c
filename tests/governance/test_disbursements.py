"""Disbursements: an approved fund project gets a plan with one tranche per
milestone; a tranche is paid by one ledger transfer when two different treasurers
(or fund-committee members) approve it; nothing is paid twice, beyond the
decision, or out of a fund that cannot cover it; refusals store nothing."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from governance import audit
from governance import services as governance_services
from governance.disbursements import plans
from governance.disbursements.models import DisbursementPlan, Tranche, TrancheState
from governance.disbursements.services import (
    AlreadyApproved,
    AlreadyPaid,
    FundTooLow,
    approve_tranche,
)
from governance.errors import NotAllowed, NotFound
from governance.extensions import db
from governance.models import AuditEntry, BodyKind, OrganizationKind, Role
from ledger import network, references
from ledger.models import Account, Currency, CurrencyKind, Modality
from tests.fixtures.disbursements import (
    approvals_of,
    approve_fund_project,
    fill_fund,
    is_requested,
    make_fund_committee_member,
    reread_plan,
    solidarity_fund,
    stored_rows,
    tranches_of,
    transfers_for,
)
from tests.fixtures.factories import NOW, make_body, make_member, make_seat
from tests.fixtures.ledger import balance, transfer_count
from tests.fixtures.proposals import exactly, fund_project_fields
from votes.models import Ballot


def audit_actions(*actions: str) -> list[tuple[str, int | None, str | None]]:
    rows = db.session.execute(
        sa.select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.object_id)
        .where(AuditEntry.action.in_(actions))
        .order_by(AuditEntry.id)
    ).all()
    return [tuple(row) for row in rows]


# --- the plan -------------------------------------------------------------------------


def test_an_approved_fund_project_gets_a_plan_with_a_tranche_per_milestone(project):
    plan, proposal, decision = project.plan, project.proposal, project.decision
    fund = network.network_account("solidarity-fund", "BRL")
    assert (plan.decision_id, plan.proposal_id, plan.currency) == (decision.id, proposal.id, "BRL")
    assert (plan.approved_total, plan.paid_total, plan.remaining) == (150_000, 0, 150_000)
    assert plan.source_account_id == fund.id
    # "Cooperativa Textil Andina" is no organization of the network: the project's account.
    beneficiary = db.session.get(Account, plan.beneficiary_account_id)
    assert (beneficiary.code, beneficiary.owner) == (
        f"proposal:{proposal.id}:BRL",
        f"proposal:{proposal.id}",
    )
    assert [
        (t.position, t.title, t.condition, t.due_on, t.amount, t.state) for t in project.tranches
    ] == [
        (
            1,
            "Looms bought",
            "Looms bought (2027-02-01)",
            date(2027, 2, 1),
            50_000,
            TrancheState.REQUESTED,
        ),
        (
            2,
            "Workshop open",
            "Workshop open (2027-06-01)",
            date(2027, 6, 1),
            100_000,
            TrancheState.REQUESTED,
        ),
    ]
    assert all(is_requested(t) for t in project.tranches)
    assert transfers_for(decision) == []
    assert audit_actions("disbursement.plan_created") == [
        ("disbursement.plan_created", None, str(plan.id))
    ]


def test_a_plan_is_made_once_per_decision(project):
    again = plans.create_plan(project.decision, project.proposal, now=NOW)
    assert again.id == project.plan.id
    assert len(tranches_of(project.plan)) == 2


def test_the_beneficiary_is_the_organization_of_that_name_whatever_the_case(request_context):
    organization = governance_services.get_or_create_organization(
        None, name="Cooperativa Textil Andina", kind=OrganizationKind.COOPERATIVE, now=NOW
    )
    project = approve_fund_project(
        fields=fund_project_fields(beneficiary="  COOPERATIVA textil ANDINA ")
    )
    beneficiary = db.session.get(Account, project.plan.beneficiary_account_id)
    assert beneficiary.owner == f"organization:{organization.id}"
    assert beneficiary.code == f"organization:{organization.id}:BRL"


def test_a_currency_the_ledger_lacks_is_added_as_national_currency(request_context):
    assert db.session.get(Currency, "CLP") is None
    project = approve_fund_project(fields=fund_project_fields(amount=900_000, currency="CLP"))
    currency = db.session.get(Currency, "CLP")
    assert (currency.kind, currency.minor_units) == (CurrencyKind.NATIONAL, 0)
    assert currency.name == "Chilean Peso"
    fund = network.network_account("solidarity-fund", "CLP")
    assert project.plan.source_account_id == fund.id
    assert project.plan.currency == "CLP"


# --- four eyes --------------------------------------------------------------------------


def test_two_different_treasurers_pay_a_tranche_with_one_transfer(project, treasurers):
    teresa, tomas, _tania = treasurers
    fill_fund(200_000)
    first, second = project.tranches

    outcome = approve_tranche(teresa, first.id, now=NOW)
    assert not outcome.is_paid
    assert approvals_of(first) == [teresa.id]
    assert is_requested(tranches_of(project.plan)[0])
    assert transfers_for(project.decision) == []

    outcome = approve_tranche(tomas, first.id, now=NOW)
    assert outcome.is_paid
    [transfer] = transfers_for(project.decision)
    assert transfer.id == f"disbursement:tranche:{first.id}"
    assert (transfer.modality, transfer.amount, transfer.currency) == (
        Modality.DISBURSEMENT,
        50_000,
        "BRL",
    )
    assert transfer.reference == f"decision:{project.decision.id}"
    assert "Looms bought" in transfer.memo
    assert (transfer.debit_account_id, transfer.credit_account_id) == (
        project.plan.source_account_id,
        project.plan.beneficiary_account_id,
    )
    stored_first, stored_second = tranches_of(project.plan)
    assert (stored_first.state, stored_first.transfer_id) == (TrancheState.PAID, transfer.id)
    assert stored_first.paid_at == NOW.replace(tzinfo=None)
    assert is_requested(stored_second) and approvals_of(second) == []
    assert reread_plan(project.plan).paid_total == 50_000
    assert balance(project.plan.beneficiary_account_id) == 50_000
    assert balance(project.plan.source_account_id) == 150_000
    assert audit_actions("disbursement.tranche_approved", "disbursement.tranche_paid") == [
        ("disbursement.tranche_approved", teresa.id, str(first.id)),
        ("disbursement.tranche_approved", tomas.id, str(first.id)),
        ("disbursement.tranche_paid", tomas.id, str(first.id)),
    ]
    assert audit.verify_chain().is_intact


def test_a_fund_committee_member_gives_the_second_approval(project, treasurers):
    fill_fund(200_000)
    committee_member = make_fund_committee_member()
    first = project.tranches[0]
    approve_tranche(treasurers[0], first.id, now=NOW)
    assert approve_tranche(committee_member, first.id, now=NOW).is_paid


def test_the_same_member_approving_twice_is_refused_and_nothing_stored(project, treasurers):
    fill_fund(200_000)
    first = project.tranches[0]
    approve_tranche(treasurers[0], first.id, now=NOW)
    before = stored_rows()
    with pytest.raises(
        AlreadyApproved,
        match=exactly(
            "You have already approved this tranche. Another treasurer or member of the "
            "fund committee must give the second approval."
        ),
    ):
        approve_tranche(treasurers[0], first.id, now=NOW)
    assert stored_rows() == before
    assert approvals_of(first) == [treasurers[0].id]
    assert is_requested(tranches_of(project.plan)[0])


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        (None, None),
        (Role.CHAIR, BodyKind.ASSEMBLY),
        (Role.MEMBER, BodyKind.COUNCIL),
        (Role.OBSERVER, BodyKind.FUND_COMMITTEE),
    ],
    ids=["no seat", "chair", "council member", "fund committee observer"],
)
def test_only_treasurers_and_fund_committee_members_approve(project, role, kind):
    member = make_member()
    if role is not None:
        make_seat(make_body(kind=kind), member, role=role)
    before = stored_rows()
    with pytest.raises(
        NotAllowed,
        match=exactly("Only a treasurer or a member of the fund committee can approve a tranche."),
    ):
        approve_tranche(member, project.tranches[0].id, now=NOW)
    assert stored_rows() == before


def test_a_tranche_that_does_not_exist_is_not_found(treasurers):
    with pytest.raises(NotFound):
        approve_tranche(treasurers[0], 999_999, now=NOW)


def test_a_paid_tranche_is_not_paid_again(project, treasurers):
    teresa, tomas, tania = treasurers
    fill_fund(200_000)
    first = project.tranches[0]
    approve_tranche(teresa, first.id, now=NOW)
    approve_tranche(tomas, first.id, now=NOW)
    before, transfers = stored_rows(), transfer_count()
    with pytest.raises(
        AlreadyPaid,
        match=exactly(
            "This tranche is already paid; paying it again would exceed what the decision approved."
        ),
    ):
        approve_tranche(tania, first.id, now=NOW)
    assert (stored_rows(), transfer_count()) == (before, transfers)
    assert reread_plan(project.plan).paid_total == 50_000


def test_a_tranche_the_fund_cannot_cover_is_refused_and_nothing_paid(project, treasurers):
    teresa, tomas, _tania = treasurers
    fill_fund(30_000)
    first = project.tranches[0]
    approve_tranche(teresa, first.id, now=NOW)
    before, fund_before = stored_rows(), balance(project.plan.source_account_id)
    with pytest.raises(
        FundTooLow,
        match=exactly(
            "The solidarity fund holds R$300.00, less than the R$500.00 this tranche needs. "
            "Nothing was paid; the tranche still awaits its second approval."
        ),
    ):
        approve_tranche(tomas, first.id, now=NOW)
    assert stored_rows() == before
    assert balance(project.plan.source_account_id) == fund_before == 30_000
    assert balance(project.plan.beneficiary_account_id) == 0
    plan = reread_plan(project.plan)
    assert (plan.paid_total, plan.approved_total) == (0, 150_000)
    assert is_requested(tranches_of(plan)[0])
    assert approvals_of(first) == [teresa.id]
    # Once the fund holds enough, the second approval pays it.
    fill_fund(20_000)
    assert approve_tranche(tomas, first.id, now=NOW).is_paid
    assert balance(project.plan.source_account_id) == 0


def test_every_tranche_paid_pays_exactly_what_was_approved(project, treasurers):
    teresa, tomas, tania = treasurers
    fill_fund(150_000)
    for tranche in project.tranches:
        approve_tranche(teresa, tranche.id, now=NOW)
        approve_tranche(tomas, tranche.id, now=NOW)
    plan = reread_plan(project.plan)
    assert (plan.paid_total, plan.remaining) == (150_000, 0)
    assert sum(t.amount for t in transfers_for(project.decision)) == 150_000
    for tranche in project.tranches:
        with pytest.raises(AlreadyPaid):
            approve_tranche(tania, tranche.id, now=NOW)


# --- the fund's money available -----------------------------------------------------


def test_the_fund_available_is_its_balance_less_what_approved_plans_still_owe(project, treasurers):
    fill_fund(400_000)
    second = approve_fund_project(fields=fund_project_fields(amount=60_000))
    assert plans.fund_available("BRL") == plans.FundAvailability("BRL", 400_000, 210_000)
    assert plans.fund_available("BRL").available == 190_000
    first = project.tranches[0]
    approve_tranche(treasurers[0], first.id, now=NOW)
    approve_tranche(treasurers[1], first.id, now=NOW)
    # Paying moves money out of the fund and out of the commitments alike.
    assert plans.fund_available("BRL") == plans.FundAvailability("BRL", 350_000, 160_000)
    assert second.plan.remaining == 60_000
    assert plans.fund_available("PEN") == plans.FundAvailability("PEN", 0, 0)


# --- the database keeps what was approved ------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        sa.update(Tranche).values(amount=1),
        sa.update(Tranche).values(title="Something else"),
        sa.delete(Tranche),
    ],
    ids=["amount", "title", "delete"],
)
def test_the_database_refuses_to_change_a_tranche(project, statement):
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.session.begin_nested():
        db.session.execute(statement.where(Tranche.plan_id == project.plan.id))


def test_the_database_refuses_to_pay_beyond_the_approved_total(project):
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.update(DisbursementPlan)
            .where(DisbursementPlan.id == project.plan.id)
            .values(paid_total=150_001)
        )


# --- the reference a ledger page resolves ---------------------------------------------


def test_a_decision_reference_resolves_to_the_decision_its_ballot_and_proposal(project):
    decision = project.decision
    assert references.resolve(f"decision:{decision.id}") == [
        (f"Decision #{decision.id} — {decision.title}", f"/decisions/{decision.id}"),
        (
            f"Ballot: {db.session.get(Ballot, decision.ballot_id).title}",
            f"/ballots/{decision.ballot_id}",
        ),
        (f"Proposal: {project.proposal.title}", f"/proposals/{project.proposal.id}"),
    ]
    for reference in ("decision:999999", "decision:x", "decision:", "nothing:1", "decision", None):
        assert references.resolve(reference) == [], reference


def test_no_one_approves_a_payment_to_their_own_side(request_context, treasurers):
    """The project's author and the receiving organization's delegate may hold the
    treasurer's role; they still cannot approve its tranches."""
    solidarity_fund()
    project = approve_fund_project()
    fill_fund(200_000)
    author = project.proposal.created_by
    make_seat(make_body(), author, role=Role.TREASURER)
    delegate = make_member(name="Delegada Andina")
    make_seat(make_body(), delegate, role=Role.TREASURER, organization="Cooperativa Textil Andina")
    other = approve_fund_project()  # same beneficiary's name: the organization gets it
    first = other.tranches[0]
    for member, tranche in ((author, project.tranches[0]), (delegate, first)):
        before = stored_rows()
        with pytest.raises(NotAllowed, match="cannot approve a payment"):
            approve_tranche(member, tranche.id, now=NOW)
        assert stored_rows() == before
        assert approvals_of(tranche) == []
    approve_tranche(treasurers[0], first.id, now=NOW)
    assert approve_tranche(treasurers[1], first.id, now=NOW).is_paid
