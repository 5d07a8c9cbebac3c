"""Every rule against pabutools (or, where it has no twin, a plain reference) on many instances.

pabutools is a test-only dependency; the calls are in ``pb_helpers.PABUTOOLS_RULES``
(cost satisfaction, its default lexicographic tie-break on the project name,
which is our tie-break by id compared as strings). Compared are the selected
*sets*: pabutools sorts some outcomes.

The generated instances come from ``tests/fixtures/gen_instance.py``; most have
their costs divided by 100 (exactly: the generator's amounts are multiples of
100) because pabutools' MES + add1 raises the per-voter budget one unit at a
time, about a second a call on the full amounts. Every fourth keeps them.

``greedy-no-skip`` and ``greedy-threshold`` have no pabutools twin; they are
checked against :func:`reference_greedy`, which picks the best remaining
project round by round instead of sorting once.
"""

from __future__ import annotations

import random
from functools import cache
from typing import Any

import pytest

from budgets.rules import RULES, Election, count, election
from tests.budgets.pb_helpers import PABUTOOLS_RULES, Case, generated_case, names

pytestmark = pytest.mark.pure

GENERATED = 36


def _generated() -> list[Case]:
    rng = random.Random(2024)
    cases = []
    for index in range(GENERATED):
        voters = (20, 300)[index] if index < 2 else rng.randint(20, 300)
        projects = rng.randint(4, 15)
        k_max = rng.randint(1, min(projects, 10))
        k_min = rng.randint(1, k_max)
        divisor = 1 if index % 4 == 0 else 100
        seed = 100 + index
        cases.append(
            generated_case(voters, projects, seed, k_min=k_min, k_max=k_max, cost_divisor=divisor)
        )
    return cases


