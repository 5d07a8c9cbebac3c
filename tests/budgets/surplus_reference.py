"""Independent markets counted straight from the definition, slowly and exactly.

Freeman, Pennock, Peters and Wortman Vaughan (2021), "Truthful aggregation of
budget proposals": ``n`` voters (a weight ``w`` counts as ``w`` identical
voters) report splits ``p_i`` summing to 1; the phantoms are
``f_k(t) = min(1, k·t)`` for ``k = 0..n``; destination ``j`` gets the median
of the ``2n + 1`` values ``p_1j..p_nj, f_0(t)..f_n(t)`` (the ``(n + 1)``-th
smallest), with the same ``t`` in ``[0, 1]`` for every destination, chosen so
that the medians sum to 1. With bounds, each median is clamped into
``[floor_j, ceiling_j]`` before summing.

How ``t`` is found: every value is constant or ``min(1, k·t)``, so a median
(and a clamped median) is linear in ``t`` between the points where a ramp
``k·t`` meets a constant ``v`` (a report, 1, a floor or a ceiling): ``t = v/k``.
The sum of the medians is non-decreasing (every value is). Sort the candidate
points, take the first at which the sum reaches 1 and solve the one linear
equation on the interval before it. Nothing clever, nothing shared with
``budgets.rules.surplus`` except the inputs.

This is the reference for the tests, not the rule: it sorts ``2n + 1``
fractions per destination per candidate point.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction


class NoSolution(Exception):
    """No ``t`` in ``[0, 1]`` makes the (clamped) medians sum to 1."""


def voters(
    reports: Sequence[Sequence[int]], scale: int, weights: Sequence[int] | None = None
) -> list[list[Fraction]]:
    """The reports as fractions of the whole, one row per voter (weights expanded)."""
    weights = [1] * len(reports) if weights is None else list(weights)
    rows = []
    for report, weight in zip(reports, weights, strict=True):
        rows.extend([[Fraction(value, scale) for value in report]] * weight)
    return rows


def phantoms(n: int, t: Fraction) -> list[Fraction]:
    return [min(Fraction(1), k * t) for k in range(n + 1)]


def medians(
    rows: list[list[Fraction]],
    t: Fraction,
    floors: Sequence[Fraction],
    ceilings: Sequence[Fraction],
) -> list[Fraction]:
    """Each destination's median at ``t``, clamped into its bounds."""
    n = len(rows)
    ghosts = phantoms(n, t)
    result = []
    for j in range(len(floors)):
        values = sorted([row[j] for row in rows] + ghosts)
        assert len(values) == 2 * n + 1
        median = values[n]  # the (n + 1)-th smallest
        result.append(min(ceilings[j], max(floors[j], median)))
    return result


def independent_markets(
    reports: Sequence[Sequence[int]],
    scale: int = 100,
    weights: Sequence[int] | None = None,
    floors: Sequence[Fraction] | None = None,
    ceilings: Sequence[Fraction] | None = None,
) -> tuple[Fraction, ...]:
    rows = voters(reports, scale, weights)
    n = len(rows)
    m = len(reports[0])
    floors = [Fraction(0)] * m if floors is None else [Fraction(f) for f in floors]
    ceilings = [Fraction(1)] * m if ceilings is None else [Fraction(c) for c in ceilings]

    constants = {Fraction(1)} | set(floors) | set(ceilings)
    for row in rows:
        constants.update(row)
    candidates = {Fraction(0), Fraction(1)}
    for v in constants:
        for k in range(1, n + 1):
            if 0 <= v / k <= 1:
                candidates.add(v / k)
    points = sorted(candidates)

    def total(t: Fraction) -> Fraction:
        return sum(medians(rows, t, floors, ceilings), Fraction(0))

    before, sum_before = None, None
    for point in points:
        sum_here = total(point)
        if sum_before is not None:
            assert sum_here >= sum_before, "the sum of the medians went down"
        if sum_here == 1:
            return tuple(medians(rows, point, floors, ceilings))
        if sum_here > 1:
            if before is None:
                raise NoSolution("the medians sum to more than 1 already at t = 0")
            # Linear on [before, point]: solve sum_before + slope·(t - before) = 1.
            t = before + (1 - sum_before) * (point - before) / (sum_here - sum_before)
            shares = tuple(medians(rows, t, floors, ceilings))
            assert sum(shares) == 1, "the sum of the medians is not linear between points"
            return shares
        before, sum_before = point, sum_here
    raise NoSolution("the medians sum to less than 1 even at t = 1")
