"""Shared by the PB rule tests and ``tests/bench/bench_pb.py``: instances, a reader, pabutools.

* :class:`Case` is one approval instance as plain values (budget, ``(id, cost)``
  pairs, ballots of ids), turned into our :class:`Election` by :meth:`Case.election`
  and into pabutools' ``(Instance, ApprovalProfile)`` by :meth:`Case.pabutools`,
  so both libraries count exactly the same data.
* :func:`generated_case` draws one with ``tests/fixtures/gen_instance.py``.
* :func:`read_election` reads a pabulib file with ``budgets.pabulib``.
* :data:`PABUTOOLS_RULES` names, for each of our rules that has one, the
  pabutools call it must agree with (cost satisfaction, lexicographic ties).

pabutools is imported inside the functions that use it, so the benchmark can run
(and measure our memory) without loading it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from budgets.pabulib import load_pabulib
from budgets.rules import Election, election


@dataclass(frozen=True)
class Case:
    """An approval instance as plain values; ``name`` is the test id."""

    name: str
    budget: int
    projects: tuple[tuple[str, int], ...]
    ballots: tuple[tuple[str, ...], ...]

    def election(self) -> Election:
        return election(self.budget, self.projects, self.ballots)

    def pabutools(self) -> tuple[Any, Any]:
        """The same instance and profile as pabutools objects."""
        from pabutools.election import ApprovalBallot, ApprovalProfile, Instance, Project

        projects = {project_id: Project(project_id, cost) for project_id, cost in self.projects}
        instance = Instance(projects.values(), budget_limit=self.budget)
        profile = ApprovalProfile(
            [ApprovalBallot(projects[mark] for mark in ballot) for ballot in self.ballots],
            instance=instance,
        )
        return instance, profile


def generated_case(
    voters: int, projects: int, seed: int, *, k_min: int, k_max: int, cost_divisor: int = 1
) -> Case:
    """A :class:`Case` from the benchmark generator (costs divided by ``cost_divisor``).

    The generator's costs and budget are multiples of 100, so a divisor of 100
    keeps them exact; smaller amounts make MES + add1 take fewer rounds.
    """
    from tests.fixtures.gen_instance import generate

    costs, budget, ballots, _ = generate(voters, projects, seed, k_min, k_max)
    return Case(
        name=f"gen-v{voters}-p{projects}-s{seed}",
        budget=budget // cost_divisor,
        projects=tuple((str(number), cost // cost_divisor) for number, cost in enumerate(costs, 1)),
        ballots=tuple(tuple(str(project) for project in ballot) for ballot in ballots),
    )


def read_election(path: str | Path) -> Election:
    """Our election from a pabulib file, read by ``budgets.pabulib``."""
    return load_pabulib(str(path)).election


def _pabutools_greedy(instance: Any, profile: Any) -> Any:
    from pabutools.election import Cost_Sat
    from pabutools.rules import greedy_utilitarian_welfare

    return greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)


def _pabutools_mes(instance: Any, profile: Any) -> Any:
    from pabutools.election import Cost_Sat
    from pabutools.rules import method_of_equal_shares

    return method_of_equal_shares(instance, profile, sat_class=Cost_Sat)


def _pabutools_mes_add1(instance: Any, profile: Any) -> Any:
    from pabutools.election import Cost_Sat
    from pabutools.rules import method_of_equal_shares

    return method_of_equal_shares(instance, profile, sat_class=Cost_Sat, voter_budget_increment=1)


def _pabutools_mes_add1_greedy(instance: Any, profile: Any) -> Any:
    from pabutools.election import Cost_Sat
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    return completion_by_rule_combination(
        instance,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
    )


def _pabutools_phragmen(instance: Any, profile: Any) -> Any:
    from pabutools.rules import sequential_phragmen

    return sequential_phragmen(instance, profile)


#: our rule -> the pabutools call it must select the same set as
PABUTOOLS_RULES: dict[str, Callable[[Any, Any], Any]] = {
    "greedy": _pabutools_greedy,
    "mes": _pabutools_mes,
    "mes-add1": _pabutools_mes_add1,
    "mes-add1-greedy": _pabutools_mes_add1_greedy,
    "phragmen": _pabutools_phragmen,
}


def names(allocation: Sequence[Any]) -> set[str]:
    """The project ids in a pabutools budget allocation."""
    return {project.name for project in allocation}
