"""Participatory-budget processes: setting one up, changing it, moving its phases.

Plain functions: they take the actor, ids and values, check the rules, flush,
record the audit entry and raise ``DomainError``; they never commit. The
set-up's checks are in ``budgets.setup``, reviewers and reviews in
``budgets.reviews``, a project's link to its process in ``budgets.projects``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from budgets.models import (
    EDITABLE_STATES,
    PHASE_AFTER,
    District,
    Process,
    ProcessState,
    Project,
    ResultApproval,
)
from budgets.policies import can_manage_process, chairs
from budgets.projects import LIVE_STATES, current_reviews, effective_cost, withdraw_drafts
from budgets.setup import DistrictSpec, ProcessSpec, checked_columns, snapshot
from governance import audit
from governance.errors import DomainError, NotAllowed, NotFound
from governance.extensions import db
from governance.models import Body, Member
from governance.services import naive_utc
from proposals.models import Proposal

PHASE_NAMES = {
    ProcessState.DRAFT: _l("in preparation"),
    ProcessState.INTAKE: _l("project intake"),
    ProcessState.REVIEW: _l("feasibility review"),
    ProcessState.VOTING: _l("voting"),
    ProcessState.RESULT: _l("result"),
    ProcessState.EXECUTION: _l("execution"),
    ProcessState.CLOSED: _l("closed"),
}


# --- reading -------------------------------------------------------------------------


def get_process(process_id: int, *, lock: bool = False) -> Process:
    """The process, or NotFound; ``lock`` takes its row lock and reads it again."""
    statement = sa.select(Process).where(Process.id == process_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    process = db.session.execute(statement).scalar_one_or_none()
    if process is None:
        raise NotFound(_l("There is no such participatory budget."))
    return process


# --- creating and changing -------------------------------------------------------------


def create_process(actor: Member, *, body_id: int, spec: ProcessSpec, now: datetime) -> Process:
    """The body's chair or secretary (or an administrator) sets up a process; it
    starts in preparation (``draft``), with its districts in the order given."""
    body = db.session.get(Body, body_id)
    if body is None:
        raise DomainError(_l("Choose the body that runs the budget."), field="body")
    if not chairs(actor, body):
        raise NotAllowed(
            _l("Only the body's chair or secretary can set up a participatory budget."),
            field="body",
        )
    columns, districts = checked_columns(spec)
    process = Process(
        body_id=body.id,
        state=ProcessState.DRAFT,
        created_by_id=actor.id,
        created_at=naive_utc(now),
        **columns,
    )
    db.session.add(process)
    db.session.flush()
    for position, district in enumerate(districts, start=1):
        db.session.add(
            District(
                process_id=process.id,
                position=position,
                name=district.name,
                amount=district.amount,
            )
        )
    db.session.flush()
    db.session.refresh(process, ["districts"])
    audit.record(actor, "pb.process_created", process, now=now, data=snapshot(process))
    return process


def update_process(actor: Member, process_id: int, *, spec: ProcessSpec, now: datetime) -> Process:
    """Change a process's set-up before voting. The currency changes only in
    preparation; a district with projects, or the city-wide pot while it has
    projects, cannot be removed."""
    process = get_process(process_id, lock=True)
    if not can_manage_process(actor, process):
        raise NotAllowed(
            _l("Only the body's chair or secretary can change a participatory budget.")
        )
    if process.state not in EDITABLE_STATES:
        raise DomainError(
            _l(
                "A participatory budget in its %(phase)s phase can no longer be changed.",
                phase=PHASE_NAMES[process.state],
            )
        )
    columns, districts = checked_columns(spec)
    if columns["currency"] != process.currency and process.state is not ProcessState.DRAFT:
        raise DomainError(
            _l("The currency can change only while the budget is in preparation."),
            field="currency",
        )
    _check_projects_keep_their_pot(process, districts, columns["amount"])
    before = snapshot(process)
    for name, value in columns.items():
        setattr(process, name, value)
    _sync_districts(process, districts)
    db.session.flush()
    db.session.refresh(process, ["districts"])
    after = snapshot(process)
    if after == before:
        raise DomainError(_l("Nothing was changed."))
    audit.record(actor, "pb.process_updated", process, now=now, data=after)
    return process


def _project_districts(process: Process) -> set[int | None]:
    """The districts (None: city-wide) that have projects."""
    return set(
        db.session.execute(
            sa.select(Project.district_id).where(Project.process_id == process.id).distinct()
        ).scalars()
    )


def _check_projects_keep_their_pot(
    process: Process, districts: Sequence[DistrictSpec], amount: int
) -> None:
    used = _project_districts(process)
    kept = {d.name.casefold() for d in districts}
    for district in process.districts:
        if district.id in used and district.name.casefold() not in kept:
            raise DomainError(
                _l(
                    "The district “%(name)s” has projects: it cannot be removed or renamed.",
                    name=district.name,
                ),
                field="districts",
            )
    if None in used and amount == 0 and districts:
        raise DomainError(
            _l("There are city-wide projects: the city-wide amount cannot be zero."),
            field="amount",
        )
    # Nor may a pot shrink below a project in it: that project could never be funded.
    new_pots = {d.name.casefold(): d.amount for d in districts}
    names = {d.id: d.name.casefold() for d in process.districts}
    for project, title, cost in _live_costs(process):
        pot = amount if project.district_id is None else new_pots.get(names[project.district_id])
        if pot is not None and cost > pot:
            raise DomainError(
                _l(
                    "“%(title)s” costs more than its part of the budget would then have.",
                    title=title,
                ),
                field="amount" if project.district_id is None else "districts",
            )


def _live_costs(process: Process) -> list[tuple[Project, str, int]]:
    """Each project still in the running, with its title and effective cost."""
    reviews = current_reviews(process)
    rows = db.session.execute(
        sa.select(Project, Proposal.title)
        .join(Proposal, Proposal.id == Project.proposal_id)
        .where(Project.process_id == process.id, Proposal.state.in_(LIVE_STATES))
    ).all()
    return [
        (project, title, effective_cost(project, reviews.get(project.id)))
        for project, title in rows
    ]


def _sync_districts(process: Process, districts: Sequence[DistrictSpec]) -> None:
    """Make the stored districts those given, matched by name: amounts and order
    change in place, new names are added, missing ones removed."""
    existing = {d.name.casefold(): d for d in process.districts}
    wanted = {d.name.casefold() for d in districts}
    for key, district in existing.items():
        if key not in wanted:
            db.session.delete(district)
    # Positions are unique per process only by convention (no constraint), so the
    # reordering needs no two-step dance.
    for position, spec in enumerate(districts, start=1):
        stored = existing.get(spec.name.casefold())
        if stored is None:
            db.session.add(
                District(
                    process_id=process.id, position=position, name=spec.name, amount=spec.amount
                )
            )
        else:
            stored.name, stored.amount, stored.position = spec.name, spec.amount, position
    db.session.flush()


# --- phases --------------------------------------------------------------------------


def advance(
    actor: Member | None,
    process_id: int,
    *,
    now: datetime,
    expected: ProcessState | None = None,
) -> Process:
    """Move the process to its next phase: by the body's chair or secretary, or by
    the scheduler (``actor`` None). ``expected`` is the phase the member saw: if
    the process has moved since (a second click, the scheduler), nothing happens
    and the member is told.

    Closing intake withdraws the drafts never published; voting opens only when
    every project has its review and one at least is feasible.
    """
    process = get_process(process_id, lock=True)
    if actor is not None and not can_manage_process(actor, process):
        raise NotAllowed(
            _l("Only the body's chair or secretary can move a participatory budget on.")
        )
    if expected is not None and process.state is not expected:
        raise DomainError(
            _l(
                "The budget has already moved on: it is now in its %(phase)s phase.",
                phase=PHASE_NAMES[process.state],
            )
        )
    target = PHASE_AFTER[process.state]
    if target is None:
        raise DomainError(_l("The participatory budget is closed; it has no further phase."))
    previous = process.state
    withdrawn: list[int] = []
    if target is ProcessState.INTAKE:
        pass  # the set-up's checks already ensure there is money to share
    elif target is ProcessState.REVIEW:
        withdrawn = withdraw_drafts(process, now=now)
    elif target is ProcessState.VOTING:
        _check_ready_for_voting(process)
        from budgets.voting.services import freeze_electorate  # it imports this module

        freeze_electorate(actor, process, now=now)
    elif target is ProcessState.RESULT:
        from budgets.results import services as results  # the rules pull in numpy
        from budgets.voting.services import rewrite_papers_in_tracker_order

        # On PostgreSQL a row remembers the transaction that wrote it, which would
        # tie each paper to its participation: the papers are written anew first.
        rewrite_papers_in_tracker_order(process.id)
        results.count_process(actor, process, now=now)
    elif target is ProcessState.EXECUTION:
        from budgets.results.services import check_result_approved

        check_result_approved(process)
    process.state = target
    process.phase_changed_at = naive_utc(now)
    db.session.flush()
    audit.record(
        actor,
        "pb.phase",
        process,
        now=now,
        data={"from": previous.value, "to": target.value, "withdrawn": withdrawn},
    )
    if target is ProcessState.RESULT and process.result_approval is ResultApproval.AUTOMATIC:
        from budgets.results.services import approve_result

        approve_result(None, process.id, now=now)  # the count is the decision
    return process


def _check_ready_for_voting(process: Process) -> None:
    reviews = current_reviews(process)
    projects = db.session.execute(
        sa.select(Project.id)
        .join(Proposal, Proposal.id == Project.proposal_id)
        .where(Project.process_id == process.id, Proposal.state.in_(LIVE_STATES))
    ).scalars()
    waiting = [project_id for project_id in projects if project_id not in reviews]
    if waiting:
        raise DomainError(
            lazy_ngettext(
                "%(num)s project still awaits its feasibility review; voting opens when "
                "every project is reviewed.",
                "%(num)s projects still await their feasibility review; voting opens when "
                "every project is reviewed.",
                len(waiting),
            )
        )
    if not any(review.is_feasible for review in reviews.values()):
        raise DomainError(_l("No project was found feasible: there is nothing to vote on."))


def due_process_ids(now: datetime) -> list[int]:
    """The processes whose current phase has ended by ``now``, oldest first."""
    at = naive_utc(now)
    ends = {
        ProcessState.DRAFT: Process.starts_at,
        ProcessState.INTAKE: Process.intake_ends_at,
        ProcessState.REVIEW: Process.review_ends_at,
        ProcessState.VOTING: Process.voting_ends_at,
        ProcessState.RESULT: Process.result_ends_at,
        ProcessState.EXECUTION: Process.execution_ends_at,
    }
    condition = sa.or_(
        *(sa.and_(Process.state == state, column <= at) for state, column in ends.items())
    )
    return list(
        db.session.execute(sa.select(Process.id).where(condition).order_by(Process.id)).scalars()
    )


def advance_due(process_id: int, *, now: datetime) -> tuple[list[ProcessState], DomainError | None]:
    """Move a process through every phase that has ended by ``now`` (a scheduler
    that did not run for days catches up): the phases it entered, in order, and
    the refusal that stopped it early, if any (the moves before it stand)."""
    entered: list[ProcessState] = []
    process = get_process(process_id)
    while (ends_at := process.ends_at(process.state)) is not None and ends_at <= naive_utc(now):
        try:
            with db.session.begin_nested():
                process = advance(None, process_id, now=now, expected=process.state)
        except DomainError as error:
            return entered, error
        entered.append(process.state)
    return entered, None
