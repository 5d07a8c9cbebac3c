"""Tranche approvals at the same time, committed for real in a PostgreSQL database
made for each test: the plan's row lock lets each tranche be paid once, by one
transfer, after exactly two approvals, so a decision never pays more than it
approved and no payment is lost or made twice; a fund that runs dry refuses the
rest whole."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from governance import audit
from governance.disbursements.models import DisbursementPlan, Tranche, TrancheApproval
from governance.disbursements.services import approve_tranche
from governance.extensions import db
from governance.models import Member
from ledger import queries
from ledger.models import Transfer
from tests.fixtures.concurrency import race
from tests.fixtures.disbursements import approve_fund_project, fill_fund, make_treasurer
from tests.fixtures.factories import NOW
from tests.fixtures.ledger import balance
from tests.fixtures.proposals import fund_project_fields

pytestmark = pytest.mark.postgres

TRANCHES = 4
TRANCHE_AMOUNT = 25_000
TREASURERS = 6


def four_tranches() -> dict:
    return fund_project_fields(
        amount=TRANCHES * TRANCHE_AMOUNT,
        budget_lines=[],
        milestones=[
            {"title": f"Milestone {n}", "due_on": f"2027-0{n}-01", "amount": TRANCHE_AMOUNT}
            for n in range(1, TRANCHES + 1)
        ],
    )


def set_up(app, fund_holds: int) -> tuple[int, int, list[int], list[int]]:
    """A committed plan of four tranches, a fund holding ``fund_holds``, and six
    treasurers: (decision id, plan id, tranche ids, treasurer ids)."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        fill_fund(fund_holds)
        project = approve_fund_project(fields=four_tranches())
        treasurers = [make_treasurer(f"Treasurer {n}") for n in range(TREASURERS)]
        db.session.commit()
        ids = (
            project.decision.id,
            project.plan.id,
            [tranche.id for tranche in project.tranches],
            [member.id for member in treasurers],
        )
        db.session.remove()
    return ids


def approvals_by_everyone(tranche_ids: list[int], member_ids: list[int]) -> list:
    """Every treasurer approves every tranche, all at once."""

    def attempt(tranche_id: int, member_id: int):
        def run() -> None:
            member = db.session.get(Member, member_id)
            approve_tranche(member, tranche_id, now=NOW)

        return run

    return [attempt(t, m) for t in tranche_ids for m in member_ids]


def stored(app, decision_id: int, plan_id: int):
    with app.app_context():
        plan = db.session.get(DisbursementPlan, plan_id)
        tranches = list(
            db.session.execute(
                sa.select(Tranche).where(Tranche.plan_id == plan_id).order_by(Tranche.position)
            ).scalars()
        )
        approvals = {
            tranche.id: db.session.execute(
                sa.select(sa.func.count())
                .select_from(TrancheApproval)
                .where(TrancheApproval.tranche_id == tranche.id)
            ).scalar_one()
            for tranche in tranches
        }
        transfers = list(
            db.session.execute(
                sa.select(Transfer.id, Transfer.amount).where(
                    Transfer.reference == f"decision:{decision_id}"
                )
            ).all()
        )
        result = (
            (plan.approved_total, plan.paid_total),
            [(t.id, t.state.value, t.transfer_id) for t in tranches],
            approvals,
            transfers,
            balance(plan.source_account_id),
            balance(plan.beneficiary_account_id),
        )
        chain, balances = queries.verify_chain(), queries.verify_balances()
        assert chain.is_intact, chain.reason
        assert balances.is_intact, balances.reason
        assert audit.verify_chain().is_intact
        db.session.remove()
        return result


def test_concurrent_approvals_pay_each_tranche_once_and_never_beyond_the_decision(
    own_migrated_app,
):
    app = own_migrated_app
    decision_id, plan_id, tranche_ids, member_ids = set_up(app, fund_holds=1_000_000)

    wins, errors = race(app, approvals_by_everyone(tranche_ids, member_ids))

    assert errors == []
    # Two approvals per tranche commit (the second pays); the other four are refused.
    assert wins == 2 * TRANCHES
    totals, tranches, approvals, transfers, fund, beneficiary = stored(app, decision_id, plan_id)
    assert totals == (TRANCHES * TRANCHE_AMOUNT, TRANCHES * TRANCHE_AMOUNT)
    assert [state for _id, state, _transfer in tranches] == ["paid"] * TRANCHES
    assert approvals == {tranche_id: 2 for tranche_id in tranche_ids}
    assert sorted(transfers) == sorted(
        (f"disbursement:tranche:{tranche_id}", TRANCHE_AMOUNT) for tranche_id in tranche_ids
    )
    assert {transfer for _id, _state, transfer in tranches} == {t for t, _a in transfers}
    assert (fund, beneficiary) == (1_000_000 - TRANCHES * TRANCHE_AMOUNT, TRANCHES * TRANCHE_AMOUNT)


def test_a_fund_that_runs_dry_pays_what_it_holds_and_refuses_the_rest_whole(own_migrated_app):
    app = own_migrated_app
    # Enough for two tranches and a part of a third, which is never paid in part.
    decision_id, plan_id, tranche_ids, member_ids = set_up(app, fund_holds=60_000)

    wins, errors = race(app, approvals_by_everyone(tranche_ids, member_ids))

    assert errors == []
    totals, tranches, approvals, transfers, fund, beneficiary = stored(app, decision_id, plan_id)
    paid = [tranche_id for tranche_id, state, _transfer in tranches if state == "paid"]
    assert len(paid) == 2
    assert totals == (TRANCHES * TRANCHE_AMOUNT, 2 * TRANCHE_AMOUNT)
    assert sorted(transfers) == sorted(
        (f"disbursement:tranche:{tranche_id}", TRANCHE_AMOUNT) for tranche_id in paid
    )
    # A paid tranche kept both approvals; an unpaid one only its first (the second,
    # refused for want of money, left nothing).
    assert approvals == {tranche_id: 2 if tranche_id in paid else 1 for tranche_id in tranche_ids}
    assert wins == 2 * len(paid) + (TRANCHES - len(paid))
    assert (fund, beneficiary) == (60_000 - 2 * TRANCHE_AMOUNT, 2 * TRANCHE_AMOUNT)
