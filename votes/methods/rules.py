"""Quorum and threshold: the rules that turn a count into a decision.

Everything here is exact: fractions are compared by integer
cross-multiplication and written as ``"num/den"`` strings, never as floats.

* The quorum is met when ``participation * den >= num * electorate``, where the
  participation counts every paper (abstentions and blank papers included). A
  quorum of 0 is always met; any other quorum fails with an empty electorate.
* A threshold compares one count against a base: the method's votes base (for
  example yes + no) or, with ``threshold_base="electorate"``, the electorate.
  It is met when ``count * den > num * base`` (``strict``) or ``>=``
  (not strict), and never with a base of 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from votes.methods.errors import InvalidContest

ThresholdBase = Literal["votes", "electorate"]
THRESHOLD_BASES: tuple[ThresholdBase, ...] = ("votes", "electorate")
RULES_FIELDS = ("quorum", "threshold", "threshold_base", "strict")

_FRACTION = re.compile(r"(0|[1-9][0-9]*)/([1-9][0-9]*)")


def fraction_text(value: Fraction | int) -> str:
    """``"num/den"`` in lowest terms; 0 is ``"0/1"``."""
    value = Fraction(value)
    return f"{value.numerator}/{value.denominator}"


def parse_fraction(text: Any, field: str) -> Fraction:
    """Read a ``"num/den"`` string between 0 and 1 (``den > 0``)."""
    match = _FRACTION.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise InvalidContest(
            "bad-fraction",
            f'The {field} must be a fraction written as "num/den", not {text!r}.',
            field=field,
            value=text,
        )
    value = Fraction(int(match[1]), int(match[2]))
    _check_unit_interval(value, field)
    return value


def _check_unit_interval(value: Any, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        raise InvalidContest(
            "bad-fraction",
            f"The {field} must be a Fraction, not {value!r}.",
            field=field,
            value=repr(value),
        )
    if not 0 <= value <= 1:
        raise InvalidContest(
            "fraction-out-of-range",
            f"The {field} must be between 0 and 1, not {fraction_text(value)}.",
            field=field,
            value=fraction_text(value),
        )


def share(count: int, base: int) -> str:
    """``count / base`` as ``"num/den"``; ``"0/1"`` when the base is 0."""
    return fraction_text(Fraction(count, base)) if base else "0/1"


def reaches(count: int, base: int, fraction: Fraction, *, strict: bool) -> bool:
    """Whether ``count`` is above (strict) or at least ``fraction`` of ``base``."""
    if base <= 0:
        return False
    if strict:
        return count * fraction.denominator > fraction.numerator * base
    return count * fraction.denominator >= fraction.numerator * base


def quorum_met(participation: int, electorate: int, quorum: Fraction) -> bool:
    """Whether ``participation`` is at least ``quorum`` of ``electorate``."""
    if quorum == 0:
        return True
    if electorate <= 0:
        return False
    return participation * quorum.denominator >= quorum.numerator * electorate


@dataclass(frozen=True)
class Rules:
    """How a count becomes a decision: quorum, threshold and its base."""

    quorum: Fraction = Fraction(0)
    threshold: Fraction | None = None
    threshold_base: ThresholdBase = "votes"
    strict: bool = True

    def validate(self) -> None:
        """Raise :class:`InvalidContest` unless every field has a valid value."""
        _check_unit_interval(self.quorum, "quorum")
        if self.threshold is not None:
            _check_unit_interval(self.threshold, "threshold")
        if self.threshold_base not in THRESHOLD_BASES:
            raise InvalidContest(
                "bad-threshold-base",
                f'The threshold base must be "votes" or "electorate", not {self.threshold_base!r}.',
                field="threshold_base",
                value=self.threshold_base,
            )
        if not isinstance(self.strict, bool):
            raise InvalidContest(
                "bad-strict",
                f"strict must be true or false, not {self.strict!r}.",
                field="strict",
                value=self.strict,
            )

    @classmethod
    def from_json(cls, data: Any) -> Rules:
        """Read rules from their JSON form; missing fields take the defaults."""
        if not isinstance(data, dict):
            raise InvalidContest(
                "bad-rules", f"The rules must be a JSON object, not {data!r}.", field="rules"
            )
        for key in data:
            if key not in RULES_FIELDS:
                raise InvalidContest(
                    "unknown-field", f"The rules have an unknown field {key!r}.", field=key
                )
        threshold = data.get("threshold")
        rules = cls(
            quorum=parse_fraction(data.get("quorum", "0/1"), "quorum"),
            threshold=None if threshold is None else parse_fraction(threshold, "threshold"),
            threshold_base=data.get("threshold_base", "votes"),
            strict=data.get("strict", True),
        )
        rules.validate()
        return rules

    def to_json(self) -> dict[str, Any]:
        """The JSON form: fractions as ``"num/den"``, no threshold as null."""
        return {
            "quorum": fraction_text(self.quorum),
            "threshold": None if self.threshold is None else fraction_text(self.threshold),
            "threshold_base": self.threshold_base,
            "strict": self.strict,
        }


def base_weight(rules: Rules, votes_weight: int, electorate_weight: int) -> int:
    """The weight that the threshold (and most shares) are measured against."""
    return electorate_weight if rules.threshold_base == "electorate" else votes_weight


def decide(
    rules: Rules,
    *,
    electorate_weight: int,
    participation_weight: int,
    top_weight: int,
    votes_weight: int,
) -> dict[str, Any]:
    """The result fields about quorum and threshold.

    ``top_weight`` is the count the threshold applies to (yes, or the top
    option's count) and ``votes_weight`` the method's votes base.
    """
    met = quorum_met(participation_weight, electorate_weight, Fraction(rules.quorum))
    base: int | None = None
    threshold_met: bool | None = None
    approved: bool | None = None
    if rules.threshold is not None:
        base = base_weight(rules, votes_weight, electorate_weight)
        threshold_met = reaches(top_weight, base, rules.threshold, strict=rules.strict)
        approved = met and threshold_met
    return {
        "quorum": fraction_text(rules.quorum),
        "quorum_met": met,
        "threshold": None if rules.threshold is None else fraction_text(rules.threshold),
        "threshold_base": rules.threshold_base,
        "strict": rules.strict,
        "threshold_base_weight": base,
        "threshold_met": threshold_met,
        "approved": approved,
    }
