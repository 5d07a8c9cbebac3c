"""The ``split`` counting method (issue 8): what a paper may be, what a split's
settings must be, and what the count of a split ballot holds.

The method lives in ``budgets/`` and is registered into ``votes.methods``; these
tests use only the pure counting API (``Contest``, ``normalise_choice``,
``tally``), as the ballot's close does.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import budgets.split_method  # noqa: F401 - registers "split"
from budgets.rules.surplus import amounts, independent_markets, mean, profile
from votes.methods import (
    METHODS,
    Contest,
    InvalidChoice,
    InvalidContest,
    Rules,
    canonical_json,
    normalise_choice,
    parse_fraction,
    tally,
)
from votes.methods.base import MethodImpl
from votes.methods.registry import register

pytestmark = pytest.mark.pure

DESTINATIONS = ("Expansion", "Solidarity fund", "Reserves")


def contest(
    *,
    scale=100,
    rule="independent-markets",
    floors=(0, 0, 0),
    ceilings=None,
    total=1_000_001,
    electorate=10,
    quorum=Fraction(0),
    options=DESTINATIONS,
    **overrides,
):
    settings_ = {
        "scale": scale,
        "rule": rule,
        "floors": list(floors),
        "ceilings": list(ceilings) if ceilings is not None else [scale] * len(options),
        "total": total,
        "currency": "BRL",
    }
    settings_.update(overrides)
    return Contest(
        "split", options, electorate, Rules(quorum=quorum, threshold=None), settings=settings_
    )


def test_split_is_a_registered_method_without_threshold():
    assert "split" in METHODS
    assert METHODS["split"].has_threshold is False
    with pytest.raises(InvalidContest) as refused:
        Contest(
            "split", DESTINATIONS, 3, Rules(quorum=0, threshold=Fraction(1, 2)), settings=None
        ).validate()
    assert refused.value.code == "split-settings"


def test_registering_another_method_under_a_taken_name_is_refused():
    plurality = METHODS["plurality"]
    impostor = MethodImpl(plurality, lambda c, x: x, lambda x: x, lambda x: x, lambda c, g, p: {})
    with pytest.raises(ValueError, match="already registered"):
        register(impostor)


def test_the_other_methods_take_no_settings():
    with pytest.raises(InvalidContest) as refused:
        Contest(
            "plurality", ("a", "b"), 3, Rules(quorum=0, threshold=None), settings={"x": 1}
        ).validate()
    assert refused.value.code == "unexpected-field"


def test_a_paper_fills_missing_destinations_with_zero_in_ballot_order():
    assert normalise_choice(contest(), {"Reserves": 40, "Expansion": 60}) == {
        "Expansion": 60,
        "Solidarity fund": 0,
        "Reserves": 40,
    }


@pytest.mark.parametrize(
    ("choice", "code", "params"),
    [
        ({"Expansion": 60, "Reserves": 30}, "split-sum", {"sum": "90 %", "whole": "100 %"}),
        ({"Expansion": 70, "Reserves": 40}, "split-sum", {"sum": "110 %", "whole": "100 %"}),
        ({"Expansion": 110, "Reserves": -10}, "split-share", {"option": "Reserves"}),
        ({"Expansion": 50.0, "Reserves": 50}, "split-share", {"option": "Expansion"}),
        ({"Expansion": True, "Reserves": 99}, "split-share", {"option": "Expansion"}),
        ({"Education": 100}, "unknown-option", {"option": "Education"}),
        (["Expansion", 100], "not-a-choice", {}),
        ({"Expansion": 10, "Reserves": 90}, "split-below-floor", {"floor": "20 %"}),
        ({"Expansion": 20, "Reserves": 80}, "split-above-ceiling", {"ceiling": "60 %"}),
    ],
)
def test_a_wrong_paper_is_refused_naming_what_is_wrong(choice, code, params):
    bounded = contest(floors=(20, 0, 0), ceilings=(100, 100, 60))
    with pytest.raises(InvalidChoice) as refused:
        normalise_choice(bounded, choice)
    assert refused.value.code == code
    assert params.items() <= refused.value.params.items()


def test_a_per_mille_paper_sums_to_a_thousand():
    per_mille = contest(scale=1000, floors=(200, 0, 0))
    assert normalise_choice(per_mille, {"Expansion": 205, "Solidarity fund": 795})["Expansion"] == (
        205
    )
    with pytest.raises(InvalidChoice) as refused:
        normalise_choice(per_mille, {"Expansion": 20, "Solidarity fund": 80})
    assert refused.value.params["sum"] == "100 ‰"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"scale": 10}, "split-scale"),
        ({"rule": "median"}, "split-rule"),
        ({"total": 0}, "split-total"),
        ({"total": "100"}, "split-total"),
        ({"currency": ""}, "split-currency"),
        ({"floors": [0, 0]}, "split-bounds"),
        ({"floors": [0, 0, 101]}, "split-bounds"),
        ({"floors": [60, 50, 0]}, "split-floors-too-high"),
        ({"ceilings": [30, 30, 30]}, "split-ceilings-too-low"),
        ({"floors": [50, 0, 0], "ceilings": [40, 100, 100]}, "split-floor-above-ceiling"),
    ],
)
def test_settings_that_cannot_be_counted_are_refused(overrides, code):
    with pytest.raises(InvalidContest) as refused:
        contest(**overrides).validate()
    assert refused.value.code == code


def test_the_count_has_exact_shares_amounts_typical_and_means():
    papers = [
        ({"Expansion": 30, "Solidarity fund": 70}, 1),
        ({"Expansion": 50, "Solidarity fund": 20, "Reserves": 30}, 2),
        ({"Expansion": 20, "Solidarity fund": 30, "Reserves": 50}, 1),
    ]
    result = tally(contest(floors=(20, 0, 0)), papers)
    reports = [[30, 70, 0], [50, 20, 30], [20, 30, 50]]
    expected = independent_markets(
        profile(DESTINATIONS, reports, weights=[1, 2, 1]),
        [Fraction(1, 5), Fraction(0), Fraction(0)],
    )
    shares = [parse_fraction(result["shares"][d], "share") for d in DESTINATIONS]
    assert shares == list(expected) and sum(shares) == 1
    assert list(result["amounts"].values()) == list(amounts(expected, 1_000_001))
    assert sum(result["amounts"].values()) == 1_000_001
    assert result["counts"] == {"Expansion": 150, "Solidarity fund": 140, "Reserves": 110}
    # weights 1, 2, 1: the lower median of (20, 30, 50, 50) is 30; (20, 20, 30, 70): 20
    assert result["typical"] == {"Expansion": 30, "Solidarity fund": 20, "Reserves": 30}
    assert result["means"]["Expansion"] == "3/8"
    assert result["ranking"][0] == max(DESTINATIONS, key=lambda d: result["amounts"][d])
    assert result["approved"] is True and result["winners"] == []
    assert result["settings"]["total"] == 1_000_001


def test_the_mean_rule_is_the_weighted_average():
    papers = [({"Expansion": 100}, 3), ({"Reserves": 100}, 1)]
    result = tally(contest(rule="mean"), papers)
    assert result["shares"] == {"Expansion": "3/4", "Solidarity fund": "0/1", "Reserves": "1/4"}
    assert result["amounts"] == {"Expansion": 750_001, "Solidarity fund": 0, "Reserves": 250_000}
    assert mean(profile(DESTINATIONS, [[100, 0, 0], [0, 0, 100]], weights=[3, 1])) == (
        Fraction(3, 4),
        0,
        Fraction(1, 4),
    )


def test_no_paper_or_no_quorum_decides_nothing():
    empty = tally(contest(), [])
    assert empty["approved"] is False and empty["shares"] is None and empty["amounts"] is None
    short = tally(contest(quorum=Fraction(1, 2)), [({"Expansion": 100}, 4)])
    assert short["quorum_met"] is False and short["approved"] is False
    assert short["amounts"] == {"Expansion": 1_000_001, "Solidarity fund": 0, "Reserves": 0}


splits = (
    st.lists(st.integers(0, 100), min_size=2, max_size=2)
    .map(lambda cut: sorted(cut))
    .map(
        lambda cut: {
            "Expansion": cut[0],
            "Solidarity fund": cut[1] - cut[0],
            "Reserves": 100 - cut[1],
        }
    )
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(splits, st.integers(1, 5)), min_size=1, max_size=12))
def test_the_result_does_not_depend_on_the_order_of_the_papers(papers):
    shuffled = list(papers)
    random.Random(len(papers)).shuffle(shuffled)
    first, second = tally(contest(), papers), tally(contest(), shuffled)
    assert canonical_json(first) == canonical_json(second)
    assert sum(first["amounts"].values()) == 1_000_001
