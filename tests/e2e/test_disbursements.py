"""Disbursements in the browser: the fund committee approves a fund project; its
treasurer approves the first tranche and the network's treasurer gives the
second approval, which pays it; the beneficiary cooperative's delegate sees the
money on her accounts page; the decision shows approved / paid / remaining and
the transfer; a committee member who pressed "approve" on a page loaded before
the payment is refused, and nothing more is paid."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from flask_babel import force_locale
from playwright.sync_api import Locator, Page, expect

from governance import decisions
from governance.disbursements.models import DisbursementPlan, Tranche
from governance.extensions import db
from governance.mail import deliver_pending
from governance.models import Body, Member, Organization
from governance.money import format_money
from ledger import network
from ledger.models import Transfer
from proposals.models import ProposalState
from tests.e2e.pages import BasePage, LoginPage
from tests.e2e.test_accessibility import assert_no_serious_violations
from tests.fixtures.ballots import settings_for, vote
from tests.fixtures.proposals import fund_project_fields, make_proposal

pytestmark = pytest.mark.e2e

SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots" / "disbursements"
)
PASSWORD = "demo"
BENEFICIARY = "Cooperativa de Reciclagem Recicla Vida"
DELEGATE = "bruno@example.org"  # Recicla Vida's delegate (pt_BR)
COMMITTEE_TREASURER = "diego@example.org"  # treasurer of the fund committee
NETWORK_TREASURER = "quique@example.org"  # treasurer of the assembly
COMMITTEE_CHAIR = "carmen@example.org"  # a fund committee seat: may approve too
TITLE = "Trituradora de plástico para Recicla Vida"
FIRST, SECOND = 250_000, 150_000  # 2,500.00 then 1,500.00 BRL


@dataclass(frozen=True)
class Project:
    decision_id: int
    first_tranche_id: int


@pytest.fixture(scope="module")
def project(live_server) -> Project:
    """A fund project of Recicla Vida in the demo's fund committee, approved by a
    nominal vote that closed a minute ago (so its decision made the plan)."""
    app = live_server.app
    now = datetime.now(UTC)
    with app.app_context(), app.test_request_context(base_url=live_server.url):
        committee = db.session.execute(
            sa.select(Body).where(Body.slug == "comite-fondo")
        ).scalar_one()
        people = {
            m.email: m
            for m in db.session.execute(sa.select(Member)).scalars()
            if m.email in {DELEGATE, COMMITTEE_CHAIR, COMMITTEE_TREASURER}
        }
        fields = fund_project_fields(
            FIRST + SECOND,
            beneficiary=BENEFICIARY,
            budget_lines=[{"label": "Trituradora", "amount": FIRST + SECOND}],
            milestones=[
                {"title": "Trituradora comprada", "due_on": "2027-01-15", "amount": FIRST},
                {"title": "Primer mes de operación", "due_on": "2027-03-01", "amount": SECOND},
            ],
        )
        opens = now - timedelta(hours=2)
        proposal = make_proposal(
            people[DELEGATE],
            committee,
            kind="fund-project",
            state=ProposalState.READY,
            title=TITLE,
            fields=fields,
            now=opens - timedelta(days=1),
        )
        ballot = decisions.put_to_vote(
            people[COMMITTEE_CHAIR],
            proposal.id,
            settings_for(
                title=TITLE, mode="nominal", opens_at=opens, closes_at=now - timedelta(minutes=1)
            ),
            now=opens,
        )
        for email in (COMMITTEE_CHAIR, COMMITTEE_TREASURER):
            vote(people[email], ballot, "yes", now=opens + timedelta(minutes=5))
        from votes import services as ballot_services

        ballot_services.refresh(ballot, now=now)
        decision = decisions.decision_for_ballot(ballot.id)
        assert decision is not None, "the committee approved the project"
        plan = db.session.execute(
            sa.select(DisbursementPlan).where(DisbursementPlan.decision_id == decision.id)
        ).scalar_one()
        first = min(plan.tranches, key=lambda t: t.position)
        result = Project(decision.id, first.id)
        db.session.commit()
        deliver_pending()
        db.session.remove()
    return result


class DecisionPage(BasePage):
    def __init__(self, page: Page, translate, decision_id: int) -> None:
        super().__init__(page, translate)
        self.path = f"/decisions/{decision_id}"

    def figure(self, label: str) -> str:
        """The value after ``label`` in the plan's summary (Approved, Paid, Remaining)."""
        term = self.main.locator("dt", has_text=re.compile(rf"^{re.escape(self._(label))}$"))
        return term.locator("xpath=following-sibling::dd[1]").inner_text().strip()

    def tranche(self, tranche_id: int) -> Locator:
        return self.main.locator(f"#tranche-{tranche_id}")

    def approve(self, tranche_id: int) -> None:
        with self.page.expect_navigation():
            self.tranche(tranche_id).get_by_role("button").click()

    @property
    def transfers(self) -> Locator:
        return self.main.locator("#disbursement-transfers tbody tr")


