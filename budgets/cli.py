"""``asamblea pb ...``: participatory budgets from the command line.

``pb tally`` needs no app and no database: it counts a pabulib file alone, so
anyone can check a city's published outcome with the file and this program.
The group is added to the ``asamblea`` command itself (not to the app's), so
that loading it never builds the app; commands that need the database use
``flask.cli.with_appcontext``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from budgets.file_errors import stop

if TYPE_CHECKING:
    from budgets.pabulib import PabulibFile
    from budgets.rules import Election, Outcome

# The rules (and numpy) load with the command that uses them, not with every
# ``asamblea`` command.
RULE_HELP = (
    "The outcome rule: greedy, greedy-no-skip, greedy-threshold, mes, mes-add1, "
    "mes-add1-greedy or phragmen. Default: the file's META rule."
)


@click.group("pb")
def pb_group() -> None:
    """Participatory budgets: count pabulib files."""


@pb_group.command("tally")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rule", help=RULE_HELP)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A short summary, or the outcome with every project's reason as JSON.",
)
def pb_tally(path: Path, rule: str | None, output_format: str) -> None:
    """Compute the outcome of a pabulib FILE, with no database."""
    from budgets.pabulib import PabulibError
    from budgets.rules import count

    try:
        file = _read(path)
    except PabulibError as error:
        stop(f"{path}: {error}")
    chosen = _rule(file, rule, path)
    election = file.election
    outcome = count(chosen, election)
    if output_format == "json":
        click.echo(json.dumps(outcome.as_json(election), indent=2, ensure_ascii=False))
    else:
        click.echo(_summary(outcome, election))


def _read(path: Path) -> PabulibFile:
    """Read the file, with a progress bar when a person watches stderr."""
    from budgets.pabulib import load_pabulib

    if not sys.stderr.isatty():
        return load_pabulib(str(path))
    with click.progressbar(
        length=path.stat().st_size, label=f"Reading {path.name}", file=sys.stderr
    ) as bar:
        return load_pabulib(str(path), progress=_advance(bar.update))


def _advance(update: Callable[[int], None]) -> Callable[[int], None]:
    """A progress callback (bytes read so far) for a bar that counts steps."""
    done = 0

    def progress(read: int) -> None:
        nonlocal done
        update(read - done)
        done = read

    return progress


def _rule(file: PabulibFile, rule: str | None, path: Path) -> str:
    """The rule asked for, or the one the file names (in pabulib's words)."""
    from budgets.rules import PABULIB_RULES, RULES

    choices = ", ".join(RULES)
    if rule is not None:
        if rule not in RULES:
            stop(f'unknown rule "{rule}"; the rules are {choices}')
        return rule
    named = file.meta.get("rule")
    if not named:
        stop(f"{path}: META names no rule; choose one with --rule: {choices}")
    if named not in PABULIB_RULES:
        known = ", ".join(PABULIB_RULES)
        stop(
            f'{path}: META rule "{named}" is not one we know ({known}); '
            f"choose one with --rule: {choices}"
        )
    return PABULIB_RULES[named]


def _summary(outcome: Outcome, election: Election) -> str:
    ids, costs, scores = election.project_ids, election.costs, election.scores
    width = max((len(ids[project]) for project in outcome.selected), default=0)
    lines = [
        f"Rule: {outcome.rule}",
        f"Budget: {outcome.budget}",
        f"Voters: {election.voters}",
        f"Selected: {len(outcome.selected)} of {election.projects} projects",
    ]
    lines += [
        f"  {ids[project]:<{width}}  cost {costs[project]:>12}  score {scores[project]}"
        for project in outcome.selected
    ]
    lines += [f"Total cost: {outcome.cost}", f"Left: {outcome.budget - outcome.cost}"]
    return "\n".join(lines)


# ``pb import`` and ``pb export`` (pabulib files in and out of the database).
from budgets.transfer.cli import export_command, import_command  # noqa: E402

pb_group.add_command(import_command)
pb_group.add_command(export_command)
