"""An amendment decided by a ballot of the body instead of by the authors
(``governance.decisions.put_amendment_to_vote``): approved, its text becomes
the proposal's next revision; rejected, the text stays; while the body votes,
neither the authors nor another ballot can change the text."""

from __future__ import annotations

import pytest

from governance import decisions
from governance.errors import DomainError, NotAllowed
from proposals import deliberation
from proposals import services as proposal_services
from proposals.models import AmendmentState, ProposalState
from tests.fixtures.ballots import close, settings_for, stored_rows, vote
from tests.fixtures.factories import NOW
from tests.fixtures.proposals import exactly, make_amendment, make_proposal, revisions_of
from votes import services
from votes.models import BallotState

AMENDED = "The assembly adopts this motion.\n\nIt takes effect next month."


@pytest.fixture
def amendment(cast):
    proposal = make_proposal(cast.author, cast.body, state=ProposalState.PUBLISHED)
    return make_amendment(cast.voters[0], proposal, text=AMENDED)


def to_vote(cast, amendment, **settings):
    return decisions.put_amendment_to_vote(
        cast.chair, amendment.id, settings_for(opens_at=NOW, **settings), now=NOW
    )


def test_an_approved_amendment_becomes_the_next_revision(cast, amendment):
    ballot = to_vote(cast, amendment)
    assert amendment.state is AmendmentState.IN_BALLOT
    assert ballot.amendment_id == amendment.id and ballot.revision_number == 1
    for voter in cast.voters[:2]:
        vote(voter, ballot, "yes")
    vote(cast.voters[2], ballot, "no")
    close(ballot)
    assert ballot.result["approved"] is True
    assert amendment.state is AmendmentState.ACCEPTED
    assert amendment.resulting_revision == 2
    assert amendment.decided_by_id is None
    assert amendment.decision_reason == f"ballot {ballot.id}"
    [_first, second] = revisions_of(amendment_proposal(amendment))
    assert second.text == AMENDED
    assert second.author_id == amendment.author_id
    # The proposal itself is not decided by the amendment's ballot.
    assert amendment_proposal(amendment).state is ProposalState.PUBLISHED
    assert decisions.decision_for_ballot(ballot.id) is None


def test_a_rejected_amendment_leaves_the_text(cast, amendment):
    ballot = to_vote(cast, amendment)
    vote(cast.voters[0], ballot, "yes")
    vote(cast.voters[1], ballot, "no")
    close(ballot)
    assert ballot.result["approved"] is False
    assert amendment.state is AmendmentState.REJECTED
    assert [r.number for r in revisions_of(amendment_proposal(amendment))] == [1]


def test_while_the_body_votes_the_authors_cannot_decide_or_edit(cast, amendment):
    to_vote(cast, amendment)
    proposal = amendment_proposal(amendment)
    with pytest.raises(DomainError, match="its ballot decides it"):
        deliberation.decide_amendment(
            cast.author, amendment.id, accept=True, reason="Fine", now=NOW
        )
    with pytest.raises(DomainError, match="being voted on"):
        proposal_services.revise(
            cast.author, proposal.id, title=proposal.title, text="Other text", fields=None, now=NOW
        )
    other = make_amendment(cast.voters[1], proposal, text="Yet another wording.")
    # Nor can the authors accept another amendment meanwhile: the vote's text would
    # overwrite it.
    with pytest.raises(DomainError, match="being voted on"):
        deliberation.decide_amendment(cast.author, other.id, accept=True, reason="Ok", now=NOW)
    with pytest.raises(
        DomainError, match=exactly("Another amendment to this proposal is being voted on.")
    ):
        to_vote(cast, other)
    assert other.state is AmendmentState.OPEN


def test_only_the_chair_or_secretary_puts_an_amendment_to_a_vote(cast, amendment):
    before = stored_rows()
    with pytest.raises(NotAllowed):
        decisions.put_amendment_to_vote(
            cast.author, amendment.id, settings_for(opens_at=NOW), now=NOW
        )
    assert amendment.state is AmendmentState.OPEN
    assert stored_rows() == before


def test_a_cancelled_ballot_gives_the_amendment_back(cast, amendment):
    ballot = decisions.put_amendment_to_vote(cast.chair, amendment.id, settings_for(), now=NOW)
    assert ballot.state is BallotState.SCHEDULED
    services.cancel_ballot(cast.chair, ballot.id, now=NOW)
    assert amendment.state is AmendmentState.OPEN
    deliberation.decide_amendment(cast.author, amendment.id, accept=False, reason="No", now=NOW)
    assert amendment.state is AmendmentState.REJECTED


def test_an_amendment_on_an_old_revision_cannot_go_to_a_vote(cast, amendment):
    proposal = amendment_proposal(amendment)
    proposal_services.revise(
        cast.author, proposal.id, title=proposal.title, text="A new text.", fields=None, now=NOW
    )
    with pytest.raises(DomainError, match="The text changed after this amendment was written"):
        to_vote(cast, amendment)
    assert amendment.state is AmendmentState.OPEN


def test_the_proposal_waits_for_its_amendment_ballot(cast, amendment):
    to_vote(cast, amendment)
    proposal = amendment_proposal(amendment)
    proposal_services.put_forward(cast.chair, proposal.id, now=NOW)
    with pytest.raises(DomainError, match="wait for its result"):
        decisions.put_to_vote(cast.chair, proposal.id, settings_for(), now=NOW)
    assert proposal.state is ProposalState.READY


def test_approval_after_the_proposal_was_withdrawn_changes_nothing(cast, amendment):
    ballot = to_vote(cast, amendment)
    for voter in cast.voters:
        vote(voter, ballot, "yes")
    proposal_services.withdraw(cast.author, amendment.proposal_id, now=NOW)
    close(ballot)
    assert amendment.state is AmendmentState.REJECTED
    assert "withdrawn" in amendment.decision_reason
    assert [r.number for r in revisions_of(amendment_proposal(amendment))] == [1]


def amendment_proposal(amendment):
    return proposal_services.get_proposal(amendment.proposal_id)
