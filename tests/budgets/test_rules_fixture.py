"""The rules on ``tests/fixtures/synth_n10000_s2024.pb`` give the outcomes the benchmark names.

The expected sets are those of ``shared/bench/README.md`` (checked there with
pabutools 1.2.3); the README records only Phragmén's count and cost, and the
set below (27 projects) is what pabutools' ``sequential_phragmen`` selects on
the same file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from budgets.rules import Election, count
from tests.budgets.pb_helpers import read_election

pytestmark = pytest.mark.pure

FIXTURE = Path(__file__).parents[1] / "fixtures" / "synth_n10000_s2024.pb"

GREEDY = {3, 5, 6, 12, 14, 17, 18, 19, 26, 28, 32, 34, 38, 39, 43, 44, 46, 50}
MES = {3, 5, 6, 11, 12, 14, 15, 16, 18, 19, 20, 26, 28, 30, 31, 32, 33, 41, 43, 44, 50}
MES_ADD1 = MES | {1, 17, 39, 42, 46}
PHRAGMEN = {1, 3, 4, 5, 6, 11, 12, 14, 15, 16, 18, 19, 20, 26, 28, 30, 31, 32, 33}
PHRAGMEN |= {39, 40, 41, 42, 43, 44, 46, 50}

EXPECTED = {
    "greedy": (GREEDY, 733_200),
    "mes": (MES, 527_100),
    "mes-add1": (MES_ADD1, 728_400),
    "mes-add1-greedy": (MES_ADD1, 728_400),
    "phragmen": (PHRAGMEN, 692_400),
}


@pytest.fixture(scope="module")
def synth() -> Election:
    return read_election(FIXTURE)


def test_the_fixture_reads_as_generated(synth: Election) -> None:
    assert (synth.budget, synth.projects, synth.voters) == (733_500, 50, 10_000)
    assert synth.project_ids == tuple(str(number) for number in range(1, 51))
    assert 3 * synth.voters <= len(synth.items) <= 10 * synth.voters


@pytest.mark.parametrize("rule", EXPECTED)
def test_outcome_equals_the_reference(synth: Election, rule: str) -> None:
    expected, cost = EXPECTED[rule]
    outcome = count(rule, synth)
    assert {int(project) for project in outcome.selected_ids(synth)} == expected
    assert len(outcome.selected) == len(expected)  # nothing twice
    assert outcome.cost == cost == sum(synth.costs[project] for project in outcome.selected)
