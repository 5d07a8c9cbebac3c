"""A surplus split in the browser (issue 8), on the demo network.

The treasurer proposes to split R$ 12,000.00 of the network's surplus account
among the expansion fund (at least 20 %), the solidarity fund and the reserve
(at most 50 %); the proposal is made ready for decision; the chair puts it to a
secret split ballot. Three members vote in three languages: one watches the
running sum with JavaScript, one without JavaScript is refused by the server
(the expansion gets less than its floor) and tries again, one votes on a
phone. The ballot closes on time; its page shows each destination's share and
amount, which add up to the surplus; the decision moved the money in one
linked batch, and each destination account received exactly its amount.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from flask_babel import force_locale
from playwright.sync_api import expect

from governance.extensions import db
from governance.models import Decision, Member
from ledger import network
from ledger.models import Account, Transfer
from ledger.owners import PURPOSE_LABELS
from proposals import services as proposal_services
from proposals.models import Proposal, ProposalState
from tests.e2e import pages
from tests.e2e.ballot_pages import LOCAL_MINUTE, BallotPage, ProposalPage
from tests.e2e.budget_pages import Words, logged_in
from tests.e2e.conftest import DEVICES
from tests.e2e.proposal_pages import NewProposalPage
from tests.e2e.test_accessibility import assert_no_serious_violations
from tests.e2e.test_ballots import run_the_scheduler_at
from votes import splits
from votes.models import Ballot, BallotMode, BallotState

pytestmark = pytest.mark.e2e

BODY_NAME = "Asamblea general de la red"
TREASURER = "quique@example.org"  # es
CHAIR = ("admin@example.org", "America/Lima")
TITLE = "Reparto del excedente de la feria de diciembre"
TOTAL = 1_200_000  # R$ 12,000.00
# (name on the ballot, the network account, floor, ceiling) in per cent
DESTINATIONS = [
    ("Expansión", network.Purpose.EXPANSION_FUND, "20", ""),
    ("Fondo Solidario", network.Purpose.SOLIDARITY_FUND, "", ""),
    ("Reserva", network.Purpose.RESERVE, "", "50"),
]
# Who votes, in what language and how: kevin (en) with JavaScript, julia
# (pt_BR) without, first below the expansion's floor; ignacio (es) on a phone.
KEVIN = ("kevin@example.org", [30, 50, 20])
JULIA = ("julia@example.org", [10, 60, 30], [25, 45, 30])
IGNACIO = ("ignacio@example.org", [40, 40, 20])


@pytest.fixture(scope="module")
def words(live_server) -> Words:
    return Words(live_server.app)


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def account_of(live_server, purpose: network.Purpose) -> tuple[int, int]:
    """A network account's id and balance, read from the database."""
    with live_server.app.app_context():
        account = network.network_account(purpose, "BRL")
        assert account is not None
        found = (account.id, account.balance)
        db.session.remove()
    return found


def make_ready(live_server, title: str) -> int:
    """The draft is published and made ready for decision (the deliberation and
    the supports are another test's journey)."""
    with live_server.app.app_context():
        proposal = db.session.execute(
            sa.select(Proposal).where(Proposal.title == title)
        ).scalar_one()
        author = db.session.execute(sa.select(Member).where(Member.email == TREASURER)).scalar_one()
        now = datetime.now(UTC)
        for state in (ProposalState.PUBLISHED, ProposalState.READY):
            proposal_services.transition(author, proposal, state, now=now)
        db.session.commit()
        proposal_id = proposal.id
        db.session.remove()
    return proposal_id


def propose(new_context, words: Words) -> None:
    """The treasurer writes the proposal with the form."""
    page = logged_in(new_context, words, TREASURER)
    form = NewProposalPage(page, words, kind="surplus-split").open()
    form.write(
        body=BODY_NAME,
        title=TITLE,
        text="La feria dejó un excedente; la asamblea decide cómo se reparte.",
    )
    surplus = form._("Surplus to allocate") + " · BRL"
    form.field("Account that holds the surplus").select_option(label=surplus)
    form.main.get_by_role(
        "radio", name=form._("A fixed amount (write it below)"), exact=True
    ).check()
    form.field("Amount").fill("12000")
    rows = form.main.get_by_role("group", name=form._("Destinations"), exact=True)
    for number, (label, purpose, floor, ceiling) in enumerate(DESTINATIONS, start=1):
        row = rows.get_by_role("group", name=form._("Row %(n)s", n=number), exact=True)
        row.get_by_label(form._("Name on the ballot"), exact=True).fill(label)
        account = words.name(form.language, PURPOSE_LABELS[purpose]) + " · BRL"
        row.get_by_label(form._("Account that receives it"), exact=True).select_option(
            label=account
        )
        row.get_by_label(form._("At least"), exact=True).fill(floor)
        row.get_by_label(form._("At most"), exact=True).fill(ceiling)
    form.submit("Save the draft")
    expect(form.messages).to_contain_text(
        form._("The draft is saved. Only its authors see it until it is published.")
    )
    page.context.close()


