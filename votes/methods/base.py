"""What the counting methods share: their description and small helpers."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from votes.methods.errors import InvalidChoice
from votes.methods.rules import base_weight, decide, share

if TYPE_CHECKING:
    from votes.methods.contest import Contest

# One distinct choice (in a hashable form) with the total weight of its papers.
Group = tuple[Any, int]


@dataclass(frozen=True)
class MethodInfo:
    """What the web layer needs to know about a counting method."""

    id: str
    has_threshold: bool
    tie_break: str  # the documented tie-break rule, one English sentence
    counts_kind: str  # what the result's ``counts`` hold


@dataclass(frozen=True)
class MethodImpl:
    """A method's functions, as the generic tally calls them.

    ``key`` turns a choice into a hashable value so that identical papers are
    grouped before anything else (it may raise ``TypeError`` for a malformed
    choice; ``normalise`` then explains why). ``canonical_key`` turns a
    normalised choice into the key ``count`` receives. ``check_settings``
    validates the contest's method settings (raising ``InvalidContest``); a
    method without it takes none.
    """

    info: MethodInfo
    normalise: Callable[[Contest, Any], Any]
    key: Callable[[Any], Hashable]
    canonical_key: Callable[[Any], Hashable]
    count: Callable[[Contest, list[Group], int], dict[str, Any]]
    check_settings: Callable[[Contest], None] | None = None


def identity(choice: Any) -> Any:
    """The key of a choice that is already hashable (a string or None)."""
    return choice


def sequence_key(choice: Any) -> tuple[Any, ...]:
    """The key of a list choice (approvals, rankings)."""
    if type(choice) is list or type(choice) is tuple:
        return tuple(choice)
    raise TypeError


def shown(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut short: a malformed paper may be large."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def not_a_choice(choice: Any, expected: str) -> InvalidChoice:
    return InvalidChoice(
        "not-a-choice", f"{shown(choice)} is not a choice: expected {expected}.", expected=expected
    )


def unknown_option(option: str) -> InvalidChoice:
    return InvalidChoice(
        "unknown-option", f"{option!r} is not one of the options on the ballot.", option=option
    )


def normalise_ranking(contest: Contest, choice: Any) -> list[str]:
    """A list of distinct known options, most preferred first ([] is blank)."""
    if type(choice) is not list and type(choice) is not tuple:
        raise not_a_choice(choice, "a list of options, most preferred first")
    ranking = list(choice)
    index = contest.option_index
    try:
        known = index.keys() >= set(ranking)
    except TypeError:  # an unhashable item: a list or an object
        known = False
    if not known:
        for item in ranking:
            if type(item) is not str:
                raise InvalidChoice(
                    "malformed-ranking",
                    f"A ranking lists options by name, and {shown(item)} is not a name.",
                    item=shown(item),
                )
            if item not in index:
                raise unknown_option(item)
    if len(set(ranking)) != len(ranking):
        duplicate = next(item for place, item in enumerate(ranking) if item in ranking[:place])
        raise InvalidChoice(
            "malformed-ranking",
            f"The ranking lists {duplicate!r} more than once.",
            option=duplicate,
        )
    return ranking


def rank_by_count(options: Sequence[str], counts: dict[str, int]) -> list[str]:
    """Options by count, highest first; equal counts keep the ballot's order."""
    return sorted(options, key=lambda option: -counts[option])  # sorted() is stable


def top_options(options: Sequence[str], counts: dict[str, int], has_votes: bool) -> list[str]:
    """The options tied for the highest count, in ballot order; none without votes."""
    if not has_votes or not options:
        return []
    best = max(counts[option] for option in options)
    return [option for option in options if counts[option] == best]


def by_count(
    contest: Contest,
    counts: dict[str, int],
    *,
    votes_weight: int,
    participation_weight: int,
    share_scale: int = 1,
) -> dict[str, Any]:
    """The result of a method that ranks options by one count each.

    ``votes_weight`` is the weight of the non-blank papers; shares are counts
    over it (or over the electorate) times ``share_scale``.
    """
    options = contest.options
    ranking = rank_by_count(options, counts)
    winners = top_options(options, counts, votes_weight > 0)
    decision = decide(
        contest.rules,
        electorate_weight=contest.electorate_weight,
        participation_weight=participation_weight,
        top_weight=counts[ranking[0]],
        votes_weight=votes_weight,
    )
    base = base_weight(contest.rules, votes_weight, contest.electorate_weight) * share_scale
    return {
        "counts": {option: counts[option] for option in options},
        "shares": {option: share(counts[option], base) for option in options},
        "ranking": ranking,
        "winners": winners,
        "tie_broken": len(winners) > 1,
        **decision,
    }
