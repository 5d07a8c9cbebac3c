"""The lifecycle: every allowed move, every refused one, and who may make each."""

from __future__ import annotations

import itertools
import json

import pytest
import sqlalchemy as sa

from governance.errors import DomainError, NotAllowed
from governance.extensions import db
from governance.models import Role
from proposals import services
from proposals.models import TRANSITIONS, ProposalState
from proposals.services import STATE_NAMES
from tests.fixtures.factories import NOW, make_member, make_seat
from tests.fixtures.proposals import (
    exactly,
    last_audit,
    make_proposal,
    make_proposal_body,
    stored_rows,
    stored_state,
)

S = ProposalState
ALLOWED = [(state, target) for state, targets in TRANSITIONS.items() for target in targets]
REFUSED = [
    (state, target)
    for state, target in itertools.product(ProposalState, ProposalState)
    if target not in TRANSITIONS[state]
]
AT = NOW.replace(tzinfo=None)


def _id(pair) -> str:
    return f"{pair[0].value}->{pair[1].value}"


@pytest.fixture
def author(request_context):
    return make_member(name="Ana Author")


@pytest.fixture
def body(request_context):
    return make_proposal_body()


def test_the_lifecycle_has_the_moves_of_the_issue():
    # The ballots issue added one: a cancelled ballot gives the proposal back as ready.
    assert len(ALLOWED) == 12
    assert len(REFUSED) == 64 - 12
    assert S.READY in TRANSITIONS[S.IN_BALLOT]
    assert TRANSITIONS[S.ARCHIVED] == frozenset()
    assert S.WITHDRAWN not in TRANSITIONS[S.IN_BALLOT]


@pytest.mark.parametrize("pair", ALLOWED, ids=_id)
def test_every_allowed_move_is_stored_and_audited(author, body, pair):
    state, target = pair
    proposal = make_proposal(author, body, state=state)
    services.transition(author, proposal, target, now=NOW, reason="because")
    db.session.expire_all()
    assert stored_state(proposal) is target
    entry = last_audit()
    assert (entry.action, entry.actor_id, entry.object_id) == (
        "proposal.state",
        author.id,
        str(proposal.id),
    )
    assert json.loads(entry.data) == {"from": state.value, "to": target.value, "reason": "because"}
    if target is S.PUBLISHED:
        assert proposal.published_at == AT
    if target is S.READY:
        assert proposal.ready_at == AT
    if target in (S.APPROVED, S.REJECTED, S.WITHDRAWN):
        assert proposal.closed_at == AT


@pytest.mark.parametrize("pair", REFUSED, ids=_id)
def test_every_refused_move_says_why_and_stores_nothing(author, body, pair):
    state, target = pair
    proposal = make_proposal(author, body, state=state)
    before = stored_rows()
    with pytest.raises(DomainError) as refused:
        services.transition(author, proposal, target, now=NOW)
    assert str(refused.value.message) == (
        f"A proposal that is {STATE_NAMES[state]} cannot become {STATE_NAMES[target]}."
    )
    assert stored_state(proposal) is state
    assert stored_rows() == before


def test_the_database_refuses_an_unknown_state(author, body):
    proposal = make_proposal(author, body)
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.text("UPDATE proposals SET state = 'lost' WHERE id = :id"), {"id": proposal.id}
        )
    assert stored_state(proposal) is S.DRAFT


# Who may move it --------------------------------------------------------------------


def test_authors_publish_and_others_may_not(cast):
    proposal = make_proposal(cast.author, cast.body, coauthors=(cast.coauthor,))
    for other in (cast.chair, cast.voters[0], cast.outsider):
        before = stored_rows()
        with pytest.raises(
            NotAllowed, match=exactly("Only the proposal's authors can publish it.")
        ):
            services.publish(other, proposal.id, now=NOW)
        assert stored_rows() == before
        assert stored_state(proposal) is S.DRAFT
    services.publish(cast.coauthor, proposal.id, now=NOW)
    assert stored_state(proposal) is S.PUBLISHED
    assert last_audit().actor_id == cast.coauthor.id


