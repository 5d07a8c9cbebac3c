"""The ``split`` counting method: each paper splits a sum of money among the
ballot's options (the destinations); the papers are combined by a rule of
``budgets.rules.surplus`` into exact shares and integer amounts.

Registered into ``votes.methods`` (``register()``, from ``budgets.init_app``), so
a split ballot has everything a ballot has: a frozen electorate, secret or
nominal papers, receipts, the papers file, quorum and closing on time.

The contest's ``settings`` (``Ballot.method_settings``)::

    {"scale": 100 | 1000,             # papers in whole per cent or per mille
     "rule": "independent-markets" | "mean",
     "floors": [int, ...],            # per destination, in units of scale
     "ceilings": [int, ...],
     "total": int,                    # the amount split, in minor units
     "currency": "BRL"}

A paper is ``{destination: share}`` with whole numbers summing to ``scale``,
each within its destination's floor and ceiling (a destination left out gets
0). The result adds to the generic fields (``votes.methods``):

* ``shares``: destination → the outcome's exact fraction ``"num/den"``;
* ``amounts``: destination → integer minor units, summing to ``total``;
* ``counts``: destination → the weighted sum of the papers' shares (units);
* ``typical``: destination → the weighted median of the papers' shares
  (the lower median; units), what the typical voter asked for;
* ``means``: destination → the weighted mean of the papers' shares
  (``"num/den"`` of the whole);
* ``ranking``: the destinations by outcome share, larger first (ties in
  ballot order); ``winners`` is empty and ``tie_broken`` false: a split has
  no winner;
* ``approved``: the quorum is met and at least one paper was cast. A split
  has no threshold: the ballot decides how to split, not whether.

No paper: shares and amounts are null.

This module imports numpy (through the rules) only when a ballot is counted.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from votes.methods.base import Group, MethodImpl, MethodInfo, not_a_choice, unknown_option
from votes.methods.errors import InvalidChoice, InvalidContest
from votes.methods.hashing import canonical_json
from votes.methods.registry import register
from votes.methods.rules import decide, fraction_text

if TYPE_CHECKING:
    from votes.methods.contest import Contest

METHOD_ID = "split"
SCALES = (100, 1000)
RULE_IDS = ("independent-markets", "mean")
MAX_TOTAL = 10**15

INFO = MethodInfo(
    id=METHOD_ID,
    has_threshold=False,
    tie_break=(
        "Equal remainders of the amounts go to the destination the ballot lists first; "
        "destinations with equal shares are listed in ballot order."
    ),
    counts_kind="weighted sum of the shares the papers gave each destination",
)


def unit_text(value: int, scale: int) -> str:
    """A share in the ballot's units as people write it: ``20 %`` or ``200 ‰``."""
    return f"{value} %" if scale == 100 else f"{value} ‰"


def _settings_error(code: str, message: str, **params: Any) -> InvalidContest:
    return InvalidContest(code, message, field="settings", **params)


def check_settings(contest: Contest) -> None:
    """Raise ``InvalidContest`` unless the settings describe a split that can be counted."""
    settings = contest.settings
    if not isinstance(settings, dict):
        raise _settings_error("split-settings", "A split needs its settings.")
    scale, rule = settings.get("scale"), settings.get("rule")
    if scale not in SCALES or type(scale) is not int:
        raise _settings_error("split-scale", "A split is in per cent (100) or per mille (1000).")
    if rule not in RULE_IDS:
        raise _settings_error("split-rule", f"The rule is one of {', '.join(RULE_IDS)}.")
    total = settings.get("total")
    if type(total) is not int or not 0 < total <= MAX_TOTAL:
        raise _settings_error("split-total", "The amount split is a positive whole number.")
    if not isinstance(settings.get("currency"), str) or not settings["currency"]:
        raise _settings_error("split-currency", "The amount split needs its currency.")
    m = len(contest.options)
    for bounds in (settings.get("floors"), settings.get("ceilings")):
        if (
            not isinstance(bounds, list)
            or len(bounds) != m
            or any(type(value) is not int or not 0 <= value <= scale for value in bounds)
        ):
            raise _settings_error(
                "split-bounds", "One floor and one ceiling per destination, from 0 to the scale."
            )
    floors: list[int] = settings["floors"]
    ceilings: list[int] = settings["ceilings"]
    for option, low, high in zip(contest.options, floors, ceilings, strict=True):
        if low > high:
            raise _settings_error(
                "split-floor-above-ceiling",
                f"The floor of {option!r} is above its ceiling.",
                option=option,
            )
    if sum(floors) > scale:
        raise _settings_error(
            "split-floors-too-high",
            "The floors add up to more than the whole.",
            sum=unit_text(sum(floors), scale),
        )
    if sum(ceilings) < scale:
        raise _settings_error(
            "split-ceilings-too-low",
            "The ceilings add up to less than the whole.",
            sum=unit_text(sum(ceilings), scale),
        )


