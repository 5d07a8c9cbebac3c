"""A pabulib file into a closed process: its projects, its papers, its result.

One flush per step and no commit: the command commits once, so a file that
fails anywhere leaves nothing behind. Papers go in with Core ``insert()`` in
chunks (executemany), never through the ORM.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any, cast

import sqlalchemy as sa
from babel.numbers import is_currency

from budgets.models import BallotForm, Process, ProcessState, Project, ResultApproval
from budgets.pabulib import PabulibFile
from budgets.pabulib.reader import whole_number
from budgets.projects import KEPT_FIELD, BallotProject
from budgets.results.counting import count_pot, unit_of
from budgets.rules import PABULIB_RULES, Election
from budgets.setup import DESCRIPTION_MAX, POINTS_MAX, RANKS_MAX, TITLE_MAX
from budgets.transfer.common import (
    FORM_OF_KIND,
    PROJECT_COLUMNS_KEY,
    TRACKER_MAX,
    TransferError,
    imported_tracker,
)
from budgets.voting.models import CITY_WIDE, Paper
from governance import audit
from governance.extensions import db
from governance.models import Body, Member
from governance.services import naive_utc
from ledger.network import Purpose, network_code
from proposals.models import Proposal, ProposalAuthor, ProposalState, Revision

Progress = Callable[[int], None]
PAPER_CHUNK = 5_000
SUMMARY_MAX = 300


@dataclass(frozen=True)
class Counting:
    """How the process counts: the rule, the ballot form and its parameters."""

    rule: str
    form: BallotForm
    min_score: int | None = None
    min_projects: int | None = None
    max_projects: int | None = None
    points: int | None = None
    max_ranks: int | None = None


def default_author() -> Member:
    """The first network administrator (by id), who signs imported projects."""
    member = db.session.execute(
        sa.select(Member)
        .where(Member.is_admin.is_(True), Member.is_active_member.is_(True))
        .order_by(Member.id)
        .limit(1)
    ).scalar_one_or_none()
    if member is None:
        raise TransferError("there is no network administrator; name the author with --as EMAIL")
    return member


def import_pabulib(
    file: PabulibFile,
    *,
    body: Body,
    author: Member,
    now: datetime,
    currency: str | None = None,
    name: str = "",
    progress: Progress | None = None,
) -> Process:
    """Create a closed process of ``body`` from ``file``, with its projects (signed
    by ``author``), its papers (city-wide pot) and its counted result.

    ``currency`` is used when META has none; ``name`` (the file's) titles the
    process when META has neither description nor unit. ``progress`` is told how
    many papers are stored, now and then. Flushes, never commits.
    """
    currency = _currency(file.meta.get("currency") or currency)
    scale = unit_of(currency)
    election = file.election
    counting = _counting(file)
    _check_amounts(file, scale)
    process = _process(file, body, author, currency, counting, name, now)
    projects = _projects(file, process, author, scale, now)
    _insert_papers(file, process, projects, progress)
    count_pot(process, CITY_WIDE, projects, now=now, election=_scaled(election, scale))
    audit.record(
        author,
        "pb.process_imported",
        process,
        now=now,
        data={"projects": election.projects, "papers": election.voters, "rule": counting.rule},
    )
    return process


def _currency(code: str | None) -> str:
    if not code:
        raise TransferError("META has no currency; give one with --currency (e.g. PLN)")
    code = code.strip().upper()
    if not is_currency(code):
        raise TransferError(f'"{code}" is not a currency code (ISO 4217, e.g. PLN)')
    return code


def _meta_number(meta: dict[str, str], key: str) -> int | None:
    """A META count such as ``max_length``; None when absent or not a whole number."""
    try:
        return whole_number(meta[key], 0, key) if meta.get(key) else None
    except ValueError:
        return None


def _counting(file: PabulibFile) -> Counting:
    meta, election = file.meta, file.election
    named = meta.get("rule") or "greedy"
    if named not in PABULIB_RULES:
        known = ", ".join(PABULIB_RULES)
        raise TransferError(f'META rule "{named}" is not one we know ({known})')
    rule = PABULIB_RULES[named]
    form = FORM_OF_KIND[election.kind]
    min_score = election.min_score if rule == "greedy-threshold" else None
    low, high = _meta_number(meta, "min_length"), _meta_number(meta, "max_length")
    longest = int((election.offsets[1:] - election.offsets[:-1]).max(initial=0))
    if form is BallotForm.APPROVAL:
        high = high if high and high >= (low or 0) else None
        return Counting(rule, form, min_score, min_projects=low or None, max_projects=high)
    if form is BallotForm.CUMULATIVE:
        points = _meta_number(meta, "max_sum_points")
        if not points:
            points = max(_ballot_sums(election), default=1)
        return Counting(rule, form, min_score, points=min(max(points, 1), POINTS_MAX))
    if form is BallotForm.ORDINAL:
        ranks = high or longest or 1
        return Counting(rule, form, min_score, max_ranks=min(ranks, RANKS_MAX))
    return Counting(rule, form, min_score)


def _ballot_sums(election: Election) -> list[int]:
    """The points each ballot gives out."""
    import numpy as np

    assert election.points is not None
    running = np.concatenate(([0], np.cumsum(election.points)))
    return [int(total) for total in running[election.offsets[1:]] - running[election.offsets[:-1]]]


def _check_amounts(file: PabulibFile, scale: int) -> None:
    for row, cost in zip(file.projects, file.election.costs, strict=True):
        if cost <= 0:
            raise TransferError(
                f'project "{row["project_id"]}" costs {cost}; a project must cost more than zero'
            )
    if file.election.budget * scale > 2**62:
        raise TransferError("the budget is too large")


def _one_line(text: str, limit: int) -> str:
    text = " ".join("".join(c for c in text if unicodedata.category(c) != "Cc").split())
    return text[:limit].rstrip()


def _title(meta: dict[str, str], name: str) -> str:
    parts = [meta.get(key, "") for key in ("unit", "subunit", "district", "instance")]
    title = meta.get("description") or " ".join(part for part in parts if part) or name
    return _one_line(title, TITLE_MAX) or "Imported participatory budget"


def _process(
    file: PabulibFile,
    body: Body,
    author: Member,
    currency: str,
    counting: Counting,
    name: str,
    now: datetime,
) -> Process:
    at = naive_utc(now)
    source_meta = dict(file.meta)
    source_meta[PROJECT_COLUMNS_KEY] = json.dumps(list(file.project_columns))
    process = Process(
        body_id=body.id,
        title=_title(file.meta, name),
        description=file.meta.get("description", "")[:DESCRIPTION_MAX],
        currency=currency,
        fund_account=network_code(Purpose.SOLIDARITY_FUND, currency),
        amount=file.election.budget * unit_of(currency),
        rule=counting.rule,
        min_score=counting.min_score,
        ballot_form=counting.form,
        min_projects=counting.min_projects,
        max_projects=counting.max_projects,
        points=counting.points,
        max_ranks=counting.max_ranks,
        # Counted, but never approved: approving makes decisions and plans paid
        # from our fund, and the money of an imported budget was never ours.
        result_approval=ResultApproval.AUTOMATIC,
        state=ProcessState.CLOSED,
        phase_changed_at=at,
        source_meta=source_meta,
        created_by_id=author.id,
        created_at=at,
    )
    db.session.add(process)
    db.session.flush()
    return process


def _projects(
    file: PabulibFile, process: Process, author: Member, scale: int, now: datetime
) -> list[BallotProject]:
    """One published proposal and project per row, in the file's order."""
    at = naive_utc(now)
    made = []
    for row, cost in zip(file.projects, file.election.costs, strict=True):
        project_id = row["project_id"]
        title = _one_line(row.get("name", ""), TITLE_MAX) or f"Project {project_id}"
        kept = {column: value for column, value in row.items() if column != "cost"}
        fields = {
            "process_id": process.id,
            "district_id": None,
            "cost": cost * scale,
            "currency": process.currency,
            "summary": _one_line(title, SUMMARY_MAX),
            KEPT_FIELD: kept,
        }
        proposal = Proposal(
            body_id=process.body_id,
            kind="pb-project",
            state=ProposalState.PUBLISHED,
            title=title,
            created_by_id=author.id,
            created_at=at,
            published_at=at,
            current_revision=1,
        )
        proposal.authors.append(ProposalAuthor(member_id=author.id, created_at=at))
        text = row.get("description", "").strip() or title
        proposal.revisions.append(
            Revision(
                number=1, title=title, text=text, fields=fields, author_id=author.id, created_at=at
            )
        )
        project = Project(
            process_id=process.id, proposal=proposal, cost=cost * scale, created_at=at
        )
        db.session.add(project)
        made.append((project, title, project_id, kept))
    db.session.flush()
    return [
        BallotProject(
            project_id=project.id,
            proposal_id=project.proposal_id,
            title=title,
            summary=title,
            cost=project.cost,
            pabulib_id=project_id,
            kept=kept,
        )
        for project, title, project_id, kept in made
    ]


def _marks(election: Election, ids: list[int]) -> Iterator[list[list[int]]]:
    """Each ballot's marks ``[[project, value], ...]`` in the order marked: value 1,
    the points, or the rank (ordinal)."""
    offsets = election.offsets.tolist()
    items = [ids[item] for item in election.items.tolist()]
    if election.points is not None:
        points = election.points.tolist()
        for start, end in pairwise(offsets):
            yield [[items[at], points[at]] for at in range(start, end)]
    elif election.kind == "ordinal":
        for start, end in pairwise(offsets):
            yield [[items[at], at - start + 1] for at in range(start, end)]
    else:
        for start, end in pairwise(offsets):
            yield [[project, 1] for project in items[start:end]]


def _insert_papers(
    file: PabulibFile,
    process: Process,
    projects: list[BallotProject],
    progress: Progress | None,
) -> None:
    room = TRACKER_MAX - len(imported_tracker(process.id, len(file.voter_ids), ""))
    longest = max(file.voter_ids, key=len, default="")
    if len(longest) > room:
        position = file.voter_ids.index(longest) + 1
        raise TransferError(
            f'voter "{longest}" (vote {position}): a voter id may have at most {room} characters'
        )
    table = cast(sa.Table, Paper.__table__)  # Core: no ORM work per row
    chunk: list[dict[str, Any]] = []
    ids = [project.project_id for project in projects]
    for position, (voter_id, marks) in enumerate(
        zip(file.voter_ids, _marks(file.election, ids), strict=True), start=1
    ):
        chunk.append(
            {
                "tracker": imported_tracker(process.id, position, voter_id),
                "process_id": process.id,
                "pot": CITY_WIDE,
                "district_id": None,
                "marks": marks,
            }
        )
        if len(chunk) == PAPER_CHUNK:
            db.session.execute(sa.insert(table), chunk)
            chunk = []
            if progress is not None:
                progress(position)
    if chunk:
        db.session.execute(sa.insert(table), chunk)
    if progress is not None:
        progress(len(file.voter_ids))


def _scaled(election: Election, scale: int) -> Election:
    """The same election in minor units (``add1`` then adds one whole unit)."""
    return Election(
        budget=election.budget * scale,
        project_ids=election.project_ids,
        costs=tuple(cost * scale for cost in election.costs),
        kind=election.kind,
        offsets=election.offsets,
        items=election.items,
        points=election.points,
        min_score=election.min_score,
        unit=scale,
    )
