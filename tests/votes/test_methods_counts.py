"""Counts worked by hand for every method, ties and tie-breaks included."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from votes.methods import Contest, Rules, tally

pytestmark = pytest.mark.pure


ABC = ("a", "b", "c")


def count(
    method: str, papers: list[tuple[Any, int]], options: tuple[str, ...] = ABC, **fields: Any
) -> dict:
    rules = fields.pop("rules", Rules())
    electorate = fields.pop("electorate", 100)
    return tally(Contest(method, options, electorate, rules, **fields), papers)


# -- plurality ------------------------------------------------------------------------------


def test_plurality_counts_weights_and_blank_papers() -> None:
    result = count("plurality", [("b", 2), ("c", 1), (None, 3), ("b", 1), ("a", 1)])
    assert result["counts"] == {"a": 1, "b": 3, "c": 1}
    assert result["shares"] == {"a": "1/5", "b": "3/5", "c": "1/5"}
    assert result["participation_weight"] == 8
    assert result["papers"] == 5
    assert result["ranking"] == ["b", "a", "c"]
    assert result["winners"] == ["b"]
    assert result["tie_broken"] is False


def test_plurality_tie_is_broken_by_ballot_order() -> None:
    result = count("plurality", [("c", 2), ("b", 2), ("a", 1)])
    assert result["winners"] == ["b", "c"]  # before the tie-break, in ballot order
    assert result["ranking"] == ["b", "c", "a"]
    assert result["tie_broken"] is True
    reordered = count("plurality", [("c", 2), ("b", 2), ("a", 1)], options=("c", "b", "a"))
    assert reordered["ranking"] == ["c", "b", "a"]
    assert reordered["winners"] == ["c", "b"]


def test_plurality_with_only_blank_papers_has_no_winner() -> None:
    result = count("plurality", [(None, 4)])
    assert result["winners"] == []
    assert result["tie_broken"] is False
    assert result["ranking"] == ["a", "b", "c"]
    assert result["shares"] == {"a": "0/1", "b": "0/1", "c": "0/1"}
    assert result["participation_weight"] == 4


def test_plurality_threshold_against_a_tie_at_the_top() -> None:
    rules = Rules(threshold=Fraction(1, 2), strict=False)
    result = count("plurality", [("a", 2), ("b", 2)], rules=rules)
    assert result["ranking"][0] == "a"
    assert result["threshold_met"] is True  # a has 2 of 4: at least half
    assert result["tie_broken"] is True


# -- approval ---------------------------------------------------------------------------------


def test_approval_counts() -> None:
    papers = [(["a", "b"], 2), (["c"], 1), (["b"], 1), ([], 5)]
    result = count("approval", papers, max_choices=2)
    assert result["counts"] == {"a": 2, "b": 3, "c": 1}
    assert result["shares"] == {"a": "1/2", "b": "3/4", "c": "1/4"}  # of the 4 non-blank
    assert result["ranking"] == ["b", "a", "c"]
    assert result["winners"] == ["b"]
    assert result["max_choices"] == 2


def test_approval_threshold_is_the_share_of_voters_approving() -> None:
    papers = [(["a", "b"], 1), (["a"], 1), (["b", "c"], 1), ([], 1)]
    rules = Rules(threshold=Fraction(2, 3), strict=False)
    result = count("approval", papers, rules=rules)
    assert result["winners"] == ["a", "b"]
    assert result["ranking"] == ["a", "b", "c"]
    assert result["threshold_base_weight"] == 3
    assert result["threshold_met"] is True  # a: 2 of 3
    strict = count("approval", papers, rules=Rules(threshold=Fraction(2, 3)))
    assert strict["threshold_met"] is False


def test_approval_tie_with_zero_approvals() -> None:
    result = count("approval", [(["c"], 1)])
    assert result["ranking"] == ["c", "a", "b"]
    assert result["winners"] == ["c"]


# -- score ---------------------------------------------------------------------------------------


def test_score_totals_and_shares() -> None:
    papers = [({"a": 5, "b": 2}, 1), ({"b": 5, "c": 4}, 2), ({}, 1)]
    result = count("score", papers, max_score=5)
    assert result["counts"] == {"a": 5, "b": 12, "c": 8}
    # Over the most possible: 5 points times 3 non-blank weight.
    assert result["shares"] == {"a": "1/3", "b": "4/5", "c": "8/15"}
    assert result["ranking"] == ["b", "c", "a"]
    assert result["winners"] == ["b"]
    assert result["threshold"] is None
    assert result["approved"] is None


def test_score_tie_is_broken_by_ballot_order() -> None:
    result = count("score", [({"c": 3, "a": 1}, 1), ({"b": 3}, 1)], max_score=3)
    assert result["counts"] == {"a": 1, "b": 3, "c": 3}
    assert result["winners"] == ["b", "c"]
    assert result["ranking"] == ["b", "c", "a"]
    assert result["tie_broken"] is True


def test_score_papers_of_zeros_are_not_blank() -> None:
    result = count("score", [({"a": 0}, 2)], max_score=3)
    assert result["winners"] == ["a", "b", "c"]
    assert result["shares"]["a"] == "0/1"
    assert count("score", [({}, 2)], max_score=3)["winners"] == []


# -- Schulze -------------------------------------------------------------------------------------

# The example of Schulze's paper and of Wikipedia's article: 45 voters, 5 candidates.
WIKIPEDIA = [
    ("ACBED", 5),
    ("ADECB", 5),
    ("BEDAC", 8),
    ("CABED", 3),
    ("CAEBD", 7),
    ("CBADE", 2),
    ("DCEBA", 7),
    ("EBADC", 8),
]


def test_schulze_wikipedia_example() -> None:
    papers = [(list(ranking), weight) for ranking, weight in WIKIPEDIA]
    result = count("schulze", papers, options=tuple("ABCDE"))
    d = result["pairwise"]
    assert d["A"] == {"B": 20, "C": 26, "D": 30, "E": 22}
    assert d["B"] == {"A": 25, "C": 16, "D": 33, "E": 18}
    assert d["C"] == {"A": 19, "B": 29, "D": 17, "E": 24}
    assert d["D"] == {"A": 15, "B": 12, "C": 28, "E": 14}
    assert d["E"] == {"A": 23, "B": 27, "C": 21, "D": 31}
    p = result["strongest_paths"]
    assert p["A"] == {"B": 28, "C": 28, "D": 30, "E": 24}
    assert p["B"] == {"A": 25, "C": 28, "D": 33, "E": 24}
    assert p["C"] == {"A": 25, "B": 29, "D": 29, "E": 24}
    assert p["D"] == {"A": 25, "B": 28, "C": 28, "E": 24}
    assert p["E"] == {"A": 25, "B": 28, "C": 28, "D": 31}
    assert result["ranking"] == ["E", "A", "C", "B", "D"]
    assert result["tiers"] == [["E"], ["A"], ["C"], ["B"], ["D"]]
    assert result["winners"] == ["E"]
    assert result["tie_broken"] is False
    assert result["counts"] == {"A": 10, "B": 8, "C": 12, "D": 7, "E": 8}
    assert result["shares"]["C"] == "4/15"


def test_schulze_cycle_ties_everyone_and_ballot_order_decides() -> None:
    papers = [(["a", "b", "c"], 1), (["b", "c", "a"], 1), (["c", "a", "b"], 1)]
    result = count("schulze", papers, options=("c", "b", "a"))
    assert result["pairwise"]["a"] == {"b": 2, "c": 1}
    assert result["winners"] == ["c", "b", "a"]
    assert result["ranking"] == ["c", "b", "a"]
    assert result["tie_broken"] is True


def test_schulze_tie_below_the_winner() -> None:
    papers = [(["a", "b", "c"], 1), (["a", "c", "b"], 1)]
    result = count("schulze", papers, options=("c", "b", "a"))
    assert result["tiers"] == [["a"], ["c", "b"]]
    assert result["ranking"] == ["a", "c", "b"]
    assert result["winners"] == ["a"]
    assert result["tie_broken"] is False


def test_schulze_unranked_options_tie_last() -> None:
    papers = [(["c"], 3), (["a", "b"], 2), ([], 4)]
    result = count("schulze", papers)
    d = result["pairwise"]
    assert d["c"] == {"a": 3, "b": 3}
    assert d["a"] == {"b": 2, "c": 2}
    assert d["b"] == {"a": 0, "c": 2}  # both unranked on c's papers: no preference
    assert result["winners"] == ["c"]
    assert result["ranking"] == ["c", "a", "b"]
    assert result["counts"] == {"a": 2, "b": 0, "c": 3}
    assert result["shares"] == {"a": "2/5", "b": "0/1", "c": "3/5"}
    assert result["participation_weight"] == 9


def test_schulze_uses_winning_votes_not_margins() -> None:
    # Links (winning votes): b->a 6, a->c 5, c->b 4, so b beats c by 5 to 4 and
    # a by 6 to 4. With margins (b->a 3, a->c 1, c->b 2) c would win instead.
    papers = [(["c", "b", "a"], 4), (["a"], 3), (["b", "a", "c"], 2)]
    result = count("schulze", papers)
    assert result["pairwise"] == {
        "a": {"b": 3, "c": 5},
        "b": {"a": 6, "c": 2},
        "c": {"a": 4, "b": 4},
    }
    assert result["strongest_paths"] == {
        "a": {"b": 4, "c": 5},
        "b": {"a": 6, "c": 5},
        "c": {"a": 4, "b": 4},
    }
    assert result["winners"] == ["b"]
    assert result["ranking"] == ["b", "a", "c"]


def test_schulze_only_blank_papers() -> None:
    result = count("schulze", [([], 2)])
    assert result["winners"] == []
    assert result["ranking"] == ["a", "b", "c"]
    assert result["tie_broken"] is False


def test_schulze_with_many_options_uses_wider_lanes() -> None:
    options = tuple(f"o{number}" for number in range(130))
    papers = [(list(options), 2), (list(reversed(options)), 1), ([options[129]], 1)]
    result = count("schulze", papers, options=options)
    assert result["pairwise"]["o0"]["o129"] == 2
    assert result["pairwise"]["o129"]["o0"] == 2
    assert result["pairwise"]["o0"]["o1"] == 2
    assert result["pairwise"]["o1"]["o0"] == 1
    assert result["pairwise"]["o129"]["o5"] == 2
    assert result["winners"] == ["o0", "o129"]


# -- instant-runoff -------------------------------------------------------------------------------


def test_irv_majority_in_the_first_round() -> None:
    result = count("instant-runoff", [(["a"], 6), (["b", "a"], 3), (["c"], 2)])
    assert len(result["rounds"]) == 1
    assert result["rounds"][0] == {
        "counts": {"a": 6, "b": 3, "c": 2},
        "continuing": 11,
        "exhausted": 0,
        "eliminated": [],
        "tie_break": None,
    }
    assert result["winners"] == ["a"]
    assert result["ranking"] == ["a", "b", "c"]


def test_irv_transfers() -> None:
    result = count("instant-runoff", [(["a"], 4), (["b"], 3), (["c", "b"], 2)])
    assert [r["eliminated"] for r in result["rounds"]] == [["c"], []]
    assert result["rounds"][1]["counts"] == {"a": 4, "b": 5}
    assert result["winners"] == ["b"]
    assert result["ranking"] == ["b", "a", "c"]
    assert result["counts"] == {"a": 4, "b": 3, "c": 2}  # the first round
    assert result["tie_broken"] is False


def test_irv_tie_for_fewest_is_broken_by_the_previous_round_and_papers_exhaust() -> None:
    papers = [
        (["a"], 10),
        (["b", "c"], 5),
        (["c"], 6),
        (["d", "b"], 1),
        (["d"], 1),
    ]
    result = count("instant-runoff", papers, options=("a", "b", "c", "d"))
    rounds = result["rounds"]
    assert rounds[0]["counts"] == {"a": 10, "b": 5, "c": 6, "d": 2}
    assert rounds[0]["eliminated"] == ["d"]
    assert rounds[1]["counts"] == {"a": 10, "b": 6, "c": 6}
    assert rounds[1]["exhausted"] == 1  # the paper ranking d alone
    assert rounds[1]["eliminated"] == ["b"]  # b had 5 to c's 6 in the round before
    assert rounds[1]["tie_break"] == {"rule": "previous-rounds", "tied": ["b", "c"]}
    assert rounds[2]["counts"] == {"a": 10, "c": 11}
    assert rounds[2]["exhausted"] == 2
    assert rounds[2]["continuing"] == 21
    assert rounds[2]["eliminated"] == []
    assert result["winners"] == ["c"]
    assert result["ranking"] == ["c", "a", "b", "d"]
    assert result["tie_broken"] is True


def test_irv_tie_with_no_earlier_difference_eliminates_the_last_listed() -> None:
    result = count("instant-runoff", [(["a"], 3), (["b"], 2), (["c", "b"], 2)])
    first = result["rounds"][0]
    assert first["eliminated"] == ["c"]
    assert first["tie_break"] == {"rule": "ballot-order", "tied": ["b", "c"]}
    assert result["winners"] == ["b"]
    assert result["ranking"] == ["b", "a", "c"]
    assert result["tie_broken"] is True


def test_irv_tie_between_the_last_two() -> None:
    result = count("instant-runoff", [(["a"], 2), (["b"], 2), (["c"], 1)])
    rounds = result["rounds"]
    assert [r["eliminated"] for r in rounds] == [["c"], ["b"], []]
    assert rounds[1]["tie_break"] == {"rule": "ballot-order", "tied": ["a", "b"]}
    assert rounds[2]["counts"] == {"a": 2}
    assert rounds[2]["exhausted"] == 3
    assert result["winners"] == ["a", "b"]
    assert result["ranking"] == ["a", "b", "c"]


def test_irv_eliminates_one_option_with_no_votes_per_round() -> None:
    result = count("instant-runoff", [(["a"], 2), (["b"], 1)], options=("a", "b", "c", "d"))
    # a has 2 of 3 at once: a majority, so nothing is eliminated.
    assert len(result["rounds"]) == 1
    assert result["ranking"] == ["a", "b", "c", "d"]
    tied = count("instant-runoff", [(["a"], 1), (["b"], 1)], options=("a", "b", "c", "d"))
    assert [r["eliminated"] for r in tied["rounds"]] == [["d"], ["c"], ["b"], []]
    assert tied["winners"] == ["a", "b"]


def test_irv_threshold_on_the_last_round() -> None:
    papers = [(["a"], 10), (["b", "c"], 5), (["c"], 6), (["d", "b"], 1), (["d"], 1)]
    options = ("a", "b", "c", "d")
    rules = Rules(threshold=Fraction(1, 2))
    result = count("instant-runoff", papers, options=options, rules=rules)
    assert result["threshold_base_weight"] == 21  # exhausted papers are left out
    assert result["threshold_met"] is True  # 11 of 21
    electorate = Rules(threshold=Fraction(1, 2), threshold_base="electorate")
    on_electorate = count(
        "instant-runoff", papers, options=options, rules=electorate, electorate=22
    )
    assert on_electorate["threshold_base_weight"] == 22
    assert on_electorate["threshold_met"] is False  # 11 is not more than half of 22
    assert on_electorate["shares"]["a"] == "5/11"


def test_irv_only_blank_papers() -> None:
    result = count("instant-runoff", [([], 3)])
    assert result["winners"] == []
    assert result["rounds"] == [
        {
            "counts": {"a": 0, "b": 0, "c": 0},
            "continuing": 0,
            "exhausted": 0,
            "eliminated": [],
            "tie_break": None,
        }
    ]
    assert result["ranking"] == ["a", "b", "c"]


@pytest.mark.parametrize("method", ["schulze", "instant-runoff"])
def test_ranked_methods_group_identical_papers(method: str) -> None:
    one_by_one = count(method, [(["a", "b"], 1)] * 3 + [(["b"], 1)] * 2)
    grouped = count(method, [(["a", "b"], 3), (["b"], 2)])
    for key in ("counts", "ranking", "winners", "shares", "participation_weight"):
        assert one_by_one[key] == grouped[key]
