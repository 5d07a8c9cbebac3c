"""Export the ledger as JSON lines that anyone can check with ``python -m ledger.verify``.

Line n (from 1) is the transfer with seq n, with every hashed field under its
name, ``created_at`` in its hashed form and amounts as JSON integers; then one
line per account (its four totals as stored) and one per currency. The format
is specified in ``ledger/README.md``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TextIO

import sqlalchemy as sa

from ledger.chain import FIELDS, format_timestamp
from ledger.models import Account, Currency
from ledger.queries import TOTALS, chain_head, snapshot, stream_transfers

ACCOUNT_FIELDS = (
    "id",
    "code",
    "owner",
    "currency",
    "credit_limit",
    "is_network",
    "may_go_negative",
)
CURRENCY_FIELDS = ("code", "name", "kind", "minor_units", "backed_by")


@dataclass(frozen=True)
class ExportReport:
    transfers: int
    accounts: int
    last_hash: str


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def export(out: TextIO, conn: sa.Connection | None = None) -> ExportReport:
    """Write the transfers up to the chain head, then the accounts and currencies."""
    conn = conn or snapshot()
    last_seq, last_hash = chain_head(conn)
    created_at = FIELDS.index("created_at")
    transfers = 0
    for row in stream_transfers(conn, up_to_seq=last_seq):
        values = list(row)
        values[created_at] = format_timestamp(values[created_at])
        out.write(_line({"type": "transfer", **dict(zip((*FIELDS, "hash"), values, strict=True))}))
        transfers += 1
    accounts = Account.__table__
    account_columns = [accounts.c[name] for name in (*ACCOUNT_FIELDS, *TOTALS)]
    rows = conn.execute(sa.select(*account_columns).order_by(accounts.c.id)).mappings().all()
    for account in rows:
        out.write(_line({"type": "account", **account}))
    currencies = Currency.__table__
    columns: list[Any] = [
        sa.type_coerce(currencies.c[name], sa.String) if name == "kind" else currencies.c[name]
        for name in CURRENCY_FIELDS
    ]
    for currency in conn.execute(sa.select(*columns).order_by(currencies.c.code)).mappings():
        out.write(_line({"type": "currency", **currency}))
    return ExportReport(transfers, len(rows), last_hash)