class AccountsPage(BasePage):
    path = "/ledger/"

    def balance(self, owner_name: str, currency: str) -> str:
        """The balance cell of ``owner_name``'s account in ``currency``."""
        section = self.main.locator(
            "section", has=self.page.get_by_role("heading", name=owner_name)
        )
        row = section.locator("tr", has_text=f"({currency})")
        return row.locator("td").nth(1).inner_text().strip()


class Money:
    """An amount of reais as the app shows it in ``language``."""

    def __init__(self, app, language: str) -> None:
        self._app = app
        self._language = language

    def __call__(self, amount: int) -> str:
        with self._app.test_request_context(), force_locale(self._language):
            return format_money(amount, "BRL")


def logged_in(new_context, translator, email: str) -> Page:
    page = new_context().new_page()
    LoginPage(page, translator).open().login(email, PASSWORD)
    return page


def stored(decision_id: int, live_server) -> tuple[int, list[Transfer], int]:
    with live_server.app.app_context():
        plan = db.session.execute(
            sa.select(DisbursementPlan).where(DisbursementPlan.decision_id == decision_id)
        ).scalar_one()
        transfers = list(
            db.session.execute(
                sa.select(Transfer).where(Transfer.reference == f"decision:{decision_id}")
            ).scalars()
        )
        organization = db.session.execute(
            sa.select(Organization).where(Organization.name == BENEFICIARY)
        ).scalar_one()
        account = network.account_by_code(f"organization:{organization.id}:BRL")
        assert account is not None
        result = (plan.paid_total, transfers, account.balance)
        db.session.remove()
        return result


def test_two_treasurers_pay_a_tranche_and_no_more_than_approved(
    live_server, new_context, translator, project
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    _paid, _transfers, balance_before = stored(project.decision_id, live_server)

    # The beneficiary's delegate sees the cooperative's reais before the payment.
    delegate = AccountsPage(logged_in(new_context, translator, DELEGATE), translator).open()
    before_on_page = delegate.balance(BENEFICIARY, "BRL")

    # The committee's chair opens the decision now and presses "approve" later.
    chair = DecisionPage(
        logged_in(new_context, translator, COMMITTEE_CHAIR), translator, project.decision_id
    ).open()
    expect(chair.tranche(project.first_tranche_id).get_by_role("button")).to_be_visible()

    # First approval: recorded, nothing paid.
    first = DecisionPage(
        logged_in(new_context, translator, COMMITTEE_TREASURER), translator, project.decision_id
    ).open()
    first.approve(project.first_tranche_id)
    expect(first.messages).to_contain_text(
        first._("Your approval is recorded. The tranche is paid when a second member approves it.")
    )
    expect(first.tranche(project.first_tranche_id)).to_contain_text(
        first._("Awaits a second approval")
    )
    assert stored(project.decision_id, live_server)[:2] == (0, [])

    # Second approval, by another treasurer: the tranche is paid.
    second = DecisionPage(
        logged_in(new_context, translator, NETWORK_TREASURER), translator, project.decision_id
    ).open()
    second.approve(project.first_tranche_id)
    expect(second.messages).to_contain_text(
        second._("Second approval recorded: the tranche is paid.")
    )
    expect(second.transfers).to_have_count(1)
    expect(second.transfers.first).to_contain_text("1. Trituradora comprada")
    second.page.screenshot(path=SCREENSHOTS / "decision-paid.png", full_page=True)
    assert_no_serious_violations(Axe(), second.page)
    paid, transfers, balance_after = stored(project.decision_id, live_server)
    assert paid == FIRST
    assert [(t.amount, t.modality.value) for t in transfers] == [(FIRST, "disbursement")]
    assert balance_after == balance_before + FIRST

    # Approved / paid / remaining, as the page shows them.
    money = Money(live_server.app, second.language)
    assert second.figure("Approved") == money(FIRST + SECOND)
    assert second.figure("Paid") == money(FIRST)
    assert second.figure("Remaining") == money(SECOND)

    # The beneficiary's balance grew by the tranche, on her page (in Portuguese).
    assert before_on_page == Money(live_server.app, delegate.language)(balance_before)
    delegate.open()
    assert delegate.balance(BENEFICIARY, "BRL") == Money(live_server.app, delegate.language)(
        balance_before + FIRST
    )
    delegate.page.screenshot(path=SCREENSHOTS / "beneficiary-accounts.png", full_page=True)

    # A third approval, from a page loaded before the payment: refused, nothing paid.
    chair.approve(project.first_tranche_id)
    expect(chair.messages).to_contain_text(
        chair._(
            "This tranche is already paid; paying it again would exceed what the decision approved."
        )
    )
    paid, transfers, balance_last = stored(project.decision_id, live_server)
    assert (paid, len(transfers), balance_last) == (FIRST, 1, balance_after)
    with live_server.app.app_context():
        tranche = db.session.get(Tranche, project.first_tranche_id)
        assert len(tranche.approvals) == 2
        db.session.remove()
