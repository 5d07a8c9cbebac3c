"""Sequential Phragmén: projects bought by spreading their cost as load.

Each voter carries a load (money "spent" on them), zero at the start. The next
project is the one whose supporters, sharing its cost on top of their loads,
would end with the smallest equal load ``(their loads + cost) / supporters``;
they all take that load. The count stops at the first project whose turn
comes and that no longer fits the budget (it does not skip to a cheaper one).
Projects costing more than the whole budget never enter. Ties go to the
project whose id comes first compared as strings; if any project tied for
the turn does not fit, the count stops (as pabutools does). A project nobody
supports comes last, once nothing else is left (never, with
``fund_unsupported=False``).

A voter's load is always the load set by the last project bought that they
support, so voters are grouped by that project: a round is one count per
project of its supporters per group, and exact fractions per group.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from budgets.rules.election import Election, IntArray
from budgets.rules.outcome import Outcome, Reason


def phragmen(election: Election) -> Outcome:
    """Sequential Phragmén over approval (support) of each ballot."""
    costs, names, scores = election.costs, election.project_ids, election.scores
    supporters = election.supporters
    # last[v]: the position in ``loads`` of the load voter v carries (0: none yet).
    last = np.zeros(election.voters, dtype=np.int64)
    loads: list[Fraction] = [Fraction(0)]
    remaining = [p for p in range(election.projects) if costs[p] <= election.budget]
    reasons: list[Reason | None] = [None] * election.projects
    for p in range(election.projects):
        if costs[p] > election.budget:
            reasons[p] = Reason("did-not-fit", score=scores[p], cost=costs[p], left=election.budget)
    selected: list[int] = []
    spent = 0
    while remaining:
        tied: list[int] = []
        best: Fraction | None = None  # None: only unsupported projects are left
        for project in remaining:
            load = _new_load(costs[project], supporters[project], last, loads)
            if load is None:
                if best is None:
                    tied.append(project)
                continue
            if best is None or load < best:
                best, tied = load, [project]
            elif load == best:
                tied.append(project)
        left = election.budget - spent
        if best is None and not election.fund_unsupported:
            break  # only projects nobody supports are left
        if any(costs[p] > left for p in tied):
            break
        project = min(tied, key=lambda p: names[p])
        reasons[project] = Reason(
            "selected",
            score=scores[project],
            cost=costs[project],
            left=left,
            load=best,
            supporters=len(supporters[project]),
            round=len(selected) + 1,
        )
        selected.append(project)
        spent += costs[project]
        remaining.remove(project)
        if best is not None:
            loads.append(best)
            last[supporters[project]] = len(loads) - 1
    left = election.budget - spent
    for project in remaining:
        if not len(supporters[project]) and not election.fund_unsupported:
            reasons[project] = Reason("no-support", score=0, cost=costs[project])
        else:
            reasons[project] = Reason(
                "stopped", score=scores[project], cost=costs[project], left=left
            )
    return Outcome(
        rule="phragmen",
        budget=election.budget,
        selected=tuple(selected),
        cost=spent,
        reasons=tuple(reason for reason in reasons if reason is not None),
    )


def _new_load(
    cost: int, supporters: IntArray, last: IntArray, loads: list[Fraction]
) -> Fraction | None:
    """The equal load a project's supporters would carry if it were bought next."""
    if not len(supporters):
        return None
    counts = np.bincount(last[supporters], minlength=len(loads))
    carried = sum((int(counts[i]) * loads[i] for i in np.flatnonzero(counts).tolist()), Fraction(0))
    return (carried + cost) / len(supporters)
