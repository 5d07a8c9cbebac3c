"""Counting a participatory budget when it leaves voting: one stored result per pot,
equal to the rules called directly, hand-checked on two districts, with stable
hashes, the threshold of greedy-threshold, the currency unit of add1, and every
ballot form read as the rules expect."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from budgets.models import BallotForm, ProcessState
from budgets.projects import ballot_projects
from budgets.results import services as results
from budgets.results.counting import pot_election
from budgets.results.models import PotResult
from budgets.rules import count, election
from budgets.voting.models import CITY_WIDE, Paper
from governance.extensions import db
from governance.models import AuditEntry
from tests.fixtures.pb_results import (
    TWO_DISTRICTS,
    ProjectSpec,
    add_papers,
    make_voting_process,
    vote_two_districts,
)
from tests.fixtures.pb_results import count as count_process
from votes.methods.hashing import canonical_json, result_hash


def stored(process_id: int) -> dict[int, PotResult]:
    return {result.pot: result for result in results.pot_results(process_id)}


def test_two_districts_and_the_city_wide_pot_are_counted_by_hand(pb):
    voting = make_voting_process(pb, TWO_DISTRICTS, rule="greedy")
    vote_two_districts(voting)

    process = count_process(voting)

    assert process.state is ProcessState.RESULT
    pots = stored(process.id)
    assert set(pots) == {0, voting.pot("Centro"), voting.pot("Norte")}
    centro, norte, city = pots[voting.pot("Centro")], pots[voting.pot("Norte")], pots[0]
    assert centro.outcome["selected"] == voting.ids("AC")
    assert (centro.budget, centro.outcome["cost"], centro.outcome["left"]) == (
        500_000,
        450_000,
        50_000,
    )
    assert centro.papers == 3 and centro.district_id == voting.pot("Centro")
    # E is counted at its revised cost; F, not feasible, is not on the ballot.
    assert norte.outcome["selected"] == voting.ids("DE")
    assert norte.outcome["cost"] == 300_000 and norte.outcome["left"] == 0
    assert norte.outcome["projects"][voting.pid("E")]["cost"] == 100_000
    assert voting.pid("F") not in norte.outcome["projects"]
    assert city.outcome["selected"] == voting.ids("H") and city.district_id is None
    assert city.outcome["projects"][voting.pid("G")]["code"] == "did-not-fit"
    assert centro.outcome["projects"][voting.pid("B")] == {
        "code": "did-not-fit",
        "score": 2,
        "cost": 250_000,
        "left": "200000",
    }


def test_each_pot_equals_the_rule_called_directly(pb):
    voting = make_voting_process(pb, TWO_DISTRICTS, rule="mes-add1-greedy")
    vote_two_districts(voting)
    add_papers(voting, "Centro", [["B", "C"], ["C"]])

    process = count_process(voting)

    centro = stored(process.id)[voting.pot("Centro")]
    direct = election(
        500_000,
        [(voting.pid(key), TWO_DISTRICTS[key].cost) for key in "ABC"],
        [voting.ids(paper) for paper in ("AB", "AB", "AC", "BC", "C")],
        unit=100,  # BRL has cents: add1 raises each voter's money by one real
        fund_unsupported=False,  # a live budget never funds what nobody voted for
    )
    expected = count("mes-add1-greedy", direct)
    assert centro.outcome["selected"] == expected.selected_ids(direct)
    assert centro.outcome["cost"] == expected.cost
    assert {
        key: value for key, value in centro.outcome.items() if key not in ("process", "pot")
    } == (expected.as_json(direct))
    assert centro.rule == "mes-add1-greedy"


def test_the_hash_is_over_the_stored_outcome_and_a_recount_gives_the_same_bytes(pb):
    voting = make_voting_process(pb, TWO_DISTRICTS, rule="mes-add1")
    vote_two_districts(voting)
    process = count_process(voting)

    for result in results.pot_results(process.id):
        db.session.expire(result)
        assert result.result_hash == result_hash(result.outcome)
        # Counting the stored papers again gives the same canonical JSON.
        projects = ballot_projects(process, None if result.pot == CITY_WIDE else result.pot)
        again = pot_election(process, result.pot, projects)
        recount = {
            **count(process.rule, again).as_json(again),
            "process": process.id,
            "pot": result.pot,
        }
        assert canonical_json(recount) == canonical_json(result.outcome)
    hashes = {result.result_hash for result in results.pot_results(process.id)}
    assert len(hashes) == 3  # the pot is in the hashed outcome: no two pots share one


def test_the_count_is_in_the_audit_log(pb):
    voting = make_voting_process(pb, TWO_DISTRICTS, rule="greedy")
    vote_two_districts(voting)
    process = count_process(voting)

    entry = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "pb.counted")
    ).scalar_one()
    assert entry.actor_id == pb.secretary.id
    data = json.loads(entry.data)
    assert [pot["pot"] for pot in data["pots"]] == sorted(stored(process.id))
    assert data["rule"] == "greedy"


def test_greedy_threshold_passes_over_projects_below_the_minimum(pb):
    projects = {
        "A": ProjectSpec(None, 100_000),
        "B": ProjectSpec(None, 50_000),
        "C": ProjectSpec(None, 20_000),
    }
    voting = make_voting_process(
        pb, projects, rule="greedy-threshold", min_score=2, amount=200_000, districts=()
    )
    add_papers(voting, None, [["A", "B"], ["A", "B"], ["A", "C"]])

    process = count_process(voting)

    city = stored(process.id)[0]
    assert city.outcome["selected"] == voting.ids("AB")  # C fits, but has 1 vote < 2
    reason = city.outcome["projects"][voting.pid("C")]
    assert (reason["code"], reason["score"], reason["threshold"]) == ("below-threshold", 1, 2)


@pytest.mark.parametrize("rule", ["mes-add1-greedy", "greedy", "phragmen", "mes"])
def test_a_live_budget_never_funds_a_project_nobody_voted_for(pb, rule):
    # pabulib's greedy fill (and greedy, and Phragmén at its end) would fund
    # unvoted projects that fit, as pabutools does; a live budget does not.
    voting = make_voting_process(pb, TWO_DISTRICTS, rule=rule)
    add_papers(voting, "Centro", [["A"]])

    process = count_process(voting)

    pots = stored(process.id)
    norte = pots[voting.pot("Norte")]
    assert norte.papers == 0
    assert norte.outcome["selected"] == [] and norte.outcome["cost"] == 0
    assert {reason["code"] for reason in norte.outcome["projects"].values()} == {"no-support"}
    centro = pots[voting.pot("Centro")]
    assert centro.outcome["selected"] == [voting.pid("A")]
    assert centro.outcome["projects"][voting.pid("B")]["code"] == "no-support"


def test_cumulative_papers_count_their_points(pb):
    projects = {"A": ProjectSpec(None, 100_000), "B": ProjectSpec(None, 100_000)}
    voting = make_voting_process(
        pb,
        projects,
        rule="greedy",
        amount=100_000,
        districts=(),
        ballot_form=BallotForm.CUMULATIVE,
        points=5,
    )
    # A is on more papers, B has more points.
    add_papers(voting, None, [{"A": 1, "B": 4}, {"A": 5}, {"A": 1, "B": 4}])

    city = stored(count_process(voting).id)[0]

    assert city.outcome["selected"] == voting.ids("B")
    assert city.outcome["projects"][voting.pid("B")]["score"] == 8


def test_ordinal_papers_are_read_best_first_and_marks_off_the_ballot_left_out(pb):
    voting = make_voting_process(
        pb,
        {"A": ProjectSpec(None, 50_000), "B": ProjectSpec(None, 50_000)},
        districts=(),
        ballot_form=BallotForm.ORDINAL,
        max_ranks=2,
    )
    add_papers(voting, None, [["B", "A"]])
    process = voting.process
    projects = ballot_projects(process, None)
    # A mark on a project that is not on the ballot (withdrawn) is left out.
    db.session.add(
        Paper(
            tracker="f" * 64,
            process_id=process.id,
            pot=0,
            marks=[[10**9, 1], [projects[0].project_id, 2]],
        )
    )
    db.session.flush()
    election = pot_election(process, CITY_WIDE, projects)
    a, b = (election.index_of[p.pabulib_id] for p in projects)
    assert sorted(election.ballot(v) for v in range(election.voters)) == sorted([(b, a), (a,)])
