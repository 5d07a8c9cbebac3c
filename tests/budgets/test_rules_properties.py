"""The PB rules on hand-counted cases and on random elections (hypothesis).

Hand cases are counted on paper in the comments; the properties hold for
every rule whatever the profile: within budget, each project once, a reason
for every project, the same outcome whatever order the ballots come in.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgets.rules import RULES, InvalidElection, count, election

pytestmark = pytest.mark.pure

# Three voters, 10 each. C (12) is wanted by all: 4 each, ρ/cost = 1/3.
# A (15) by voters 1 and 2: 7.5 each, ρ/cost = 1/2. B (9) by voter 3 alone: 1.
HAND = dict(
    budget=30,
    projects=[("A", 15), ("B", 9), ("C", 12)],
    ballots=[["A", "C"], ["A", "C"], ["B", "C"]],
)


def hand(**changes):
    values = {**HAND, **changes}
    return election(values["budget"], values["projects"], values["ballots"])


def test_mes_buys_c_then_nobody_can_afford_a_or_b():
    # After C everyone has 6: A's supporters hold 12 < 15, B's supporter 6 < 9.
    e = hand()
    outcome = count("mes", e)
    assert outcome.selected_ids(e) == ["C"]
    assert outcome.cost == 12
    assert outcome.per_voter_budget == 10
    a, b, c = outcome.reasons
    assert (c.code, c.share, c.full_payers, c.partial_payers, c.round) == (
        "selected",
        Fraction(4),
        3,
        0,
        1,
    )
    assert (a.code, a.money, a.cost, a.supporters) == ("unaffordable", Fraction(12), 15, 2)
    assert (b.code, b.money) == ("unaffordable", Fraction(6))


def test_mes_add1_raises_each_share_until_a_is_bought():
    # 11 each: still only C (7 left each, A needs 15 > 14) and 18 left, A would fit.
    # 12 each: C leaves 8 each, A costs 7.5 each; 3 left, B (9) does not fit: exhaustive.
    e = hand()
    outcome = count("mes-add1", e)
    assert outcome.selected_ids(e) == ["C", "A"]
    assert outcome.per_voter_budget == 12
    assert outcome.reasons[0].share == Fraction(15, 2)


def test_mes_partial_payer_pays_all_she_has():
    # Voter 3 holds 1 after D (cost 27, all three: 9 each); E (5) by voters 2 and 3:
    # voter 3 pays her 1, voter 2 pays 4: ρ = 4, partial payer 1.
    e = election(
        30,
        [("D", 27), ("E", 5)],
        [["D"], ["D", "E"], ["D", "E"]],
    )
    outcome = count("mes", e)
    # 10 each; D: 9 each → 1 left each; E: supporters hold 2 < 5: unaffordable.
    assert outcome.selected_ids(e) == ["D"]
    e = election(36, [("D", 27), ("E", 5)], [["D"], ["D", "E"], ["D", "E"], []])
    # 9 each (4 voters); D: 9 from each of voters 1–3 → 0 left; E unaffordable.
    assert count("mes", e).selected_ids(e) == ["D"]
    e = election(40, [("D", 24), ("E", 7)], [["D"], ["D", "E"], ["D", "E"], ["E"]])
    # 10 each; D: 8 each (3 supporters) → 2, 2, 2 and voter 4 keeps 10.
    # E: voters 2 and 3 pay their 2 each, voter 4 pays 3: ρ = 3, 2 partial payers.
    outcome = count("mes", e)
    assert outcome.selected_ids(e) == ["D", "E"]
    e_reason = outcome.reasons[1]
    assert (e_reason.share, e_reason.full_payers, e_reason.partial_payers) == (Fraction(3), 1, 2)


def test_greedy_explains_what_did_not_fit():
    e = hand(budget=25)
    outcome = count("greedy", e)
    # C (3 votes) fits: 13 left; A (2 votes, 15) does not; B (1 vote, 9) does.
    assert outcome.selected_ids(e) == ["C", "B"]
    a = outcome.reasons[0]
    assert (a.code, a.left, a.cost) == ("did-not-fit", 13, 15)


def test_greedy_no_skip_stops_at_the_first_that_does_not_fit():
    e = hand(budget=25)
    outcome = count("greedy-no-skip", e)
    assert outcome.selected_ids(e) == ["C"]
    assert [r.code for r in outcome.reasons] == ["stopped", "stopped", "selected"]


def test_greedy_threshold_passes_over_low_scores():
    e = election(100, HAND["projects"], HAND["ballots"], min_score=2)
    outcome = count("greedy-threshold", e)
    assert outcome.selected_ids(e) == ["C", "A"]
    assert outcome.reasons[1].code == "below-threshold"
    assert outcome.reasons[1].threshold == 2


def test_greedy_ranks_cumulative_ballots_by_points():
    e = election(
        20,
        [("A", 10), ("B", 10), ("C", 10)],
        [{"A": 1, "B": 4}, {"A": 2, "C": 1}, {"C": 3}],
        kind="cumulative",
    )
    assert e.scores == (3, 4, 4)
    # B and C tie on 4 points: "B" comes first as a string.
    assert count("greedy", e).selected_ids(e) == ["B", "C"]


def test_ties_are_broken_by_id_as_strings():
    # "10" < "9" as strings, though 9 < 10 as numbers. Both voters want both;
    # the budget buys one.
    e = election(10, [("9", 10), ("10", 10)], [["9", "10"], ["9", "10"]])
    for rule in RULES:
        assert count(rule, e).selected_ids(e) == ["10"], rule


def test_phragmen_stops_instead_of_skipping():
    # X (3 voters, cost 12: load 4) comes first; Y (load 20/1) and Z (load 3/1 = 3)...
    e = election(
        15,
        [("X", 12), ("Y", 20), ("Z", 3)],
        [["X"], ["X"], ["X", "Z"], ["Y"]],
    )
    outcome = count("phragmen", e)
    # Round 1: X → 12/3 = 4, Z → 3/1 = 3, Y → 20/1: Z first (3), then X (12+3)/3 = 5.
    assert outcome.selected_ids(e) == ["Z", "X"]
    assert outcome.reasons[0].load == 5
    # Y costs more than the budget: never enters.
    assert outcome.reasons[1].code == "did-not-fit"


def test_no_voters_selects_nothing_with_mes_and_everything_greedy_that_fits():
    e = election(10, [("A", 4), ("B", 7)], [])
    assert count("mes", e).selected == ()
    assert count("mes-add1", e).selected == ()
    assert count("greedy", e).selected_ids(e) == ["A"]


def test_bad_elections_are_refused():
    with pytest.raises(InvalidElection):
        election(10, [("A", -1)], [])
    with pytest.raises(InvalidElection):
        election(10, [("A", 1), ("A", 2)], [])
    with pytest.raises(InvalidElection):
        election(10, [("A", 1)], [["B"]])
    with pytest.raises(InvalidElection):
        election(-1, [("A", 1)], [])


IDS = [str(n) for n in range(1, 9)]


@st.composite
def elections(draw):
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=8, unique=True))
    costs = [draw(st.integers(0, 40)) for _ in ids]
    ballots = draw(
        st.lists(st.lists(st.sampled_from(ids), unique=True), max_size=20),
    )
    budget = draw(st.integers(0, 100))
    return budget, list(zip(ids, costs, strict=True)), ballots


@settings(max_examples=150, deadline=None)
@given(elections(), st.randoms(use_true_random=False))
def test_every_rule_stays_in_budget_and_ignores_ballot_order(data, rng):
    budget, projects, ballots = data
    e = election(budget, projects, ballots)
    shuffled = list(ballots)
    rng.shuffle(shuffled)
    e2 = election(budget, list(reversed(projects)), shuffled)
    for rule in RULES:
        outcome = count(rule, e)
        assert outcome.cost <= budget
        assert len(set(outcome.selected)) == len(outcome.selected)
        assert outcome.cost == sum(e.costs[p] for p in outcome.selected)
        assert len(outcome.reasons) == e.projects
        selected = set(outcome.selected)
        assert {
            p for p, r in enumerate(outcome.reasons) if r.code in ("selected", "completion")
        } == selected
        assert set(count(rule, e2).selected_ids(e2)) == set(outcome.selected_ids(e)), rule


@settings(max_examples=100, deadline=None)
@given(elections())
def test_mes_shares_never_exceed_what_a_voter_holds(data):
    budget, projects, ballots = data
    e = election(budget, projects, ballots)
    outcome = count("mes", e)
    if not ballots:
        return
    for project in outcome.selected:
        reason = outcome.reasons[project]
        assert reason.share is not None
        assert 0 < reason.share <= Fraction(budget, len(ballots))
        # What the payers paid adds up to the cost: nobody pays more than ρ.
        assert reason.full_payers * reason.share <= e.costs[project]
    greedy = count("mes-add1-greedy", e)
    left = budget - greedy.cost
    assert all(e.costs[p] > left for p in range(e.projects) if p not in greedy.selected)
