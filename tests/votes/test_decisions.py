"""A proposal put to a ballot, and what follows when the ballot closes
(``governance/decisions.py``): approved proposals get one decision that names the
ballot, the hash of its result and the revision voted on, and their kind's effect
runs once; rejected ones get none; a cancelled ballot gives the proposal back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from governance import decisions, effects
from governance.errors import DomainError, NotAllowed
from governance.extensions import db
from governance.models import AuditEntry, Decision
from proposals import services as proposal_services
from proposals.models import ProposalState
from tests.fixtures.ballots import (
    CLOSES_AT,
    close,
    open_now,
    reread,
    seat_of,
    settings_for,
    stored_rows,
    vote,
)
from tests.fixtures.factories import NOW
from tests.fixtures.proposals import exactly, make_proposal, stored_state
from votes import services
from votes.models import BallotState

S = ProposalState


@pytest.fixture
def motion_effect() -> Iterator[list[tuple]]:
    """A temporary effect for motions that records how it was called."""
    calls: list[tuple] = []
    previous = effects.effect_for("motion")
    effects.unregister_effect("motion")
    effects.register_effect(
        "motion", lambda decision, proposal, now: calls.append((decision, proposal, now))
    )
    try:
        yield calls
    finally:
        effects.unregister_effect("motion")
        if previous is not None:
            effects.register_effect("motion", previous)


@pytest.fixture
def ready(cast):
    """A motion in its second revision, put forward by the chair."""
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED, title="Solar panels")
    proposal_services.revise(
        cast.author,
        proposal.id,
        title="Solar panels on the warehouse",
        text="The assembly buys solar panels for the warehouse roof.",
        fields=None,
        now=NOW,
    )
    proposal_services.put_forward(cast.chair, proposal.id, now=NOW)
    assert (proposal.state, proposal.current_revision) == (S.READY, 2)
    return proposal


def put_to_vote(actor, proposal, **settings):
    return decisions.put_to_vote(actor, proposal.id, settings_for(**settings), now=NOW)


def voters_of(cast) -> list:
    """The seven members of the cast whose seats vote (weight 1 each)."""
    return [cast.chair, cast.secretary, cast.author, cast.coauthor, *cast.voters]


def vote_all(cast, ballot, yes: int, no: int) -> None:
    members = voters_of(cast)
    for member in members[:yes]:
        vote(member, ballot, "yes")
    for member in members[yes : yes + no]:
        vote(member, ballot, "no")


def all_decisions() -> list[Decision]:
    return list(db.session.execute(sa.select(Decision).order_by(Decision.id)).scalars())


@pytest.mark.parametrize("state", [S.DRAFT, S.PUBLISHED, S.WITHDRAWN])
def test_only_a_proposal_ready_for_decision_is_put_to_a_vote(cast, state):
    proposal = make_proposal(cast.author, cast.body, state=state)
    before = stored_rows()
    with pytest.raises(
        DomainError,
        match=exactly("Only a proposal that is ready for decision can be put to a vote."),
    ):
        put_to_vote(cast.chair, proposal)
    assert stored_rows() == before
    assert stored_state(proposal) is state


def test_only_the_chair_or_secretary_puts_it_to_a_vote(cast, ready):
    before = stored_rows()
    for member in (cast.author, cast.voters[0], cast.outsider):
        with pytest.raises(NotAllowed):
            put_to_vote(member, ready)
    assert stored_rows() == before
    ballot = put_to_vote(cast.secretary, ready)
    assert ballot.created_by_id == cast.secretary.id


def test_a_proposal_is_decided_by_yes_no_or_abstain(cast, ready):
    before = stored_rows()
    with pytest.raises(DomainError, match=exactly("A proposal is decided by yes, no or abstain.")):
        put_to_vote(cast.chair, ready, method="plurality", options=["a", "b"])
    assert stored_rows() == before
    assert stored_state(ready) is S.READY


def test_putting_it_to_a_vote_moves_it_into_the_ballot(cast, ready):
    ballot = put_to_vote(cast.chair, ready)
    assert stored_state(ready) is S.IN_BALLOT
    stored = reread(ballot)
    assert (stored.proposal_id, stored.revision_number) == (ready.id, 2)
    assert (stored.method, stored.state) == ("yes-no-abstain", BallotState.SCHEDULED)
    assert decisions.ballots_for_proposal(ready.id) == [stored]
    with pytest.raises(DomainError):  # not twice
        put_to_vote(cast.chair, ready)


@pytest.mark.parametrize("mode", ["secret", "nominal"])
def test_an_approving_ballot_records_one_decision_and_runs_the_effect_once(
    cast, ready, motion_effect, mode
):
    ballot = put_to_vote(cast.chair, ready, opens_at=NOW, mode=mode)
    assert ballot.state is BallotState.OPEN
    vote_all(cast, ballot, yes=4, no=1)
    ready_title = ready.title

    close(ballot)

    assert stored_state(ready) is S.APPROVED
    [decision] = all_decisions()
    stored = reread(ballot)
    assert stored.result["approved"] is True
    assert (decision.ballot_id, decision.proposal_id, decision.body_id) == (
        ballot.id,
        ready.id,
        cast.body.id,
    )
    assert decision.result_hash == stored.result_hash == stored.result["hash"]
    assert decision.revision_number == 2
    assert decision.title == ready_title == "Solar panels on the warehouse"
    assert decision.decided_at == CLOSES_AT.replace(tzinfo=None)
    assert decision.supersedes_id is None
    assert motion_effect == [(decision, ready, CLOSES_AT)]
    assert decisions.decision_for_ballot(ballot.id) == decision
    assert decisions.decisions_for_proposal(ready.id) == [decision]
    recorded = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "decision.recorded")
    ).scalar_one()
    assert recorded.object_id == str(decision.id)

    services.refresh(ballot, now=CLOSES_AT + timedelta(days=1))  # closing again does nothing
    assert len(all_decisions()) == 1 and len(motion_effect) == 1


def test_a_rejecting_ballot_records_no_decision(cast, ready, motion_effect):
    ballot = put_to_vote(cast.chair, ready, opens_at=NOW)
    vote_all(cast, ballot, yes=2, no=3)
    close(ballot)
    assert reread(ballot).result["approved"] is False
    assert stored_state(ready) is S.REJECTED
    assert all_decisions() == []
    assert motion_effect == []


def test_a_tie_at_the_threshold_rejects(cast, ready, motion_effect):
    ballot = put_to_vote(cast.chair, ready, opens_at=NOW)
    vote_all(cast, ballot, yes=2, no=2)
    close(ballot)
    assert stored_state(ready) is S.REJECTED
    assert all_decisions() == [] and motion_effect == []


def test_a_missed_quorum_decides_nothing_even_with_a_unanimous_yes(cast, ready, motion_effect):
    ballot = put_to_vote(cast.chair, ready, opens_at=NOW, quorum=(1, 2))
    vote_all(cast, ballot, yes=3, no=0)  # 3 of 7
    close(ballot)
    result = reread(ballot).result
    assert (result["quorum_met"], result["approved"]) == (False, False)
    # Back to ready for decision: it can be put to a vote again.
    assert stored_state(ready) is S.READY
    assert all_decisions() == [] and motion_effect == []
    again = put_to_vote(cast.chair, ready, opens_at=NOW)
    assert again.id != ballot.id and stored_state(ready) is S.IN_BALLOT


def test_cancelling_the_scheduled_ballot_gives_the_proposal_back(cast, ready):
    ballot = put_to_vote(cast.chair, ready)
    services.cancel_ballot(cast.chair, ballot.id, now=NOW)
    assert reread(ballot).state is BallotState.CANCELLED
    assert stored_state(ready) is S.READY
    again = put_to_vote(cast.chair, ready)
    assert decisions.ballots_for_proposal(ready.id) == [again, reread(ballot)]
    assert stored_state(ready) is S.IN_BALLOT


def test_a_failing_effect_rolls_the_close_back_whole(cast, ready):
    def broken(decision, proposal, now):
        raise DomainError("The ledger refused the transfer.")

    ballot = put_to_vote(cast.chair, ready, opens_at=NOW)
    vote_all(cast, ballot, yes=5, no=0)
    db.session.flush()
    before = stored_rows()
    previous = effects.effect_for("motion")
    effects.unregister_effect("motion")
    effects.register_effect("motion", broken)
    try:
        # The savepoint stands for the request's rollback, in the test's transaction.
        with pytest.raises(DomainError, match="ledger refused"), db.session.begin_nested():
            close(ballot)
    finally:
        effects.unregister_effect("motion")
        if previous is not None:
            effects.register_effect("motion", previous)

    assert stored_rows() == before
    assert reread(ballot).state is BallotState.OPEN
    assert reread(ballot).result is None
    assert stored_state(ready) is S.IN_BALLOT


def test_a_standalone_ballot_decides_no_proposal(cast, motion_effect):
    ballot = open_now(cast.chair, cast.body)
    vote(cast.voters[0], ballot, "yes")
    close(ballot)
    assert reread(ballot).result["approved"] is True
    assert all_decisions() == [] and motion_effect == []


def refused(statement: str) -> None:
    """The statement fails in the database; the test's transaction goes on."""
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.session.begin_nested():
        db.session.execute(sa.text(statement))


def test_the_database_refuses_to_change_or_delete_a_decision(cast, ready):
    ballot = put_to_vote(cast.chair, ready, opens_at=NOW)
    vote(cast.voters[0], ballot, "yes")
    close(ballot)
    [decision] = all_decisions()
    title, decision_id = decision.title, decision.id

    refused("UPDATE decisions SET title = 'Rewritten'")
    refused(f"UPDATE decisions SET result_hash = '{'0' * 64}' WHERE id = {decision_id}")
    refused("DELETE FROM decisions")

    db.session.expire_all()
    assert [(d.id, d.title) for d in all_decisions()] == [(decision_id, title)]
    assert seat_of(cast.voters[0], cast.body)  # the session still works
