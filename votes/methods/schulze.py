"""Schulze (beat-path) with winning votes.

Each paper ranks distinct options, most preferred first; options it leaves out
tie below all the ranked ones, and ``[]`` is a blank paper.

* ``pairwise[a][b]`` (d) is the weight of the papers that put a above b.
* A link a→b has strength d[a][b] when d[a][b] > d[b][a] (winning votes), else 0.
* ``strongest_paths[a][b]`` (p) is the strength of the widest path from a to b
  (Floyd–Warshall); a beats b when p[a][b] > p[b][a], a strict partial order.
* ``counts`` is the weight of the papers ranking each option first, and
  ``shares`` those counts over the non-blank papers (or the electorate).
* ``tiers``: the options no other remaining option beats, then the same among
  the rest, and so on; ``winners`` is the first tier (none without votes).

Tie-break: the ranking lists the tiers in order and, inside a tier, the options
in the order the ballot lists them, earlier first. Schulze has no threshold.

Speed: identical papers are grouped first. Positions are packed one byte (two
past 127 options) per paper into one integer per option, with a guard bit in
each lane, so that "a above b" for every paper is one big-integer subtraction,
a mask and ``int.bit_count()``; weights are handled one binary digit at a time.
"""

from __future__ import annotations

import sys
from array import array
from typing import TYPE_CHECKING, Any

from votes.methods.base import Group, MethodImpl, MethodInfo, normalise_ranking, sequence_key
from votes.methods.rules import base_weight, decide, share

if TYPE_CHECKING:
    from votes.methods.contest import Contest

INFO = MethodInfo(
    id="schulze",
    has_threshold=False,
    tie_break=(
        "Options are ranked in tiers of options that no remaining option beats by the "
        "Schulze relation with winning votes, and within a tier in the order the ballot "
        "lists them, earlier first."
    ),
    counts_kind="weight of the papers ranking each option first",
)

Matrix = list[list[int]]


def count(contest: Contest, groups: list[Group], participation_weight: int) -> dict[str, Any]:
    """The method's part of the result from the grouped papers."""
    options = contest.options
    index = contest.option_index
    first = dict.fromkeys(options, 0)
    rankings: list[tuple[tuple[int, ...], int]] = []
    votes_weight = 0
    for ranking, weight in groups:
        if ranking:
            first[ranking[0]] += weight
            votes_weight += weight
            rankings.append((tuple(map(index.__getitem__, ranking)), weight))
    d = pairwise(len(options), rankings)
    p = strongest_paths(d)
    tiers = [[options[i] for i in tier] for tier in schulze_tiers(p)]
    winners = tiers[0] if votes_weight else []
    base = base_weight(contest.rules, votes_weight, contest.electorate_weight)
    return {
        "counts": first,
        "shares": {option: share(first[option], base) for option in options},
        "ranking": [option for tier in tiers for option in tier],
        "winners": winners,
        "tie_broken": len(winners) > 1,
        "tiers": tiers,
        "pairwise": _named(options, d),
        "strongest_paths": _named(options, p),
        **decide(
            contest.rules,
            electorate_weight=contest.electorate_weight,
            participation_weight=participation_weight,
            top_weight=0,
            votes_weight=votes_weight,
        ),
    }


def _named(options: tuple[str, ...], matrix: Matrix) -> dict[str, dict[str, int]]:
    return {
        a: {b: matrix[i][j] for j, b in enumerate(options) if i != j} for i, a in enumerate(options)
    }


def pairwise(m: int, rankings: list[tuple[tuple[int, ...], int]]) -> Matrix:
    """d[a][b]: the weight of the rankings (of option numbers) putting a above b."""
    typecode = "B" if m < 128 else "H"  # a position (m for unranked) and a guard bit
    planes: dict[int, array[int]] = {}  # binary digit of the weight -> positions, row by row
    for ranking, weight in rankings:
        if len(ranking) == m:
            positions = sorted(range(m), key=ranking.__getitem__)  # the inverse permutation
        else:
            positions = [m] * m
            for place, option in enumerate(ranking):
                positions[option] = place
        digit = 0
        while weight:
            if weight & 1:
                if digit not in planes:
                    planes[digit] = array(typecode)
                planes[digit].extend(positions)
            weight >>= 1
            digit += 1
    d = [[0] * m for _ in range(m)]
    for digit, rows in planes.items():
        _add_plane(d, m, rows, digit)
    return d


def _add_plane(d: Matrix, m: int, rows: array[int], digit: int) -> None:
    """Add ``2**digit`` times the pairwise counts of ``rows`` to ``d``.

    Each paper is a lane of ``rows.itemsize`` bytes in one integer per option.
    In a lane, ``(pos_b + guard - 1) - pos_a`` never borrows (positions are
    below the guard), and its guard bit is set exactly when ``pos_a < pos_b``.
    """
    papers = len(rows) // m
    guard = 1 << (8 * rows.itemsize - 1)
    guards = _lanes(rows.typecode, guard, papers)
    ones = _lanes(rows.typecode, 1, papers)
    columns = [int.from_bytes(rows[option::m].tobytes(), sys.byteorder) for option in range(m)]
    raised = [column + guards - ones for column in columns]
    for a in range(m):
        column = columns[a]
        row = d[a]
        for b in range(m):
            if a != b:
                row[b] += ((raised[b] - column) & guards).bit_count() << digit


def _lanes(typecode: str, value: int, count: int) -> int:
    return int.from_bytes(array(typecode, [value]).tobytes() * count, sys.byteorder)


def strongest_paths(d: Matrix) -> Matrix:
    """p[a][b]: the strength of the widest path from a to b (winning votes)."""
    m = len(d)
    p = [[d[i][j] if d[i][j] > d[j][i] else 0 for j in range(m)] for i in range(m)]
    for k in range(m):
        via = p[k]
        for i in range(m):
            to_k = p[i][k]
            if i == k or to_k == 0:
                continue
            row = p[i]
            for j in range(m):
                if j != i and j != k:
                    width = to_k if to_k < via[j] else via[j]
                    if width > row[j]:
                        row[j] = width
    return p


def schulze_tiers(p: Matrix) -> list[list[int]]:
    """Repeatedly the options that no remaining option beats, in ballot order."""
    remaining = list(range(len(p)))
    tiers = []
    while remaining:
        tier = [a for a in remaining if all(p[a][b] >= p[b][a] for b in remaining)]
        if not tier:  # cannot happen: the Schulze relation is a strict partial order
            raise AssertionError("the Schulze relation has a cycle")
        tiers.append(tier)
        remaining = [a for a in remaining if a not in tier]
    return tiers


IMPL = MethodImpl(INFO, normalise_ranking, sequence_key, tuple, count)