def normalise(contest: Contest, choice: Any) -> dict[str, int]:
    """``{destination: share}`` for every destination in ballot order (0 where left out)."""
    if type(choice) is not dict:
        raise not_a_choice(choice, "a mapping of destinations to whole shares")
    settings = contest.settings or {}
    scale = settings["scale"]
    index = contest.option_index
    for option, value in choice.items():
        if type(option) is not str:
            raise not_a_choice(choice, "a mapping of destinations to whole shares")
        if option not in index:
            raise unknown_option(option)
        if type(value) is not int or value < 0:  # not a bool either
            raise InvalidChoice(
                "split-share",
                f"The share of {option!r} must be a whole number of 0 or more, not {value!r}.",
                option=option,
            )
    split = {option: choice.get(option, 0) for option in contest.options}
    total = sum(split.values())
    if total != scale:
        raise InvalidChoice(
            "split-sum",
            f"The shares add up to {total}, not {scale}.",
            sum=unit_text(total, scale),
            whole=unit_text(scale, scale),
            missing=total < scale,
        )
    for place, option in enumerate(contest.options):
        floor, ceiling = settings["floors"][place], settings["ceilings"][place]
        if split[option] < floor:
            raise InvalidChoice(
                "split-below-floor",
                f"{option!r} gets at least {floor}, not {split[option]}.",
                option=option,
                floor=unit_text(floor, scale),
            )
        if split[option] > ceiling:
            raise InvalidChoice(
                "split-above-ceiling",
                f"{option!r} gets at most {ceiling}, not {split[option]}.",
                option=option,
                ceiling=unit_text(ceiling, scale),
            )
    return split


def key(choice: Any) -> str:
    """Group papers by their canonical JSON: it tells ``true`` from ``1``."""
    if type(choice) is not dict or not all(type(option) is str for option in choice):
        raise TypeError
    return canonical_json(choice)


def canonical_key(split: dict[str, int]) -> tuple[int, ...]:
    return tuple(split.values())


def _lower_median(pairs: list[tuple[int, int]], total_weight: int) -> int:
    """The smallest value whose weight, with every smaller one, is half the total or more."""
    seen = 0
    for value, weight in sorted(pairs):
        seen += weight
        if 2 * seen >= total_weight:
            return value
    return 0


def count(contest: Contest, groups: list[Group], participation_weight: int) -> dict[str, Any]:
    """The method's part of the result from the grouped papers."""
    settings = contest.settings or {}
    options = contest.options
    scale = settings["scale"]
    totals = dict.fromkeys(options, 0)
    for split, weight in groups:
        for option, value in zip(options, split, strict=True):
            totals[option] += value * weight
    decision = decide(
        contest.rules,
        electorate_weight=contest.electorate_weight,
        participation_weight=participation_weight,
        top_weight=0,
        votes_weight=participation_weight,
    )
    decision["approved"] = bool(decision["quorum_met"]) and participation_weight > 0
    result: dict[str, Any] = {
        "counts": totals,
        "shares": None,
        "amounts": None,
        "typical": None,
        "means": None,
        "ranking": list(options),
        "winners": [],
        "tie_broken": False,
        **decision,
    }
    if participation_weight == 0:
        return result
    from budgets.rules import surplus  # numpy: only when something is counted

    reports = [list(split) for split, _ in groups]
    weights = [weight for _, weight in groups]
    profile = surplus.profile(options, reports, scale=scale, weights=weights)
    floors = [Fraction(value, scale) for value in settings["floors"]]
    ceilings = [Fraction(value, scale) for value in settings["ceilings"]]
    shares = surplus.SPLIT_RULES[settings["rule"]](profile, floors, ceilings)
    amounts = surplus.amounts(shares, settings["total"])
    result["shares"] = {o: fraction_text(s) for o, s in zip(options, shares, strict=True)}
    result["amounts"] = dict(zip(options, amounts, strict=True))
    result["typical"] = {
        option: _lower_median(
            [(split[place], weight) for split, weight in groups], participation_weight
        )
        for place, option in enumerate(options)
    }
    result["means"] = {
        option: fraction_text(Fraction(totals[option], participation_weight * scale))
        for option in options
    }
    order = sorted(range(len(options)), key=lambda j: (-shares[j], j))
    result["ranking"] = [options[j] for j in order]
    return result


IMPL = register(MethodImpl(INFO, normalise, key, canonical_key, count, check_settings))
