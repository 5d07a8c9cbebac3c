"""The surplus-split rules (issue 8): hand-counted cases, the brute force, properties.

``tests/budgets/surplus_reference.py`` counts independent markets straight
from the phantom-median definition; here the rule is compared with it on a few
hundred seeded random profiles, then checked for the properties the issue
asks for: one voter or a unanimous electorate gets its own split back, shares
sum to exactly 1 and respect the bounds, amounts sum to the surplus, the mean
is the weighted average, infeasible bounds are refused, and no voter in a
small profile gets closer (ℓ1) to the outcome by misreporting on a 10 % grid.
Exact arithmetic throughout: every share is a ``Fraction``.
"""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgets.rules.surplus import (
    InvalidSplit,
    amounts,
    independent_markets,
    mean,
    profile,
)
from tests.budgets import surplus_reference as reference

pytestmark = pytest.mark.pure

NAMES = ("expansion", "solidarity", "reserves", "education", "returns")
F = Fraction


def split(reports, *, scale=100, weights=None):
    return profile(NAMES[: len(reports[0])], reports, scale=scale, weights=weights)


def l1(a, b) -> Fraction:
    return sum((abs(x - y) for x, y in zip(a, b, strict=True)), F(0))


# --- hand-counted cases ------------------------------------------------------------


def test_two_opposite_voters_split_evenly():
    # n = 2, phantoms 0, t, 2t. Each destination sees {1, 0} and the phantoms:
    # sorted 0, 0, t, 2t, 1 (while 2t <= 1), median (3rd) = t; 2t = 1 gives t = 1/2.
    assert independent_markets(split([[100, 0], [0, 100]])) == (F(1, 2), F(1, 2))
    assert independent_markets(split([[1000, 0], [0, 1000]], scale=1000)) == (F(1, 2), F(1, 2))


def test_two_against_one_is_proportional():
    # n = 3, phantoms 0, t, 2t, 3t; the median is the 4th smallest of 7 values.
    # expansion sees 1, 1, 0: sorted 0, 0, t, 2t, 3t, 1, 1 (3t <= 1) -> 2t.
    # solidarity sees 0, 0, 1: sorted 0, 0, 0, t, 2t, 3t, 1 -> t.
    # 2t + t = 1: t = 1/3, 3t = 1 still <= 1, shares 2/3 and 1/3.
    expected = (F(2, 3), F(1, 3))
    assert independent_markets(split([[100, 0], [100, 0], [0, 100]])) == expected
    # A weight counts as that many voters.
    assert independent_markets(split([[100, 0], [0, 100]], weights=[2, 1])) == expected


def test_the_middle_voter_wins_where_the_mean_does_not():
    # n = 3: expansion sees 0.7, 0.2, 0.5, solidarity 0.3, 0.8, 0.5. For t in
    # [1/4, 1/2): below 0.5 on each side are 0 (phantom), the low report and exactly
    # one ramp (t < 1/2 <= 2t); above are the high report and the ramps 2t, 3t (>= 1/2).
    # So both medians are 0.5, the sum is 1: shares 1/2, 1/2 (a flat stretch of t).
    reports = [[70, 30], [20, 80], [50, 50]]
    assert independent_markets(split(reports)) == (F(1, 2), F(1, 2))
    # The mean: expansion (70 + 20 + 50) / 300 = 7/15, solidarity 8/15.
    assert mean(split(reports)) == (F(7, 15), F(8, 15))
    assert mean(split(reports, weights=[2, 1, 1])) == (F(210, 400), F(190, 400))


def test_a_floor_lifts_a_destination_nobody_asked_for():
    # n = 1: each median is the middle of {p_j, 0, t}, i.e. min(p_j, t).
    # expansion min(1, t) = t; solidarity 0; education 0 lifted to its floor 1/5.
    # t + 1/5 = 1: t = 4/5, shares 4/5, 0, 1/5.
    floors = [F(0), F(0), F(1, 5)]
    shares = independent_markets(split([[100, 0, 0]]), floors=floors)
    assert shares == (F(4, 5), F(0), F(1, 5))
    assert shares == reference.independent_markets([[100, 0, 0]], floors=floors)


