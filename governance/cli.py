"""The ``asamblea`` command: Flask's CLI (``run``, ``routes``, ``db ...``) plus ours.

Each command is one transaction: it commits at its end or rolls back whole.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup

from governance.config import ConfigError
from governance.errors import DomainError
from governance.extensions import db
from governance.web import utcnow
from ledger.cli import ledger_group
from ledger.setup_cli import currency_group  # noqa: F401 - adds `ledger currency|network|deposit`
from votes.cli import ballot_group


def _create_app() -> Flask:
    from governance import create_app

    try:
        return create_app()
    except ConfigError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(2)


def main() -> None:
    from budgets.cli import pb_group
    from budgets.phases_cli import register_phase_commands
    from budgets.surplus_cli import surplus_group
    from votes.cli import tally_command

    cli = FlaskGroup(create_app=_create_app, help="Asamblea: assemblies of solidarity networks.")
    # Recounting a published file needs no app and no database.
    cli.add_command(tally_command)
    cli.add_command(pb_group)
    cli.add_command(surplus_group)
    # `pb advance` moves budgets on their dates (it loads the app itself).
    register_phase_commands(pb_group)
    cli.main(prog_name="asamblea")


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(member_group)
    app.cli.add_command(audit_group)
    app.cli.add_command(mail_group)
    app.cli.add_command(ballot_group)
    app.cli.add_command(ledger_group)


@click.command("demo")
@click.option(
    "--if-needed",
    is_flag=True,
    help="Load the demo only on an empty database; if it is already there, "
    "print the logins and exit 0.",
)
def demo_command(if_needed: bool) -> None:
    """Load a demo solidarity network (refused in production or on other data)."""
    from governance import demo

    settings = current_app.config["ASAMBLEA"]
    if settings.is_production:
        raise click.ClickException("The demo network is not loaded in production mode.")
    state = demo.database_state()
    if state == "demo" and if_needed:
        click.echo("The demo network is already loaded.")
    elif state != "empty":
        db.session.rollback()
        raise click.ClickException(
            "This database already holds data; the demo only loads into an empty database."
        )
    else:
        demo.load(now=utcnow())
        db.session.commit()
        from governance.mail import deliver_all

        deliver_all()
        click.echo("Loaded the demo network.")
    click.echo(f"Every demo member's password is '{demo.PASSWORD}'. Logins:")
    for email in demo.login_emails():
        click.echo(email)


@click.group("member")
def member_group() -> None:
    """Members of the network."""


@member_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--as",
    "actor_email",
    default="admin@example.org",
    show_default=True,
    help="The administrator recorded as the actor.",
)
def import_command(path: Path, actor_email: str) -> None:
    """Import members and seats from a CSV file: every row or none."""
    from governance.imports import ImportRejected, import_members
    from governance.services import find_member_by_email

    actor = find_member_by_email(actor_email)
    if actor is None or not actor.is_admin:
        raise click.ClickException(f"{actor_email} is not an administrator of this network.")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException("The file must be saved as UTF-8 text.") from None
    try:
        report = import_members(
            actor, text, now=utcnow(), default_tz=current_app.config["ASAMBLEA"].default_timezone
        )
    except ImportRejected as error:
        db.session.rollback()
        click.echo(str(error.message), err=True)
        for line, message in error.problems:
            click.echo(f"  line {line}: {message}", err=True)
        sys.exit(1)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    except ConfigError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    from governance.mail import deliver_all

    deliver_all()
    click.echo(f"Imported {report.members_created} new members and {report.seats_added} seats.")


@click.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Recompute the audit hash chain; exit 1 naming the first entry that does not match."""
    from governance.audit import verify_chain

    report = verify_chain()
    if report.is_intact:
        click.echo(f"Audit chain intact: {report.count} entries.")
        return
    click.echo(f"Audit chain broken at entry {report.first_bad_id}: {report.reason}.", err=True)
    sys.exit(1)


@click.group("mail")
def mail_group() -> None:
    """The mail outbox."""


@mail_group.command("send")
def mail_send() -> None:
    """Deliver the messages waiting in the outbox."""
    from governance.mail import deliver_all

    click.echo(f"Sent {deliver_all()} messages.")
