"""Supports: one per member, withdrawable while the proposal collects them; the
body's threshold (a number, or a share of its voting seats) makes it ready."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from governance import services as governance_services
from governance.errors import DomainError
from governance.extensions import db
from governance.models import AuditEntry, Role
from proposals import deliberation, services
from proposals.models import ProposalState, Support
from tests.fixtures.factories import NOW, make_member
from tests.fixtures.helpers import count
from tests.fixtures.proposals import (
    exactly,
    last_audit,
    make_cast,
    make_proposal,
    make_proposal_body,
    stored_rows,
    stored_state,
)

S = ProposalState


def _supporters(proposal) -> list[int]:
    return list(
        db.session.execute(
            sa.select(Support.member_id)
            .where(Support.proposal_id == proposal.id)
            .order_by(Support.member_id)
        ).scalars()
    )


@pytest.fixture
def counted(request_context):
    """A body whose proposals are ready for decision at three supports."""
    return make_cast(make_proposal_body(support_threshold_count=3))


def test_the_third_support_makes_the_proposal_ready(counted):
    proposal = make_proposal(counted.author, counted.body, state=S.PUBLISHED)
    first, second, third = counted.voters
    for voter in (first, second):
        deliberation.add_support(voter, proposal.id, now=NOW)
        assert stored_state(proposal) is S.PUBLISHED
    assert proposal.ready_at is None
    deliberation.add_support(third, proposal.id, now=NOW + timedelta(hours=1))
    assert stored_state(proposal) is S.READY
    assert proposal.ready_at == (NOW + timedelta(hours=1)).replace(tzinfo=None)
    assert _supporters(proposal) == sorted(v.id for v in counted.voters)
    entry = last_audit()
    assert (entry.action, entry.actor_id) == ("proposal.state", None)
    assert json.loads(entry.data) == {
        "from": "published",
        "to": "ready",
        "reason": "support threshold 3 reached",
    }
    supports_audited = db.session.execute(
        sa.select(sa.func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "support.added", AuditEntry.object_id == str(proposal.id))
    ).scalar_one()
    assert supports_audited == 3


def test_a_support_is_withdrawn_while_published_and_may_be_given_again(counted):
    proposal = make_proposal(counted.author, counted.body, state=S.PUBLISHED)
    voter = counted.voters[0]
    deliberation.add_support(voter, proposal.id, now=NOW)
    deliberation.withdraw_support(voter, proposal.id, now=NOW)
    assert _supporters(proposal) == []
    assert (last_audit().action, last_audit().actor_id) == ("support.withdrawn", voter.id)
    deliberation.add_support(voter, proposal.id, now=NOW)
    assert _supporters(proposal) == [voter.id]


def test_no_withdrawal_once_ready(counted):
    proposal = make_proposal(counted.author, counted.body, state=S.PUBLISHED)
    for voter in counted.voters:
        deliberation.add_support(voter, proposal.id, now=NOW)
    before = stored_rows()
    with pytest.raises(DomainError) as refused:
        deliberation.withdraw_support(counted.voters[0], proposal.id, now=NOW)
    assert str(refused.value.message) == (
        "Supports can no longer be withdrawn: the proposal is ready for decision."
    )
    assert stored_rows() == before
    assert len(_supporters(proposal)) == 3
    assert stored_state(proposal) is S.READY


def test_withdrawing_a_support_never_given_is_refused(counted):
    proposal = make_proposal(counted.author, counted.body, state=S.PUBLISHED)
    before = stored_rows()
    with pytest.raises(DomainError, match=exactly("You do not support this proposal.")):
        deliberation.withdraw_support(counted.voters[0], proposal.id, now=NOW)
    assert stored_rows() == before


@pytest.mark.parametrize(("percent", "needed"), [(50, 4), (10, 1), (100, 7), (43, 4), (42, 3)])
def test_a_percent_threshold_rounds_up_over_the_voting_seats(request_context, percent, needed):
    # Voting seats: chair, secretary, author, co-author, three voters = 7; the
    # observer and the seat of weight 0 do not count, nor does a seat that ended.
    cast = make_cast(make_proposal_body(support_threshold_percent=percent))
    former = make_member()
    governance_services.add_seat(
        None,
        cast.body,
        former,
        governance_services.SeatSpec(
            role=Role.MEMBER,
            starts_on=NOW.date() - timedelta(days=60),
            ends_on=NOW.date() - timedelta(days=1),
        ),
        now=NOW,
    )
    assert deliberation.support_threshold(cast.body, NOW) == needed


def test_the_percent_threshold_moves_the_proposal_at_the_rounded_up_count(request_context):
    cast = make_cast(make_proposal_body(support_threshold_percent=50))
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    supporters = [cast.chair, cast.secretary, cast.voters[0], cast.voters[1]]
    for supporter in supporters[:3]:
        deliberation.add_support(supporter, proposal.id, now=NOW)
    assert stored_state(proposal) is S.PUBLISHED
    deliberation.add_support(supporters[3], proposal.id, now=NOW)
    assert stored_state(proposal) is S.READY


def test_without_a_threshold_it_waits_for_the_chair(cast):
    assert deliberation.support_threshold(cast.body, NOW) is None
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    voting = [cast.chair, cast.secretary, cast.author, cast.coauthor, *cast.voters]
    for member in voting:
        deliberation.add_support(member, proposal.id, now=NOW)
    assert stored_state(proposal) is S.PUBLISHED
    assert count(Support) == len(voting)
    services.put_forward(cast.chair, proposal.id, now=NOW)
    assert stored_state(proposal) is S.READY


def test_supports_belong_to_their_proposal(counted):
    first = make_proposal(counted.author, counted.body, state=S.PUBLISHED)
    second = make_proposal(counted.author, counted.body, state=S.PUBLISHED)
    for voter in counted.voters[:2]:
        deliberation.add_support(voter, first.id, now=NOW)
    deliberation.add_support(counted.voters[2], second.id, now=NOW)
    assert deliberation.support_count(first.id) == 2
    assert deliberation.support_count(second.id) == 1
    assert (stored_state(first), stored_state(second)) == (S.PUBLISHED, S.PUBLISHED)


def test_supports_close_when_the_body_s_support_period_ends(request_context):
    cast = make_cast(make_proposal_body(support_threshold_count=3, support_period_days=10))
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED, now=NOW)
    assert proposal.supports_close_at == (NOW + timedelta(days=10)).replace(tzinfo=None)
    first, second, _third = cast.voters
    deliberation.add_support(first, proposal.id, now=NOW + timedelta(days=9))
    before = stored_rows()

    late = NOW + timedelta(days=10)
    with pytest.raises(DomainError, match="The time to support this proposal is over"):
        deliberation.add_support(second, proposal.id, now=late)
    with pytest.raises(DomainError, match="The time to support this proposal is over"):
        deliberation.withdraw_support(first, proposal.id, now=late)

    assert stored_rows() == before
    assert _supporters(proposal) == [first.id]
    assert stored_state(proposal) is S.PUBLISHED


def test_a_body_refuses_a_support_period_below_one_day(request_context):
    with pytest.raises(DomainError, match="at least one day"):
        make_proposal_body(support_period_days=0)
