"""A process's pot as a pabulib file, the same bytes every time.

A pabulib file holds one budget: the export writes the city-wide pot, or one
district's. META is the imported file's (if any) with the process's current
budget, counts, vote type, rule, currency and description; PROJECTS are the
projects on the ballot, by id, with an imported file's other columns; VOTES are
the papers, in the imported file's order (or by tracker for a live process).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TextIO

from budgets.models import BallotForm, District, Process
from budgets.pabulib import write_sections
from budgets.pabulib.data import THRESHOLD_KEY
from budgets.projects import BallotProject, ballot_projects
from budgets.results.counting import paper_marks, pot_budget, unit_of
from budgets.transfer.common import (
    PROJECT_COLUMNS_KEY,
    TransferError,
    election_kind,
    pabulib_rule,
    parse_tracker,
)
from budgets.voting.models import CITY_WIDE

Vote = tuple[str, ...]


def export_pabulib(process: Process, out: TextIO, *, district: District | None = None) -> None:
    """Write the city-wide pot of ``process`` (or ``district``'s) to ``out``."""
    if district is not None and district.process_id != process.id:
        raise TransferError(f'"{district.name}" is not a district of budget {process.id}')
    pot = CITY_WIDE if district is None else district.id
    scale = unit_of(process.currency)
    projects = ballot_projects(process, None if district is None else district.id)
    budget = _units(pot_budget(process, pot), scale, "the budget")
    kind = election_kind(process.ballot_form, process.source_meta)
    votes = _votes(process, pot, projects, kind)
    meta = _meta(process, district, kind, budget, projects=len(projects), votes=len(votes))
    columns, rows = _project_rows(process, projects, scale)
    write_sections(
        out,
        meta=meta,
        project_columns=columns,
        projects=rows,
        vote_columns=("voter_id", "vote", "points")
        if kind in ("cumulative", "scoring")
        else ("voter_id", "vote"),
        votes=(vote for _key, vote in votes),
    )


def _units(amount: int, scale: int, what: str) -> int:
    """``amount`` (minor units) in whole units: pabulib files count whole units."""
    if amount % scale:
        raise TransferError(
            f"{what} ({amount / scale:.2f}) is not a whole number of currency units, "
            "and a pabulib file holds only whole units"
        )
    return amount // scale


def _meta(
    process: Process,
    district: District | None,
    kind: str,
    budget: int,
    *,
    projects: int,
    votes: int,
) -> dict[str, str]:
    meta = {k: v for k, v in (process.source_meta or {}).items() if k != PROJECT_COLUMNS_KEY}
    if process.source_meta is None:
        meta["description"] = process.title
        if district is not None:
            meta["district"] = district.name
    current = {
        "num_projects": str(projects),
        "num_votes": str(votes),
        "budget": str(budget),
        "vote_type": kind,
        "rule": pabulib_rule(process.rule),
        "currency": process.currency,
    }
    if process.description and process.source_meta is not None:
        current["description"] = process.description
    if process.rule == "greedy-threshold":
        current[THRESHOLD_KEY] = str(process.min_score or 0)
    if process.source_meta is None:
        current.update(_form_meta(process))
    meta.update(current)
    return meta


def _form_meta(process: Process) -> dict[str, str]:
    """The ballot form's limits in pabulib's words, for a live process."""
    form = BallotForm(process.ballot_form)
    values: dict[str, int | None] = {}
    if form is BallotForm.APPROVAL:
        values = {"min_length": process.min_projects, "max_length": process.max_projects}
    elif form is BallotForm.CHOOSE_ONE:
        values = {"max_length": 1}
    elif form is BallotForm.CUMULATIVE:
        values = {"max_sum_points": process.points}
    elif form is BallotForm.ORDINAL:
        values = {"max_length": process.max_ranks}
    return {key: str(value) for key, value in values.items() if value is not None}


def _project_rows(
    process: Process, projects: list[BallotProject], scale: int
) -> tuple[tuple[str, ...], list[list[str]]]:
    kept_columns = (process.source_meta or {}).get(PROJECT_COLUMNS_KEY)
    columns = tuple(json.loads(kept_columns)) if kept_columns else ("project_id", "cost", "name")
    rows = []
    for project in projects:
        given = {
            **project.kept,
            "project_id": project.pabulib_id,
            "cost": str(_units(project.cost, scale, f'the cost of project "{project.title}"')),
            "name": project.kept.get("name", project.title),
        }
        rows.append([given.get(column, "") for column in columns])
    return columns, rows


def _votes(
    process: Process, pot: int, projects: list[BallotProject], kind: str
) -> list[tuple[tuple[int, int, str], Vote]]:
    """Each paper's VOTES row with its sort key: the imported file's position, or
    the tracker of a live paper."""
    id_of = {project.project_id: project.pabulib_id for project in projects}
    votes = []
    for tracker, marks in paper_marks(process.id, pot):
        parsed = parse_tracker(tracker)
        key, voter_id = ((0, parsed[0], ""), parsed[1]) if parsed else ((1, 0, tracker), tracker)
        votes.append((key, (voter_id, *_vote(marks, id_of, kind))))
    votes.sort(key=lambda vote: vote[0])
    return votes


def _vote(marks: list[list[int]], id_of: dict[int, str], kind: str) -> Iterator[str]:
    """The ``vote`` field (and ``points``, for pointed kinds) of one paper."""
    if kind == "ordinal":
        marks = sorted(marks, key=lambda mark: mark[1])
    marks = [mark for mark in marks if mark[0] in id_of]
    yield ",".join(id_of[mark[0]] for mark in marks)
    if kind in ("cumulative", "scoring"):
        yield ",".join(str(mark[1]) for mark in marks)
