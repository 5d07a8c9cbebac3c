"""Greedy by score, as cities run it.

Projects are taken in order of score, highest first; ties go to the project
whose id comes first compared as strings (as pabutools does). ``greedy``
skips a project that no longer fits and goes on; ``greedy-no-skip`` stops at
the first that does not fit; ``greedy-threshold`` is ``greedy`` that passes
over projects scoring below the election's ``min_score``.

A project nobody voted for still comes last in the order and is funded if it
fits (pabutools' greedy does the same), unless the election says
``fund_unsupported=False`` (a live budget does).
"""

from __future__ import annotations

from budgets.rules.election import Election
from budgets.rules.outcome import Outcome, Reason


def order(election: Election, projects: range | list[int] | None = None) -> list[int]:
    """Projects by score, highest first, then by id compared as strings."""
    scores = election.scores
    candidates = range(election.projects) if projects is None else projects
    return sorted(candidates, key=lambda p: (-scores[p], election.project_ids[p]))


def fill(
    election: Election,
    selected: list[int],
    reasons: list[Reason | None],
    *,
    skip: bool = True,
    threshold: int | None = None,
    code: str = "selected",
) -> int:
    """Add projects greedily to ``selected`` (in place); return the money left."""
    scores, costs = election.scores, election.costs
    left = election.budget - sum(costs[p] for p in selected)
    chosen = set(selected)
    stopped = False
    for project in order(election, [p for p in range(election.projects) if p not in chosen]):
        score, cost = scores[project], costs[project]
        if stopped:
            reasons[project] = Reason("stopped", score=score, cost=cost, left=left)
        elif score == 0 and not election.fund_unsupported:
            reasons[project] = Reason("no-support", score=0, cost=cost)
        elif threshold is not None and score < threshold:
            reasons[project] = Reason(
                "below-threshold", score=score, cost=cost, threshold=threshold
            )
        elif cost <= left:
            reasons[project] = Reason(code, score=score, cost=cost, left=left)
            selected.append(project)
            left -= cost
        elif skip:
            reasons[project] = Reason("did-not-fit", score=score, cost=cost, left=left)
        else:
            reasons[project] = Reason("stopped", score=score, cost=cost, left=left)
            stopped = True
    return left


def _greedy(election: Election, rule: str, *, skip: bool, threshold: int | None) -> Outcome:
    selected: list[int] = []
    reasons: list[Reason | None] = [None] * election.projects
    left = fill(election, selected, reasons, skip=skip, threshold=threshold)
    return Outcome(
        rule=rule,
        budget=election.budget,
        selected=tuple(selected),
        cost=election.budget - left,
        reasons=tuple(reason for reason in reasons if reason is not None),
    )


def greedy(election: Election) -> Outcome:
    """Greedy by score, skipping what no longer fits."""
    return _greedy(election, "greedy", skip=True, threshold=None)


def greedy_no_skip(election: Election) -> Outcome:
    """Greedy by score, stopping at the first project that does not fit."""
    return _greedy(election, "greedy-no-skip", skip=False, threshold=None)


def greedy_threshold(election: Election) -> Outcome:
    """Greedy by score over the projects scoring at least ``election.min_score``."""
    return _greedy(election, "greedy-threshold", skip=True, threshold=election.min_score)
