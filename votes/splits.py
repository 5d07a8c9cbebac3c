"""What the ballot pages show of a split ballot: each voter splits a sum of money
among the ballot's options (the destinations), in whole per cent or per mille.

The ``split`` method is counted by ``budgets.split_method``, which registers
itself into ``votes.methods``; ``votes`` does not import ``budgets`` (it is the
other way round), so this module reads the ballot's ``method_settings`` and the
stored result as the JSON they are: ``scale``, ``rule``, ``floors``,
``ceilings``, ``total`` and ``currency``; ``shares``, ``amounts``, ``typical``
and ``means``.

Here: each destination's floor and ceiling as the vote form states them, a
split in words, and a closed ballot's outcome with its chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from flask_babel import format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from governance.money import format_money
from votes.charts import fraction_of, percent, share_chart
from votes.models import Ballot

METHOD = "split"
UNITS = {100: "%", 1000: "‰"}
RULE_NAMES = {
    "independent-markets": _l("Independent markets"),
    "mean": _l("Mean of the splits"),
}
RULE_SUMMARIES = {
    "independent-markets": _l(
        "Each destination gets the median of the shares the voters gave it, counted "
        "together with a few fixed extra votes that are moved until the shares add up "
        "to the whole. No voter can bring the outcome closer to their own split by "
        "exaggerating (proven for ballots without floors and ceilings), and a group of "
        "voters weighs in proportion to its size."
    ),
    "mean": _l(
        "Each destination gets the average of the shares the voters gave it. "
        "Simple, but a voter who exaggerates moves the outcome further their way."
    ),
}


def is_split(ballot: Ballot) -> bool:
    return ballot.method == METHOD


def settings_of(ballot: Ballot) -> dict[str, Any]:
    return dict(ballot.method_settings or {})


def units(value: int, scale: int) -> str:
    """A share in the ballot's units, as the member's language writes a whole
    percentage (``20%``) or per mille (``200‰``), like :func:`votes.charts.percent`."""
    return format_percent(Decimal(value) / scale, format=f"#0{UNITS.get(scale, '%')}")


def units_template(scale: int) -> str:
    """:func:`units` with ``{n}`` for the number, for the running sum's script."""
    return units(1, scale).replace("1", "{n}")


def amount_text(ballot: Ballot) -> str:
    """The sum split, in the member's language: ``R$ 10.000,00``."""
    settings = settings_of(ballot)
    return format_money(int(settings.get("total") or 0), str(settings.get("currency") or ""))


def rule_name(ballot: Ballot) -> str:
    rule = settings_of(ballot).get("rule", "")
    return str(RULE_NAMES.get(rule, rule))


def rule_summary(ballot: Ballot) -> str:
    rule = settings_of(ballot).get("rule", "")
    return str(RULE_SUMMARIES.get(rule, ""))


@dataclass(frozen=True)
class Destination:
    """One destination on the vote form, with the bounds every split must keep."""

    index: int
    option: str
    floor: int
    ceiling: int
    scale: int

    @property
    def has_floor(self) -> bool:
        return self.floor > 0

    @property
    def has_ceiling(self) -> bool:
        return self.ceiling < self.scale

    @property
    def bounds(self) -> str:
        """ "at least 20 %", "at most 50 %", both, or "" when there is no bound."""
        low, high = units(self.floor, self.scale), units(self.ceiling, self.scale)
        if self.has_floor and self.has_ceiling:
            if self.floor == self.ceiling:
                return _("exactly %(share)s", share=low)
            return _("at least %(floor)s and at most %(ceiling)s", floor=low, ceiling=high)
        if self.has_floor:
            return _("at least %(floor)s", floor=low)
        if self.has_ceiling:
            return _("at most %(ceiling)s", ceiling=high)
        return ""