def put_to_a_secret_vote(new_context, words: Words, proposal_id: int) -> tuple[int, datetime]:
    """The chair sets up the split ballot: secret, closing in ten minutes."""
    page = logged_in(new_context, words, CHAIR[0])
    proposal = ProposalPage(page, words, proposal_id).open()
    form = proposal.put_to_vote()
    expect(form.main).not_to_contain_text(form._("Approval threshold"))
    zone = ZoneInfo(CHAIR[1])
    opens_local = datetime.now(zone).replace(second=0, microsecond=0, tzinfo=None)
    closes_local = opens_local + timedelta(minutes=10)
    form.choose("Secret: no one can see how each seat voted")
    form.field("Opens at").fill(opens_local.strftime(LOCAL_MINUTE))
    form.field("Closes at").fill(closes_local.strftime(LOCAL_MINUTE))
    form.field("Quorum (percent)").fill("0")
    form.submit("Put it to the vote")
    ballot = BallotPage.on_screen(page, words)
    expect(ballot.state).to_have_text(ballot._("Voting open"))
    page.context.close()
    closes_at = closes_local.replace(tzinfo=zone).astimezone(UTC)
    return ballot.ballot_id, closes_at


def own_seat(ballot: BallotPage):
    """The member's own vote form (a delegate's heading names the organization)."""
    [label] = ballot.seat_labels()
    return ballot.seat(label)


def fill_split(ballot: BallotPage, shares: list[int]) -> None:
    seat = own_seat(ballot)
    for (label, *_rest), share in zip(DESTINATIONS, shares, strict=True):
        seat.get_by_label(label, exact=True).fill(str(share))


def cast(ballot: BallotPage) -> None:
    seat = own_seat(ballot)
    with ballot.page.expect_navigation():
        seat.get_by_role("button").click()


def voted(ballot: BallotPage) -> None:
    receipt = ballot.receipt()
    assert receipt.is_shown, f"no receipt after the vote:\n{ballot.main.inner_text()}"


