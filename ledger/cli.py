"""``asamblea ledger verify`` and ``asamblea ledger export FILE``, and the outbox's
``asamblea ledger outbox deliver|work|status``.

Verify and export only read; each runs in one transaction (REPEATABLE READ on
PostgreSQL), so they see one state of the ledger while postings go on. The
outbox commands commit each step of a delivery on connections of their own.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import current_app

from governance.extensions import db

# Every app registers this CLI (``create_app``), so importing the outbox here gives
# every app its tables and its after-commit listener.
from ledger import outbox_queue as _outbox_queue


@click.group("ledger")
def ledger_group() -> None:
    """The exchange ledger."""


@ledger_group.command("verify")
def verify_command() -> None:
    """Recompute the hash chain and the balances; exit 1 naming the first transfer
    (or account) that does not match."""
    from ledger.queries import verify_balances, verify_chain

    try:
        start = time.perf_counter()
        chain = verify_chain()
        chain_s = time.perf_counter() - start
        if not chain.is_intact:
            where = f"transfer {chain.first_bad_id} (seq {chain.first_bad_seq})"
            if chain.first_bad_id is None:
                where = "the chain head"
            click.echo(f"Ledger chain broken at {where}: {chain.reason}.", err=True)
            sys.exit(1)
        click.echo(f"Ledger chain intact: {chain.count} transfers ({chain_s:.2f} s).")
        start = time.perf_counter()
        balances = verify_balances()
        balances_s = time.perf_counter() - start
        if not balances.is_intact:
            if balances.transfer_id is not None:
                where = f"transfer {balances.transfer_id}"
            else:
                where = f"account {balances.account_code}"
            click.echo(f"Ledger balances do not match at {where}: {balances.reason}.", err=True)
            sys.exit(1)
        click.echo(
            f"Balances match the transfers: {balances.accounts} accounts ({balances_s:.2f} s)."
        )
    finally:
        db.session.rollback()


@ledger_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(path: Path) -> None:
    """Write the ledger as JSON lines to PATH (check it with ``python -m ledger.verify``)."""
    from ledger.export import export

    try:
        with path.open("w", encoding="utf-8", newline="\n") as out:
            report = export(out)
    finally:
        db.session.rollback()
    click.echo(
        f"Exported {report.transfers} transfers and {report.accounts} accounts to {path}; "
        f"last hash {report.last_hash}."
    )


@ledger_group.group("outbox")
def outbox_group() -> None:
    """Send each posted transfer to the external ledger (LEDGER_OUTBOX_URL)."""


def _destination():
    from ledger.outbox_queue import destination_of

    destination = destination_of(current_app.config["ASAMBLEA"])
    if destination is None:
        raise click.ClickException(
            "The ledger outbox is not configured: set LEDGER_OUTBOX_URL and LEDGER_OUTBOX_SECRET."
        )
    return destination


@outbox_group.command("deliver")
def outbox_deliver_command() -> None:
    """Send now what is due, in order (for cron); exit 1 if a transfer was refused or
    could not be sent."""
    from ledger.outbox import deliver

    report = deliver(db.engine, _destination())
    click.echo(f"Delivered {report.delivered} transfers.")
    if report.error is not None:
        click.echo(_not_delivered(report), err=True)
        sys.exit(1)
    if report.is_busy:
        click.echo("Another delivery is running; it sends the rest.")
    elif report.next_attempt_at is not None:
        click.echo(
            f"Waiting to retry until {_when(report.next_attempt_at)} "
            "(see `asamblea ledger outbox status`)."
        )


@outbox_group.command("work")
@click.option("--burst", is_flag=True, help="Return when the queue is empty.")
def outbox_work_command(burst: bool) -> None:
    """Deliver as postings wake this worker through Redis (REDIS_URL), and retry on the
    backoff's schedule."""
    from ledger.outbox_queue import IDLE_SECONDS, WakeUpQueue, work

    settings = current_app.config["ASAMBLEA"]
    destination = _destination()
    if not settings.redis_url:
        raise click.ClickException(
            "REDIS_URL is not set: each posting delivers inline after its commit; "
            "run `asamblea ledger outbox deliver` from cron for the retries."
        )
    queue = WakeUpQueue.connect(
        settings.redis_url, settings.ledger_outbox.queue, socket_timeout=IDLE_SECONDS + 10
    )

    def on_pass(report) -> None:
        if report.delivered:
            click.echo(f"Delivered {report.delivered} transfers.")
        if report.error is not None:
            click.echo(_not_delivered(report), err=True)

    try:
        passes = work(db.engine, destination, queue, burst=burst, on_pass=on_pass)
    finally:
        queue.close()
    click.echo(f"The queue is empty after {passes} passes.")


@outbox_group.command("status")
def outbox_status_command() -> None:
    """How far delivery went: delivered up to which seq, how many wait, the last error."""
    from ledger.outbox import outbox_status

    with db.engine.connect() as conn:
        status = outbox_status(conn)
    if _outbox_queue.destination_of(current_app.config["ASAMBLEA"]) is None:
        click.echo("The ledger outbox is not configured (LEDGER_OUTBOX_URL).")
    click.echo(
        f"Delivered up to seq {status.delivered_up_to} of {status.last_seq}; "
        f"{status.pending} pending."
    )
    if status.last_error is not None:
        click.echo(
            f"Last error, on seq {status.delivered_up_to + 1} after {status.attempts} "
            f"attempts: {status.last_error}"
        )
    if status.next_attempt_at is not None:
        click.echo(f"Next attempt at {_when(status.next_attempt_at)}.")


def _when(moment) -> str:
    return "once the running delivery ends" if moment is None else f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def _not_delivered(report) -> str:
    return (
        f"Transfer seq {report.failed_seq} was not delivered: {report.error}. "
        f"Next attempt at {_when(report.next_attempt_at)}."
    )