@pytest.mark.parametrize("state", [S.DRAFT, S.PUBLISHED, S.READY])
def test_authors_withdraw_before_the_ballot(cast, state):
    proposal = make_proposal(cast.author, cast.body, state=state, coauthors=(cast.coauthor,))
    with pytest.raises(NotAllowed, match=exactly("Only the proposal's authors can withdraw it.")):
        services.withdraw(cast.chair, proposal.id, now=NOW)
    assert stored_state(proposal) is state
    services.withdraw(cast.coauthor, proposal.id, now=NOW)
    assert stored_state(proposal) is S.WITHDRAWN
    assert proposal.closed_at == AT


@pytest.mark.parametrize("state", [S.IN_BALLOT, S.APPROVED, S.REJECTED, S.ARCHIVED])
def test_no_withdrawal_once_in_ballot(cast, state):
    proposal = make_proposal(cast.author, cast.body, state=state)
    before = stored_rows()
    with pytest.raises(DomainError, match=f"{STATE_NAMES[state]} cannot become withdrawn"):
        services.withdraw(cast.author, proposal.id, now=NOW)
    assert stored_state(proposal) is state
    assert stored_rows() == before


def test_only_the_chair_puts_a_proposal_forward(cast):
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    for other in (cast.secretary, cast.author, cast.voters[0], cast.outsider):
        before = stored_rows()
        with pytest.raises(NotAllowed, match="Only the body's chair can put a proposal up"):
            services.put_forward(other, proposal.id, now=NOW)
        assert stored_rows() == before
    assert stored_state(proposal) is S.PUBLISHED
    services.put_forward(cast.chair, proposal.id, now=NOW)
    assert stored_state(proposal) is S.READY
    entry = last_audit()
    assert entry.actor_id == cast.chair.id
    assert json.loads(entry.data)["reason"] == "put forward by the chair"


def test_a_chair_of_another_body_cannot_put_it_forward(cast):
    other_body = make_proposal_body()
    other_chair = make_member()
    make_seat(other_body, other_chair, role=Role.CHAIR)
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    with pytest.raises(NotAllowed):
        services.put_forward(other_chair, proposal.id, now=NOW)
    assert stored_state(proposal) is S.PUBLISHED


@pytest.mark.parametrize("state", [S.DRAFT, S.READY, S.IN_BALLOT])
def test_the_chair_cannot_put_forward_what_is_not_open(cast, state):
    proposal = make_proposal(cast.author, cast.body, state=state)
    before = stored_rows()
    with pytest.raises(DomainError, match="cannot become ready for decision"):
        services.put_forward(cast.chair, proposal.id, now=NOW)
    assert stored_state(proposal) is state
    assert stored_rows() == before


@pytest.mark.parametrize("state", [S.APPROVED, S.REJECTED, S.WITHDRAWN])
def test_chair_or_secretary_archive_a_closed_proposal(cast, state):
    first = make_proposal(cast.author, cast.body, state=state)
    second = make_proposal(cast.author, cast.body, state=state)
    for other in (cast.author, cast.voters[0], cast.observer, cast.outsider):
        with pytest.raises(NotAllowed, match="Only the body's chair or secretary can archive"):
            services.archive(other, first.id, now=NOW)
    assert stored_state(first) is state
    services.archive(cast.chair, first.id, now=NOW)
    services.archive(cast.secretary, second.id, now=NOW)
    assert (stored_state(first), stored_state(second)) == (S.ARCHIVED, S.ARCHIVED)
    assert last_audit().actor_id == cast.secretary.id


@pytest.mark.parametrize("state", [S.DRAFT, S.PUBLISHED, S.READY, S.IN_BALLOT])
def test_an_open_proposal_cannot_be_archived(cast, state):
    proposal = make_proposal(cast.author, cast.body, state=state)
    before = stored_rows()
    with pytest.raises(DomainError, match="cannot become archived"):
        services.archive(cast.chair, proposal.id, now=NOW)
    assert stored_state(proposal) is state
    assert stored_rows() == before
