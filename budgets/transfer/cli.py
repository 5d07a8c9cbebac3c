"""``asamblea pb import`` and ``asamblea pb export``: pabulib files in and out.

Added to the ``pb`` group by ``budgets.cli``; the group has no app, so each
command loads it with ``with_appcontext``. The database modules (and numpy)
load when a command runs. One transaction: an import that fails anywhere
writes nothing and exits 2 with the reason (for a bad file, its line and field).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import click
from flask.cli import with_appcontext


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


def _bar(length: int, label: str) -> Callable[[int], None] | None:
    """A progress callback (done so far) drawing a bar on stderr, when a person
    watches it; None otherwise."""
    if not sys.stderr.isatty():
        return None
    bar = click.progressbar(length=length, label=label, file=sys.stderr)
    done = 0

    def progress(now_done: int) -> None:
        nonlocal done
        bar.update(now_done - done)
        done = now_done
        if done >= length:
            bar.render_finish()

    return progress


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--body", "body_slug", required=True, help="The slug of the body that ran it.")
@click.option(
    "--as",
    "author_email",
    help="The member who signs its projects. Default: the first network administrator.",
)
@click.option("--currency", help="The currency, when the file's META names none (e.g. PLN).")
@with_appcontext
def import_command(
    path: Path, body_slug: str, author_email: str | None, currency: str | None
) -> None:
    """Import a pabulib FILE as a closed participatory budget, with its projects,
    ballots and result (counted with the file's rule)."""
    import sqlalchemy as sa

    from budgets.pabulib import PabulibError, load_pabulib
    from budgets.results.models import PotResult
    from budgets.transfer.common import TransferError
    from budgets.transfer.importer import default_author, import_pabulib
    from governance.extensions import db
    from governance.queries import body_by_slug
    from governance.services import find_member_by_email
    from governance.web import utcnow

    try:
        body = body_by_slug(body_slug)
        if body is None:
            raise TransferError(f'there is no body "{body_slug}"')
        author = find_member_by_email(author_email) if author_email else default_author()
        if author is None:
            raise TransferError(f'no member has the email "{author_email}"')
        file = load_pabulib(str(path), progress=_bar(path.stat().st_size, f"Reading {path.name}"))
        process = import_pabulib(
            file,
            body=body,
            author=author,
            now=utcnow(),
            currency=currency,
            name=path.stem,
            progress=_bar(file.election.voters, "Storing ballots"),
        )
        process_id, voters, projects = process.id, file.election.voters, file.election.projects
        outcome = db.session.execute(
            sa.select(PotResult.outcome).where(PotResult.process_id == process_id)
        ).scalar_one()
        db.session.commit()
    except (PabulibError, TransferError) as error:
        db.session.rollback()
        _fail(f"{path}: {error}; nothing was imported")
    except BaseException:
        db.session.rollback()
        raise
    click.echo(
        f"Imported {path.name} as budget {process_id}: {projects} projects, {voters} ballots."
    )
    click.echo(
        f"Result ({outcome['rule']}): {len(outcome['selected'])} projects selected, "
        f"costing {outcome['cost']} of {outcome['budget']} (minor units)."
    )


@click.command("export")
@click.argument("process_id", metavar="PROCESS", type=int)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write. Default: standard output.",
)
@click.option("--district", help="A district's pot (its name or id). Default: the city-wide pot.")
@with_appcontext
def export_command(process_id: int, output: Path | None, district: str | None) -> None:
    """Write one pot of budget PROCESS (by id) as a pabulib file."""
    from budgets.models import Process
    from budgets.transfer.common import TransferError
    from budgets.transfer.exporter import export_pabulib
    from governance.extensions import db

    process = db.session.get(Process, process_id)
    if process is None:
        _fail(f"there is no budget {process_id}")
    chosen = None
    if district is not None:
        chosen = next((d for d in process.districts if district in (d.name, str(d.id))), None)
        if chosen is None:
            names = ", ".join(d.name for d in process.districts) or "none"
            _fail(f'budget {process_id} has no district "{district}" (its districts: {names})')
    text = io.StringIO()
    try:
        export_pabulib(process, text, district=chosen)
    except TransferError as error:
        _fail(f"budget {process_id}: {error}")
    finally:
        db.session.rollback()  # read only
    if output is None:
        sys.stdout.write(text.getvalue())
    else:
        with open(output, "w", encoding="utf-8", newline="") as out:
            out.write(text.getvalue())
