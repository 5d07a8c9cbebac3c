"""Score: each paper gives options a whole-number score from 0 to ``max_score``.

A paper is a mapping ``{option: score}``; options it leaves out get nothing
from it, and ``{}`` is a blank paper. ``counts`` is each option's total score
(each paper's score times its weight); ``shares`` are totals over the most
they could have been, ``max_score`` times the weight of the non-blank papers
(or times the electorate with ``threshold_base="electorate"``). Score has no
threshold.

Tie-break: options with equal total scores are ranked in the order the ballot
lists them, earlier first; ``winners`` lists all the options tied for first
(none when every paper is blank).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from votes.methods.base import (
    Group,
    MethodImpl,
    MethodInfo,
    by_count,
    not_a_choice,
    unknown_option,
)
from votes.methods.errors import InvalidChoice
from votes.methods.hashing import canonical_json

if TYPE_CHECKING:
    from votes.methods.contest import Contest

INFO = MethodInfo(
    id="score",
    has_threshold=False,
    tie_break=(
        "Options with equal total scores are ranked in the order the ballot lists them, "
        "earlier first."
    ),
    counts_kind="total score of each option",
)


def normalise(contest: Contest, choice: Any) -> dict[str, int]:
    """``{option: score}`` with the options in ballot order ({} is blank)."""
    if type(choice) is not dict:
        raise not_a_choice(choice, "a mapping of options to scores")
    index = contest.option_index
    maximum = contest.max_score
    assert maximum is not None  # Contest.validate() requires it for score
    for option, score in choice.items():
        if type(option) is not str:
            raise not_a_choice(choice, "a mapping of options to scores")
        if option not in index:
            raise unknown_option(option)
        if type(score) is not int:  # not a bool either
            raise InvalidChoice(
                "not-a-choice",
                f"The score of {option!r} must be a whole number, not {score!r}.",
                option=option,
                expected="a whole number",
            )
        if not 0 <= score <= maximum:
            raise InvalidChoice(
                "score-out-of-range",
                f"The score of {option!r} must be from 0 to {maximum}, not {score}.",
                option=option,
                score=score,
                max=maximum,
            )
    return {option: choice[option] for option in contest.options if option in choice}


def key(choice: Any) -> str:
    """Group score papers by their canonical JSON: it tells ``true`` from ``1``."""
    if type(choice) is not dict or not all(type(option) is str for option in choice):
        raise TypeError  # JSON would turn a key 1 into "1"
    return canonical_json(choice)


def canonical_key(scores: dict[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(scores.items())


def count(contest: Contest, groups: list[Group], participation_weight: int) -> dict[str, Any]:
    """The method's part of the result from the grouped papers."""
    totals = dict.fromkeys(contest.options, 0)
    votes_weight = 0
    for scores, weight in groups:
        if scores:
            votes_weight += weight
            for option, score in scores:
                totals[option] += score * weight
    assert contest.max_score is not None
    return by_count(
        contest,
        totals,
        votes_weight=votes_weight,
        participation_weight=participation_weight,
        share_scale=contest.max_score,
    )


IMPL = MethodImpl(INFO, normalise, key, canonical_key, count)
