"""What a participatory-budget rule counts: the instance and the profile.

An :class:`Election` holds the budget, the projects (ids as strings, as in a
pabulib file, with integer costs) and the ballots, packed as arrays so that a
100,000-voter profile costs a few megabytes: ballot ``v`` marks the projects
``items[offsets[v]:offsets[v + 1]]`` (indices into ``project_ids``), with
``points[offsets[v]:offsets[v + 1]]`` for cumulative and scoring ballots.

A project's **score** is what greedy ranks by: one per voter who marks it
(approval, choose-1, ordinal), or the points given to it (cumulative, scoring).
A project's **supporters** are the voters who mark it (with points above
zero); MES and Phragmén read only them (cost utilities: a supporter enjoys a
project as much as it costs).

Build one with :class:`ElectionBuilder` (a ballot at a time, as a file is
read) or :func:`election` (from lists, for tests and the web tally).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

BALLOT_KINDS = ("approval", "choose-1", "cumulative", "scoring", "ordinal")
POINTED_KINDS = ("cumulative", "scoring")

IntArray = npt.NDArray[np.int64]


class InvalidElection(ValueError):
    """The instance or profile cannot be counted (a negative cost, an unknown project...)."""


@dataclass(frozen=True, eq=False)
class Election:
    """A budget, its projects and the ballots cast on them (see the module docstring)."""

    budget: int
    project_ids: tuple[str, ...]
    costs: tuple[int, ...]
    kind: str
    offsets: IntArray
    items: IntArray
    points: IntArray | None = None
    #: greedy-threshold passes over projects scoring below this (pabulib
    #: ``min_project_score_threshold``)
    min_score: int = 0
    #: what ``add1`` adds to each voter's money per step: one currency unit
    #: (1 in a pabulib file; 100 when amounts are in cents)
    unit: int = 1
    #: pabulib's rules (and pabutools) fund a project nobody voted for when money
    #: is left and it fits; a live budget sets this False: such a project never is
    fund_unsupported: bool = True
    index_of: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in BALLOT_KINDS:
            raise InvalidElection(f"unknown ballot kind {self.kind!r}")
        if self.unit < 1:
            raise InvalidElection("the currency unit must be at least 1")
        if self.budget < 0:
            raise InvalidElection("the budget is negative")
        if len(self.costs) != len(self.project_ids):
            raise InvalidElection("one cost per project")
        if any(cost < 0 for cost in self.costs):
            raise InvalidElection("a project costs less than nothing")
        index_of = {project_id: index for index, project_id in enumerate(self.project_ids)}
        if len(index_of) != len(self.project_ids):
            raise InvalidElection("two projects share an id")
        object.__setattr__(self, "index_of", index_of)

    @property
    def voters(self) -> int:
        return len(self.offsets) - 1

    @property
    def projects(self) -> int:
        return len(self.project_ids)

    @cached_property
    def scores(self) -> tuple[int, ...]:
        """Each project's score: its marks, or the points given to it."""
        if self.points is None or self.kind not in POINTED_KINDS:
            counts = np.bincount(self.items, minlength=self.projects)
        else:
            counts = np.zeros(self.projects, dtype=np.int64)
            np.add.at(counts, self.items, self.points)  # integers: bincount would add floats
        return tuple(int(value) for value in counts)

    @cached_property
    def supporter_counts(self) -> tuple[int, ...]:
        """How many voters mark each project (with points above zero)."""
        counts = np.bincount(self.support_items, minlength=self.projects)
        return tuple(int(value) for value in counts)

    @cached_property
    def support_mask(self) -> npt.NDArray[np.bool_]:
        """Which marks count as support (all of them, or those with points above zero)."""
        if self.points is None or self.kind not in POINTED_KINDS:
            return np.ones(len(self.items), dtype=bool)
        return self.points > 0

    @cached_property
    def support_items(self) -> IntArray:
        return self.items[self.support_mask]

    @cached_property
    def voter_of_mark(self) -> IntArray:
        """The voter who made each mark (the inverse of ``offsets``)."""
        return np.repeat(np.arange(self.voters, dtype=np.int64), np.diff(self.offsets))

    @cached_property
    def supporters(self) -> tuple[IntArray, ...]:
        """For each project, the sorted indices of the voters who support it."""
        voters = self.voter_of_mark[self.support_mask]
        items = self.support_items
        order = np.argsort(items, kind="stable")
        bounds = np.searchsorted(items[order], np.arange(self.projects + 1))
        ordered = voters[order]
        return tuple(
            ordered[bounds[project] : bounds[project + 1]] for project in range(self.projects)
        )

    def ballot(self, voter: int) -> tuple[int, ...]:
        """The project indices marked on one ballot, in the order marked."""
        start, end = int(self.offsets[voter]), int(self.offsets[voter + 1])
        return tuple(int(item) for item in self.items[start:end])

    def order_key(self, project: int) -> str:
        """The tie-break: project ids compared as strings (as pabutools does)."""
        return self.project_ids[project]