def test_the_mean_is_moved_evenly_onto_its_bounds():
    # Average 1/2, 1/2, 0; education's floor 1/5 takes 1/5, the others give 1/10 each.
    shares = mean(split([[100, 0, 0], [0, 100, 0]]), floors=[F(0), F(0), F(1, 5)])
    assert shares == (F(2, 5), F(2, 5), F(1, 5))


def test_equal_remainders_go_to_the_destination_listed_first():
    third = [F(1, 3)] * 3
    assert amounts(third, 100) == (34, 33, 33)
    assert amounts(third, 2) == (1, 1, 0)
    assert amounts(third, 0) == (0, 0, 0)
    assert amounts([F(1, 2), F(1, 2)], 1) == (1, 0)
    # 1/4 and 3/4 of 2 are 0.5 and 1.5, 1/10 and 9/10 of 5 are 0.5 and 4.5: equal
    # remainders, the first gets the unit. A larger remainder wins over the order.
    assert amounts([F(1, 4), F(3, 4)], 2) == (1, 1)
    assert amounts([F(1, 10), F(9, 10)], 5) == (1, 4)
    assert amounts([F(3, 10), F(7, 10)], 1) == (0, 1)  # 0.3 against 0.7


def test_a_negative_total_is_refused():
    with pytest.raises(InvalidSplit):
        amounts([F(1)], -1)


# --- the brute force on seeded random profiles --------------------------------------


