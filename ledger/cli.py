"""``asamblea ledger verify`` and ``asamblea ledger export FILE``.

Both only read; each runs in one transaction (REPEATABLE READ on PostgreSQL),
so they see one state of the ledger while postings go on.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from governance.extensions import db


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
