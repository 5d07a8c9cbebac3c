"""Setting up, opening, casting, closing and counting ballots through the services.

Each test asserts what was stored: the frozen electorate, one row per seat, the
result and its hash, and, when the input is refused, that no row was written.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from governance import services as governance_services
from governance.errors import DomainError, NotAllowed
from governance.extensions import db
from governance.models import AuditEntry
from tests.fixtures.ballots import (
    CLOSES_AT,
    OPENS_AT,
    close,
    electors,
    make_ballot,
    make_voting_body,
    nominal_votes,
    open_now,
    reread,
    seat_of,
    stored_rows,
    vote,
)
from tests.fixtures.factories import NOW, make_member, make_seat
from tests.fixtures.proposals import exactly
from votes import casting, methods, papers, proxies, queries, services
from votes.errors import AlreadyVoted, BallotNotOpen, InvalidVote, NotInElectorate
from votes.models import BallotState, NominalVote, SecretPaper

NOT_OPEN_YET = "This ballot has not opened yet."
CLOSED = "This ballot is closed: it no longer takes votes."


def audit_entries(action: str, ballot) -> list[AuditEntry]:
    return list(
        db.session.execute(
            sa.select(AuditEntry)
            .where(AuditEntry.action == action, AuditEntry.object_id == str(ballot.id))
            .order_by(AuditEntry.id)
        ).scalars()
    )


# Setting up --------------------------------------------------------------------------


def test_the_chair_sets_up_a_scheduled_ballot(voting_body):
    ballot = make_ballot(voting_body.chair, voting_body.body, title="  Buy   a  truck? ")
    stored = reread(ballot)
    assert (stored.state, stored.title, stored.options) == (
        BallotState.SCHEDULED,
        "Buy a truck?",
        ["yes", "no", "abstain"],
    )
    assert (stored.opens_at, stored.closes_at) == (
        OPENS_AT.replace(tzinfo=None),
        CLOSES_AT.replace(tzinfo=None),
    )
    assert electors(ballot) == {}
    assert stored.electorate_weight is None
    [created] = audit_entries("ballot.created", ballot)
    assert created.actor_id == voting_body.chair.id


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"title": "   "}, DomainError, "Give the ballot a question."),
        ({"title": "x" * 201}, DomainError, "The question is too long."),
        ({"method": "borda"}, DomainError, "Choose a counting method."),
        ({"closes_at": OPENS_AT}, DomainError, "The ballot must close after it opens."),
        (
            {"opens_at": NOW - timedelta(days=2), "closes_at": NOW - timedelta(days=1)},
            DomainError,
            "The closing time has already passed.",
        ),
        (
            {"method": "plurality", "options": ["Only one"]},
            DomainError,
            "Give at least two different options.",
        ),
    ],
    ids=["no-title", "long-title", "unknown-method", "closes-first", "past", "one-option"],
)
def test_bad_settings_are_refused_and_nothing_is_stored(voting_body, change, error, message):
    before = stored_rows()
    with pytest.raises(error, match=exactly(message)):
        make_ballot(voting_body.chair, voting_body.body, **change)
    assert stored_rows() == before


def test_only_the_chair_or_secretary_sets_up_ballots(voting_body):
    before = stored_rows()
    with pytest.raises(NotAllowed):
        make_ballot(voting_body.voters[0], voting_body.body)
    assert stored_rows() == before


# Opening freezes the electorate ------------------------------------------------------


def test_opening_freezes_the_voting_seats_and_their_weights(request_context):
    vb = make_voting_body((1, 3, 2))
    weightless = make_member()
    make_seat(vb.body, weightless, weight=0)
    inactive = make_member()
    make_seat(vb.body, inactive, weight=5)
    inactive.is_active_member = False

    ballot = open_now(vb.chair, vb.body)

    assert electors(ballot) == {seat.id: seat.weight for seat in vb.seats}  # no observer
    assert reread(ballot).electorate_weight == 6
    assert reread(ballot).opened_at == NOW.replace(tzinfo=None)
    [opened] = audit_entries("ballot.opened", ballot)
    assert json.loads(opened.data) == {"electors": 3, "weight": 6}


def test_only_seats_active_on_the_opening_day_are_frozen(request_context):
    vb = make_voting_body((1,))
    opening_day = OPENS_AT.date()
    for starts_on, ends_on in (
        (opening_day - timedelta(days=30), opening_day - timedelta(days=1)),  # ended
        (opening_day + timedelta(days=1), None),  # starts later
        (opening_day - timedelta(days=30), opening_day),  # its last day
    ):
        governance_services.add_seat(
            None,
            vb.body,
            make_member(),
            governance_services.SeatSpec(starts_on=starts_on, ends_on=ends_on),
            now=NOW,
        )
    last_day = vb.body.seats[-1]
    ballot = make_ballot(vb.chair, vb.body)
    services.refresh(ballot, now=OPENS_AT)
    assert electors(ballot) == {vb.seats[0].id: 1, last_day.id: 1}
    assert reread(ballot).electorate_weight == 2


def test_weights_are_copied_when_the_ballot_opens(request_context):
    vb = make_voting_body((1, 3))
    ballot = open_now(vb.chair, vb.body, mode="nominal")
    vb.seats[1].weight = 10  # the body changes the weight while the ballot is open
    db.session.flush()
    vote(vb.voters[1], ballot, "yes")
    result = services.count(ballot)
    assert result["counts"]["yes"] == 3
    assert electors(ballot)[vb.seats[1].id] == 3


def test_a_seat_added_after_opening_cannot_vote_and_is_not_counted(voting_body):
    vb = voting_body
    ballot = open_now(vb.chair, vb.body, quorum=(1, 1))
    latecomer = make_member()
    seat = make_seat(vb.body, latecomer, weight=4)
    before = stored_rows()

    with pytest.raises(NotInElectorate):
        casting.cast_vote(latecomer, ballot.id, seat.id, "yes", now=NOW)

    assert stored_rows() == before
    for voter in vb.voters:
        vote(voter, ballot, "yes")
    result = close(ballot).result
    assert reread(ballot).electorate_weight == 3
    assert result["quorum_met"] is True  # all of the frozen electorate voted
    assert result["counts"]["yes"] == 3


def test_an_observer_and_an_outsider_cannot_vote(voting_body):
    vb = voting_body
    ballot = open_now(vb.chair, vb.body)
    before = stored_rows()
    with pytest.raises(NotInElectorate):
        vote(vb.observer, ballot, "yes")
    with pytest.raises(NotInElectorate):  # someone else's seat
        vote(vb.outsider, ballot, "yes", seat=vb.seats[0])
    assert stored_rows() == before


# Opening and closing by itself -------------------------------------------------------


def test_refresh_opens_at_the_opening_time_and_not_before(voting_body):
    ballot = make_ballot(voting_body.chair, voting_body.body)
    services.refresh(ballot, now=OPENS_AT - timedelta(seconds=1))
    assert reread(ballot).state is BallotState.SCHEDULED
    services.refresh(ballot, now=OPENS_AT)
    assert reread(ballot).state is BallotState.OPEN
    assert len(electors(ballot)) == 3


def test_a_vote_before_the_opening_is_refused(voting_body):
    ballot = make_ballot(voting_body.chair, voting_body.body)
    before = stored_rows()
    with pytest.raises(BallotNotOpen, match=exactly(NOT_OPEN_YET)):
        vote(voting_body.voters[0], ballot, "yes", now=OPENS_AT - timedelta(minutes=1))
    assert stored_rows() == before
    assert reread(ballot).state is BallotState.SCHEDULED


def test_the_first_vote_after_the_opening_time_opens_the_ballot(voting_body):
    ballot = make_ballot(voting_body.chair, voting_body.body, mode="nominal")
    vote(voting_body.voters[0], ballot, "yes", now=OPENS_AT)
    assert reread(ballot).state is BallotState.OPEN
    assert nominal_votes(ballot) == {voting_body.seats[0].id: ('"yes"', voting_body.voters[0].id)}


@pytest.mark.parametrize("mode", ["secret", "nominal"])
def test_a_vote_at_or_after_the_closing_time_is_refused_without_a_tick(voting_body, mode):
    ballot = open_now(voting_body.chair, voting_body.body, mode=mode)
    vote(voting_body.voters[0], ballot, "yes")
    assert reread(ballot).state is BallotState.OPEN  # nobody ran the scheduler
    before = stored_rows()

    for moment in (CLOSES_AT, CLOSES_AT + timedelta(days=3)):
        with pytest.raises(BallotNotOpen, match=exactly(CLOSED)):
            vote(voting_body.voters[1], ballot, "no", now=moment)

    after = stored_rows()
    for table in ("nominal_votes", "secret_papers", "secret_participations"):
        assert after[table] == before[table]


def test_refresh_closes_at_the_closing_time_and_stores_the_result(voting_body):
    ballot = open_now(voting_body.chair, voting_body.body)
    vote(voting_body.voters[0], ballot, "yes")
    services.refresh(ballot, now=CLOSES_AT - timedelta(seconds=1))
    assert reread(ballot).state is BallotState.OPEN
    services.refresh(ballot, now=CLOSES_AT)
    stored = reread(ballot)
    assert stored.state is BallotState.CLOSED
    assert stored.closed_at == CLOSES_AT.replace(tzinfo=None)
    assert stored.result == services.count(stored)
    assert stored.result_hash == stored.result["hash"] == methods.result_hash(stored.result)
    [closed] = audit_entries("ballot.closed", ballot)
    assert json.loads(closed.data) == {"approved": True, "hash": stored.result_hash}


def test_tick_opens_and_closes_what_is_due(voting_body):
    scheduled = make_ballot(voting_body.chair, voting_body.body)
    open_one = open_now(voting_body.chair, voting_body.body, closes_at=NOW + timedelta(hours=2))
    later = make_ballot(voting_body.chair, voting_body.body, opens_at=NOW + timedelta(days=1))

    counts = services.tick(NOW + timedelta(hours=2))

    assert (counts["opened"], counts["closed"]) == (1, 1)
    assert reread(scheduled).state is BallotState.OPEN
    assert reread(open_one).state is BallotState.CLOSED
    assert reread(later).state is BallotState.SCHEDULED
    assert services.tick(NOW + timedelta(hours=2))["opened"] == 0


def test_the_chair_cancels_a_scheduled_ballot_only(voting_body):
    vb = voting_body
    ballot = make_ballot(vb.chair, vb.body)
    with pytest.raises(NotAllowed):
        services.cancel_ballot(vb.voters[0], ballot.id, now=NOW)
    services.cancel_ballot(vb.chair, ballot.id, now=NOW)
    assert reread(ballot).state is BallotState.CANCELLED
    services.refresh(ballot, now=CLOSES_AT)  # a cancelled ballot never opens
    assert reread(ballot).state is BallotState.CANCELLED
    assert electors(ballot) == {}

    running = open_now(vb.chair, vb.body)
    with pytest.raises(BallotNotOpen):
        services.cancel_ballot(vb.chair, running.id, now=NOW)
    assert reread(running).state is BallotState.OPEN


# Nominal ballots ---------------------------------------------------------------------


def test_a_nominal_vote_can_change_until_the_close_and_the_last_counts(voting_body):
    vb = voting_body
    ballot = open_now(vb.chair, vb.body, mode="nominal")
    voter, seat = vb.voters[0], vb.seats[0]

    assert vote(voter, ballot, "yes") is None  # no tracker: the vote is public
    vote(voter, ballot, "no", now=NOW + timedelta(hours=1))
    vote(voter, ballot, "abstain", now=NOW + timedelta(hours=2))
    vote(vb.voters[1], ballot, "no")

    assert nominal_votes(ballot) == {
        seat.id: ('"abstain"', voter.id),
        vb.seats[1].id: ('"no"', vb.voters[1].id),
    }
    result = close(ballot).result
    assert result["counts"] == {"yes": 0, "no": 1, "abstain": 1}
    entries = audit_entries("ballot.vote", ballot)
    assert [json.loads(entry.data)["choice"] for entry in entries] == [
        "yes",
        "no",
        "abstain",
        "no",
    ]
    assert [entry.actor_id for entry in entries] == [voter.id] * 3 + [vb.voters[1].id]
    assert json.loads(entries[0].data) == {"seat": seat.id, "choice": "yes", "by_proxy": False}


def test_a_nominal_vote_cannot_change_after_the_close(voting_body):
    ballot = open_now(voting_body.chair, voting_body.body, mode="nominal")
    vote(voting_body.voters[0], ballot, "yes")
    close(ballot)
    with pytest.raises(BallotNotOpen):
        vote(voting_body.voters[0], ballot, "no", now=CLOSES_AT + timedelta(minutes=1))
    assert nominal_votes(ballot)[voting_body.seats[0].id][0] == '"yes"'
    assert reread(ballot).result["counts"]["yes"] == 1


def test_the_roll_call_lists_every_seat_and_its_vote(request_context):
    vb = make_voting_body((1, 2, 1))
    ballot = open_now(vb.chair, vb.body, mode="nominal")
    vote(vb.voters[2], ballot, "no")
    vote(vb.voters[0], ballot, "yes")

    lines = queries.roll_call(ballot)

    assert [(line.elector.seat_id, line.elector.weight) for line in lines] == [
        (seat.id, seat.weight) for seat in sorted(vb.seats, key=lambda seat: seat.id)
    ]
    assert [(line.choice, line.cast_by) for line in lines] == [
        ("yes", vb.voters[0]),
        (None, None),
        ("no", vb.voters[2]),
    ]


# Secret ballots ----------------------------------------------------------------------


def test_a_second_secret_vote_for_a_seat_is_refused_and_nothing_is_stored(voting_body):
    ballot = open_now(voting_body.chair, voting_body.body)
    [tracker] = vote(voting_body.voters[0], ballot, "yes")
    before = stored_rows()

    with pytest.raises(
        AlreadyVoted, match=exactly("This seat has already voted; a secret vote is final.")
    ):
        vote(voting_body.voters[0], ballot, "no")

    assert stored_rows() == before
    [paper] = db.session.execute(sa.select(SecretPaper)).scalars().all()
    assert (paper.tracker, paper.choice) == (tracker, '"yes"')


def test_a_secret_vote_leaves_no_audit_entry(voting_body):
    ballot = open_now(voting_body.chair, voting_body.body)
    entries = stored_rows()["audit_entries"]
    vote(voting_body.voters[0], ballot, "yes")
    assert stored_rows()["audit_entries"] == entries


def expected_tracker(ballot_id: int, choice, salt: str) -> str:
    """The tracker as the published rule says, written out without the app's code."""
    text = json.dumps(
        {"ballot": ballot_id, "choice": choice, "salt": salt},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize(
    ("settings", "choice", "normalised"),
    [
        ({}, "abstain", "abstain"),
        (
            {"method": "approval", "options": ["Río", "Mar", "Sol"]},
            ["Sol", "Río"],
            ["Río", "Sol"],
        ),
        ({"method": "schulze", "options": ["a", "b", "c"]}, ["c", "a"], ["c", "a"]),
        (
            {"method": "score", "options": ["a", "b"], "max_score": 5},
            {"b": 1, "a": 4},
            {"a": 4, "b": 1},
        ),
    ],
    ids=["yes-no-abstain", "approval", "schulze", "score"],
)
def test_the_tracker_is_the_hash_of_the_stored_paper(voting_body, settings, choice, normalised):
    ballot = open_now(voting_body.chair, voting_body.body, **settings)

    [tracker] = vote(voting_body.voters[0], ballot, choice)  # a seat of weight 1: one paper

    paper = db.session.get(SecretPaper, tracker)
    assert paper is not None and paper.ballot_id == ballot.id
    assert json.loads(paper.choice) == normalised
    assert paper.choice == methods.canonical_json(normalised)
    assert len(paper.salt) == 32 and int(paper.salt, 16) >= 0
    assert tracker == methods.tracker(ballot.id, normalised, paper.salt)
    assert tracker == expected_tracker(ballot.id, normalised, paper.salt)
    assert queries.find_paper(ballot, tracker.upper()) == {
        "tracker": tracker,
        "salt": paper.salt,
        "weight": 1,
        "choice": normalised,
    }


def test_two_identical_secret_votes_get_different_trackers(voting_body):
    ballot = open_now(voting_body.chair, voting_body.body)
    [first] = vote(voting_body.voters[0], ballot, "yes")
    [second] = vote(voting_body.voters[1], ballot, "yes")
    assert first != second
    assert stored_rows()["secret_papers"] == 2


# Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["secret", "nominal"])
@pytest.mark.parametrize(
    ("settings", "choice", "message"),
    [
        ({}, "maybe", "“maybe” is not one of the options."),
        ({}, ["yes"], "Choose one of the answers."),
        (
            {"method": "plurality", "options": ["a", "b"]},
            "c",
            "“c” is not one of the options.",
        ),
        (
            {"method": "approval", "options": ["a", "b", "c"], "max_choices": 2},
            ["a", "b", "c"],
            "Choose at most 2 options.",
        ),
        (
            {"method": "approval", "options": ["a", "b", "c"]},
            ["a", "a"],
            "Tick each option at most once.",
        ),
        (
            {"method": "schulze", "options": ["a", "b", "c"]},
            ["a", "b", "a"],
            "Rank each option at most once, with no gaps.",
        ),
        (
            {"method": "instant-runoff", "options": ["a", "b", "c"]},
            ["b", "b"],
            "Rank each option at most once, with no gaps.",
        ),
        (
            {"method": "score", "options": ["a", "b"], "max_score": 5},
            {"a": 6},
            "Each score must be a whole number from 0 to 5.",
        ),
        (
            {"method": "score", "options": ["a", "b"], "max_score": 5},
            {"a": -1},
            "Each score must be a whole number from 0 to 5.",
        ),
    ],
    ids=[
        "unknown-answer",
        "not-an-answer",
        "unknown-option",
        "too-many-approvals",
        "duplicate-approval",
        "duplicate-in-ranking",
        "duplicate-in-runoff",
        "score-too-high",
        "score-negative",
    ],
)
def test_a_bad_choice_is_refused_with_a_clear_message_and_nothing_stored(
    voting_body, settings, choice, message, mode
):
    ballot = open_now(voting_body.chair, voting_body.body, mode=mode, **settings)
    before = stored_rows()
    with pytest.raises(InvalidVote, match=exactly(message)) as refused:
        vote(voting_body.voters[0], ballot, choice)
    assert refused.value.field == "choice"
    assert stored_rows() == before


# Results --------------------------------------------------------------------------------

WEIGHTS = (1, 3, 2, 1)
PAPERS_BY_METHOD = {
    "yes-no-abstain": ({}, ["yes", "no", "yes", "abstain"]),
    "plurality": ({"options": ["a", "b", "c"]}, ["a", "b", "c", "a"]),
    "approval": ({"options": ["a", "b", "c"]}, [["a"], ["a", "b"], ["c"], []]),
    "score": (
        {"options": ["a", "b", "c"], "max_score": 5},
        [{"a": 5, "b": 1}, {"c": 3}, {"a": 2, "b": 2, "c": 2}, {}],
    ),
    "schulze": ({"options": ["a", "b", "c"]}, [["a", "b", "c"], ["b", "a"], ["c"], ["a", "c"]]),
    "instant-runoff": (
        {"options": ["a", "b", "c"]},
        [["a", "b", "c"], ["b", "a"], ["c", "a"], ["a", "c"]],
    ),
}


@pytest.mark.parametrize("mode", ["secret", "nominal"])
@pytest.mark.parametrize("method", list(PAPERS_BY_METHOD))
def test_the_count_equals_the_recount_of_the_published_papers(request_context, method, mode):
    vb = make_voting_body(WEIGHTS)
    settings, choices = PAPERS_BY_METHOD[method]
    ballot = open_now(vb.chair, vb.body, method=method, mode=mode, **settings)
    for voter, choice in zip(vb.voters, choices, strict=True):
        vote(voter, ballot, choice)

    counted = services.count(ballot)
    stored = close(ballot).result
    text = queries.papers_file(ballot)
    recounted = papers.tally_papers(text.encode("utf-8"))

    assert stored == counted
    assert recounted == stored
    assert recounted["hash"] == reread(ballot).result_hash == methods.result_hash(recounted)
    assert methods.canonical_json(services.count(ballot)) == methods.canonical_json(stored)
    assert queries.papers_file(ballot) == text  # the file is the same each time
    listed = json.loads(text)["papers"]
    assert [paper["tracker"] for paper in listed] == sorted(paper["tracker"] for paper in listed)
    # A secret ballot publishes one paper of weight 1 per unit of a seat's weight,
    # so that no paper's weight points to a seat; a nominal one, a paper per seat.
    weights = [1] * sum(WEIGHTS) if mode == "secret" else sorted(WEIGHTS)
    assert sorted(paper["weight"] for paper in listed) == weights


@pytest.mark.parametrize(
    ("settings", "choices", "approved", "quorum_met"),
    [
        # yes 3 against no 3 of the votes: not above half, at half.
        ({"threshold": (1, 2)}, ["yes", "no", "no", "no"], False, True),
        ({"threshold": (1, 2), "is_strict": False}, ["yes", "no", "no", "no"], True, True),
        # yes 3 against no 1; abstentions stay out of the votes base.
        ({"threshold": (2, 3)}, ["yes", "no", "abstain", "abstain"], True, True),
        # With the electorate (6) as the base, yes 3 is half of it.
        ({"threshold_base": "electorate"}, ["yes", "no", None, None], False, True),
        (
            {"threshold_base": "electorate", "is_strict": False},
            ["yes", "no", None, None],
            True,
            True,
        ),
        # Quorum of half the electorate's weight (6): the seat of weight 3 alone meets it...
        ({"quorum": (1, 2)}, ["yes", None, None, None], True, True),
        # ...two seats of weight 1 do not.
        ({"quorum": (1, 2)}, [None, "yes", "yes", None], False, False),
    ],
    ids=[
        "tie-strict",
        "tie-not-strict",
        "two-thirds",
        "electorate-base-strict",
        "electorate-base",
        "quorum-by-weight",
        "quorum-missed",
    ],
)
def test_quorum_and_threshold_weigh_the_seats(
    request_context, settings, choices, approved, quorum_met
):
    vb = make_voting_body((3, 1, 1, 1))
    ballot = open_now(vb.chair, vb.body, mode="nominal", **settings)
    for voter, choice in zip(vb.voters, choices, strict=True):
        if choice is not None:
            vote(voter, ballot, choice)

    result = close(ballot).result

    assert result["approved"] is approved
    assert result["quorum_met"] is quorum_met
    assert result["winners"] == (["yes"] if approved else ["no"] if quorum_met else [])
    assert sum(result["counts"].values()) == sum(
        seat.weight for seat, choice in zip(vb.seats, choices, strict=True) if choice
    )
    recount = papers.tally_papers(queries.papers_file(ballot).encode("utf-8"))
    assert recount == result


def test_an_empty_ballot_counts_to_zero_and_is_not_approved(voting_body):
    ballot = open_now(voting_body.chair, voting_body.body, quorum=(1, 3))
    result = close(ballot).result
    assert result["counts"] == {"yes": 0, "no": 0, "abstain": 0}
    assert (result["approved"], result["quorum_met"]) == (False, False)
    assert papers.tally_papers(queries.papers_file(ballot).encode("utf-8")) == result


def test_the_tracker_of_each_published_secret_paper_checks_out(request_context):
    vb = make_voting_body((1, 2, 5))
    ballot = open_now(vb.chair, vb.body, method="plurality", options=["a", "b"])
    cast = [vote(voter, ballot, choice) for voter, choice in zip(vb.voters, "aba", strict=True)]
    assert [len(trackers) for trackers in cast] == [1, 2, 5]
    assert all(trackers == sorted(trackers) for trackers in cast)
    close(ballot)
    published = queries.published_papers(ballot)
    assert sorted(paper["tracker"] for paper in published) == sorted(
        tracker for trackers in cast for tracker in trackers
    )
    assert len({paper["tracker"] for paper in published}) == 8
    for paper in published:
        assert paper["weight"] == 1
        assert paper["tracker"] == expected_tracker(ballot.id, paper["choice"], paper["salt"])
    assert sorted(paper["choice"] for paper in published) == ["a"] * 6 + ["b"] * 2


def test_a_seat_of_weight_three_casts_three_papers_of_weight_one(request_context):
    vb = make_voting_body((3,))
    ballot = open_now(vb.chair, vb.body)
    before = stored_rows()

    trackers = vote(vb.voters[0], ballot, "no")

    assert len(trackers) == 3 and len(set(trackers)) == 3
    assert trackers == sorted(trackers)
    after = stored_rows()
    assert after["secret_papers"] - before["secret_papers"] == 3
    assert after["secret_participations"] - before["secret_participations"] == 1
    stored = (
        db.session.execute(sa.select(SecretPaper).where(SecretPaper.ballot_id == ballot.id))
        .scalars()
        .all()
    )
    assert sorted(paper.tracker for paper in stored) == trackers
    assert [paper.weight for paper in stored] == [1, 1, 1]
    assert [paper.choice for paper in stored] == ['"no"'] * 3
    assert len({paper.salt for paper in stored}) == 3  # a salt of its own each
    for paper in stored:
        assert len(paper.salt) == 32 and int(paper.salt, 16) >= 0
        assert paper.tracker == expected_tracker(ballot.id, "no", paper.salt)
        assert queries.find_paper(ballot, paper.tracker) == {
            "tracker": paper.tracker,
            "salt": paper.salt,
            "weight": 1,
            "choice": "no",
        }
    # The seat has voted, once: its weight is not a number of votes it may cast.
    with pytest.raises(AlreadyVoted):
        vote(vb.voters[0], ballot, "yes")
    assert stored_rows() == after


def test_the_papers_file_of_a_seat_of_weight_three_has_only_papers_of_weight_one(
    request_context,
):
    vb = make_voting_body((3,))
    ballot = open_now(vb.chair, vb.body)
    trackers = vote(vb.voters[0], ballot, "yes")
    result = close(ballot).result

    listed = json.loads(queries.papers_file(ballot))["papers"]

    assert [paper["weight"] for paper in listed] == [1, 1, 1]
    assert [paper["tracker"] for paper in listed] == trackers
    assert [paper["choice"] for paper in listed] == ["yes"] * 3
    assert len({paper["salt"] for paper in listed}) == 3
    for paper in listed:
        assert paper["tracker"] == expected_tracker(ballot.id, paper["choice"], paper["salt"])
    assert result["counts"] == {"yes": 3, "no": 0, "abstain": 0}
    assert papers.tally_papers(queries.papers_file(ballot).encode("utf-8")) == result


def test_a_nominal_paper_has_a_random_salt_new_with_every_change(request_context):
    vb = make_voting_body((1, 2))
    ballot = open_now(vb.chair, vb.body, mode="nominal")
    seat = vb.seats[1]

    def stored_salt() -> str:
        return db.session.execute(
            sa.select(NominalVote.salt).where(
                NominalVote.ballot_id == ballot.id, NominalVote.seat_id == seat.id
            )
        ).scalar_one()

    salts = []
    for hour, answer in enumerate(["yes", "yes", "no"]):
        assert vote(vb.voters[1], ballot, answer, now=NOW + timedelta(hours=hour)) is None
        salts.append(stored_salt())
    vote(vb.voters[0], ballot, "yes")
    assert len(set(salts)) == 3  # even the same answer again gets a new salt
    assert all(len(salt) == 32 and int(salt, 16) >= 0 for salt in salts)
    close(ballot)

    published = queries.published_papers(ballot)

    assert all(paper.keys() == {"tracker", "salt", "weight", "choice"} for paper in published)
    assert [paper["tracker"] for paper in published] == sorted(
        paper["tracker"] for paper in published
    )
    [heavy] = [paper for paper in published if paper["weight"] == 2]
    assert (heavy["salt"], heavy["choice"]) == (salts[-1], "no")
    for paper in published:
        assert paper["tracker"] == expected_tracker(ballot.id, paper["choice"], paper["salt"])
        # Nothing in the paper is derived from the seat that cast it.
        for seat_id in (s.id for s in vb.seats):
            seat_salt = hashlib.sha256(f"asamblea:{ballot.id}:seat:{seat_id}".encode()).hexdigest()
            assert paper["salt"] != seat_salt[:32]
    assert queries.find_paper(ballot, heavy["tracker"].upper()) == heavy


def test_voting_rights_show_own_and_proxy_seats(voting_body):
    vb = voting_body
    proxies.give_proxy(vb.voters[1], vb.body.id, vb.voters[0].id, now=NOW)
    ballot = open_now(vb.chair, vb.body, mode="nominal")
    vote(vb.voters[0], ballot, "yes")
    rights = queries.voting_rights(vb.voters[0], ballot)
    assert [(r.elector.seat_id, r.by_proxy, r.has_voted) for r in rights] == [
        (seat_of(vb.voters[0], vb.body).id, False, True),
        (seat_of(vb.voters[1], vb.body).id, True, False),
    ]
    assert rights[0].current_choice == "yes" and rights[0].cast_in_person
