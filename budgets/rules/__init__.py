"""Participatory-budget outcome rules: pure functions, exact arithmetic, no Flask.

Each rule takes an :class:`Election` and returns an :class:`Outcome` (the
selected projects in the order chosen, their cost, and a :class:`Reason` for
every project). Amounts are integers or ``Fraction``; never floats. Ties are
broken by project id compared as strings, as pabutools does.

Rules: ``greedy``, ``greedy-no-skip``, ``greedy-threshold``, ``mes``,
``mes-add1``, ``mes-add1-greedy`` and ``phragmen`` (see each module).
"""

from __future__ import annotations

from collections.abc import Callable

from budgets.rules.election import (
    BALLOT_KINDS,
    Election,
    ElectionBuilder,
    InvalidElection,
    election,
)
from budgets.rules.greedy import greedy, greedy_no_skip, greedy_threshold
from budgets.rules.mes import mes, mes_add1, mes_add1_greedy
from budgets.rules.outcome import Outcome, Reason
from budgets.rules.phragmen import phragmen

RULES: dict[str, Callable[[Election], Outcome]] = {
    "greedy": greedy,
    "greedy-no-skip": greedy_no_skip,
    "greedy-threshold": greedy_threshold,
    "mes": mes,
    "mes-add1": mes_add1,
    "mes-add1-greedy": mes_add1_greedy,
    "phragmen": phragmen,
}

#: pabulib's ``rule`` META values and the rule each means
PABULIB_RULES = {
    "greedy": "greedy",
    "greedy-no-skip": "greedy-no-skip",
    "greedy-threshold": "greedy-threshold",
    "equalshares": "mes",
    "equalshares/add1": "mes-add1",
    "equalshares/add1/greedy": "mes-add1-greedy",
    "phragmen": "phragmen",
}


class UnknownRule(ValueError):
    """The rule's name is not one of :data:`RULES`."""


def count(rule: str, election: Election) -> Outcome:
    """The outcome of ``rule`` on ``election``."""
    try:
        function = RULES[rule]
    except KeyError:
        raise UnknownRule(rule) from None
    return function(election)


__all__ = [
    "BALLOT_KINDS",
    "PABULIB_RULES",
    "RULES",
    "Election",
    "ElectionBuilder",
    "InvalidElection",
    "Outcome",
    "Reason",
    "UnknownRule",
    "count",
    "election",
]
