"""Proxies: giving, replacing and revoking them, and casting the votes they carry.

A holder casts each vote separately, one per seat. In a nominal ballot a vote in
person overrides the proxy's and the proxy cannot replace it; in a secret
ballot the first vote for a seat is final, whoever cast it.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from governance.errors import DomainError, NotAllowed, NotFound
from governance.extensions import db
from tests.fixtures.ballots import (
    close,
    make_ballot,
    make_voting_body,
    nominal_votes,
    open_now,
    stored_rows,
    vote,
)
from tests.fixtures.factories import NOW, make_member, make_seat
from tests.fixtures.proposals import exactly
from votes import proxies, services
from votes.errors import AlreadyVoted, NotInElectorate
from votes.models import BallotState, Proxy, SecretPaper, SecretParticipation

SECRET_BY_PROXY = "A proxy has already voted for this seat; a secret vote is final."
SECRET_DONE = "This seat has already voted; a secret vote is final."
IN_PERSON = "The seat's holder has voted in person; their vote stands over the proxy's."


def give(grantor, holder, body, **kwargs) -> Proxy:
    holder_id = holder if isinstance(holder, int) else holder.id
    return proxies.give_proxy(grantor, body.id, holder_id, now=NOW, **kwargs)


def active_proxies(body) -> list[tuple[int, int, int | None]]:
    """(grantor, holder, ballot) of the standing proxies of the body."""
    rows = db.session.execute(
        sa.select(Proxy.grantor_id, Proxy.holder_id, Proxy.ballot_id)
        .where(Proxy.body_id == body.id, Proxy.revoked_at.is_(None))
        .order_by(Proxy.id)
    ).all()
    return [tuple(row) for row in rows]


@pytest.fixture
def four(request_context):
    """A body of four voters (a, b, c, d) where one may hold two proxies."""
    return make_voting_body((1, 1, 1, 1), max_proxies=2)


# Casting with a proxy -----------------------------------------------------------------


@pytest.mark.parametrize("mode", ["secret", "nominal"])
def test_the_holder_casts_one_vote_for_each_seat(four, mode):
    a, b = four.voters[:2]
    give(a, b, four.body)
    ballot = open_now(four.chair, four.body, mode=mode)

    vote(b, ballot, "yes")
    vote(b, ballot, "no", seat=four.seats[0])

    if mode == "nominal":
        assert nominal_votes(ballot) == {
            four.seats[1].id: ('"yes"', b.id),
            four.seats[0].id: ('"no"', b.id),
        }
    else:
        participations = db.session.execute(
            sa.select(SecretParticipation.seat_id, SecretParticipation.cast_by_id)
        ).all()
        assert sorted(participations) == sorted(
            [(four.seats[0].id, b.id), (four.seats[1].id, b.id)]
        )
        choices = db.session.execute(sa.select(SecretPaper.choice)).scalars().all()
        assert sorted(choices) == ['"no"', '"yes"']
    assert close(ballot).result["counts"] == {"yes": 1, "no": 1, "abstain": 0}


def test_without_a_proxy_one_cannot_vote_for_another_seat(four):
    ballot = open_now(four.chair, four.body)
    before = stored_rows()
    with pytest.raises(NotInElectorate, match=exactly("You cannot vote for that seat.")):
        vote(four.voters[1], ballot, "yes", seat=four.seats[0])
    assert stored_rows() == before


def test_nominal_a_vote_in_person_overrides_the_proxy_for_good(four):
    a, b = four.voters[:2]
    give(a, b, four.body)
    ballot = open_now(four.chair, four.body, mode="nominal")
    seat = four.seats[0]

    vote(b, ballot, "yes", seat=seat)
    assert nominal_votes(ballot)[seat.id] == ('"yes"', b.id)
    vote(a, ballot, "no")
    assert nominal_votes(ballot)[seat.id] == ('"no"', a.id)
    before = stored_rows()

    with pytest.raises(AlreadyVoted, match=exactly(IN_PERSON)):
        vote(b, ballot, "yes", seat=seat)

    assert stored_rows() == before
    assert nominal_votes(ballot)[seat.id] == ('"no"', a.id)
    vote(a, ballot, "abstain")  # the holder of the seat may still change it
    assert nominal_votes(ballot)[seat.id] == ('"abstain"', a.id)


def test_nominal_the_proxy_may_change_its_own_vote(four):
    a, b = four.voters[:2]
    give(a, b, four.body)
    ballot = open_now(four.chair, four.body, mode="nominal")
    vote(b, ballot, "yes", seat=four.seats[0])
    vote(b, ballot, "no", seat=four.seats[0])
    assert nominal_votes(ballot) == {four.seats[0].id: ('"no"', b.id)}


def test_secret_a_proxy_vote_is_final_and_the_grantor_is_told_so(four):
    a, b = four.voters[:2]
    give(a, b, four.body)
    ballot = open_now(four.chair, four.body)
    vote(b, ballot, "yes", seat=four.seats[0])
    before = stored_rows()

    with pytest.raises(AlreadyVoted, match=exactly(SECRET_BY_PROXY)):
        vote(a, ballot, "no")

    assert stored_rows() == before
    assert db.session.execute(sa.select(SecretPaper.choice)).scalars().all() == ['"yes"']


def test_secret_the_grantor_voting_first_blocks_the_proxy(four):
    a, b = four.voters[:2]
    give(a, b, four.body)
    ballot = open_now(four.chair, four.body)
    vote(a, ballot, "no")
    before = stored_rows()

    with pytest.raises(AlreadyVoted, match=exactly(SECRET_DONE)):
        vote(b, ballot, "yes", seat=four.seats[0])

    assert stored_rows() == before
    assert db.session.execute(sa.select(SecretPaper.choice)).scalars().all() == ['"no"']


def test_a_proxy_for_one_ballot_wins_over_the_body_wide_one(four):
    a, b, c = four.voters[:3]
    this = make_ballot(four.chair, four.body)
    other = make_ballot(four.chair, four.body)
    give(a, b, four.body)
    give(a, c, four.body, ballot_id=this.id)
    assert active_proxies(four.body) == [(a.id, b.id, None), (a.id, c.id, this.id)]
    for ballot in (this, other):
        services.refresh(ballot, now=ballot.opens_at)

    with pytest.raises(NotInElectorate):
        vote(b, this, "yes", seat=four.seats[0], now=this.opens_at)
    vote(c, this, "yes", seat=four.seats[0], now=this.opens_at)
    vote(b, other, "no", seat=four.seats[0], now=other.opens_at)
    with pytest.raises(NotInElectorate):
        vote(c, other, "no", seat=four.seats[0], now=other.opens_at)


def test_a_revoked_proxy_carries_no_vote(four):
    a, b = four.voters[:2]
    proxy = give(a, b, four.body)
    with pytest.raises(NotAllowed):
        proxies.revoke_proxy(b, proxy.id, now=NOW)  # only the grantor takes it back
    proxies.revoke_proxy(a, proxy.id, now=NOW)
    assert active_proxies(four.body) == []
    assert db.session.get(Proxy, proxy.id).revoked_at == NOW.replace(tzinfo=None)
    with pytest.raises(NotFound):
        proxies.revoke_proxy(a, proxy.id, now=NOW)

    ballot = open_now(four.chair, four.body)
    with pytest.raises(NotInElectorate):
        vote(b, ballot, "yes", seat=four.seats[0])


def test_a_new_proxy_replaces_the_grantors_earlier_one(four):
    a, b, c = four.voters[:3]
    give(a, b, four.body)
    give(a, c, four.body)
    assert active_proxies(four.body) == [(a.id, c.id, None)]
    assert proxies.proxies_held(b, four.body.id) == []
    assert [p.grantor_id for p in proxies.proxies_held(c, four.body.id)] == [a.id]


def test_a_proxy_for_a_closed_ballot_is_not_standing(four):
    a, b = four.voters[:2]
    ballot = open_now(four.chair, four.body)
    give(a, b, four.body, ballot_id=ballot.id)
    close(ballot)
    assert proxies.proxies_given(a, four.body.id) == []
    with pytest.raises(DomainError, match=exactly("That ballot is closed.")):
        give(a, b, four.body, ballot_id=ballot.id)


# Refused grants ------------------------------------------------------------------------


def assert_refused(grantor, holder, body, message, error=DomainError, **kwargs) -> None:
    before = stored_rows()
    with pytest.raises(error, match=exactly(message)):
        give(grantor, holder, body, **kwargs)
    assert stored_rows() == before


def test_a_holder_cannot_carry_more_than_the_body_allows(request_context):
    vb = make_voting_body((1, 1, 1, 1), max_proxies=1)
    a, b, c, d = vb.voters
    give(a, d, vb.body)
    assert_refused(
        b, d, vb.body, f"{d.display_name} already holds 1 proxy, the most this body allows."
    )
    give(a, d, vb.body)  # giving again to the same holder does not count twice
    give(b, c, vb.body)
    assert active_proxies(vb.body) == [(a.id, d.id, None), (b.id, c.id, None)]


def test_a_limit_of_two_proxies_takes_two(four):
    a, b, c, d = four.voters
    give(a, d, four.body)
    give(b, d, four.body)
    assert_refused(
        c, d, four.body, f"{d.display_name} already holds 2 proxies, the most this body allows."
    )
    assert [p.grantor_id for p in proxies.proxies_held(d, four.body.id)] == [a.id, b.id]


def test_a_body_without_proxies_refuses_them(request_context):
    vb = make_voting_body((1, 1), max_proxies=0)
    assert_refused(
        vb.voters[0], vb.voters[1], vb.body, "You have no vote to give in this body.", NotAllowed
    )


def test_proxies_cannot_go_back_to_the_grantor(four):
    a, b = four.voters[:2]
    give(a, b, four.body)
    assert_refused(
        b,
        a,
        four.body,
        f"{a.display_name} has given their vote to you (directly or through others): "
        "proxies cannot go in a circle.",
    )


def test_proxies_cannot_go_round_a_circle(four):
    a, b, c = four.voters[:3]
    give(a, b, four.body)
    give(b, c, four.body)
    assert_refused(
        c,
        a,
        four.body,
        f"{a.display_name} has given their vote to you (directly or through others): "
        "proxies cannot go in a circle.",
    )
    assert active_proxies(four.body) == [(a.id, b.id, None), (b.id, c.id, None)]


def test_a_circle_through_a_ballot_proxy_is_refused_too(four):
    a, b = four.voters[:2]
    ballot = make_ballot(four.chair, four.body)
    give(a, b, four.body, ballot_id=ballot.id)
    assert_refused(
        b,
        a,
        four.body,
        f"{a.display_name} has given their vote to you (directly or through others): "
        "proxies cannot go in a circle.",
    )


def test_no_proxy_to_oneself(four):
    a = four.voters[0]
    assert_refused(a, a, four.body, "You cannot give your vote to yourself.")


def test_no_proxy_to_someone_outside_the_body(four):
    assert_refused(
        four.voters[0],
        four.outsider,
        four.body,
        "Your vote can only go to someone who sits in this body.",
    )
    elsewhere = make_voting_body((1,))
    assert_refused(
        four.voters[0],
        elsewhere.voters[0],
        four.body,
        "Your vote can only go to someone who sits in this body.",
    )


def test_no_proxy_to_an_unknown_or_inactive_member(four):
    assert_refused(four.voters[0], 10**9, four.body, "There is no such member.", NotFound)
    gone = make_member()
    make_seat(four.body, gone)
    gone.is_active_member = False
    assert_refused(four.voters[0], gone, four.body, "There is no such member.", NotFound)


def test_an_observer_has_no_vote_to_give(four):
    assert_refused(
        four.observer,
        four.voters[0],
        four.body,
        "You have no vote to give in this body.",
        NotAllowed,
    )


def test_a_proxy_for_a_ballot_of_another_body_is_refused(four):
    elsewhere = make_voting_body((1,))
    ballot = make_ballot(elsewhere.chair, elsewhere.body)
    assert_refused(
        four.voters[0],
        four.voters[1],
        four.body,
        "There is no such ballot.",
        NotFound,
        ballot_id=ballot.id,
    )
    assert ballot.state is BallotState.SCHEDULED