def random_report(rng: random.Random, m: int, scale: int, step: int) -> list[int]:
    cuts = sorted(rng.randint(0, scale // step) for _ in range(m - 1))
    edges = [0, *cuts, scale // step]
    return [(b - a) * step for a, b in pairwise(edges)]


def random_bounds(rng: random.Random, m: int) -> tuple[list[Fraction], list[Fraction]]:
    """Feasible bounds on a 5 % grid: floors sum to at most 1, ceilings at least 1."""
    while True:
        floors = [F(rng.choice((0, 0, 5, 10, 20, 30)), 100) for _ in range(m)]
        ceilings = [
            F(rng.choice((100, 100, 80, 60, 50, 40)), 100) if rng.random() < 0.5 else F(1)
            for _ in range(m)
        ]
        ceilings = [max(c, f) for f, c in zip(floors, ceilings, strict=True)]
        if sum(floors) <= 1 <= sum(ceilings):
            return floors, ceilings


def random_case(rng: random.Random, index: int) -> dict:
    m = rng.randint(2, 5)
    n = rng.randint(1, 7)
    scale = 1000 if index % 7 == 6 else 100
    step = scale // 10 if index % 3 == 1 else (1 if index % 3 == 0 else rng.choice((1, 10)))
    if index % 3 == 2 and scale == 100:
        step = rng.choice((1, 10, 10, 20, 50))
    reports = [random_report(rng, m, scale, step) for _ in range(n)]
    if n > 1 and rng.random() < 0.3:  # repeat a report: ties between voters
        reports[rng.randrange(n)] = list(reports[0])
    weights = [rng.randint(1, 3) for _ in range(n)] if index % 4 == 1 else None
    floors = ceilings = None
    if index % 4 in (2, 3):
        floors, ceilings = random_bounds(rng, m)
        if index % 8 == 2:
            ceilings = None
        elif index % 8 == 6:
            floors = None
    return dict(reports=reports, scale=scale, weights=weights, floors=floors, ceilings=ceilings)


CASES = [random_case(random.Random(f"surplus-{index}"), index) for index in range(320)]


def test_independent_markets_matches_the_brute_force():
    compared = unsolved = 0
    for case in CASES:
        shares = independent_markets(
            split(case["reports"], scale=case["scale"], weights=case["weights"]),
            floors=case["floors"],
            ceilings=case["ceilings"],
        )
        try:
            expected = reference.independent_markets(**case)
        except reference.NoSolution:
            # Ceilings hold the medians below 1 whatever t: the definition has no
            # answer; the rule must still give shares within the bounds summing to 1.
            unsolved += 1
            assert sum(shares) == 1, case
            assert_within(shares, case["floors"], case["ceilings"])
            continue
        assert shares == expected, case
        compared += 1
    assert compared >= 200
    assert unsolved < compared


def assert_within(shares, floors, ceilings):
    for j, share in enumerate(shares):
        assert share >= (floors[j] if floors else 0)
        assert share <= (ceilings[j] if ceilings else 1)


# --- properties (hypothesis) ----------------------------------------------------------


@st.composite
def reports_of(draw, m: int, scale: int = 100):
    cuts = sorted(draw(st.lists(st.integers(0, scale), min_size=m - 1, max_size=m - 1)))
    edges = [0, *cuts, scale]
    return [b - a for a, b in pairwise(edges)]


@st.composite
def profiles(draw, max_voters: int = 7, weighted: bool | None = None):
    m = draw(st.integers(2, 5))
    scale = draw(st.sampled_from((100, 100, 1000)))
    n = draw(st.integers(1, max_voters))
    reports = draw(st.lists(reports_of(m, scale), min_size=n, max_size=n))
    if weighted is None:
        weighted = draw(st.booleans())
    weights = draw(st.lists(st.integers(1, 3), min_size=n, max_size=n)) if weighted else None
    return reports, scale, weights


@st.composite
def feasible_bounds(draw, m: int):
    floors = draw(st.lists(st.integers(0, 100), min_size=m, max_size=m))
    while sum(floors) > 100:
        floors = [f // 2 for f in floors]
    ceilings = [draw(st.integers(f, 100)) for f in floors]
    if sum(ceilings) < 100:
        ceilings[draw(st.integers(0, m - 1))] = 100
    return [F(f, 100) for f in floors], [F(c, 100) for c in ceilings]


RULES = [independent_markets, mean]
rules = st.sampled_from(RULES)


@settings(max_examples=150, deadline=None)
@given(rules, st.integers(2, 5).flatmap(reports_of), st.integers(1, 5))
def test_one_voter_gets_their_split_back(rule, report, weight):
    expected = tuple(F(value, 100) for value in report)
    assert rule(split([report], weights=[weight])) == expected


@settings(max_examples=150, deadline=None)
@given(
    rules,
    st.integers(2, 5).flatmap(lambda m: reports_of(m, 1000)),
    st.lists(st.integers(1, 3), min_size=1, max_size=7),
    st.booleans(),
)
def test_a_unanimous_split_comes_back(rule, report, weights, weighted):
    reports = [report] * len(weights)
    expected = tuple(F(value, 1000) for value in report)
    shares = rule(split(reports, scale=1000, weights=weights if weighted else None))
    assert shares == expected


@settings(max_examples=150, deadline=None)
@given(rules, profiles())
def test_shares_are_exact_non_negative_and_sum_to_one(rule, drawn):
    reports, scale, weights = drawn
    shares = rule(split(reports, scale=scale, weights=weights))
    assert len(shares) == len(reports[0])
    assert all(type(share) is Fraction and share >= 0 for share in shares)
    assert sum(shares) == 1


@settings(max_examples=150, deadline=None)
@given(rules, profiles(), st.data())
def test_shares_respect_feasible_bounds(rule, drawn, data):
    reports, scale, weights = drawn
    floors, ceilings = data.draw(feasible_bounds(len(reports[0])))
    which = data.draw(st.sampled_from(("both", "floors", "ceilings")))
    floors = None if which == "ceilings" else floors
    ceilings = None if which == "floors" else ceilings
    shares = rule(split(reports, scale=scale, weights=weights), floors=floors, ceilings=ceilings)
    assert sum(shares) == 1
    assert_within(shares, floors, ceilings)


@settings(max_examples=100, deadline=None)
@given(rules, st.integers(2, 5).flatmap(reports_of), st.data())
def test_one_voter_within_the_bounds_gets_their_split_back(rule, report, data):
    # Bounds that the report already keeps: the report itself is the answer.
    floors = [F(data.draw(st.integers(0, value)), 100) for value in report]
    ceilings = [F(data.draw(st.integers(value, 100)), 100) for value in report]
    shares = rule(split([report]), floors=floors, ceilings=ceilings)
    assert shares == tuple(F(value, 100) for value in report)


@settings(max_examples=150, deadline=None)
@given(profiles())
def test_the_mean_without_bounds_is_the_weighted_average(drawn):
    reports, scale, weights = drawn
    w = weights or [1] * len(reports)
    expected = tuple(
        F(sum(wi * row[j] for wi, row in zip(w, reports, strict=True)), scale * sum(w))
        for j in range(len(reports[0]))
    )
    assert mean(split(reports, scale=scale, weights=weights)) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.lists(st.integers(0, 50), min_size=1, max_size=6)
        .filter(any)
        .map(lambda parts: [F(p, sum(parts)) for p in parts]),
        st.integers(1, 6).flatmap(lambda m: st.lists(st.just(F(1, m)), min_size=m, max_size=m)),
    ),
    st.one_of(st.integers(0, 10), st.integers(0, 10**9)),
)
def test_amounts_sum_to_the_total_and_stay_within_one_of_the_share(shares, total):
    result = amounts(shares, total)
    assert sum(result) == total
    assert all(type(a) is int and a >= 0 for a in result)
    assert all(abs(a - share * total) < 1 for a, share in zip(result, shares, strict=True))


@settings(max_examples=100, deadline=None)
@given(rules, profiles(max_voters=3), st.integers(0, 500))
def test_amounts_of_a_rule_sum_to_the_total(rule, drawn, total):
    reports, scale, weights = drawn
    shares = rule(split(reports, scale=scale, weights=weights))
    result = amounts(shares, total)
    assert sum(result) == total
    assert all(abs(a - share * total) < 1 for a, share in zip(result, shares, strict=True))


@settings(max_examples=100, deadline=None)
@given(rules, profiles(max_voters=3), st.data())
def test_infeasible_bounds_are_refused(rule, drawn, data):
    reports, scale, weights = drawn
    m = len(reports[0])
    kind = data.draw(st.sampled_from(("floors", "ceilings", "crossed")))
    floors = ceilings = None
    if kind == "floors":  # floors summing to more than 1
        values = data.draw(st.lists(st.integers(0, 100), min_size=m, max_size=m))
        if sum(values) <= 100:
            values[0], values[1] = 100, max(values[1], 1)
        floors = [F(value, 100) for value in values]
    elif kind == "ceilings":  # ceilings summing to less than 1
        ceilings = [F(data.draw(st.integers(0, 99 // m)), 100) for _ in range(m)]
    else:  # one destination's floor above its ceiling, each sum otherwise fine
        floors = [F(0)] * m
        ceilings = [F(1)] * m
        floors[0], ceilings[0] = F(1, 2), F(1, 4)
    with pytest.raises(InvalidSplit):
        rule(split(reports, scale=scale, weights=weights), floors=floors, ceilings=ceilings)


# --- no manipulation: independent markets, 10 % grid ---------------------------------

GRID = [
    (a * 10, b * 10, (10 - a - b) * 10) for a in range(11) for b in range(11 - a)
]  # every split of 100 into three multiples of 10
MANIPULATION_PROFILES = 120


def test_the_grid_has_every_split():
    assert len(GRID) == 66 and len(set(GRID)) == 66
    assert all(sum(g) == 100 and min(g) >= 0 for g in GRID)


def test_no_voter_gets_closer_by_misreporting():
    rng = random.Random("surplus-manipulation")
    checked = 0
    for _ in range(MANIPULATION_PROFILES):
        n = rng.randint(2, 4)
        reports = [list(rng.choice(GRID)) for _ in range(n)]
        truthful = independent_markets(split(reports))
        for i, report in enumerate(reports):
            true = [F(value, 100) for value in report]
            honest = l1(true, truthful)
            for lie in GRID:
                if list(lie) == report:
                    continue
                lied = [*reports[:i], list(lie), *reports[i + 1 :]]
                outcome = independent_markets(split(lied))
                assert l1(true, outcome) >= honest, (reports, i, lie, truthful, outcome)
                checked += 1
    assert checked >= MANIPULATION_PROFILES * 2 * 65
