"""Method of Equal Shares with cost utilities, and its completions.

Every voter gets an equal share of the budget (``budget / voters``; voters
with an empty ballot count too). In each round the next project is the one
its supporters can pay with the smallest ``ρ / cost``, where ``ρ`` is the
largest share one supporter pays: supporters with less than ``ρ`` left pay all
they have, the rest pay ``ρ``. A project whose supporters have less money left
than it costs can no longer be bought. Ties go to the project whose id comes
first compared as strings. A project nobody supports, or that costs nothing,
is never bought by MES (with cost utilities nobody gains from it; pabutools
leaves it out the same way); the greedy fill may take it.

Completions (how Wieliczka, Świecie and Assen ran it):

* ``mes`` — none;
* ``mes-add1`` — count again with one more currency unit per voter (the
  election's ``unit``), then two, ... until the outcome is exhaustive (no
  eligible project left fits) or the next step would overspend (then the last
  outcome within budget stands);
* ``mes-add1-greedy`` — ``mes-add1``, then greedy by score over what is left.

Arithmetic is exact and integer: every budget is ``N / D`` with one common
denominator ``D`` (a Python integer; it grows by the number of payers at
each purchase, reduced by their common factor). Voters holding the same
amount are one group, so a round costs a few array operations per project
plus a walk over the poorest groups, whatever the number of voters.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import gcd

import numpy as np

from budgets.rules.election import Election, IntArray
from budgets.rules.greedy import fill as greedy_fill
from budgets.rules.outcome import Outcome, Reason


@dataclass
class _Purchase:
    """What one round bought: the project, its exact share, who paid what."""

    project: int
    share: Fraction
    full_payers: int
    partial_payers: int
    supporters: int


@dataclass
class _Run:
    purchases: list[_Purchase]
    money_left: dict[int, Fraction]  # supporters' money at the end, per project not bought


class _Groups:
    """Voters grouped by the money they hold: ``numerators[g] / denominator``.

    Group ids are in ascending order of money (group 0 is the poorest), so
    the voters of a project, counted per group, are already sorted for the walk.
    """

    def __init__(self, voters: int, numerator: int, denominator: int) -> None:
        self.of_voter: IntArray = np.zeros(voters, dtype=np.int64)
        self.numerators: list[int] = [numerator]
        self.denominator = denominator

    def counts(self, supporters: IntArray) -> IntArray:
        return np.bincount(self.of_voter[supporters], minlength=len(self.numerators))

    def price(self, counts: IntArray, cost: int) -> tuple[int, int, int] | None:
        """The walk: ``(R, m, poorest_rich_group)`` with ``ρ = R / (m · D)``, or None.

        Groups are visited from the poorest; a group whose money is below the
        share asked of the rest pays all it has (is "poor"); the first group
        that can pay the share fixes it. None when the supporters' money is
        short of ``cost``.
        """
        numerators = self.numerators
        owed = cost * self.denominator
        payers = int(counts.sum())
        for group in np.flatnonzero(counts).tolist():
            if payers == 0:
                break
            numerator = numerators[group]
            if owed <= payers * numerator:
                return owed, payers, group
            count = int(counts[group])
            owed -= count * numerator
            payers -= count
        return None

    def money(self, counts: IntArray) -> Fraction:
        total = sum(int(counts[g]) * self.numerators[g] for g in np.flatnonzero(counts).tolist())
        return Fraction(total, self.denominator)

    def pay(self, supporters: IntArray, owed: int, payers: int, first_rich: int) -> None:
        """Supporters in groups below ``first_rich`` pay all; the others pay ρ = owed/(payers·D)."""
        common = gcd(owed, payers)
        owed, scale = owed // common, payers // common
        self.denominator *= scale
        numerators = [numerator * scale for numerator in self.numerators]
        touched_of_voter = self.of_voter[supporters]
        touched = np.unique(touched_of_voter).tolist()
        first_new = len(numerators)
        new_of_group = np.zeros(len(numerators), dtype=np.int64)
        for offset, group in enumerate(touched):
            new_of_group[group] = first_new + offset
            numerators.append(0 if group < first_rich else numerators[group] - owed)
        self.of_voter[supporters] = new_of_group[touched_of_voter]
        self._merge(numerators)

    def _merge(self, numerators: list[int]) -> None:
        """Renumber the groups that still have voters in ascending order of money."""
        alive = np.flatnonzero(np.bincount(self.of_voter, minlength=len(numerators))).tolist()
        values = sorted({numerators[group] for group in alive})
        rank = {value: index for index, value in enumerate(values)}
        renumber = np.zeros(len(numerators), dtype=np.int64)
        for group in alive:
            renumber[group] = rank[numerators[group]]
        self.of_voter = renumber[self.of_voter]
        self.numerators = values


def eligible(election: Election) -> list[int]:
    """The projects MES may buy: somebody supports them and they cost something."""
    counts = election.supporter_counts
    return [p for p in range(election.projects) if counts[p] > 0 and election.costs[p] > 0]


def _run(election: Election, per_voter: Fraction) -> _Run:
    """One count of MES with ``per_voter`` money each."""
    voters = election.voters
    costs, names, supporters = election.costs, election.project_ids, election.supporters
    groups = _Groups(voters, per_voter.numerator, per_voter.denominator)
    # A lower bound of each project's ρ/cost: budgets only shrink, so it only rises.
    bound: dict[int, Fraction] = {
        p: Fraction(costs[p], len(supporters[p]) * costs[p]) for p in eligible(election)
    }
    purchases: list[_Purchase] = []
    gone: set[int] = set()
    while bound:
        best: tuple[Fraction, str, int, tuple[int, int, int], IntArray] | None = None
        for project in sorted(bound, key=lambda p: (bound[p], names[p])):
            if best is not None and (bound[project], names[project]) > best[:2]:
                break
            counts = groups.counts(supporters[project])
            price = groups.price(counts, costs[project])
            if price is None:
                gone.add(project)
                continue
            owed, payers, _ = price
            ratio = Fraction(owed, payers * groups.denominator * costs[project])
            bound[project] = ratio
            if best is None or (ratio, names[project]) < best[:2]:
                best = (ratio, names[project], project, price, counts)
        for project in gone:
            bound.pop(project, None)
        if best is None:
            break
        _, _, project, (owed, payers, first_rich), counts = best
        # Poor groups paid all they had; a penniless group (group 0, if any) paid nothing.
        poor = counts[1:first_rich] if groups.numerators[0] == 0 else counts[:first_rich]
        purchases.append(
            _Purchase(
                project=project,
                share=Fraction(owed, payers * groups.denominator),
                full_payers=payers,
                partial_payers=int(poor.sum()),
                supporters=len(supporters[project]),
            )
        )
        del bound[project]
        groups.pay(supporters[project], owed, payers, first_rich)
    bought = {purchase.project for purchase in purchases}
    money_left = {
        p: groups.money(groups.counts(supporters[p]))
        for p in range(election.projects)
        if p not in bought and len(supporters[p])
    }
    return _Run(purchases, money_left)


def _reasons(election: Election, run: _Run, left: int) -> list[Reason | None]:
    scores, costs = election.scores, election.costs
    reasons: list[Reason | None] = [None] * election.projects
    for number, purchase in enumerate(run.purchases, start=1):
        p = purchase.project
        reasons[p] = Reason(
            "selected",
            score=scores[p],
            cost=costs[p],
            share=purchase.share,
            supporters=purchase.supporters,
            full_payers=purchase.full_payers,
            partial_payers=purchase.partial_payers,
            round=number,
        )
    for p in range(election.projects):
        if reasons[p] is not None:
            continue
        if p not in run.money_left:
            reasons[p] = Reason("no-support", score=scores[p], cost=costs[p])
        elif costs[p] == 0:
            reasons[p] = Reason("free", score=scores[p], cost=0)
        else:
            reasons[p] = Reason(
                "unaffordable",
                score=scores[p],
                cost=costs[p],
                money=run.money_left[p],
                left=left,
                supporters=len(election.supporters[p]),
            )
    return reasons


def _selection(election: Election, run: _Run) -> tuple[list[int], list[Reason | None]]:
    """The projects a run bought, in order, and a reason for every project."""
    selected = [purchase.project for purchase in run.purchases]
    left = election.budget - sum(election.costs[p] for p in selected)
    return selected, _reasons(election, run, left)


def _finish(
    election: Election,
    rule: str,
    selected: list[int],
    reasons: list[Reason | None],
    per_voter: Fraction | None,
) -> Outcome:
    return Outcome(
        rule=rule,
        budget=election.budget,
        selected=tuple(selected),
        cost=sum(election.costs[p] for p in selected),
        reasons=tuple(r for r in reasons if r is not None),
        per_voter_budget=per_voter,
    )


def _start(election: Election) -> Fraction | None:
    return Fraction(election.budget, election.voters) if election.voters else None


def mes(election: Election) -> Outcome:
    """MES with cost utilities and no completion."""
    per_voter = _start(election)
    if per_voter is None:
        return _finish(election, "mes", [], _empty_reasons(election), None)
    selected, reasons = _selection(election, _run(election, per_voter))
    return _finish(election, "mes", selected, reasons, per_voter)


def _add1(election: Election) -> tuple[_Run | None, Fraction | None]:
    """MES counted with 1, 2, ... more units per voter until exhaustive or over budget."""
    per_voter = _start(election)
    if per_voter is None:
        return None, None
    candidates = eligible(election)
    previous: tuple[_Run | None, Fraction | None] = (None, None)
    while True:
        run = _run(election, per_voter)
        cost = sum(election.costs[purchase.project] for purchase in run.purchases)
        if cost > election.budget:
            return previous
        bought = {purchase.project for purchase in run.purchases}
        left = election.budget - cost
        if all(p in bought or election.costs[p] > left for p in candidates):
            return run, per_voter
        previous = (run, per_voter)
        per_voter += election.unit


def _empty_reasons(election: Election) -> list[Reason | None]:
    return _reasons(election, _Run([], {}), election.budget)


def mes_add1(election: Election) -> Outcome:
    """MES with cost utilities, completed by raising each voter's money one unit at a time."""
    run, per_voter = _add1(election)
    if run is None:
        return _finish(election, "mes-add1", [], _empty_reasons(election), per_voter)
    selected, reasons = _selection(election, run)
    return _finish(election, "mes-add1", selected, reasons, per_voter)


def mes_add1_greedy(election: Election) -> Outcome:
    """``mes-add1``, then greedy by score over the projects left (what still fits)."""
    run, per_voter = _add1(election)
    if run is None:
        selected: list[int] = []
        reasons = _empty_reasons(election)
    else:
        selected, reasons = _selection(election, run)
    filled: list[Reason | None] = [None] * election.projects
    before = len(selected)
    greedy_fill(election, selected, filled, code="completion")
    for project in selected[before:]:
        reasons[project] = filled[project]
    return _finish(election, "mes-add1-greedy", selected, reasons, per_voter)
