"""Validating papers and counting them, for every method."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any

from votes.methods import yes_no_abstain
from votes.methods.base import MethodImpl, not_a_choice, unknown_option
from votes.methods.contest import Contest
from votes.methods.errors import InvalidChoice, InvalidContest
from votes.methods.hashing import result_hash
from votes.methods.registry import IMPLS


def normalise_choice(contest: Contest, choice: Any) -> Any:
    """Validate one paper's choice and return its canonical form.

    Raises :class:`InvalidChoice` (or :class:`InvalidContest` for a contest
    that cannot be counted).
    """
    contest.validate()
    return IMPLS[contest.method].normalise(contest, choice)


def tally(contest: Contest, papers: Iterable[tuple[Any, int]]) -> dict[str, Any]:
    """Count ``(choice, weight)`` papers into a result (see the package docstring).

    Choices are validated again (once per distinct choice), so a wrong paper
    raises :class:`InvalidChoice` instead of being miscounted.
    """
    contest.validate()
    impl = IMPLS[contest.method]
    weights, first, number, participation = _group(impl, contest, papers)
    groups: dict[Hashable, int] = {}
    for key, weight in weights.items():
        canonical = impl.canonical_key(impl.normalise(contest, first[key]))
        groups[canonical] = groups.get(canonical, 0) + weight
    outcome = impl.count(contest, list(groups.items()), participation)
    return _result(contest, participation, number, outcome)


def _group(
    impl: MethodImpl, contest: Contest, papers: Iterable[tuple[Any, int]]
) -> tuple[dict[Hashable, int], dict[Hashable, Any], int, int]:
    """Total the weight of identical papers: most papers repeat a few choices."""
    key_of = impl.key
    weights: dict[Hashable, int] = {}
    first: dict[Hashable, Any] = {}  # one paper's own choice for each key
    number = participation = 0
    for choice, weight in papers:
        if type(weight) is not int or weight < 1:
            raise bad_weight(weight)
        try:
            key = key_of(choice)
            total = weights.get(key)
        except TypeError:  # unhashable: let the method say what is wrong with it
            impl.normalise(contest, choice)
            raise not_a_choice(choice, "a valid choice") from None
        if total is None:
            weights[key] = weight
            first[key] = choice
        else:
            weights[key] = total + weight
        number += 1
        participation += weight
    return weights, first, number, participation


def bad_weight(weight: Any) -> InvalidChoice:
    return InvalidChoice(
        "bad-weight",
        f"A paper's weight must be a whole number of at least 1, not {weight!r}.",
        weight=weight if type(weight) is int else repr(weight),
    )


def tally_yes_no_abstain_counts(
    contest: Contest, counts: Mapping[str, int], *, papers: int | None = None
) -> dict[str, Any]:
    """The result of a yes/no/abstain contest from the weight of each answer.

    For counts made in SQL. Given the number of ``papers`` too, the result is
    the one :func:`tally` gives for the same papers, hash included; without
    it the result's ``papers`` is null.
    """
    contest.validate()
    if contest.method != "yes-no-abstain":
        raise InvalidContest(
            "wrong-method",
            f"Counts of answers make a yes-no-abstain result, not a {contest.method} one.",
            method=contest.method,
        )
    totals = dict.fromkeys(yes_no_abstain.YES_NO_ABSTAIN, 0)
    for answer, weight in counts.items():
        if answer not in totals:
            raise unknown_option(answer)
        if type(weight) is not int or weight < 0:
            raise bad_weight(weight)
        totals[answer] = weight
    if papers is not None and (type(papers) is not int or papers < 0):
        raise ValueError(f"papers must be a whole number, not {papers!r}")
    participation = sum(totals.values())
    outcome = yes_no_abstain.outcome(contest, totals, participation)
    return _result(contest, participation, papers, outcome)


def _result(
    contest: Contest, participation: int, papers: int | None, outcome: dict[str, Any]
) -> dict[str, Any]:
    result = {
        "method": contest.method,
        "options": list(contest.options),
        "electorate_weight": contest.electorate_weight,
        "max_choices": contest.max_choices,
        "max_score": contest.max_score,
        **({} if contest.settings is None else {"settings": dict(contest.settings)}),
        "participation_weight": participation,
        "papers": papers,
        **outcome,
    }
    result["hash"] = result_hash(result)
    return result
