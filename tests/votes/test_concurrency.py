"""Races on ballots, with real commits on PostgreSQL (see tests.fixtures.concurrency.race).

Each attempt is one request: its own thread, app context, session and
transaction, released together by a barrier so that the database's locks decide.
A refused attempt must be refused with a domain error (what a member would see
as a message), never with anything else.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from governance import audit
from governance.extensions import db
from governance.models import AuditEntry, Member, OutboxMessage
from tests.fixtures.ballots import make_ballot, make_voting_body, open_now
from tests.fixtures.concurrency import backends_waiting_on_a_lock, race, wait_for
from tests.fixtures.factories import NOW
from votes import casting, proxies, services
from votes.errors import BallotNotOpen
from votes.models import (
    Ballot,
    BallotState,
    Elector,
    NominalVote,
    Proxy,
    SecretPaper,
    SecretParticipation,
)

pytestmark = pytest.mark.postgres

ATTEMPTS = 50
TIMEOUT_S = 30


@dataclass(frozen=True)
class Setup:
    ballot_id: int
    body_id: int
    voter_ids: tuple[int, ...]
    seat_ids: tuple[int, ...]


def committed_ballot(app, voters: int, **settings) -> Setup:
    """A body of ``voters`` voters (of weight 1 unless ``weights`` says) and a
    ballot in it, committed."""
    weights = settings.pop("weights", [1] * voters)
    assert len(weights) == voters
    with app.test_request_context():
        vb = make_voting_body(weights, max_proxies=settings.pop("max_proxies", 1))
        opens = settings.pop("opens", True)
        if opens:
            ballot = open_now(vb.chair, vb.body, **settings)
        else:
            ballot = make_ballot(vb.chair, vb.body, **settings)
        setup = Setup(
            ballot.id,
            vb.body.id,
            tuple(voter.id for voter in vb.voters),
            tuple(seat.id for seat in vb.seats),
        )
        db.session.commit()
    return setup


def cast(
    member_id: int, setup: Setup, seat_id: int, choice, now=NOW, returned: list | None = None
) -> Callable[[], None]:
    """One attempt to vote; what ``cast_vote`` returned (a secret ballot's
    trackers) is added to ``returned``."""

    def attempt() -> None:
        member = db.session.get(Member, member_id)
        trackers = casting.cast_vote(member, setup.ballot_id, seat_id, choice, now=now)
        if returned is not None:
            returned.append(trackers)

    return attempt


def rows(app, model, ballot_id: int) -> list:
    with app.app_context():
        return list(
            db.session.execute(sa.select(model).where(model.ballot_id == ballot_id)).scalars()
        )


def stored_ballot(app, ballot_id: int) -> Ballot:
    with app.app_context():
        ballot = db.session.get(Ballot, ballot_id)
        db.session.expunge(ballot)
        return ballot


def audit_actions(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        query = sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        entries = list(db.session.execute(query).scalars())
        db.session.expunge_all()
        return entries


def test_a_secret_seat_votes_once_under_concurrency(own_migrated_app):
    app = own_migrated_app
    setup = committed_ballot(app, 3)
    voter, seat = setup.voter_ids[0], setup.seat_ids[0]
    choices = ["yes", "no", "abstain"]
    returned: list = []
    attempts = [
        cast(voter, setup, seat, choices[n % 3], returned=returned) for n in range(ATTEMPTS)
    ]

    wins, errors = race(app, attempts)

    assert errors == []
    assert wins == 1
    [participation] = rows(app, SecretParticipation, setup.ballot_id)
    [paper] = rows(app, SecretPaper, setup.ballot_id)
    assert (participation.seat_id, participation.cast_by_id) == (seat, voter)
    assert paper.weight == 1
    assert returned == [[paper.tracker]]  # only the vote that counted got a tracker


def test_a_heavy_secret_seat_writes_its_papers_once_under_concurrency(own_migrated_app):
    app = own_migrated_app
    setup = committed_ballot(app, 2, weights=[3, 1])
    voter, seat = setup.voter_ids[0], setup.seat_ids[0]
    choices = ["yes", "no", "abstain"]
    returned: list = []
    attempts = [
        cast(voter, setup, seat, choices[n % 3], returned=returned) for n in range(ATTEMPTS)
    ]

    wins, errors = race(app, attempts)

    assert errors == []
    assert wins == 1
    [participation] = rows(app, SecretParticipation, setup.ballot_id)
    papers = rows(app, SecretPaper, setup.ballot_id)
    assert participation.seat_id == seat
    # Three papers of weight 1, from one vote: the same choice, three salts.
    assert [paper.weight for paper in papers] == [1, 1, 1]
    assert len({paper.choice for paper in papers}) == 1
    assert len({paper.salt for paper in papers}) == 3
    assert returned == [sorted(paper.tracker for paper in papers)]


def test_a_secret_seat_votes_once_when_its_proxy_races_its_holder(own_migrated_app):
    app = own_migrated_app
    setup = committed_ballot(app, 2, opens=False)
    grantor, holder = setup.voter_ids
    with app.test_request_context():
        proxies.give_proxy(db.session.get(Member, grantor), setup.body_id, holder, now=NOW)
        services.refresh(db.session.get(Ballot, setup.ballot_id), now=NOW + timedelta(hours=1))
        db.session.commit()
    seat = setup.seat_ids[0]
    later = NOW + timedelta(hours=2)
    attempts = [cast(grantor if n % 2 else holder, setup, seat, "yes", later) for n in range(20)]

    wins, errors = race(app, attempts)

    assert errors == []
    assert wins == 1
    assert len(rows(app, SecretParticipation, setup.ballot_id)) == 1
    assert len(rows(app, SecretPaper, setup.ballot_id)) == 1


def test_a_nominal_seat_keeps_one_row_and_the_last_vote_under_concurrency(own_migrated_app):
    app = own_migrated_app
    setup = committed_ballot(app, 3, mode="nominal")
    voter, seat = setup.voter_ids[0], setup.seat_ids[0]
    choices = ["yes", "no", "abstain"]

    wins, errors = race(app, [cast(voter, setup, seat, choices[n % 3]) for n in range(ATTEMPTS)])

    assert errors == []
    assert wins >= 1
    [stored] = rows(app, NominalVote, setup.ballot_id)
    votes = audit_actions(app, "ballot.vote")
    assert len(votes) == wins  # each committed vote replaced the one before
    assert stored.seat_id == seat
    assert f'"choice":{stored.choice}' in votes[-1].data  # the last to commit stands


def test_grants_to_one_holder_never_exceed_the_bodys_limit(own_migrated_app):
    app = own_migrated_app
    setup = committed_ballot(app, 13, max_proxies=2)
    holder = setup.voter_ids[0]

    def grant(grantor_id: int) -> Callable[[], None]:
        def attempt() -> None:
            member = db.session.get(Member, grantor_id)
            proxies.give_proxy(member, setup.body_id, holder, now=NOW)

        return attempt

    wins, errors = race(app, [grant(grantor) for grantor in setup.voter_ids[1:]])

    assert errors == []
    assert wins == 2
    with app.app_context():
        held = db.session.execute(
            sa.select(sa.func.count())
            .select_from(Proxy)
            .where(Proxy.holder_id == holder, Proxy.revoked_at.is_(None))
        ).scalar_one()
    assert held == 2


def test_two_grants_at_once_never_close_a_circle(own_migrated_app):
    app = own_migrated_app
    setup = committed_ballot(app, 2, max_proxies=1)
    first, second = setup.voter_ids

    def grant(grantor_id: int, holder_id: int) -> Callable[[], None]:
        def attempt() -> None:
            member = db.session.get(Member, grantor_id)
            proxies.give_proxy(member, setup.body_id, holder_id, now=NOW)

        return attempt

    attempts = [grant(first, second), grant(second, first)] * 10
    wins, errors = race(app, attempts)

    assert errors == []
    with app.app_context():
        standing = db.session.execute(
            sa.select(Proxy.grantor_id, Proxy.holder_id).where(Proxy.revoked_at.is_(None))
        ).all()
    # One direction only, whichever came first; never both (a circle).
    assert len(standing) == 1
    assert wins >= 1


@pytest.mark.parametrize("mode", ["secret", "nominal"])
def test_no_vote_lands_after_the_close(own_migrated_app, mode):
    app = own_migrated_app
    voters = 30
    setup = committed_ballot(app, voters, mode=mode, closes_at=NOW + timedelta(hours=1))
    closes_at = NOW + timedelta(hours=1)
    just_before = closes_at - timedelta(seconds=1)

    def close() -> None:
        services.refresh(services.get_ballot(setup.ballot_id), now=closes_at)

    attempts = [
        cast(voter, setup, seat, "yes", just_before)
        for voter, seat in zip(setup.voter_ids, setup.seat_ids, strict=True)
    ]
    attempts.insert(voters // 2, close)

    wins, errors = race(app, attempts)

    assert errors == []
    ballot = stored_ballot(app, setup.ballot_id)
    assert ballot.state is BallotState.CLOSED
    stored = rows(app, SecretPaper if mode == "secret" else NominalVote, setup.ballot_id)
    assert ballot.result["papers"] == len(stored)
    assert ballot.result["counts"]["yes"] == sum(vote.weight for vote in stored)
    assert wins == len(stored) + 1  # the votes that counted, and the close


@pytest.mark.parametrize("mode", ["secret", "nominal"])
def test_a_vote_waiting_on_the_close_is_refused_once_it_closes(own_migrated_app, mode):
    """The closing transaction holds the ballot's row lock; a vote that started
    before the close waits for it and then finds the ballot closed, although its
    own clock still says open."""
    app = own_migrated_app
    setup = committed_ballot(app, 2, mode=mode, closes_at=NOW + timedelta(hours=1))
    closes_at = NOW + timedelta(hours=1)
    outcome: list[BaseException | str] = []

    def voter() -> None:
        # A browser asking for English: the error's text is in the request's
        # language (the network's default, Spanish, otherwise).
        with app.test_request_context(headers={"Accept-Language": "en"}):
            try:
                cast(
                    setup.voter_ids[0],
                    setup,
                    setup.seat_ids[0],
                    "yes",
                    closes_at - timedelta(seconds=1),
                )()
                db.session.commit()
                outcome.append("voted")
            except BaseException as error:
                db.session.rollback()
                outcome.append(error)

    with app.test_request_context():
        ballot = services.get_ballot(setup.ballot_id)
        services.refresh(ballot, now=closes_at)  # locked until the commit
        thread = threading.Thread(target=voter, daemon=True)
        thread.start()
        assert wait_for(lambda: backends_waiting_on_a_lock() == 1), "the vote never waited"
        db.session.commit()
    thread.join(TIMEOUT_S)
    assert not thread.is_alive()

    [error] = outcome
    assert isinstance(error, BallotNotOpen), error
    assert str(error) == "This ballot is closed: it no longer takes votes."
    table = SecretPaper if mode == "secret" else NominalVote
    assert rows(app, table, setup.ballot_id) == []
    assert stored_ballot(app, setup.ballot_id).result["papers"] == 0


def test_concurrent_ticks_open_and_close_a_ballot_once(own_migrated_app):
    app = own_migrated_app
    voters = 5
    setup = committed_ballot(app, voters, opens=False)
    with app.app_context():
        ballot = db.session.get(Ballot, setup.ballot_id)
        opens_at, closes_at = ballot.opens_at, ballot.closes_at

    def tick(moment) -> Callable[[], None]:
        return lambda: services.tick(moment)

    wins, errors = race(app, [tick(opens_at + timedelta(minutes=1))] * 8)
    assert errors == []
    assert wins == 8
    assert len(rows(app, Elector, setup.ballot_id)) == voters
    assert len(audit_actions(app, "ballot.opened")) == 1
    with app.app_context():
        mails = db.session.execute(
            sa.select(sa.func.count()).select_from(OutboxMessage)
        ).scalar_one()
    assert mails == voters  # one opening mail each, not one per tick

    wins, errors = race(app, [tick(closes_at)] * 8)
    assert errors == []
    assert len(audit_actions(app, "ballot.closed")) == 1
    assert stored_ballot(app, setup.ballot_id).state is BallotState.CLOSED


def test_the_tick_and_a_nominal_vote_never_deadlock(own_migrated_app):
    """A nominal vote holds its ballot's shared lock and then waits for the audit
    chain's head; a tick that closed an earlier ballot holds that head until its
    commit. Were the tick then to wait for the vote's ballot, each would wait for
    the other. Here the tick is queued on the head first, so it gets it first."""
    app = own_migrated_app
    closes_at = NOW + timedelta(hours=1)
    first = committed_ballot(app, 2, mode="nominal", closes_at=closes_at)
    second = committed_ballot(app, 2, mode="nominal", closes_at=closes_at)
    assert first.ballot_id < second.ballot_id
    errors: list[BaseException] = []
    refused: list[BaseException] = []

    def in_thread(work: Callable[[], None]) -> threading.Thread:
        def run() -> None:
            with app.test_request_context():
                try:
                    work()
                    db.session.commit()
                except BallotNotOpen as error:
                    db.session.rollback()
                    refused.append(error)
                except BaseException as error:
                    db.session.rollback()
                    errors.append(error)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    with app.test_request_context():
        audit.record(None, "test.holds_the_head", now=NOW, object_type="test")
        tick = in_thread(lambda: services.tick(closes_at))
        assert wait_for(lambda: backends_waiting_on_a_lock() == 1), "the tick never waited"
        voter = in_thread(
            cast(
                second.voter_ids[0],
                second,
                second.seat_ids[0],
                "yes",
                closes_at - timedelta(seconds=1),
            )
        )
        assert wait_for(lambda: backends_waiting_on_a_lock() == 2), "the vote never waited"
        db.session.commit()
    for thread in (tick, voter):
        thread.join(TIMEOUT_S)
        assert not thread.is_alive()

    assert errors == []
    for setup in (first, second):
        ballot = stored_ballot(app, setup.ballot_id)
        assert ballot.state is BallotState.CLOSED
        assert ballot.result["papers"] == len(rows(app, NominalVote, setup.ballot_id))
    assert len(refused) + len(rows(app, NominalVote, second.ballot_id)) == 1
