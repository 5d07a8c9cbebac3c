"""``asamblea demo``: a demo network on an empty database, and only there."""

from __future__ import annotations

import sqlalchemy as sa

from budgets.models import Process, ProcessState, Project
from budgets.results.models import PotResult
from budgets.voting.models import Paper, Voter
from governance import create_app, demo
from governance.admission.models import AdmissionCriterion
from governance.config import Settings
from governance.disbursements.models import DisbursementPlan
from governance.extensions import db
from governance.models import Body, Member, Seat
from proposals.models import Proposal
from tests.fixtures.helpers import count

SLUGS = ["asamblea-general", "comite-fondo", "consejo-fiscal"]


def _demo(app, *args):
    return app.test_cli_runner().invoke(args=["demo", *args])


def _lines(result) -> list[str]:
    return result.output.splitlines()


def test_demo_loads_the_network_and_prints_the_logins(app, db_session):
    result = _demo(app)
    assert result.exit_code == 0, result.output
    assert 28 <= count(Member) <= 32
    slugs = db.session.execute(sa.select(Body.slug).order_by(Body.slug)).scalars().all()
    assert slugs == SLUGS
    criteria = db.session.execute(sa.select(AdmissionCriterion)).scalars().all()
    assert len(criteria) == 4
    for criterion in criteria:
        assert all((criterion.title_es, criterion.title_pt_br, criterion.title_en))
        assert len({criterion.text_es, criterion.text_pt_br, criterion.text_en}) == 3
    emails = [line for line in _lines(result) if "@" in line and " " not in line]
    assert emails[0] == "admin@example.org"
    assert len(emails) == count(Member)
    stored = set(db.session.execute(sa.select(Member.email)).scalars())
    assert set(emails) == stored


def test_demo_admin_can_log_in_with_the_printed_password(app, client, auth, db_session):
    result = _demo(app)
    assert f"password is '{demo.PASSWORD}'" in result.output
    assert auth.login("admin@example.org", demo.PASSWORD).status_code == 302
    assert client.get("/members/import").status_code == 200


def test_every_demo_member_holds_an_assembly_seat(app, db_session):
    _demo(app)
    assembly = db.session.execute(sa.select(Body).where(Body.slug == SLUGS[0])).scalar_one()
    holders = {seat.member_id for seat in assembly.seats}
    assert holders == set(db.session.execute(sa.select(Member.id)).scalars())


def test_second_plain_run_refuses(app, db_session):
    assert _demo(app).exit_code == 0
    members, seats = count(Member), count(Seat)
    result = _demo(app)
    assert result.exit_code != 0
    assert "already holds data" in result.output
    assert (count(Member), count(Seat)) == (members, seats)


def test_if_needed_loads_once_and_then_exits_0(app, db_session):
    first = _demo(app, "--if-needed")
    assert first.exit_code == 0, first.output
    assert "Loaded the demo network." in first.output
    members = count(Member)
    second = _demo(app, "--if-needed")
    assert second.exit_code == 0, second.output
    assert "The demo network is already loaded." in second.output
    assert "admin@example.org" in _lines(second)
    assert count(Member) == members


def test_demo_refuses_a_database_with_other_data(app, factories):
    factories.member(email="someone@coop.example")
    db.session.commit()
    for args in ([], ["--if-needed"]):
        result = _demo(app, *args)
        assert result.exit_code != 0
        assert "already holds data" in result.output
    assert db.session.execute(sa.select(Member.email)).scalars().all() == ["someone@coop.example"]


def test_demo_refuses_in_production(test_database, db_session, tmp_path):
    settings = Settings(
        env="production",
        secret_key="production-secret",
        database_url=test_database.url,
        instance_path=str(tmp_path),
    )
    production = create_app(settings)
    with production.app_context():
        result = production.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "not loaded in production" in result.output
    assert count(Member) == 0


def test_the_demo_ledger_is_alive_and_checks(app, db_session):
    """Every exchange modality, a conversion at the bank, and a fund project whose
    first two tranches were paid under four eyes; the chain and balances check."""
    from governance.disbursements.models import TrancheState
    from ledger import network
    from ledger.models import Transfer
    from ledger.queries import verify_balances, verify_chain

    assert _demo(app).exit_code == 0
    modalities = db.session.execute(
        sa.select(Transfer.modality, sa.func.count()).group_by(Transfer.modality)
    ).all()
    counted = {modality.value: n for modality, n in modalities}
    assert {"deposit", "purchase", "barter", "donation", "conversion", "disbursement"} <= set(
        counted
    )
    assert counted["purchase"] >= 3 and counted["barter"] >= 3 and counted["donation"] >= 2
    assert counted["disbursement"] == 2
    [plan] = db.session.execute(
        sa.select(DisbursementPlan)
        .join(Proposal, Proposal.id == DisbursementPlan.proposal_id)
        .where(Proposal.kind == "fund-project")
    ).scalars()
    states = [tranche.state for tranche in sorted(plan.tranches, key=lambda t: t.position)]
    assert states == [TrancheState.PAID, TrancheState.PAID, TrancheState.REQUESTED]
    assert [len(t.approvals) for t in sorted(plan.tranches, key=lambda t: t.position)] == [2, 2, 1]
    assert plan.paid_total == sum(t.amount for t in plan.tranches if t.state is TrancheState.PAID)
    # The community bank's reserve backs every palma issued.
    reserve = network.network_account(network.Purpose.BANK_RESERVE, "BRL")
    issued = network.issuance_account("PALMA")
    assert reserve.balance == -issued.balance > 0
    assert verify_chain().is_intact
    assert verify_balances().is_intact


def test_the_demo_budgets_are_carried_out_and_open(app, db_session):
    """One budget counted by equal shares in two districts, approved, its selected
    projects decided with plans of their counted cost; one open for voting in which
    the demo's usual logins may still vote."""
    assert _demo(app).exit_code == 0
    done, open_ = db.session.execute(sa.select(Process).order_by(Process.id)).scalars()
    assert done.state is ProcessState.EXECUTION and done.result_approved_at is not None
    results = db.session.execute(
        sa.select(PotResult).where(PotResult.process_id == done.id).order_by(PotResult.pot)
    ).scalars()
    selected = [int(pid) for result in results for pid in result.outcome["selected"]]
    assert len(selected) == 4
    decided = db.session.execute(
        sa.select(Project).where(Project.process_id == done.id, Project.decision_id.is_not(None))
    ).scalars()
    plans = {
        plan.proposal_id: plan.approved_total
        for plan in db.session.execute(sa.select(DisbursementPlan)).scalars()
    }
    assert sorted(p.id for p in decided) == sorted(selected)
    assert all(plans[p.proposal_id] == p.cost for p in decided)
    assert open_.state is ProcessState.VOTING
    papers = db.session.execute(
        sa.select(sa.func.count()).select_from(Paper).where(Paper.process_id == open_.id)
    ).scalar_one()
    assert papers == 5
    voters = db.session.execute(sa.select(Voter).where(Voter.process_id == open_.id)).scalars()
    assert {"ana@example.org", "admin@example.org"} <= {v.member.email for v in voters}
