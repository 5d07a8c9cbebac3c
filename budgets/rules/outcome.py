"""What a rule returns: the selected projects and, for each project, why.

Every amount in an explanation is exact: an ``int`` of minor units or a
``Fraction`` (MES shares and Phragmén loads are fractions of a unit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from budgets.rules.election import Election


@dataclass(frozen=True)
class Reason:
    """Why one project was selected or not, in numbers a resident can follow.

    ``code`` says which story it is:

    * ``selected`` — greedy: it fitted (``left`` before it, ``cost``);
      MES: its ``supporters`` paid it, at most ``share`` each (``full_payers``
      paid that share, ``partial_payers`` paid all they had left); Phragmén:
      its supporters' load rose to ``load``;
    * ``completion`` — selected by the greedy fill after MES;
    * ``free`` — it costs nothing and somebody supports it;
    * ``did-not-fit`` — greedy: ``left`` was less than ``cost``;
    * ``stopped`` — greedy-no-skip and Phragmén stop at the first project
      that does not fit; this one came at or after it;
    * ``below-threshold`` — greedy-threshold: ``score`` under ``threshold``;
    * ``unaffordable`` — MES: its supporters had ``money`` left in all, less
      than ``cost``; or they could have paid it but the budget ran out
      (``left`` < ``cost``);
    * ``no-support`` — nobody supports it.
    """

    code: str
    score: int = 0
    cost: int = 0
    left: int | Fraction | None = None
    share: Fraction | None = None
    supporters: int = 0
    full_payers: int = 0
    partial_payers: int = 0
    money: Fraction | None = None
    load: Fraction | None = None
    threshold: int | None = None
    round: int | None = None

    def as_json(self) -> dict[str, Any]:
        """Plain values; fractions as strings ("7/2"). :meth:`from_json` reads it back."""
        data: dict[str, Any] = {"code": self.code, "score": self.score, "cost": self.cost}
        for name in ("left", "share", "money", "load"):
            value = getattr(self, name)
            if value is not None:
                data[name] = str(value)
        for name in ("supporters", "full_payers", "partial_payers", "threshold", "round"):
            value = getattr(self, name)
            if value:
                data[name] = value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reason:
        """A reason read back from a stored outcome (:meth:`as_json`)."""

        def fraction(name: str) -> Fraction | None:
            return Fraction(data[name]) if name in data else None

        def number(name: str) -> int | None:
            return int(data[name]) if name in data else None

        return cls(
            code=data["code"],
            score=int(data.get("score", 0)),
            cost=int(data.get("cost", 0)),
            left=fraction("left"),
            share=fraction("share"),
            supporters=int(data.get("supporters", 0)),
            full_payers=int(data.get("full_payers", 0)),
            partial_payers=int(data.get("partial_payers", 0)),
            money=fraction("money"),
            load=fraction("load"),
            threshold=number("threshold"),
            round=number("round"),
        )


@dataclass(frozen=True)
class Outcome:
    """The projects a rule selects, in the order it selected them."""

    rule: str
    budget: int
    selected: tuple[int, ...]
    cost: int
    reasons: tuple[Reason, ...] = ()
    #: MES + add1: the budget per voter the outcome was reached with
    per_voter_budget: Fraction | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def selected_ids(self, election: Election) -> list[str]:
        return [election.project_ids[project] for project in self.selected]

    def as_json(self, election: Election) -> dict[str, Any]:
        """Plain values: ids as strings (as in the file), amounts as strings when fractions."""
        data: dict[str, Any] = {
            "rule": self.rule,
            "budget": self.budget,
            "selected": self.selected_ids(election),
            "cost": self.cost,
            "left": self.budget - self.cost,
            "voters": election.voters,
        }
        if self.per_voter_budget is not None:
            data["per_voter_budget"] = str(self.per_voter_budget)
        if self.reasons:
            data["projects"] = {
                election.project_ids[index]: reason.as_json()
                for index, reason in enumerate(self.reasons)
            }
        return data
