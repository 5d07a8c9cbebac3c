"""A surplus split put to a split ballot, and the money its approval moves
(``governance.decisions``, ``governance.effects.split_surplus``): the total is
fixed when the vote is set up; an approved split moves exactly the result's
amounts in one linked batch; a source short of money leaves the close standing
and the money waiting until the chair or secretary moves it, once."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from budgets.rules import surplus as rules
from governance import decisions
from governance.errors import DomainError, NotAllowed
from governance.models import AuditEntry
from ledger import services as ledger_services
from ledger.models import Modality, Transfer
from ledger.queries import balance_at, verify_balances, verify_chain
from ledger.specs import PostPendingSpec, TransferSpec
from proposals.models import Proposal, ProposalState
from tests.fixtures.ballots import VotingBody, close, make_voting_body, reread, vote
from tests.fixtures.factories import NOW, make_member
from tests.fixtures.helpers import count
from tests.fixtures.ledger import balance, fund, issuance_account, spec, transfer_count
from tests.fixtures.proposals import exactly, stored_state
from tests.fixtures.surplus import (
    LABELS,
    SurplusAccounts,
    audit_entries,
    make_split_proposal,
    put_split_to_vote,
    split_fields,
    surplus_accounts,
    surplus_transfers,
)
from votes.models import Ballot, BallotMode, BallotState

EN = {"Accept-Language": "en"}
TOTAL = 1_000_000
PAPERS = (
    {"Expansion": 50, "Solidarity fund": 30, "Reserve": 20},
    {"Expansion": 20, "Solidarity fund": 60, "Reserve": 20},
    {"Expansion": 30, "Solidarity fund": 25, "Reserve": 45},
)


@dataclass(frozen=True)
class Split:
    voting: VotingBody
    accounts: SurplusAccounts
    proposal: Proposal

    @property
    def chair(self):
        return self.voting.chair


def make_split(held: int, **fields) -> Split:
    voting = make_voting_body()
    accounts = surplus_accounts(held)
    proposal = make_split_proposal(voting.voters[0], voting.body, split_fields(accounts, **fields))
    return Split(voting, accounts, proposal)


@pytest.fixture
def split(request_context) -> Split:
    """A split of R$ 10,000.00 ready for decision; the source holds exactly that."""
    return make_split(TOTAL)


def voted_and_closed(split: Split, papers=PAPERS, **settings) -> Ballot:
    ballot = put_split_to_vote(split.chair, split.proposal, **settings)
    for voter, paper in zip(split.voting.voters, papers, strict=False):
        vote(voter, ballot, paper)
    return reread(close(ballot))


def balances(split: Split) -> dict[str, int]:
    accounts = split.accounts
    return {
        "source": balance(accounts.source),
        **{label: balance(a) for label, a in zip(LABELS, accounts.destinations, strict=True)},
    }


# --- put to the vote ------------------------------------------------------------------------


def test_put_to_vote_makes_a_split_ballot_with_the_total_fixed(split):
    ballot = put_split_to_vote(
        split.chair,
        split.proposal,
        title="How do we split the 2026 surplus?",
        description="Split it as you think best.",
        mode="nominal",
        quorum=(1, 2),
        threshold=(2, 3),  # what the chair's form gave: a split has none
    )
    stored = reread(ballot)
    assert stored.method == "split"
    assert stored.options == list(LABELS)
    assert (stored.threshold_num, stored.threshold_den) == (None, None)
    assert stored.method_settings == {
        "scale": 100,
        "rule": "independent-markets",
        "floors": [20, 0, 0],
        "ceilings": [100, 100, 50],
        "total": TOTAL,
        "currency": "BRL",
    }
    assert stored.title == "How do we split the 2026 surplus?"
    assert stored.description == "Split it as you think best."
    assert (stored.mode, stored.quorum) == (BallotMode.NOMINAL, Fraction(1, 2))
    assert (stored.proposal_id, stored.revision_number) == (split.proposal.id, 1)
    assert stored.state is BallotState.OPEN
    assert stored_state(split.proposal) is ProposalState.IN_BALLOT


def post_at(debit, credit, amount: int, at: datetime, **fields) -> None:
    ledger_services.post(spec(debit, credit, amount, **fields), now=at.replace(tzinfo=UTC))


def test_a_balance_at_a_date_counts_posted_money_until_the_end_of_that_day(request_context):
    accounts = surplus_accounts()
    world, source, reserve = issuance_account("BRL"), accounts.source, accounts.reserve
    deposit = {"modality": Modality.DEPOSIT}
    post_at(world, source, 300_000, datetime(2026, 11, 19, 10, 0), **deposit)
    post_at(world, source, 200_000, datetime(2026, 11, 20, 23, 59, 59, 999_999), **deposit)
    # Pending money moves nothing; posted after the day's end, it counts from then.
    ledger_services.post(
        TransferSpec(
            "hold-1", source.id, reserve.id, 100_000, "BRL", Modality.PURCHASE, is_pending=True
        ),
        now=datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
    )
    post_at(source, reserve, 50_000, datetime(2026, 11, 20, 18, 0))
    post_at(world, source, 70_000, datetime(2026, 11, 21, 0, 0), **deposit)  # the next day
    ledger_services.post_batch(
        [PostPendingSpec("hold-1-posted", "hold-1")], now=datetime(2026, 11, 21, 9, tzinfo=UTC)
    )
    end = datetime(2026, 11, 21, tzinfo=UTC)
    assert balance_at(source.id, datetime(2026, 11, 19, 10, 0)) == 0  # created at, not before
    assert balance_at(source.id, end) == 300_000 + 200_000 - 50_000
    assert balance_at(source.id, end + timedelta(days=1)) == 450_000 + 70_000 - 100_000
    assert balance_at(reserve.id, end) == 50_000
    assert balance_at(source.id, NOW) == balance(source)

    voting = make_voting_body()
    proposal = make_split_proposal(
        voting.voters[0],
        voting.body,
        split_fields(accounts, basis="balance", amount=None, balance_date="2026-11-20"),
    )
    ballot = put_split_to_vote(voting.chair, proposal)
    assert reread(ballot).method_settings["total"] == 450_000


@pytest.mark.parametrize(
    ("balance_date", "message"),
    [
        (
            NOW.date().isoformat(),
            "The surplus is the balance of Surplus to allocate (network:surplus:BRL) at the "
            "end of Nov 23, 2026 (UTC), and that day has not ended yet. Put the proposal to a "
            "vote after it.",
        ),
        (
            "2026-11-01",
            "At the end of Nov 1, 2026, Surplus to allocate (network:surplus:BRL) held R$0.00: "
            "there is no surplus to split.",
        ),
    ],
)
def test_a_balance_not_known_or_empty_is_not_put_to_the_vote(
    request_context, balance_date, message
):
    split = make_split(TOTAL, basis="balance", amount=None, balance_date=balance_date)
    ballots = count(Ballot)
    with pytest.raises(DomainError, match=exactly(message)):
        put_split_to_vote(split.chair, split.proposal)
    assert count(Ballot) == ballots
    assert stored_state(split.proposal) is ProposalState.READY


# --- the money moves ----------------------------------------------------------------------


def test_an_approved_split_moves_exactly_the_result_in_one_batch(split):
    before = balances(split)
    ballot = voted_and_closed(split)
    amounts = ballot.result["amounts"]
    assert ballot.result["approved"] and sum(amounts.values()) == TOTAL
    decision = decisions.decision_for_ballot(ballot.id)
    assert decision is not None
    after = balances(split)
    assert after["source"] == before["source"] - TOTAL
    for label in LABELS:
        assert after[label] - before[label] == amounts[label]
    transfers = surplus_transfers(decision)
    assert [t.id for t in transfers] == [f"surplus:{decision.id}:{n}" for n in (1, 2, 3)]
    assert {t.batch for t in transfers} == {f"surplus:{decision.id}"}
    assert [t.memo for t in transfers] == list(LABELS)
    assert [t.amount for t in transfers] == [amounts[label] for label in LABELS]
    assert [t.credit_account_id for t in transfers] == [a.id for a in split.accounts.destinations]
    assert {t.debit_account_id for t in transfers} == {split.accounts.source.id}
    assert {t.modality for t in transfers} == {Modality.DISBURSEMENT}
    assert {t.reference for t in transfers} == {f"decision:{decision.id}"}
    [moved] = audit_entries("surplus.moved", decision)
    assert moved.actor_id is None
    assert json.loads(moved.data)["transfers"] == [t.id for t in transfers]
    assert audit_entries("surplus.waiting", decision) == []
    assert stored_state(split.proposal) is ProposalState.APPROVED
    assert verify_chain().is_intact and verify_balances().is_intact


def test_the_amounts_are_the_rule_applied_to_the_papers(split):
    ballot = voted_and_closed(split)
    shares = rules.independent_markets(
        rules.profile(LABELS, [[p[label] for label in LABELS] for p in PAPERS], scale=100),
        [Fraction(20, 100), Fraction(0), Fraction(0)],
        [Fraction(1), Fraction(1), Fraction(1, 2)],
    )
    expected = rules.amounts(shares, TOTAL)
    transfers = surplus_transfers(decisions.decision_for_ballot(ballot.id))
    assert [t.amount for t in transfers] == list(expected)


def test_a_destination_given_nothing_gets_no_transfer(split):
    papers = [{"Expansion": 50, "Solidarity fund": 50}] * 3
    ballot = voted_and_closed(split, papers=papers)
    assert ballot.result["amounts"] == {
        "Expansion": 500_000,
        "Solidarity fund": 500_000,
        "Reserve": 0,
    }
    decision = decisions.decision_for_ballot(ballot.id)
    transfers = surplus_transfers(decision)
    assert [(t.id, t.amount) for t in transfers] == [
        (f"surplus:{decision.id}:1", 500_000),
        (f"surplus:{decision.id}:2", 500_000),
    ]


@pytest.fixture
def short(request_context) -> Split:
    """A split of R$ 10,000.00 whose source holds only R$ 4,000.00."""
    return make_split(400_000)


def test_a_source_short_of_money_closes_and_waits(short):
    before, transfers = balances(short), transfer_count()
    ballot = voted_and_closed(short)
    assert ballot.state is BallotState.CLOSED and ballot.result["approved"]
    decision = decisions.decision_for_ballot(ballot.id)
    assert decision is not None
    assert stored_state(short.proposal) is ProposalState.APPROVED
    assert surplus_transfers(decision) == []
    assert (balances(short), transfer_count()) == (before, transfers)
    [waiting] = audit_entries("surplus.waiting", decision)
    data = json.loads(waiting.data)
    assert (data["code"], data["total"], data["batch"]) == (
        "insufficient-funds",
        TOTAL,
        f"surplus:{decision.id}",
    )
    assert audit_entries("surplus.moved", decision) == []


def test_the_chair_moves_the_waiting_money_once_it_is_there(short):
    ballot = voted_and_closed(short)
    decision = decisions.decision_for_ballot(ballot.id)
    later = NOW + timedelta(days=8)
    audits = count(AuditEntry)
    with pytest.raises(
        DomainError,
        match=exactly(
            "The account the surplus comes from has R$4,000.00 available, less than the "
            "R$10,000.00 to split. Nothing moved; try again once the money is there."
        ),
    ):
        decisions.move_surplus(short.chair, decision.id, now=later)
    assert (surplus_transfers(decision), count(AuditEntry)) == ([], audits)

    fund(short.accounts.source, 600_000)
    before = balances(short)
    moved = decisions.move_surplus(short.chair, decision.id, now=later)
    amounts = ballot.result["amounts"]
    assert moved.is_new
    assert moved.transfer_ids == tuple(f"surplus:{decision.id}:{n}" for n in (1, 2, 3))
    after = balances(short)
    assert after["source"] == before["source"] - TOTAL == 0
    assert all(after[label] - before[label] == amounts[label] for label in LABELS)
    [entry] = audit_entries("surplus.moved", decision)
    assert entry.actor_id == short.chair.id

    transfers = transfer_count()
    again = decisions.move_surplus(short.chair, decision.id, now=later + timedelta(hours=1))
    assert not again.is_new and again.transfer_ids == moved.transfer_ids
    assert (transfer_count(), balances(short)) == (transfers, after)
    assert len(audit_entries("surplus.moved", decision)) == 1
    assert {t.created_at for t in surplus_transfers(decision)} == {later.replace(tzinfo=None)}


def test_only_the_chair_or_secretary_moves_the_money(short):
    ballot = voted_and_closed(short)
    decision = decisions.decision_for_ballot(ballot.id)
    fund(short.accounts.source, 600_000)
    transfers, audits = transfer_count(), count(AuditEntry)
    for someone in (short.voting.voters[0], short.voting.observer, short.voting.outsider):
        with pytest.raises(NotAllowed):
            decisions.move_surplus(someone, decision.id, now=NOW + timedelta(days=8))
    assert (transfer_count(), count(AuditEntry)) == (transfers, audits)


def test_a_decision_of_another_kind_moves_no_surplus(request_context, project):
    admin = make_member(is_admin=True)
    with pytest.raises(DomainError, match=exactly("This decision moves no surplus.")):
        decisions.move_surplus(admin, project.decision.id, now=NOW)


def test_quorum_not_met_decides_and_moves_nothing(split):
    before, transfers = balances(split), transfer_count()
    ballot = voted_and_closed(split, papers=PAPERS[:1], quorum=(2, 3))
    assert not ballot.result["quorum_met"] and not ballot.result["approved"]
    assert decisions.decision_for_ballot(ballot.id) is None
    assert stored_state(split.proposal) is ProposalState.READY
    assert (balances(split), transfer_count()) == (before, transfers)
    assert count(Transfer) == transfers


# --- the pages ---------------------------------------------------------------------------


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_the_put_to_vote_page_asks_no_threshold(client, auth, post, split):
    auth.login(split.chair.email)
    path = f"/proposals/{split.proposal.id}/ballot/new"
    page = client.get(path, headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="threshold"' not in html and "Needed to approve" not in html
    assert "will split the surplus of revision 1 of the proposal among its destinations" in html
    response = post(
        path,
        {
            "title": "Split of the 2026 surplus",
            "description": "",
            "mode": "secret",
            # The page's clock is the real one.
            "opens_at": (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
            "quorum_percent": "25",
        },
        headers=EN,
    )
    assert response.status_code == 302, text_of(response)
    ballot = Ballot.query.filter_by(proposal_id=split.proposal.id).one()
    assert (ballot.method, ballot.options) == ("split", list(LABELS))
    assert ballot.method_settings["total"] == TOTAL and ballot.threshold is None


def test_the_decision_page_shows_the_money_that_moved(client, auth, split):
    ballot = voted_and_closed(split)
    decision = decisions.decision_for_ballot(ballot.id)
    auth.login(split.voting.voters[1].email)
    page = text_of(client.get(f"/decisions/{decision.id}", headers=EN))
    assert "The money has moved: R$10,000.00 from Surplus to allocate" in page
    for label in LABELS:
        assert f"{label} " in page and f"surplus:{decision.id}:" in page
    html = client.get(f"/decisions/{decision.id}", headers=EN).get_data(as_text=True)
    assert f'href="/ledger/transfers/surplus:{decision.id}:1"' in html
    assert 'id="surplus-move"' not in html


def test_the_chair_moves_waiting_money_from_the_decision_page(client, auth, post, short):
    ballot = voted_and_closed(short)
    decision = decisions.decision_for_ballot(ballot.id)
    path = f"/decisions/{decision.id}"
    auth.login(short.voting.voters[0].email)
    page = text_of(client.get(path, headers=EN))
    assert "The money has not moved yet: Surplus to allocate has R$4,000.00 available" in page
    assert "Move the money now" not in page
    assert post(f"{path}/surplus/move", {}, form_page=path).status_code == 403
    auth.logout()

    auth.login(short.chair.email)
    assert "Move the money now (R$10,000.00)" in text_of(client.get(path, headers=EN))
    refused = post(f"{path}/surplus/move", {"next": path}, form_page=path, headers=EN)
    assert refused.status_code == 302
    assert "has R$4,000.00 available, less than the R$10,000.00" in text_of(
        client.get(path, headers=EN)
    )
    assert surplus_transfers(decision) == []
    fund(short.accounts.source, 600_000)
    moved = post(f"{path}/surplus/move", {"next": path}, form_page=path, headers=EN)
    assert moved.status_code == 302 and moved.headers["Location"] == path
    page = text_of(client.get(path, headers=EN))
    assert "The money has moved to the destinations." in page
    assert "The money has moved: R$10,000.00" in page
    assert len(surplus_transfers(decision)) == 3
    # A second press (an old page) moves nothing and says so.
    post(f"{path}/surplus/move", {"next": path}, form_page=f"/decisions/{decision.id}")
    assert "The money had already moved; nothing was moved again." in text_of(
        client.get(path, headers=EN)
    )
    assert len(surplus_transfers(decision)) == 3


def test_moving_needs_the_form_token(client, auth, short):
    ballot = voted_and_closed(short)
    decision = decisions.decision_for_ballot(ballot.id)
    fund(short.accounts.source, 600_000)
    auth.login(short.chair.email)
    assert client.post(f"/decisions/{decision.id}/surplus/move").status_code == 400
    assert surplus_transfers(decision) == []


def test_the_partial_is_silent_for_other_ballots(app, split):
    from budgets.surplus_pages import surplus_money

    ballot = put_split_to_vote(split.chair, split.proposal)
    assert surplus_money(ballot) is None  # open: nothing to say yet
    assert surplus_money(object()) is None


# --- the demo -------------------------------------------------------------------------


def test_the_demo_votes_on_its_surplus_in_an_open_secret_split(app, db_session):
    from governance.models import Member
    from votes.models import SecretPaper, SecretParticipation

    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    [proposal] = Proposal.query.filter_by(kind="surplus-split").all()
    assert proposal.state is ProposalState.IN_BALLOT
    [ballot] = Ballot.query.filter_by(proposal_id=proposal.id).all()
    assert (ballot.method, ballot.mode, ballot.state) == (
        "split",
        BallotMode.SECRET,
        BallotState.OPEN,
    )
    assert ballot.options == ["Expansión de la red", "Fondo Solidario", "Reserva de la red"]
    assert ballot.method_settings["floors"] == [20, 0, 0]
    assert ballot.method_settings["total"] == 6_000_000  # the surplus deposited a week ago
    assert timedelta(days=13) < ballot.closes_at - ballot.opened_at < timedelta(days=15)
    papers = SecretPaper.query.filter_by(ballot_id=ballot.id).count()
    assert papers == 6 and ballot.electorate_weight > papers
    voted = {row.seat_id for row in SecretParticipation.query.filter_by(ballot_id=ballot.id)}
    for email in ("admin@example.org", "ana@example.org", "zoe@example.org"):
        member = Member.query.filter_by(email=email).one()
        assert not {seat.id for seat in member.seats} & voted, f"{email} has voted already"
    assert verify_chain().is_intact and verify_balances().is_intact
