"""Properties of every count, on papers drawn by hypothesis."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from votes.methods import (
    YES_NO_ABSTAIN,
    Contest,
    Rules,
    canonical_json,
    result_hash,
    tally,
    tally_yes_no_abstain_counts,
)
from votes.methods.rules import ThresholdBase
from votes.methods.schulze import pairwise

pytestmark = pytest.mark.pure


METHODS = ("yes-no-abstain", "plurality", "approval", "score", "schulze", "instant-runoff")
NAMES = ("ana", "bruno", "carla", "dora", "eva")


@st.composite
def contests(draw: st.DrawFn) -> Contest:
    method = draw(st.sampled_from(METHODS))
    electorate = draw(st.integers(0, 60))
    quorum = Fraction(draw(st.integers(0, 4)), 4)
    base: ThresholdBase = draw(st.sampled_from(["votes", "electorate"]))
    strict = draw(st.booleans())
    if method == "yes-no-abstain":
        threshold: Fraction | None = Fraction(draw(st.integers(0, 3)), 3)
        return Contest.yes_no_abstain(electorate, Rules(quorum, threshold, base, strict))
    options = tuple(NAMES[: draw(st.integers(2, len(NAMES)))])
    threshold = None
    if method in ("plurality", "approval", "instant-runoff") and draw(st.booleans()):
        threshold = Fraction(draw(st.integers(0, 3)), 3)
    return Contest(
        method,
        options,
        electorate,
        Rules(quorum, threshold, base, strict),
        max_choices=draw(st.none() | st.integers(1, 3)) if method == "approval" else None,
        max_score=draw(st.integers(1, 4)) if method == "score" else None,
    )


def choices(contest: Contest) -> st.SearchStrategy[Any]:
    options = list(contest.options)
    method = contest.method
    if method == "yes-no-abstain":
        return st.sampled_from(YES_NO_ABSTAIN)
    if method == "plurality":
        return st.none() | st.sampled_from(options)
    if method == "approval":
        most = contest.max_choices or len(options)
        return st.lists(st.sampled_from(options), unique=True, max_size=most).map(
            lambda chosen: [o for o in options if o in chosen]
        )
    if method == "score":
        assert contest.max_score is not None
        return st.dictionaries(st.sampled_from(options), st.integers(0, contest.max_score)).map(
            lambda scores: {o: scores[o] for o in options if o in scores}
        )
    return st.lists(st.sampled_from(options), unique=True)


@st.composite
def elections(draw: st.DrawFn) -> tuple[Contest, list[tuple[Any, int]]]:
    contest = draw(contests())
    papers = draw(st.lists(st.tuples(choices(contest), st.integers(1, 4)), max_size=25))
    return contest, papers


@settings(max_examples=150, deadline=None, database=None)
@given(elections(), st.randoms(use_true_random=False))
def test_a_count_is_deterministic_and_independent_of_order(
    election: tuple[Contest, list[tuple[Any, int]]], rng: Any
) -> None:
    contest, papers = election
    result = tally(contest, papers)
    text = canonical_json(result)
    assert canonical_json(tally(contest, papers)) == text
    shuffled = list(papers)
    rng.shuffle(shuffled)
    assert canonical_json(tally(contest, shuffled)) == text
    assert result["hash"] == result_hash(result)
    assert sorted(result["ranking"]) == sorted(contest.options)
    assert result["winners"] == [o for o in contest.options if o in result["winners"]]
    assert result["participation_weight"] == sum(weight for _, weight in papers)
    assert result["papers"] == len(papers)


@settings(max_examples=150, deadline=None, database=None)
@given(elections())
def test_a_weight_counts_as_that_many_papers(
    election: tuple[Contest, list[tuple[Any, int]]],
) -> None:
    contest, papers = election
    weighted = tally(contest, papers)
    repeated = tally(contest, [(choice, 1) for choice, weight in papers for _ in range(weight)])
    for result in (weighted, repeated):
        del result["hash"], result["papers"]
    assert canonical_json(weighted) == canonical_json(repeated)


@settings(max_examples=100, deadline=None, database=None)
@given(elections())
def test_winners_lead_the_ranking(election: tuple[Contest, list[tuple[Any, int]]]) -> None:
    contest, papers = election
    result = tally(contest, papers)
    winners = result["winners"]
    if contest.method != "yes-no-abstain" and winners:
        assert result["ranking"][0] in winners
        assert result["tie_broken"] == (len(winners) > 1) or contest.method == "instant-runoff"
    if result["threshold"] is None:
        assert result["approved"] is None and result["threshold_met"] is None
    else:
        assert result["approved"] == (result["quorum_met"] and result["threshold_met"])


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(st.tuples(st.sampled_from(YES_NO_ABSTAIN), st.integers(1, 5)), max_size=30))
def test_counts_from_sql_equal_the_count_of_papers(papers: list[tuple[str, int]]) -> None:
    contest = Contest.yes_no_abstain(40, Rules(Fraction(1, 4), Fraction(1, 2)))
    counts: dict[str, int] = {}
    for answer, weight in papers:
        counts[answer] = counts.get(answer, 0) + weight
    from_counts = tally_yes_no_abstain_counts(contest, counts, papers=len(papers))
    assert canonical_json(from_counts) == canonical_json(tally(contest, papers))


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.integers(2, 7).flatmap(
        lambda m: st.tuples(
            st.just(m),
            st.lists(
                st.tuples(
                    st.permutations(range(m)).flatmap(
                        lambda order: st.integers(0, len(order)).map(lambda k: tuple(order[:k]))
                    ),
                    st.integers(1, 300),
                ),
                max_size=20,
            ),
        )
    )
)
def test_packed_pairwise_counts_equal_the_plain_ones(
    profile: tuple[int, list[tuple[tuple[int, ...], int]]],
) -> None:
    m, rankings = profile
    expected = [[0] * m for _ in range(m)]
    for ranking, weight in rankings:
        position = {option: place for place, option in enumerate(ranking)}
        for a in range(m):
            for b in range(m):
                if a != b and position.get(a, m) < position.get(b, m):
                    expected[a][b] += weight
    assert pairwise(m, rankings) == expected
