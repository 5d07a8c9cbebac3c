"""Plurality: each paper names one option (or none: a blank paper).

``counts`` is the weight of the papers naming each option; ``shares`` are
counts over the weight of the non-blank papers (or over the electorate with
``threshold_base="electorate"``). The optional threshold applies to the top
option's count against that same base.

Tie-break: options with equal votes are ranked in the order the ballot lists
them, earlier first; ``winners`` lists all the options tied for first (none
when every paper is blank) and ``tie_broken`` says whether there were several.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from votes.methods.base import (
    Group,
    MethodImpl,
    MethodInfo,
    by_count,
    identity,
    not_a_choice,
    unknown_option,
)

if TYPE_CHECKING:
    from votes.methods.contest import Contest

INFO = MethodInfo(
    id="plurality",
    has_threshold=True,
    tie_break=(
        "Options with equal votes are ranked in the order the ballot lists them, earlier first."
    ),
    counts_kind="weight of the papers naming each option",
)


def normalise(contest: Contest, choice: Any) -> str | None:
    """An option, or None for a blank paper."""
    if choice is None:
        return None
    if type(choice) is not str:
        raise not_a_choice(choice, "one option, or nothing for a blank paper")
    if choice not in contest.option_index:
        raise unknown_option(choice)
    return choice


def count(contest: Contest, groups: list[Group], participation_weight: int) -> dict[str, Any]:
    """The method's part of the result from the grouped papers."""
    counts = dict.fromkeys(contest.options, 0)
    votes_weight = 0
    for option, weight in groups:
        if option is not None:
            counts[option] += weight
            votes_weight += weight
    return by_count(
        contest, counts, votes_weight=votes_weight, participation_weight=participation_weight
    )


IMPL = MethodImpl(INFO, normalise, identity, identity, count)
