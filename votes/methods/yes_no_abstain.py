"""Yes / no / abstain: a motion passes when "yes" reaches the threshold.

Each paper is ``"yes"``, ``"no"`` or ``"abstain"``. Abstentions count for the
quorum (they took part) but not in the votes base, which is yes + no; with
``threshold_base="electorate"`` the base is the whole electorate instead.

* ``approved`` = quorum met and yes reaches the threshold of the base (above it
  when strict, at least it when not; never with a base of 0).
* ``winners`` is ``["yes"]`` when approved, ``["no"]`` when the quorum is met
  but the threshold is not, and ``[]`` when the quorum is not met.
* ``ranking`` is the winners first, then the other options in ballot order.
* ``shares``: yes and no are fractions of the threshold base; abstain is a
  fraction of the participation (of the electorate with the electorate base).

Tie-break: none is needed. The threshold decides, and a count exactly at the
threshold fails when it is strict and passes when it is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from votes.methods.base import Group, MethodImpl, MethodInfo, identity, not_a_choice, unknown_option
from votes.methods.rules import base_weight, decide, share

if TYPE_CHECKING:
    from votes.methods.contest import Contest

YES_NO_ABSTAIN = ("yes", "no", "abstain")

INFO = MethodInfo(
    id="yes-no-abstain",
    has_threshold=True,
    tie_break=(
        "No tie-break is needed: a count exactly at the threshold fails when the threshold "
        "is strict and passes when it is not."
    ),
    counts_kind="weight of the papers for each answer",
)


def normalise(contest: Contest, choice: Any) -> str:
    """``"yes"``, ``"no"`` or ``"abstain"``."""
    if type(choice) is not str:
        raise not_a_choice(choice, '"yes", "no" or "abstain"')
    if choice not in YES_NO_ABSTAIN:
        raise unknown_option(choice)
    return choice


def count(contest: Contest, groups: list[Group], participation_weight: int) -> dict[str, Any]:
    """The method's part of the result from the grouped papers."""
    counts = dict.fromkeys(YES_NO_ABSTAIN, 0)
    for choice, weight in groups:
        counts[choice] += weight
    return outcome(contest, counts, participation_weight)


def outcome(
    contest: Contest, counts: Mapping[str, int], participation_weight: int
) -> dict[str, Any]:
    """The method's part of the result from the weight of each answer."""
    yes, no, abstain = (counts[answer] for answer in YES_NO_ABSTAIN)
    rules = contest.rules
    decision = decide(
        rules,
        electorate_weight=contest.electorate_weight,
        participation_weight=participation_weight,
        top_weight=yes,
        votes_weight=yes + no,
    )
    base = base_weight(rules, yes + no, contest.electorate_weight)
    abstain_base = base_weight(rules, participation_weight, contest.electorate_weight)
    if decision["approved"]:
        winners = ["yes"]
    elif decision["quorum_met"]:
        winners = ["no"]
    else:
        winners = []
    return {
        "counts": {"yes": yes, "no": no, "abstain": abstain},
        "shares": {
            "yes": share(yes, base),
            "no": share(no, base),
            "abstain": share(abstain, abstain_base),
        },
        "ranking": winners + [answer for answer in YES_NO_ABSTAIN if answer not in winners],
        "winners": winners,
        "tie_broken": False,
        **decision,
    }


IMPL = MethodImpl(INFO, normalise, identity, identity, count)
