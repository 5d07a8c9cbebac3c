"""Voting in a participatory budget, through the services: the electorate frozen
when voting opens, the district chosen once, each ballot form's checks, one
paper per pot, and the secrecy of what is stored. Messages are read in English;
a refusal stores nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from budgets import services
from budgets.models import BallotForm, ProcessState
from budgets.projects import ballot_projects
from budgets.voting import queries
from budgets.voting import services as voting
from budgets.voting.marks import InvalidPaper
from budgets.voting.models import CITY_WIDE, Paper, Participation, Voter
from governance import services as governance_services
from governance.errors import DomainError, NotAllowed
from governance.extensions import db
from governance.models import AuditEntry, Role
from tests.fixtures.budgets import (
    advance_to,
    make_pb_body,
    make_process,
    make_project,
    make_reviewer,
    review,
)
from tests.fixtures.factories import NOW, make_member, make_seat
from tests.fixtures.pb_voting import Pj, cast, choose, make_voting, voting_rows

ONE_POT = {"P": Pj(None, 50_000), "Q": Pj(None, 80_000), "R": Pj(None, 100_000)}


def voters_of(process) -> dict[int, Voter]:
    rows = db.session.execute(sa.select(Voter).where(Voter.process_id == process.id)).scalars()
    return {voter.member_id: voter for voter in rows}


def papers(process) -> list[Paper]:
    return list(
        db.session.execute(sa.select(Paper).where(Paper.process_id == process.id)).scalars()
    )


def refused(error_type, message: str, call) -> DomainError:
    before = voting_rows()
    with pytest.raises(error_type) as caught:
        call()
    assert message in str(caught.value.message)
    assert voting_rows() == before
    return caught.value


# --- the electorate ---------------------------------------------------------------------


def test_opening_the_vote_freezes_the_voting_members_once_each(pb):
    observer, delegate, gone, inactive = (make_member() for _ in range(4))
    make_seat(pb.body, observer, role=Role.OBSERVER)
    make_seat(pb.body, delegate)
    make_seat(pb.body, delegate, organization="Cooperativa Semilla")  # two seats, one vote
    today = NOW.date()
    governance_services.add_seat(
        None,
        pb.body,
        gone,
        governance_services.SeatSpec(
            starts_on=today - timedelta(days=30), ends_on=today - timedelta(days=1)
        ),
        now=NOW,
    )
    later = make_member()
    governance_services.add_seat(
        None,
        pb.body,
        later,
        governance_services.SeatSpec(starts_on=today + timedelta(days=1)),
        now=NOW,
    )
    make_seat(pb.body, inactive)
    inactive.is_active_member = False
    outsider = make_member()
    make_seat(make_pb_body().body, outsider)  # another body's member

    v = make_voting(pb, ONE_POT)

    voters = voters_of(v.process)
    expected = {pb.chair.id, pb.secretary.id, delegate.id, *(m.id for m in pb.members)}
    assert set(voters) == expected
    assert all(voter.district_id is None for voter in voters.values())
    assert all(voter.frozen_at == NOW.replace(tzinfo=None) for voter in voters.values())
    [entry] = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "pb.electorate_frozen")
    ).scalars()
    assert '"voters":6' in entry.data.replace(" ", "")


def test_a_member_who_joins_after_voting_opened_cannot_vote(pb):
    v = make_voting(pb, ONE_POT)
    newcomer = make_member()
    make_seat(pb.body, newcomer)

    refused(NotAllowed, "not in this budget's electorate", lambda: cast(v, newcomer, None, ["P"]))
    assert newcomer.id not in voters_of(v.process)


def test_voting_does_not_open_without_anyone_to_vote(request_context):
    pb = make_pb_body()
    process = make_process(pb)
    project = make_project(pb.members[0], process)
    advance_to(process, ProcessState.REVIEW, pb.secretary)
    review(make_reviewer(pb, process), project)
    for seat in pb.body.seats:
        seat.role = Role.OBSERVER
    db.session.flush()

    with pytest.raises(DomainError, match="No one holds a voting seat"):
        services.advance(None, process.id, now=NOW)  # the scheduler
    assert process.state is ProcessState.REVIEW
    assert voters_of(process) == {}


# --- districts and pots -------------------------------------------------------------


def test_a_voter_chooses_their_district_once(pb):
    v = make_voting(pb)
    voter = pb.members[0]

    chosen = choose(v, voter, "Norte")

    assert chosen.district_id == v.pot("Norte")
    assert chosen.district_chosen_at is not None
    refused(
        DomainError,
        "You already chose Norte; the district cannot be changed.",
        lambda: choose(v, voter, "Centro"),
    )
    assert voters_of(v.process)[voter.id].district_id == v.pot("Norte")
    # The audit log says a choice was made, not which: with few voters in a
    # district, the district and its published papers would tell their vote.
    entry = db.session.execute(
        sa.select(AuditEntry).where(
            AuditEntry.action == "pb.district_chosen", AuditEntry.actor_id == voter.id
        )
    ).scalar_one()
    assert "Norte" not in (entry.data or "") and str(v.pot("Norte")) not in (entry.data or "")


def test_a_district_of_another_process_is_refused(pb):
    v = make_voting(pb)
    other = make_voting(pb)
    error = refused(
        DomainError,
        "Choose the district you vote in.",
        lambda: voting.choose_district(pb.members[0], v.process.id, other.pot("Centro"), now=NOW),
    )
    assert error.field == "district"


def test_without_districts_there_is_nothing_to_choose(pb):
    v = make_voting(pb, ONE_POT, districts=())
    refused(
        DomainError,
        "no districts",
        lambda: voting.choose_district(pb.members[0], v.process.id, 1, now=NOW),
    )


def test_a_voter_votes_in_their_district_and_city_wide(pb):
    v = make_voting(pb)
    voter = pb.members[0]
    refused(DomainError, "Choose your district first.", lambda: cast(v, voter, "Centro", ["C"]))
    choose(v, voter, "Centro")

    cast(v, voter, "Centro", ["A"])
    cast(v, voter, None, ["G"])

    refused(
        NotAllowed,
        "You do not vote in this part of the budget.",
        lambda: cast(v, voter, "Norte", ["D"]),
    )
    assert queries.paper_counts(v.process.id) == {CITY_WIDE: 1, v.pot("Centro"): 1}


def test_a_process_of_districts_only_has_no_city_wide_ballot(pb):
    v = make_voting(pb, {"A": Pj("Centro", 100_000)}, amount=0)
    voter = pb.members[0]
    choose(v, voter, "Centro")
    page = queries.voting_page(v.process, voter)
    assert [pot.pot for pot in page.pots] == [v.pot("Centro")]
    refused(NotAllowed, "do not vote in this part", lambda: cast(v, voter, None, []))


def test_only_feasible_projects_are_on_the_ballot_at_their_effective_cost(pb):
    v = make_voting(pb)
    ballot = ballot_projects(v.process, None)
    assert [(p.project_id, p.cost) for p in ballot] == [(v.id("G"), 150_000), (v.id("H"), 40_000)]
    assert ballot[0].summary == "A square with trees and benches."
    refused(
        InvalidPaper, "not on this ballot", lambda: cast(v, pb.members[0], None, ["X"])
    )  # not feasible
    refused(
        InvalidPaper, "not on this ballot", lambda: cast(v, pb.members[0], None, ["A"])
    )  # another pot's


# --- one paper per pot, and secrecy ----------------------------------------------------


def test_a_paper_is_final(pb):
    v = make_voting(pb, ONE_POT, districts=())
    voter = pb.members[0]
    receipt = cast(v, voter, None, ["P", "Q"])

    refused(
        voting.AlreadyVoted,
        "You have already voted here; a vote cannot be changed.",
        lambda: cast(v, voter, None, ["R"]),
    )
    [paper] = papers(v.process)
    assert paper.tracker == receipt.tracker
    assert paper.marks == [[v.id("P"), 1], [v.id("Q"), 1]]


def test_a_second_paper_sent_at_the_same_moment_stores_nothing(pb, monkeypatch):
    v = make_voting(pb, ONE_POT, districts=())
    voter = pb.members[0]
    cast(v, voter, None, ["P"])
    # The second request read "not voted yet" before the first committed.
    monkeypatch.setattr(voting, "has_voted", lambda *args: False)

    refused(
        voting.AlreadyVoted,
        "You have already voted here",
        lambda: cast(v, voter, None, ["Q"]),
    )
    assert len(papers(v.process)) == 1


def test_the_paper_names_no_voter_and_the_participation_no_marks(pb):
    v = make_voting(pb, ONE_POT, districts=())
    audited = voting_rows()["audit_entries"]
    receipt = cast(v, pb.members[0], None, ["P"])

    assert set(Paper.__table__.columns.keys()) == {
        "tracker",
        "process_id",
        "pot",
        "district_id",
        "marks",
    }
    assert set(Participation.__table__.columns.keys()) == {
        "process_id",
        "member_id",
        "pot",
        "district_id",
    }
    [participation] = db.session.execute(sa.select(Participation)).scalars()
    assert participation.member_id == pb.members[0].id
    assert len(receipt.tracker) == 32
    int(receipt.tracker, 16)  # random hex, not a hash of anything the voter did
    # No audit entry: one naming the voter, written with the paper, would link them.
    assert voting_rows()["audit_entries"] == audited


def test_voting_is_refused_outside_the_voting_phase(pb):
    process = make_process(pb, districts=())
    refused(
        DomainError,
        "Voting has not opened yet: the budget is in its project intake phase.",
        lambda: voting.cast_paper(pb.members[0], process.id, pot=0, marks={}, now=NOW),
    )
    v = make_voting(pb, ONE_POT, districts=())
    v.process.state = ProcessState.RESULT
    db.session.flush()
    refused(
        DomainError,
        "Voting has ended",
        lambda: cast(v, pb.members[0], None, ["P"]),
    )


def test_voting_ends_at_its_time_even_before_the_scheduler_moves_it(pb):
    v = make_voting(pb, ONE_POT, districts=())
    v.process.voting_ends_at = NOW.replace(tzinfo=None) - timedelta(minutes=1)
    db.session.flush()
    refused(DomainError, "Voting has ended", lambda: cast(v, pb.members[0], None, ["P"]))


# --- the ballot forms -------------------------------------------------------------------


def test_approval_between_min_and_max(pb):
    v = make_voting(pb, ONE_POT, districts=(), min_projects=1, max_projects=2)
    a = pb.members[0]
    refused(InvalidPaper, "Tick at least 1 project; you ticked 0.", lambda: cast(v, a, None, []))
    refused(
        InvalidPaper,
        "Tick at most 2 projects; you ticked 3.",
        lambda: cast(v, a, None, ["P", "Q", "R"]),
    )
    assert cast(v, a, None, ["R", "P"]).marks == [[v.id("P"), 1], [v.id("R"), 1]]


def test_a_minimum_above_the_ballot_asks_for_every_project(pb):
    v = make_voting(pb, ONE_POT, districts=(), min_projects=10)
    a, b = pb.members[0], pb.members[1]
    everything = list(ONE_POT)
    refused(
        InvalidPaper,
        f"Tick at least {len(everything)} projects; you ticked 1.",
        lambda: cast(v, a, None, everything[:1]),
    )
    assert len(cast(v, b, None, everything).marks) == len(everything)


def test_an_empty_approval_paper_counts_as_taking_part(pb):
    v = make_voting(pb, ONE_POT, districts=())
    receipt = cast(v, pb.members[0], None, [])
    assert receipt.marks == []
    assert [paper.marks for paper in papers(v.process)] == [[]]
    assert db.session.get(Participation, (v.process.id, pb.members[0].id, CITY_WIDE))


def test_knapsack_fits_the_pot_at_the_revised_cost(pb):
    # City-wide 2,000.00: G 1,500.00 and H revised to 400.00 fit; X is not on it.
    v = make_voting(pb, ballot_form=BallotForm.KNAPSACK)
    assert cast(v, pb.members[0], None, ["G", "H"]).marks == [[v.id("G"), 1], [v.id("H"), 1]]
    choose(v, pb.members[0], "Centro")
    refused(
        InvalidPaper,
        "Your choice costs R$5,500.00; the budget is R$5,000.00. Untick projects worth at "
        "least R$500.00.",
        lambda: cast(v, pb.members[0], "Centro", ["A", "B"]),
    )
    assert cast(v, pb.members[0], "Centro", []).marks == []


def test_choose_one_takes_exactly_one(pb):
    v = make_voting(pb, ONE_POT, districts=(), ballot_form=BallotForm.CHOOSE_ONE)
    a = pb.members[0]
    refused(InvalidPaper, "Choose one project.", lambda: cast(v, a, None, []))
    refused(InvalidPaper, "Choose one project.", lambda: cast(v, a, None, ["P", "Q"]))
    refused(InvalidPaper, "Tick a project", lambda: cast(v, a, None, {"P": 2}))
    assert cast(v, a, None, ["Q"]).marks == [[v.id("Q"), 1]]


def test_cumulative_points_up_to_the_process_points(pb):
    v = make_voting(pb, ONE_POT, districts=(), ballot_form=BallotForm.CUMULATIVE, points=10)
    a = pb.members[0]
    refused(
        InvalidPaper,
        "You gave 11 points; you have 10. Take away 1.",
        lambda: cast(v, a, None, {"P": 6, "Q": 5}),
    )
    refused(InvalidPaper, "Give at least one point", lambda: cast(v, a, None, {"P": 0}))
    error = refused(InvalidPaper, "whole numbers", lambda: cast(v, a, None, {"Q": -1}))
    assert error.field == f"project-{v.id('Q')}"
    # Zeros are not stored; the order is the ballot's.
    assert cast(v, a, None, {"R": 3, "P": 7, "Q": 0}).marks == [[v.id("P"), 7], [v.id("R"), 3]]


def test_ordinal_ranks_are_distinct_and_follow_from_one(pb):
    v = make_voting(pb, ONE_POT, districts=(), ballot_form=BallotForm.ORDINAL, max_ranks=2)
    a = pb.members[0]
    refused(InvalidPaper, "Rank at least one project", lambda: cast(v, a, None, {}))
    refused(
        InvalidPaper,
        "You gave rank 1 to two projects",
        lambda: cast(v, a, None, {"P": 1, "Q": 1}),
    )
    refused(
        InvalidPaper,
        "Ranks follow each other from 1: rank 1 is missing.",
        lambda: cast(v, a, None, {"P": 2}),
    )
    error = refused(InvalidPaper, "Ranks go from 1 to 2.", lambda: cast(v, a, None, {"R": 3}))
    assert error.field == f"project-{v.id('R')}"
    # Stored best first.
    assert cast(v, a, None, {"R": 1, "P": 2}).marks == [[v.id("R"), 1], [v.id("P"), 2]]


# --- what the count and the secretary read ----------------------------------------------


def test_progress_counts_who_voted_per_pot_and_papers_read_back_in_tracker_order(pb):
    v = make_voting(pb)
    a, b = pb.members[:2]
    choose(v, a, "Centro")
    choose(v, b, "Norte")
    cast(v, a, "Centro", ["A"])
    cast(v, a, None, ["G"])
    cast(v, b, None, ["G", "H"])

    progress = queries.progress(v.process)
    assert progress.electorate == 5 and progress.undecided == 3
    assert [
        (row.district.name if row.district else None, row.voted, row.voters)
        for row in progress.pots
    ] == [(None, 2, 5), ("Centro", 1, 1), ("Norte", 0, 1)]
    city = list(queries.papers_of_pot(v.process.id, CITY_WIDE))
    assert [tracker for tracker, _ in city] == sorted(tracker for tracker, _ in city)
    assert sorted(marks for _, marks in city) == sorted(
        [[[v.id("G"), 1]], [[v.id("G"), 1], [v.id("H"), 1]]]
    )
    assert queries.electorate_size(v.process.id) == 5
    assert queries.voters_by_district(v.process.id) == {
        None: 3,
        v.pot("Centro"): 1,
        v.pot("Norte"): 1,
    }
