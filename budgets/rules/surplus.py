"""Splitting a surplus among destinations by vote: independent markets and the mean.

Each voter reports a split of the surplus in whole units of ``scale`` (100: per
cent, or 1000: per mille) that sums to ``scale``; a voter may weigh several
(``weights``). A rule turns the reports into shares — exact fractions summing
to 1 — and :func:`amounts` turns shares into integer minor units that sum to
the surplus exactly.

**Independent markets** (Freeman, Pennock, Peters and Wortman Vaughan,
"Truthful aggregation of budget proposals", 2021). Destination ``j`` gets the
median of the ``n`` reports on ``j`` and ``n + 1`` phantom reports
``min(1, k·t)`` for ``k = 0..n``; the same ``t`` in ``[0, 1]`` serves every
destination and is the one at which the medians sum to 1. The rule is
truthful for voters who want the outcome close to their report in ℓ1
distance, and proportional: a group of voters with the same report moves the
outcome in proportion to its size. Counted exactly: the reports take at most
``scale + 1`` values, so each destination's median as a function of ``t`` is
the upper envelope of at most ``scale + 1`` ramps ``min(v, s·t)``; their sum is
piecewise linear and non-decreasing, its breakpoints are a few thousand
fractions, and ``t`` is found by bisection over them and one linear equation —
integers and fractions only.

**Mean**: each destination gets the (weighted) mean of its reports. Simple to
explain but manipulable: a voter who exaggerates moves it further.

**Floors and ceilings** (``floors[j] <= share[j] <= ceilings[j]``, fractions of
the whole). Independent markets clamp each destination's median into its
bounds and choose ``t`` so that the clamped medians sum to 1. Clamping commutes
with medians, so this is the same as clamping every report and every phantom
into the bounds: each destination is still a generalized median of the
reports, monotone in each report, and one voter's report stays unchanged when
it is within the bounds. When ceilings hold the medians below the whole even
with every phantom at its top (``t = 1``), no ``t`` exists: the share still
missing is then spread over the destinations in proportion to their room
under the ceiling (outside the paper's guarantees, which assume no
ceilings). The mean is projected on the bounds: every share is
moved by the same amount ``λ`` and clamped, with ``λ`` such that the shares sum
to 1. A profile whose floors sum to more than 1, or ceilings to less than 1,
is refused.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
SCALES = (100, 1000)
MAX_VOTERS = 10**15


class InvalidSplit(ValueError):
    """Reports or bounds that cannot be aggregated (the message says why)."""


@dataclass(frozen=True, eq=False)
class SplitProfile:
    """The reports: ``reports[r, j]`` is row ``r``'s share for destination ``j`` in
    units of ``scale``; ``weights[r]`` how many voters the row stands for."""

    destinations: tuple[str, ...]
    scale: int
    reports: IntArray
    weights: IntArray

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise InvalidSplit("reports are in per cent (100) or per mille (1000)")
        if len(self.destinations) < 1 or len(set(self.destinations)) != len(self.destinations):
            raise InvalidSplit("destinations must be named once each")
        rows, columns = self.reports.shape if self.reports.ndim == 2 else (0, -1)
        if columns != len(self.destinations) or len(self.weights) != rows:
            raise InvalidSplit("one report per row and one column per destination")
        if rows and (self.reports.min() < 0 or (self.reports.sum(axis=1) != self.scale).any()):
            raise InvalidSplit(f"every report is 0 or more and sums to {self.scale}")
        if rows and self.weights.min() < 1:
            raise InvalidSplit("every weight is a whole number of at least 1")
        # Weighted sums are 64-bit integers: keep them far from overflowing.
        if sum(int(weight) for weight in self.weights.tolist()) > MAX_VOTERS:
            raise InvalidSplit("the weights add up to more than 10^15 voters")

    @property
    def voters(self) -> int:
        return int(self.weights.sum())

    def histograms(self) -> list[list[int]]:
        """For each destination, how many voters (weighted) report each value 0..scale."""
        return [
            np.bincount(self.reports[:, j], weights=None, minlength=self.scale + 1).tolist()
            if not self.weighted
            else _weighted_counts(self.reports[:, j], self.weights, self.scale)
            for j in range(len(self.destinations))
        ]

    @property
    def weighted(self) -> bool:
        return bool(len(self.weights)) and bool((self.weights != 1).any())


def _weighted_counts(column: IntArray, weights: IntArray, scale: int) -> list[int]:
    counts = np.zeros(scale + 1, dtype=np.int64)
    np.add.at(counts, column, weights)  # integers: bincount would add floats
    return counts.tolist()


def profile(
    destinations: Sequence[str],
    reports: Sequence[Sequence[int]],
    *,
    scale: int = 100,
    weights: Sequence[int] | None = None,
) -> SplitProfile:
    """A profile from plain lists (tests, the web count)."""
    array = np.array(reports, dtype=np.int64).reshape(len(reports), len(destinations))
    weight_array = np.array(
        [1] * len(reports) if weights is None else list(weights), dtype=np.int64
    )
    return SplitProfile(tuple(destinations), scale, array, weight_array)


Bounds = Sequence[Fraction] | None


def _bounds(split: SplitProfile, floors: Bounds, ceilings: Bounds) -> tuple[list, list]:
    """Floors and ceilings as fractions (0 and 1 where none), checked feasible."""
    m = len(split.destinations)
    low = [Fraction(0)] * m if floors is None else [Fraction(value) for value in floors]
    high = [Fraction(1)] * m if ceilings is None else [Fraction(value) for value in ceilings]
    if len(low) != m or len(high) != m:
        raise InvalidSplit("one floor and one ceiling per destination")
    for name, lo, hi in zip(split.destinations, low, high, strict=True):
        if not 0 <= lo <= hi <= 1:
            raise InvalidSplit(
                f'the floor and ceiling of "{name}" are not 0 <= floor <= ceiling <= 1'
            )
    if sum(low) > 1:
        raise InvalidSplit("the floors add up to more than the whole surplus")
    if sum(high) < 1:
        raise InvalidSplit("the ceilings add up to less than the whole surplus")
    if split.voters < 1:
        raise InvalidSplit("there are no votes to aggregate")
    return low, high


def _solve(candidates: list[Fraction], total: Callable[[Fraction], Fraction]) -> Fraction:
    """The smallest ``x`` with ``total(x) == 1``, for a continuous non-decreasing
    ``total`` that is linear between consecutive ``candidates`` (sorted), with
    ``total(candidates[0]) <= 1 <= total(candidates[-1])``: bisection over the
    candidates, then the line between the two around the answer."""
    low, high = 0, len(candidates) - 1
    if total(candidates[0]) >= 1:
        return candidates[0]
    while high - low > 1:  # invariant: total(candidates[low]) < 1 <= total(candidates[high])
        middle = (low + high) // 2
        if total(candidates[middle]) >= 1:
            high = middle
        else:
            low = middle
    x0, x1 = candidates[low], candidates[high]
    y0, y1 = total(x0), total(x1)
    return x0 + (1 - y0) * (x1 - x0) / (y1 - y0)


@dataclass(frozen=True)
class _Envelope:
    """One destination's median as a function of ``t``: ``max(v*, s·t)`` where the
    ramps ``min(v, s_v·t)`` of the values reported (``s_v`` = the voters not
    below ``v``) saturate in order at ``t_v = v / s_v``."""

    values: list[Fraction]  # the values reported, ascending
    slopes: list[int]  # s_v
    saturate_at: list[Fraction]  # t_v, ascending

    @classmethod
    def of(cls, counts: list[int], scale: int, voters: int) -> _Envelope:
        values, slopes, saturate_at = [], [], []
        below = 0
        for unit, count in enumerate(counts):
            if count:
                value, slope = Fraction(unit, scale), voters - below
                values.append(value)
                slopes.append(slope)
                saturate_at.append(value / slope)
                below += count
        return cls(values, slopes, saturate_at)

    def median(self, t: Fraction) -> Fraction:
        saturated = bisect_right(self.saturate_at, t)
        best = self.values[saturated - 1] if saturated else Fraction(0)
        if saturated < len(self.values):
            best = max(best, self.slopes[saturated] * t)
        return best

    def breakpoints(self, low: Fraction, high: Fraction) -> list[Fraction]:
        """Where the clamped median can change slope: each ramp's saturation, where
        the next ramp overtakes the last saturated value, and where a ramp meets
        the floor or the ceiling."""
        points = list(self.saturate_at)
        for value, slope in zip(self.values, self.slopes[1:], strict=False):
            points.append(value / slope)
        for slope in self.slopes:
            points += [low / slope, high / slope]
        return points


def independent_markets(
    split: SplitProfile, floors: Bounds = None, ceilings: Bounds = None
) -> tuple[Fraction, ...]:
    """The shares by independent markets (see the module docstring)."""
    low, high = _bounds(split, floors, ceilings)
    envelopes = [_Envelope.of(counts, split.scale, split.voters) for counts in split.histograms()]

    def clamped(t: Fraction) -> list[Fraction]:
        return [
            min(hi, max(lo, envelope.median(t)))
            for envelope, lo, hi in zip(envelopes, low, high, strict=True)
        ]

    def total(t: Fraction) -> Fraction:
        return sum(clamped(t), Fraction(0))

    at_one = clamped(Fraction(1))
    if sum(at_one) < 1:
        # Ceilings hold the medians below the whole even with every phantom at its
        # top: the rest is spread in proportion to each destination's room left.
        room = [hi - share for share, hi in zip(at_one, high, strict=True)]
        u = (1 - sum(at_one)) / sum(room)
        return tuple(share + u * space for share, space in zip(at_one, room, strict=True))
    points = {Fraction(0), Fraction(1)}
    for envelope, lo, hi in zip(envelopes, low, high, strict=True):
        points.update(point for point in envelope.breakpoints(lo, hi) if 0 < point < 1)
    t = _solve(sorted(points), total)
    return tuple(clamped(t))


def mean(
    split: SplitProfile, floors: Bounds = None, ceilings: Bounds = None
) -> tuple[Fraction, ...]:
    """The shares by the weighted mean of the reports, projected on the bounds."""
    low, high = _bounds(split, floors, ceilings)
    sums = (split.reports * split.weights[:, None]).sum(axis=0).tolist()
    averages = [Fraction(int(value), split.voters * split.scale) for value in sums]

    def shifted(shift: Fraction) -> list[Fraction]:
        return [
            min(hi, max(lo, average + shift))
            for average, lo, hi in zip(averages, low, high, strict=True)
        ]

    points = {Fraction(0)}
    for average, lo, hi in zip(averages, low, high, strict=True):
        points.update((lo - average, hi - average))
    shift = _solve(sorted(points), lambda x: sum(shifted(x), Fraction(0)))
    return tuple(shifted(shift))


def amounts(shares: Sequence[Fraction], total: int) -> tuple[int, ...]:
    """Integer amounts that sum to ``total`` exactly: each share's whole part, then
    one unit more to the largest remainders (equal remainders: the destination
    listed first)."""
    if total < 0:
        raise InvalidSplit("the total is a whole number of at least 0")
    exact = [share * total for share in shares]
    whole = [int(value) for value in exact]  # shares are >= 0: int() is the floor
    missing = total - sum(whole)
    order = sorted(range(len(exact)), key=lambda j: (-(exact[j] - whole[j]), j))
    for j in order[:missing]:
        whole[j] += 1
    return tuple(whole)


SPLIT_RULES: dict[str, Callable[..., tuple[Fraction, ...]]] = {
    "independent-markets": independent_markets,
    "mean": mean,
}
