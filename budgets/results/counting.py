"""One pot's count: its election read from the stored papers, the rule's
outcome, and the :class:`PotResult` that keeps it.

A live process is counted when it leaves its voting phase
(``budgets.results.services.count_process``); an imported one right after its
papers are stored (``budgets.transfer``). Both go through here, so a result is
kept in one form: project ids ``str(Project.id)``, the pot and process in the
hashed outcome. The rule itself sees each project's ``pabulib_id`` (an
imported file's own id), so ties are broken as in the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from budgets.models import BallotForm, Process
from budgets.projects import BallotProject
from budgets.results.models import PotResult
from budgets.voting.models import CITY_WIDE, Paper
from governance.extensions import db
from governance.money import minor_units
from governance.services import naive_utc
from votes.methods.hashing import result_hash

if TYPE_CHECKING:
    from budgets.rules import Election

# The ballot kind each form is counted as: a knapsack paper approves what it ticks.
COUNTED_AS = {
    BallotForm.APPROVAL: "approval",
    BallotForm.KNAPSACK: "approval",
    BallotForm.CHOOSE_ONE: "choose-1",
    BallotForm.CUMULATIVE: "cumulative",
    BallotForm.ORDINAL: "ordinal",
}
_PAPER_CHUNK = 10_000


def unit_of(currency: str) -> int:
    """Minor units per whole unit (100 for BRL, 1 for CLP): MES + add1 raises each
    voter's money by one currency unit, not one cent."""
    return int(10 ** minor_units(currency))


def pot_budget(process: Process, pot: int) -> int:
    return process.pot(None if pot == CITY_WIDE else pot)


def paper_marks(process_id: int, pot: int) -> Iterator[Any]:
    """``(tracker, marks)`` of the pot's papers in tracker order, streamed."""
    return iter(
        db.session.execute(
            sa.select(Paper.tracker, Paper.marks)
            .where(Paper.process_id == process_id, Paper.pot == pot)
            .order_by(Paper.tracker)
            .execution_options(yield_per=_PAPER_CHUNK)
        )
    )


def pot_election(process: Process, pot: int, projects: list[BallotProject]) -> Election:
    """The pot's election from its papers, amounts in minor units. A mark on a
    project no longer on the ballot (withdrawn while voting was open) is left out;
    an ordinal paper is read best first."""
    from budgets.rules import ElectionBuilder  # the rules pull in numpy: only when counting

    kind = COUNTED_AS[BallotForm(process.ballot_form)]
    builder = ElectionBuilder(kind)
    index_of = {p.project_id: builder.add_project(p.pabulib_id, p.cost) for p in projects}
    is_pointed = kind == "cumulative"
    for _tracker, marks in paper_marks(process.id, pot):
        if kind == "ordinal":
            marks = sorted(marks, key=lambda mark: mark[1])
        marks = [mark for mark in marks if mark[0] in index_of]
        items = [index_of[mark[0]] for mark in marks]
        builder.add_ballot(items, [int(mark[1]) for mark in marks] if is_pointed else None)
    return builder.build(
        pot_budget(process, pot),
        min_score=process.min_score or 0,
        unit=unit_of(process.currency),
        # A live budget never funds a project nobody voted for (not even with the
        # money left over); an imported file keeps pabulib's rules as they are.
        fund_unsupported=process.source_meta is not None,
    )


def count_pot(
    process: Process,
    pot: int,
    projects: list[BallotProject],
    *,
    now: datetime,
    election: Election | None = None,
) -> PotResult:
    """Count one pot with the process's rule (from its papers unless ``election``
    is given, with ``projects`` in order) and keep the outcome."""
    from budgets.rules import count

    if election is None:
        election = pot_election(process, pot, projects)
    outcome = count(process.rule, election)
    ours = {project.pabulib_id: str(project.project_id) for project in projects}
    data = {**outcome.as_json(election), "process": process.id, "pot": pot}
    data["selected"] = [ours[project_id] for project_id in data["selected"]]
    if "projects" in data:
        data["projects"] = {ours[key]: reason for key, reason in data["projects"].items()}
    result = PotResult(
        process_id=process.id,
        pot=pot,
        district_id=None if pot == CITY_WIDE else pot,
        rule=process.rule,
        budget=election.budget,
        papers=election.voters,
        outcome=data,
        result_hash=result_hash(data),
        counted_at=naive_utc(now),
    )
    db.session.add(result)
    db.session.flush()
    return result
