"""``asamblea ballot ...`` and ``asamblea tally FILE``.

``tally`` needs no database and no app: it recounts a published papers file
alone, so anyone can check a result with the file and this program.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from governance.config import ConfigError
from governance.errors import DomainError
from governance.extensions import db
from governance.web import utcnow


@click.group("ballot")
def ballot_group() -> None:
    """Ballots: the scheduler's tick and the published papers."""


@ballot_group.command("tick")
def ballot_tick() -> None:
    """Open and close the ballots whose time has come, send reminders and digests.

    Run it every minute from cron or a timer. Voting pages check the times too,
    so a closed ballot never takes a vote even when this does not run.
    """
    from governance.mail import deliver_all
    from votes import notify, services

    # One transaction per ballot: a ballot that cannot close (its effect fails)
    # does not hold back the others; it is named and retried on the next tick.
    opened = closed = failed = 0
    for ballot_id in services.due_ballot_ids(utcnow()):
        try:
            did_open, did_close = services.advance(ballot_id, now=utcnow())
            db.session.commit()
        except Exception as error:  # one ballot must not stop the others
            db.session.rollback()
            failed += 1
            message = error.message if isinstance(error, DomainError) else repr(error)
            click.echo(f"Ballot {ballot_id} was not moved: {message}", err=True)
            continue
        opened += did_open
        closed += did_close
    try:
        reminded = notify.send_reminders(now=utcnow())
        db.session.commit()
        digests = notify.send_digests(now=utcnow())
        db.session.commit()
    except ConfigError as error:  # mail links need ASAMBLEA_BASE_URL outside a request
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    deliver_all()
    click.echo(
        f"Opened {opened}, closed {closed}, reminded {reminded} ballots; sent {digests} digests."
    )
    if failed:
        sys.exit(1)


@ballot_group.command("papers")
@click.argument("ballot_id", type=int)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file."
)
def ballot_papers(ballot_id: int, output: Path | None) -> None:
    """Write the published papers file of a closed ballot (the recount input)."""
    from votes import queries, services
    from votes.models import BallotState

    try:
        ballot = services.refresh(services.get_ballot(ballot_id), now=utcnow())
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    except ConfigError as error:  # closing it now mails the result
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    if ballot.state is not BallotState.CLOSED:
        raise click.ClickException(
            f"Ballot {ballot_id} is not closed: its papers are not published."
        )
    text = queries.papers_file(ballot)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"Wrote {output}.")


@click.command("tally")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def tally_command(path: Path) -> None:
    """Recount a published papers file, with no database; print the result as JSON."""
    from votes.papers import PapersFileError, tally_papers

    try:
        result = tally_papers(path.read_bytes())
    except PapersFileError as error:
        click.echo(f"Error: {path}: {error}", err=True)
        sys.exit(1)
    click.echo(json.dumps(result, sort_keys=True, indent=2, ensure_ascii=False))
