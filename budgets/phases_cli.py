"""``asamblea pb advance``: the scheduler's move of participatory budgets.

Added to the ``pb`` group of ``budgets.cli`` by ``register_phase_commands``
(the group lives on the ``asamblea`` command itself, not on the app's, so this
command loads the app itself with ``with_appcontext``).
"""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from governance.extensions import db
from governance.web import utcnow


@click.command("advance")
@with_appcontext
def advance_command() -> None:
    """Move on the participatory budgets whose phase has ended (times in UTC).

    Run it from cron or a timer, e.g. every few minutes. One transaction per
    budget: a budget that cannot move (its projects are not all reviewed) is
    named, does not hold back the others, and is tried again on the next run.
    """
    from budgets import services

    moved = failed = 0
    for process_id in services.due_process_ids(utcnow()):
        try:
            entered, refusal = services.advance_due(process_id, now=utcnow())
            db.session.commit()
        except Exception as error:  # one budget must not stop the others
            db.session.rollback()
            failed += 1
            click.echo(f"Budget {process_id} was not moved: {error!r}", err=True)
            continue
        if entered:
            moved += 1
            phases = " -> ".join(state.value for state in entered)
            click.echo(f"Budget {process_id} moved to {phases}.")
        if refusal is not None:
            failed += 1
            click.echo(f"Budget {process_id} was not moved on: {refusal.message}", err=True)
    click.echo(f"Moved {moved} budgets.")
    if failed:
        sys.exit(1)


def register_phase_commands(group: click.Group) -> None:
    """Add ``advance`` to the ``pb`` group (once)."""
    if "advance" not in group.commands:
        group.add_command(advance_command)
