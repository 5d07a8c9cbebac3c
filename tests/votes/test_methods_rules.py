"""Quorum, thresholds and yes/no/abstain, worked by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest

from votes.methods import (
    Contest,
    InvalidContest,
    Rules,
    canonical_json,
    result_hash,
    tally,
    tally_yes_no_abstain_counts,
)
from votes.methods.rules import quorum_met, reaches

pytestmark = pytest.mark.pure


def yna(
    electorate: int = 10,
    *,
    quorum: Fraction = Fraction(0),
    threshold: Fraction = Fraction(1, 2),
    base: str = "votes",
    strict: bool = True,
) -> Contest:
    return Contest.yes_no_abstain(electorate, Rules(quorum, threshold, base, strict))  # type: ignore[arg-type]


def count(contest: Contest, yes: int = 0, no: int = 0, abstain: int = 0) -> dict:
    papers = [("yes", 1)] * yes + [("no", 1)] * no + [("abstain", 1)] * abstain
    return tally(contest, papers)


# -- Rules as JSON -----------------------------------------------------------


def test_rules_json_round_trip() -> None:
    rules = Rules(Fraction(1, 3), Fraction(2, 3), "electorate", False)
    data = rules.to_json()
    assert data == {
        "quorum": "1/3",
        "threshold": "2/3",
        "threshold_base": "electorate",
        "strict": False,
    }
    assert Rules.from_json(data) == rules


def test_rules_defaults() -> None:
    assert Rules().to_json() == {
        "quorum": "0/1",
        "threshold": None,
        "threshold_base": "votes",
        "strict": True,
    }
    assert Rules.from_json({}) == Rules()
    assert Rules.from_json({"quorum": "0/1", "threshold": None}) == Rules()


def test_rules_fractions_are_read_in_lowest_terms() -> None:
    assert Rules.from_json({"quorum": "2/4"}).quorum == Fraction(1, 2)
    assert Rules.from_json({"quorum": "2/4"}).to_json()["quorum"] == "1/2"


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({"quorum": "1/0"}, "bad-fraction", "quorum"),
        ({"quorum": "0.5"}, "bad-fraction", "quorum"),
        ({"quorum": "1"}, "bad-fraction", "quorum"),
        ({"quorum": " 1/2"}, "bad-fraction", "quorum"),
        ({"quorum": "-1/2"}, "bad-fraction", "quorum"),
        ({"quorum": 0.5}, "bad-fraction", "quorum"),
        ({"quorum": "01/2"}, "bad-fraction", "quorum"),
        ({"threshold": "3/2"}, "fraction-out-of-range", "threshold"),
        ({"threshold": 1}, "bad-fraction", "threshold"),
        ({"threshold_base": "members"}, "bad-threshold-base", "threshold_base"),
        ({"strict": "true"}, "bad-strict", "strict"),
        ({"strict": 1}, "bad-strict", "strict"),
        ({"quota": "1/2"}, "unknown-field", "quota"),
        ([], "bad-rules", "rules"),
    ],
)
def test_bad_rules_json(data: object, code: str, field: str) -> None:
    with pytest.raises(InvalidContest) as caught:
        Rules.from_json(data)
    assert caught.value.code == code
    assert caught.value.params["field"] == field
    assert str(caught.value).endswith(".")


def test_rules_made_in_python_are_validated() -> None:
    with pytest.raises(InvalidContest) as caught:
        Rules(quorum=Fraction(5, 4)).validate()
    assert caught.value.code == "fraction-out-of-range"
    assert caught.value.params == {"field": "quorum", "value": "5/4"}
    with pytest.raises(InvalidContest) as caught:
        Rules(quorum=True).validate()  # type: ignore[arg-type]
    assert caught.value.code == "bad-fraction"


# -- the arithmetic ------------------------------------------------------------


def test_reaches_is_exact_at_the_threshold() -> None:
    half = Fraction(1, 2)
    assert not reaches(5, 10, half, strict=True)
    assert reaches(5, 10, half, strict=False)
    assert reaches(6, 10, half, strict=True)
    assert not reaches(0, 0, Fraction(0), strict=False)  # a base of 0 is never reached
    assert reaches(0, 1, Fraction(0), strict=False)
    assert not reaches(0, 1, Fraction(0), strict=True)


def test_quorum_arithmetic() -> None:
    assert quorum_met(0, 0, Fraction(0))
    assert not quorum_met(5, 0, Fraction(1, 3))
    assert quorum_met(5, 10, Fraction(1, 2))
    assert not quorum_met(4, 10, Fraction(1, 2))
    # Large numbers stay exact: no float would tell these apart.
    electorate = 3 * 10**20
    assert quorum_met(10**20, electorate, Fraction(1, 3))
    assert not quorum_met(10**20 - 1, electorate, Fraction(1, 3))


# -- yes / no / abstain ----------------------------------------------------------


def test_exact_half_fails_when_strict_and_passes_when_not() -> None:
    strict = count(yna(strict=True), yes=5, no=5)
    assert strict["threshold_met"] is False
    assert strict["approved"] is False
    assert strict["winners"] == ["no"]
    assert strict["ranking"] == ["no", "yes", "abstain"]
    lenient = count(yna(strict=False), yes=5, no=5)
    assert lenient["threshold_met"] is True
    assert lenient["approved"] is True
    assert lenient["winners"] == ["yes"]
    assert lenient["ranking"] == ["yes", "no", "abstain"]
    assert lenient["tie_broken"] is False


def test_two_thirds() -> None:
    two_thirds = Fraction(2, 3)
    assert count(yna(threshold=two_thirds), yes=4, no=2)["approved"] is False
    assert count(yna(threshold=two_thirds, strict=False), yes=4, no=2)["approved"] is True
    assert count(yna(threshold=two_thirds), yes=5, no=2)["approved"] is True
    assert count(yna(threshold=two_thirds, strict=False), yes=3, no=2)["approved"] is False


def test_abstentions_count_for_the_quorum_but_not_the_votes_base() -> None:
    contest = yna(10, quorum=Fraction(1, 2))
    with_abstentions = count(contest, yes=2, no=1, abstain=2)
    assert with_abstentions["participation_weight"] == 5
    assert with_abstentions["quorum_met"] is True
    assert with_abstentions["threshold_base_weight"] == 3  # yes + no
    assert with_abstentions["shares"] == {"yes": "2/3", "no": "1/3", "abstain": "2/5"}
    assert with_abstentions["approved"] is True
    assert with_abstentions["winners"] == ["yes"]
    without = count(contest, yes=2, no=1)
    assert without["quorum_met"] is False
    assert without["threshold_met"] is True
    assert without["approved"] is False
    assert without["winners"] == []
    assert without["ranking"] == ["yes", "no", "abstain"]


def test_electorate_base() -> None:
    contest = yna(20, base="electorate")
    result = count(contest, yes=10, no=0, abstain=5)
    assert result["threshold_base_weight"] == 20
    assert result["shares"] == {"yes": "1/2", "no": "0/1", "abstain": "1/4"}
    assert result["approved"] is False  # 10 is not more than half of 20
    assert count(yna(20, base="electorate", strict=False), yes=10)["approved"] is True
    assert count(contest, yes=11, no=0)["approved"] is True


def test_zero_electorate() -> None:
    with_quorum = count(yna(0, quorum=Fraction(1, 10)), yes=3)
    assert with_quorum["quorum_met"] is False
    assert with_quorum["approved"] is False
    assert with_quorum["winners"] == []
    without_quorum = count(yna(0), yes=3)
    assert without_quorum["quorum_met"] is True
    assert without_quorum["approved"] is True
    electorate_base = count(yna(0, base="electorate", strict=False, threshold=Fraction(0)), yes=3)
    assert electorate_base["threshold_met"] is False  # a base of 0 is never reached
    assert electorate_base["shares"]["yes"] == "0/1"


def test_only_abstentions() -> None:
    result = count(yna(4, quorum=Fraction(1, 2), threshold=Fraction(0), strict=False), abstain=3)
    assert result["quorum_met"] is True
    assert result["threshold_base_weight"] == 0
    assert result["threshold_met"] is False
    assert result["winners"] == ["no"]
    assert result["shares"] == {"yes": "0/1", "no": "0/1", "abstain": "1/1"}


def test_no_papers_at_all() -> None:
    result = tally(yna(10), [])
    assert result["papers"] == 0
    assert result["participation_weight"] == 0
    assert result["counts"] == {"yes": 0, "no": 0, "abstain": 0}
    assert result["quorum_met"] is True
    assert result["approved"] is False


def test_weights_count() -> None:
    result = tally(yna(10), [("yes", 3), ("no", 2), ("abstain", 4)])
    assert result["counts"] == {"yes": 3, "no": 2, "abstain": 4}
    assert result["papers"] == 3
    assert result["participation_weight"] == 9


def test_result_fields_and_hash() -> None:
    result = count(yna(10, quorum=Fraction(1, 5)), yes=3, no=1)
    assert result["method"] == "yes-no-abstain"
    assert result["options"] == ["yes", "no", "abstain"]
    assert result["quorum"] == "1/5"
    assert result["threshold"] == "1/2"
    assert result["threshold_base"] == "votes"
    assert result["strict"] is True
    assert result["hash"] == result_hash(result)
    body = {key: value for key, value in result.items() if key != "hash"}
    assert len(result["hash"]) == 64
    assert result_hash(body) == result["hash"]
    assert canonical_json(result) == canonical_json(count(yna(10, quorum=Fraction(1, 5)), 3, 1))


def test_counts_from_sql_give_the_same_result() -> None:
    contest = yna(30, quorum=Fraction(1, 3), strict=False)
    papers = [("yes", 2), ("yes", 1), ("no", 3), ("abstain", 1), ("yes", 1)]
    from_papers = tally(contest, papers)
    counts = {"yes": 4, "no": 3, "abstain": 1}
    from_counts = tally_yes_no_abstain_counts(contest, counts, papers=5)
    assert canonical_json(from_counts) == canonical_json(from_papers)
    without_number = tally_yes_no_abstain_counts(contest, {"yes": 4, "no": 3})
    assert without_number["papers"] is None
    assert without_number["counts"] == {"yes": 4, "no": 3, "abstain": 0}


def test_counts_from_sql_are_checked() -> None:
    contest = yna()
    with pytest.raises(Exception) as caught:
        tally_yes_no_abstain_counts(contest, {"maybe": 1})
    assert getattr(caught.value, "code", None) == "unknown-option"
    with pytest.raises(Exception) as caught:
        tally_yes_no_abstain_counts(contest, {"yes": -1})
    assert getattr(caught.value, "code", None) == "bad-weight"
    plurality = Contest("plurality", ("a", "b"), 3, Rules())
    with pytest.raises(InvalidContest) as wrong:
        tally_yes_no_abstain_counts(plurality, {"yes": 1})
    assert wrong.value.code == "wrong-method"


def test_yes_no_abstain_needs_a_threshold() -> None:
    with pytest.raises(InvalidContest) as caught:
        tally(Contest.yes_no_abstain(3, Rules()), [])
    assert caught.value.code == "missing-threshold"


# -- thresholds of the other methods -----------------------------------------------


def plurality(rules: Rules, electorate: int = 20) -> Contest:
    return Contest("plurality", ("a", "b", "c"), electorate, rules)


def test_plurality_threshold_on_the_non_blank_papers() -> None:
    papers = [("a", 5), ("b", 3), ("c", 2), (None, 4)]
    strict = tally(plurality(Rules(threshold=Fraction(1, 2))), papers)
    assert strict["threshold_base_weight"] == 10  # blank papers are not votes
    assert strict["participation_weight"] == 14
    assert strict["threshold_met"] is False
    assert strict["approved"] is False
    assert strict["winners"] == ["a"]  # the count; the decision is ``approved``
    lenient = tally(plurality(Rules(threshold=Fraction(1, 2), strict=False)), papers)
    assert lenient["approved"] is True


def test_plurality_threshold_on_the_electorate() -> None:
    papers = [("a", 5), ("b", 3)]
    rules = Rules(threshold=Fraction(1, 4), threshold_base="electorate", strict=False)
    result = tally(plurality(rules, electorate=20), papers)
    assert result["threshold_base_weight"] == 20
    assert result["shares"] == {"a": "1/4", "b": "3/20", "c": "0/1"}
    assert result["approved"] is True
    assert tally(plurality(rules, electorate=21), papers)["approved"] is False


def test_quorum_not_met_means_not_approved() -> None:
    rules = Rules(quorum=Fraction(1, 2), threshold=Fraction(1, 2))
    result = tally(plurality(rules, electorate=20), [("a", 9)])
    assert result["quorum_met"] is False
    assert result["threshold_met"] is True
    assert result["approved"] is False


def test_no_threshold_means_null_decision() -> None:
    result = tally(plurality(Rules(quorum=Fraction(1, 2)), electorate=20), [("a", 9)])
    assert result["quorum_met"] is False
    assert result["threshold"] is None
    assert result["threshold_met"] is None
    assert result["approved"] is None
    assert result["threshold_base_weight"] is None


@pytest.mark.parametrize("method", ["score", "schulze"])
def test_methods_without_threshold_refuse_one(method: str) -> None:
    contest = Contest(
        method,
        ("a", "b"),
        3,
        Rules(threshold=Fraction(1, 2)),
        max_score=5 if method == "score" else None,
    )
    with pytest.raises(InvalidContest) as caught:
        contest.validate()
    assert caught.value.code == "unexpected-threshold"