def destinations(ballot: Ballot) -> list[Destination]:
    """The ballot's destinations in ballot order, with their floors and ceilings."""
    settings = settings_of(ballot)
    scale = scale_of(ballot)
    floors = settings.get("floors") or [0] * len(ballot.options)
    ceilings = settings.get("ceilings") or [scale] * len(ballot.options)
    return [
        Destination(index, option, int(floors[index]), int(ceilings[index]), scale)
        for index, option in enumerate(ballot.options)
    ]


def scale_of(ballot: Ballot) -> int:
    return int(settings_of(ballot).get("scale") or 100)


def describe(ballot: Ballot, choice: Any) -> str:
    """A stored split in words, in ballot order: ``Expansion: 40 %, Reserves: 60 %``."""
    if not isinstance(choice, dict):
        return ""
    scale = scale_of(ballot)
    return ", ".join(
        f"{option}: {units(int(choice.get(option, 0)), scale)}" for option in ballot.options
    )


@dataclass(frozen=True)
class SplitRow:
    """One destination of a closed split ballot, in ballot order."""

    option: str
    share: Fraction  # of the whole, exact
    percent: str  # the share to one decimal, for reading only
    amount: str  # money, in the member's language
    typical: str  # what the typical voter asked, in the ballot's units
    typical_share: Fraction
    mean: str  # the mean of the votes, as a percentage to one decimal
    bound: str  # "at its floor of 20 %", "at its ceiling of 50 %" or ""


@dataclass(frozen=True)
class SplitOutcome:
    """What a closed split ballot decided: the rows, the comparison with the
    typical voter, and the chart of the shares."""

    rows: list[SplitRow]
    comparison: str
    chart: Markup


def _bound(destination: Destination, share: Fraction) -> str:
    scale = destination.scale
    if destination.has_floor and share == Fraction(destination.floor, scale):
        return _("at its floor of %(share)s", share=units(destination.floor, scale))
    if destination.has_ceiling and share == Fraction(destination.ceiling, scale):
        return _("at its ceiling of %(share)s", share=units(destination.ceiling, scale))
    return ""


def _comparison(rows: list[SplitRow]) -> str:
    """One sentence: where the outcome is furthest from what the typical voter
    asked (the first listed of equal gaps), or that it gives what they asked."""
    gaps = [abs(row.share - row.typical_share) for row in rows]
    widest = max(gaps, default=Fraction(0))
    if widest == 0:
        return _("The outcome gives each destination what the typical voter asked for.")
    row = rows[gaps.index(widest)]
    return _(
        "The typical voter asked for %(typical)s for %(option)s; the outcome gives %(share)s.",
        typical=row.typical,
        option=row.option,
        share=row.percent,
    )


def outcome(ballot: Ballot, *, chart_id: str = "result-chart") -> SplitOutcome | None:
    """The decided split of a closed ballot, or None when it decided none (the
    quorum was not reached, or no one voted)."""
    result = ballot.result or {}
    shares, amounts = result.get("shares"), result.get("amounts")
    if not result.get("approved") or not shares or not amounts:
        return None
    currency = str(settings_of(ballot).get("currency") or "")
    typical, means = result.get("typical") or {}, result.get("means") or {}
    rows = []
    for destination in destinations(ballot):
        option, scale = destination.option, destination.scale
        share = fraction_of(shares.get(option))
        asked = int(typical.get(option, 0))
        rows.append(
            SplitRow(
                option=option,
                share=share,
                percent=percent(share),
                amount=format_money(int(amounts.get(option, 0)), currency),
                typical=units(asked, scale),
                typical_share=Fraction(asked, scale),
                mean=percent(fraction_of(means.get(option))),
                bound=_bound(destination, share),
            )
        )
    description = "; ".join(
        _("%(option)s: %(share)s (%(amount)s)", option=r.option, share=r.percent, amount=r.amount)
        for r in rows
    )
    chart = share_chart(
        [(row.option, row.share) for row in rows],
        chart_id=chart_id,
        title=_("The split decided: %(title)s", title=ballot.title),
        description=description,
    )
    return SplitOutcome(rows=rows, comparison=_comparison(rows), chart=chart)