def test_a_surplus_split_is_voted_in_secret_and_moves_the_money_in_one_batch(
    new_context, live_server, words, axe, monkeypatch
):
    propose(new_context, words)
    proposal_id = make_ready(live_server, TITLE)
    ballot_id, closes_at = put_to_a_secret_vote(new_context, words, proposal_id)
    with live_server.app.app_context():
        stored = db.session.get(Ballot, ballot_id)
        assert (stored.method, stored.mode, stored.options) == (
            "split",
            BallotMode.SECRET,
            [label for label, *_ in DESTINATIONS],
        )
        assert stored.method_settings["total"] == TOTAL
        assert (stored.method_settings["floors"], stored.method_settings["ceilings"]) == (
            [20, 0, 0],
            [100, 100, 50],
        )
        db.session.remove()

    # Kevin (en) types his split and watches the running sum.
    kevin = logged_in(new_context, words, KEVIN[0])
    ballot = BallotPage(kevin, words, ballot_id).open()
    assert_no_serious_violations(axe, kevin)
    seat = own_seat(ballot)
    tally = seat.locator("output")
    # A share under its floor is flagged while typing, before the vote is cast.
    seat.get_by_label(DESTINATIONS[0][0], exact=True).fill("10")
    expect(tally).to_contain_text("“Expansión” must get at least 20%.")
    seat.get_by_label(DESTINATIONS[0][0], exact=True).fill("30")
    seat.get_by_label(DESTINATIONS[1][0], exact=True).fill("50")
    expect(tally).to_have_text("Total: 80% of 100%. 20% still to give.")
    seat.get_by_label(DESTINATIONS[2][0], exact=True).fill("20")
    expect(tally).to_have_text("Total: 100% of 100%.")
    cast(ballot)
    voted(ballot)

    # Julia (pt_BR) without JavaScript: her first split gives the expansion less
    # than its floor; the server says so and keeps what she typed.
    julia = logged_in(new_context, words, JULIA[0], java_script_enabled=False)
    ballot = BallotPage(julia, words, ballot_id).open()
    fill_split(ballot, JULIA[1])
    cast(ballot)
    refusal = ballot.main.get_by_role("alert")
    with live_server.app.test_request_context(), force_locale(ballot.language):
        floor = splits.units(20, 100)
    expect(refusal).to_contain_text(
        ballot._("“%(option)s” must get at least %(floor)s.", option="Expansión", floor=floor)
    )
    seat = own_seat(ballot)
    expect(seat.get_by_label("Fondo Solidario", exact=True)).to_have_value("60")
    pages.photograph(julia, "split-refused", folder="surplus")
    fill_split(ballot, JULIA[2])
    cast(ballot)
    voted(ballot)

    # Ignacio (es) on a phone.
    ignacio = logged_in(new_context, words, IGNACIO[0], **DEVICES["phone"])
    ballot = BallotPage(ignacio, words, ballot_id).open()
    fill_split(ballot, IGNACIO[1])
    pages.photograph(ignacio, "split-ballot", folder="surplus")
    cast(ballot)
    voted(ballot)

    before = {purpose: account_of(live_server, purpose) for _l, purpose, *_ in DESTINATIONS}
    source_before = account_of(live_server, network.Purpose.SURPLUS)

    # The clock reaches the closing time: the scheduler closes the ballot, the
    # decision is recorded and its effect moves the money.
    output = run_the_scheduler_at(live_server, monkeypatch, closes_at + timedelta(seconds=1))
    with live_server.app.app_context():
        closed = db.session.get(Ballot, ballot_id)
        assert closed.state is BallotState.CLOSED, output
        result = closed.result
        decision = db.session.execute(
            sa.select(Decision).where(Decision.ballot_id == ballot_id)
        ).scalar_one()
        transfers = list(
            db.session.execute(
                sa.select(Transfer)
                .where(Transfer.reference == f"decision:{decision.id}")
                .order_by(Transfer.seq)
            ).scalars()
        )
        accounts = {a.id: a for a in db.session.execute(sa.select(Account)).scalars()}
        transfer_rows = [
            (accounts[t.credit_account_id].code, t.amount, t.batch, t.debit_account_id)
            for t in transfers
        ]
        decision_id = decision.id
        db.session.remove()

    assert result["papers"] == 3 and result["approved"] is True
    amounts = result["amounts"]
    assert sum(amounts.values()) == TOTAL
    shares = {label: Fraction(result["shares"][label]) for label, *_ in DESTINATIONS}
    assert sum(shares.values()) == 1
    assert shares["Expansión"] >= Fraction(1, 5) and shares["Reserva"] <= Fraction(1, 2)

    # One linked batch from the surplus account, one transfer per destination.
    assert {batch for _code, _amount, batch, _debit in transfer_rows} == {f"surplus:{decision_id}"}
    assert {debit for *_rest, debit in transfer_rows} == {source_before[0]}
    for label, purpose, *_ in DESTINATIONS:
        _account_id, balance = account_of(live_server, purpose)
        assert balance - before[purpose][1] == amounts[label], label
    assert account_of(live_server, network.Purpose.SURPLUS)[1] == source_before[1] - TOTAL

    # The ballot's page shows the shares, the amounts and the batch.
    chair = logged_in(new_context, words, CHAIR[0])
    results = BallotPage(chair, words, ballot_id).open()
    expect(results.state).to_have_text(results._("Voting closed"))
    table = results.main.locator("table").first
    for label, *_ in DESTINATIONS:
        row = table.locator("tr", has=chair.locator(f"text={label}")).first
        expect(row).to_contain_text(words.money(results.language, amounts[label], "BRL"))
    expect(results.main).to_contain_text(words.money(results.language, TOTAL, "BRL"))
    money = results.main.locator("#surplus-money")
    expect(money.locator("#surplus-money-state")).to_contain_text(
        results._(
            "The money has moved: %(total)s from %(source)s, in one batch of transfers.",
            total=words.money(results.language, TOTAL, "BRL"),
            source=words.name(results.language, PURPOSE_LABELS[network.Purpose.SURPLUS]),
        )
    )
    for label, *_ in DESTINATIONS:
        expect(money.locator("#surplus-money-rows")).to_contain_text(label)
    assert_no_serious_violations(axe, chair)
    pages.photograph(chair, "split-result", folder="surplus")
