"""``asamblea pb advance``: the scheduler moves the budgets whose phase has ended,
one transaction each; a budget that cannot move is named and the command exits 1.

The command runs in the test's app context and rolled-back session (its commit
only releases a savepoint)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from budgets.models import Process, ProcessState
from budgets.phases_cli import advance_command, register_phase_commands
from budgets.setup import PhaseDates
from governance.cli import main  # noqa: F401 - the command's home imports cleanly
from governance.extensions import db
from tests.fixtures.budgets import advance_to, make_process, make_project

S = ProcessState


def run(app):
    db.session.commit()
    return app.test_cli_runner().invoke(advance_command)


def state_of(process: Process) -> ProcessState:
    return db.session.execute(
        sa.select(Process.state)
        .where(Process.id == process.id)
        .execution_options(populate_existing=True)
    ).scalar_one()


def days(n: int) -> datetime:
    return datetime.now(UTC) + timedelta(days=n)


def test_budgets_move_on_their_dates(app, pb):
    due = make_process(
        pb, state=S.DRAFT, dates=PhaseDates(starts_at=days(-2), intake_ends_at=days(-1))
    )
    waiting = make_process(pb, state=S.DRAFT, dates=PhaseDates(starts_at=days(1)))
    result = run(app)
    assert result.exit_code == 0, result.output
    assert f"Budget {due.id} moved to intake -> review." in result.output
    assert "Moved 1 budgets." in result.output
    assert (state_of(due), state_of(waiting)) == (S.REVIEW, S.DRAFT)


def test_a_budget_that_cannot_move_is_named_and_the_others_move(app, pb):
    stuck = make_process(pb, dates=PhaseDates(review_ends_at=days(-1)))
    make_project(pb.members[0], stuck)
    # Review ended before the project was reviewed: voting cannot open.
    advance_to(stuck, S.REVIEW, pb.secretary)
    moving = make_process(pb, state=S.DRAFT, dates=PhaseDates(starts_at=days(-1)))
    result = run(app)
    assert result.exit_code == 1
    assert f"Budget {stuck.id} was not moved on: 1 project still awaits" in result.output
    assert (state_of(stuck), state_of(moving)) == (S.REVIEW, S.INTAKE)


def test_the_command_joins_the_pb_group_once():
    from budgets.cli import pb_group

    register_phase_commands(pb_group)
    register_phase_commands(pb_group)
    assert pb_group.commands["advance"] is advance_command
