"""Approval: each paper approves any number of options, up to ``max_choices``.

``counts`` is the weight of the papers approving each option; ``shares`` are
counts over the weight of the non-blank papers (or over the electorate with
``threshold_base="electorate"``), so they may add up to more than 1. The
optional threshold applies to the top option's approvals against that base.

Tie-break: options with equal approvals are ranked in the order the ballot
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
    sequence_key,
    unknown_option,
)
from votes.methods.errors import InvalidChoice

if TYPE_CHECKING:
    from votes.methods.contest import Contest

INFO = MethodInfo(
    id="approval",
    has_threshold=True,
    tie_break=(
        "Options with equal approvals are ranked in the order the ballot lists them, earlier first."
    ),
    counts_kind="weight of the papers approving each option",
)


def normalise(contest: Contest, choice: Any) -> list[str]:
    """Distinct options in ballot order ([] is a blank paper)."""
    if type(choice) is not list and type(choice) is not tuple:
        raise not_a_choice(choice, "a list of approved options")
    index = contest.option_index
    for item in choice:
        if type(item) is not str:
            raise not_a_choice(choice, "a list of approved options")
        if item not in index:
            raise unknown_option(item)
    approved = sorted(set(choice), key=index.__getitem__)
    if len(approved) != len(choice):
        duplicate = next(item for place, item in enumerate(choice) if item in choice[:place])
        raise InvalidChoice(
            "duplicate-approval",
            f"The option {duplicate!r} is approved more than once.",
            option=duplicate,
        )
    if contest.max_choices is not None and len(approved) > contest.max_choices:
        raise InvalidChoice(
            "too-many-approvals",
            f"At most {contest.max_choices} options may be approved, not {len(approved)}.",
            max=contest.max_choices,
            count=len(approved),
        )
    return approved


def count(contest: Contest, groups: list[Group], participation_weight: int) -> dict[str, Any]:
    """The method's part of the result from the grouped papers."""
    counts = dict.fromkeys(contest.options, 0)
    votes_weight = 0
    for approved, weight in groups:
        if approved:
            votes_weight += weight
            for option in approved:
                counts[option] += weight
    return by_count(
        contest, counts, votes_weight=votes_weight, participation_weight=participation_weight
    )


IMPL = MethodImpl(INFO, normalise, sequence_key, tuple, count)