class ElectionBuilder:
    """Collects projects and ballots one at a time, then packs an :class:`Election`."""

    def __init__(self, kind: str = "approval") -> None:
        if kind not in BALLOT_KINDS:
            raise InvalidElection(f"unknown ballot kind {kind!r}")
        self.kind = kind
        self.project_ids: list[str] = []
        self.costs: list[int] = []
        self.index_of: dict[str, int] = {}
        self._offsets = array("q", [0])
        self._items = array("q")
        self._points = array("q")

    def add_project(self, project_id: str, cost: int) -> int:
        if project_id in self.index_of:
            raise InvalidElection(f"project {project_id} twice")
        if cost < 0:
            raise InvalidElection(f"project {project_id} costs less than nothing")
        self.index_of[project_id] = len(self.project_ids)
        self.project_ids.append(project_id)
        self.costs.append(cost)
        return self.index_of[project_id]

    def add_ballot(self, projects: Sequence[int], points: Sequence[int] | None = None) -> None:
        """One ballot: project indices (each at most once) and, if pointed, their points."""
        self._items.extend(projects)
        if self.kind in POINTED_KINDS:
            if points is None or len(points) != len(projects):
                raise InvalidElection("a pointed ballot needs one number per project")
            self._points.extend(points)
        self._offsets.append(len(self._items))

    def build(
        self, budget: int, *, min_score: int = 0, unit: int = 1, fund_unsupported: bool = True
    ) -> Election:
        items = np.frombuffer(self._items, dtype=np.int64).copy()
        if len(items) and (items.min() < 0 or items.max() >= len(self.project_ids)):
            raise InvalidElection("a ballot names a project that is not in the election")
        points = None
        if self.kind in POINTED_KINDS:
            points = np.frombuffer(self._points, dtype=np.int64).copy()
        return Election(
            budget=budget,
            project_ids=tuple(self.project_ids),
            costs=tuple(self.costs),
            kind=self.kind,
            offsets=np.frombuffer(self._offsets, dtype=np.int64).copy(),
            items=items,
            points=points,
            min_score=min_score,
            unit=unit,
            fund_unsupported=fund_unsupported,
        )


def election(
    budget: int,
    projects: Iterable[tuple[str, int]],
    ballots: Iterable[Sequence[str]] | Iterable[dict[str, int]],
    *,
    kind: str = "approval",
    min_score: int = 0,
    unit: int = 1,
    fund_unsupported: bool = True,
) -> Election:
    """An election from plain values: ``(id, cost)`` pairs and ballots of project ids.

    Approval, choose-1 and ordinal ballots are sequences of ids (ordinal: best
    first); cumulative and scoring ballots are ``{id: points}`` mappings.
    """
    builder = ElectionBuilder(kind)
    for project_id, cost in projects:
        builder.add_project(project_id, cost)
    for ballot in ballots:
        try:
            if isinstance(ballot, dict):
                marks = list(ballot)
                builder.add_ballot(
                    [builder.index_of[mark] for mark in marks], [ballot[m] for m in marks]
                )
            else:
                builder.add_ballot([builder.index_of[mark] for mark in ballot])
        except KeyError as error:
            raise InvalidElection(f"a ballot names an unknown project {error.args[0]}") from None
    return builder.build(budget, min_score=min_score, unit=unit, fund_unsupported=fund_unsupported)