def _ballots(*groups: tuple[int, tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    """``(how many, ballot)`` pairs spelled out, one ballot per voter."""
    return tuple(ballot for times, ballot in groups for _ in range(times))


EDGE_CASES = [
    # Equal scores and costs: the tie-break alone decides; "10" < "100" < "9" as strings.
    Case(
        "tie-same-supporters",
        200,
        (("9", 100), ("10", 100), ("100", 100), ("11", 100)),
        _ballots((3, ("9", "10", "100")), (1, ("11",))),
    ),
    Case(
        "tie-disjoint-groups",
        300,
        (("2", 120), ("10", 120), ("1", 120), ("20", 60)),
        _ballots((2, ("2",)), (2, ("10",)), (2, ("1",)), (1, ("20",))),
    ),
    # Same score, different costs: numeric order would take "9" and leave no room for "10".
    Case(
        "tie-string-beats-numeric",
        300,
        (("9", 100), ("10", 300), ("8", 250)),
        _ballots((3, ("9", "10")), (1, ("8",))),
    ),
    Case(
        "tie-everything",
        250,
        tuple((str(number), 50) for number in range(7, 13)),
        _ballots((1, ("7", "8", "9", "10", "11", "12"))),
    ),
    Case(
        "more-than-the-budget",
        1_000,
        (("1", 2_500), ("2", 400), ("3", 700), ("4", 300)),
        _ballots((5, ("1", "2")), (3, ("1", "3")), (2, ("4",))),
    ),
    Case(
        "empty-ballots",
        1_000,
        (("a", 500), ("b", 400), ("c", 300)),
        _ballots((4, ()), (2, ("a", "b")), (1, ("c",)), (1, ("b", "c"))),
    ),
    Case("nobody-approves-anything", 500, (("1", 200), ("2", 300), ("3", 100)), _ballots((5, ()))),
    Case("no-ballots", 500, (("1", 200), ("2", 300), ("3", 100)), ()),
    Case(
        "nothing-fits",
        50,
        (("1", 100), ("2", 200), ("3", 60)),
        _ballots((3, ("1",)), (2, ("2", "3"))),
    ),
    Case("budget-zero", 0, (("1", 100), ("2", 200)), _ballots((3, ("1",)), (1, ("2",)))),
    Case("budget-zero-free-project", 0, (("1", 100), ("2", 0)), _ballots((3, ("1", "2")))),
    Case("one-project-everyone", 500, (("7", 400),), _ballots((6, ("7",)))),
    Case(
        "one-project-everyone-others-unwanted",
        500,
        (("7", 300), ("8", 100), ("9", 150)),
        _ballots((6, ("7",))),
    ),
    Case(
        "free-projects",
        500,
        (("p", 300), ("q", 250), ("free", 0), ("free-unwanted", 0), ("r", 100)),
        _ballots((3, ("p", "free")), (2, ("q",)), (1, ("r", "free"))),
    ),
]

CASES = _generated() + EDGE_CASES


@cache
def prepared(case: Case) -> tuple[Election, Any, Any]:
    instance, profile = case.pabutools()
    return case.election(), instance, profile


def selected(rule: str, contest: Election) -> set[str]:
    outcome = count(rule, contest)
    assert len(set(outcome.selected)) == len(outcome.selected), "a project selected twice"
    assert outcome.cost == sum(contest.costs[project] for project in outcome.selected)
    assert outcome.cost <= contest.budget
    return set(outcome.selected_ids(contest))


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
@pytest.mark.parametrize("rule", PABUTOOLS_RULES)
def test_same_set_as_pabutools(rule: str, case: Case) -> None:
    contest, instance, profile = prepared(case)
    assert selected(rule, contest) == names(PABUTOOLS_RULES[rule](instance, profile))


def reference_greedy(contest: Election, *, skip: bool, threshold: int = 0) -> set[str]:
    """Round by round, the best remaining project (score, then id as a string)."""
    scores, costs, ids = contest.scores, contest.costs, contest.project_ids
    remaining = {p for p in range(contest.projects) if scores[p] >= threshold}
    chosen: set[str] = set()
    left = contest.budget
    while remaining:
        best = min(remaining, key=lambda p: (-scores[p], ids[p]))
        remaining.discard(best)
        if costs[best] <= left:
            chosen.add(ids[best])
            left -= costs[best]
        elif not skip:
            break
    return chosen


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_greedy_no_skip_stops_at_the_first_misfit(case: Case) -> None:
    contest, _, _ = prepared(case)
    assert selected("greedy-no-skip", contest) == reference_greedy(contest, skip=False)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_greedy_threshold_passes_over_low_scores(case: Case) -> None:
    contest, _, _ = prepared(case)
    scores = sorted(contest.scores)
    for threshold in {0, 1, scores[len(scores) // 2], scores[-1], scores[-1] + 1}:
        with_threshold = election(case.budget, case.projects, case.ballots, min_score=threshold)
        expected = reference_greedy(contest, skip=True, threshold=threshold)
        assert selected("greedy-threshold", with_threshold) == expected, threshold


def test_greedy_threshold_zero_is_greedy() -> None:
    for case in CASES:
        contest, _, _ = prepared(case)
        assert selected("greedy-threshold", contest) == selected("greedy", contest), case.name


def test_the_tie_cases_need_the_tie_break() -> None:
    contest = prepared(EDGE_CASES[2])[0]
    # "9" comes first by number, "10" by string; only one of them fits.
    assert contest.scores[0] == contest.scores[1]
    assert count("greedy", contest).selected_ids(contest) == ["10"]
    for case in EDGE_CASES[:4]:
        scores = prepared(case)[0].scores
        assert len(set(scores)) < len(scores), case.name


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize(
    "case", [CASES[0], CASES[3], EDGE_CASES[0], EDGE_CASES[5]], ids=lambda case: case.name
)
def test_ballot_order_does_not_matter(rule: str, case: Case) -> None:
    first = case.election()
    ballots = list(case.ballots)
    random.Random(7).shuffle(ballots)
    again = election(case.budget, case.projects, ballots)
    reversed_ = election(case.budget, case.projects, ballots[::-1])
    expected = count(rule, first).as_json(first)
    assert count(rule, again).as_json(again) == expected
    assert count(rule, reversed_).as_json(reversed_) == expected
