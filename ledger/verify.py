"""Check a ledger export with no database: ``python -m ledger.verify FILE``.

Reads the JSON lines written by ``asamblea ledger export`` (format in
``ledger/README.md``), recomputes the hash chain and every account's totals,
and prints ``OK`` and the last hash, or the number of the first bad line and
what is wrong with it. Exit status: 0 intact, 1 a bad line, 2 unreadable file.
Imports only the standard library and ``ledger.chain``, so the two files can be
copied and run anywhere.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ledger.chain import FIELDS, ChainChecker

HEX64 = re.compile(r"[0-9a-f]{64}")
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}")
INTEGERS = ("seq", "debit_account_id", "credit_account_id", "amount")
TEXTS = ("id", "kind", "modality", "currency")
OPTIONAL_TEXTS = ("pending_id", "reverses_id", "batch", "reference", "memo", "thanks")
TOTALS = ("posted_debits", "posted_credits", "pending_debits", "pending_credits")


class BadLine(Exception):
    pass


@dataclass(frozen=True)
class Verdict:
    transfers: int
    accounts: int
    last_hash: str
    bad_line: int | None = None
    reason: str | None = None

    @property
    def is_intact(self) -> bool:
        return self.bad_line is None


def _is_int(value: object) -> bool:
    return type(value) is int  # JSON true is not 1


def _transfer_row(record: dict[str, Any]) -> list[Any]:
    for name in INTEGERS:
        if not _is_int(record.get(name)):
            raise BadLine(f"{name} is not an integer")
    if record["amount"] <= 0:
        raise BadLine("amount is not positive")
    for name in TEXTS:
        if type(record.get(name)) is not str:
            raise BadLine(f"{name} is not text")
    for name in OPTIONAL_TEXTS:
        if name not in record or (record[name] is not None and type(record[name]) is not str):
            raise BadLine(f"{name} is neither text nor null")
    if type(record.get("created_at")) is not str or not TIMESTAMP.fullmatch(record["created_at"]):
        raise BadLine("created_at is not YYYY-MM-DDTHH:MM:SS.ffffff")
    for name in ("prev_hash", "hash"):
        if type(record.get(name)) is not str or not HEX64.fullmatch(record[name]):
            raise BadLine(f"{name} is not 64 lowercase hex digits")
    return [record[name] for name in FIELDS] + [record["hash"]]


class _Balances:
    """Account totals as the transfers make them, and the pending transfers still open."""

    def __init__(self) -> None:
        self.totals: dict[int, list[int]] = {}
        self.currency: dict[int, str] = {}
        self.open_pending: dict[str, tuple[int, int, int]] = {}
        self.reversed: set[str] = set()

    def add(self, record: dict[str, Any]) -> None:
        kind, amount = record["kind"], record["amount"]
        debit_id, credit_id = record["debit_account_id"], record["credit_account_id"]
        if debit_id == credit_id:
            raise BadLine("the debit and credit accounts are the same")
        for account_id in (debit_id, credit_id):
            if self.currency.setdefault(account_id, record["currency"]) != record["currency"]:
                raise BadLine(f"account {account_id} was in {self.currency[account_id]} before")
        debit = self.totals.setdefault(debit_id, [0, 0, 0, 0])
        credit = self.totals.setdefault(credit_id, [0, 0, 0, 0])
        if record["reverses_id"] is not None:
            if record["reverses_id"] in self.reversed:
                raise BadLine(f"transfer {record['reverses_id']} is reversed a second time")
            self.reversed.add(record["reverses_id"])
        if kind == "posted":
            debit[0] += amount
            credit[1] += amount
        elif kind == "pending":
            debit[2] += amount
            credit[3] += amount
            self.open_pending[record["id"]] = (debit_id, credit_id, amount)
        else:
            held = self.open_pending.pop(record["pending_id"] or "", None)
            if held is None:
                raise BadLine(f"{record['pending_id']} is not an open pending transfer before it")
            if held[:2] != (debit_id, credit_id) or amount > held[2]:
                raise BadLine(f"it does not match pending transfer {record['pending_id']}")
            debit[2] -= held[2]
            credit[3] -= held[2]
            if kind == "post-pending":
                debit[0] += amount
                credit[1] += amount

    def check_account(self, record: dict[str, Any]) -> None:
        if not _is_int(record.get("id")) or type(record.get("code")) is not str:
            raise BadLine("an account has an integer id and a code")
        for name in (*TOTALS, "credit_limit"):
            if not _is_int(record.get(name)):
                raise BadLine(f"{name} is not an integer")
        code, currency = record["code"], record.get("currency")
        made = self.totals.pop(record["id"], [0, 0, 0, 0])
        for name, want in zip(TOTALS, made, strict=True):
            if record[name] != want:
                raise BadLine(f"account {code}: {name} is {record[name]}, transfers make {want}")
        moved = self.currency.pop(record["id"], currency)
        if currency != moved:
            raise BadLine(f"account {code} is in {currency}, its transfers in {moved}")
        available = record["posted_credits"] - record["posted_debits"] - record["pending_debits"]
        if record.get("may_go_negative") is not True and available < -record["credit_limit"]:
            raise BadLine(f"account {code} is below its credit limit")


def verify_lines(lines: Iterable[str]) -> Verdict:
    """Check an export line by line; the verdict names the first bad line (from 1)."""
    checker, balances = ChainChecker(), _Balances()
    accounts, number, in_transfers = 0, 0, True
    for number, text in enumerate(lines, start=1):
        try:
            try:
                record = json.loads(text)
            except ValueError:
                raise BadLine("not a JSON line") from None
            kind = record.get("type") if isinstance(record, dict) else None
            if kind == "transfer":
                if not in_transfers:
                    raise BadLine("a transfer after the accounts")
                row = _transfer_row(record)
                reason = checker.check(row)
                if reason is not None:
                    raise BadLine(f"transfer {record['id']} (seq {record['seq']}): {reason}")
                balances.add(record)
            elif kind == "account":
                in_transfers = False
                balances.check_account(record)
                accounts += 1
            elif kind == "currency":
                in_transfers = False
            else:
                raise BadLine("neither a transfer, an account nor a currency")
        except BadLine as bad:
            return Verdict(checker.count, accounts, checker.last_hash, number, str(bad))
    if accounts and balances.totals:
        missing = ", ".join(str(account_id) for account_id in sorted(balances.totals))
        reason = f"transfers move accounts with no line of their own: {missing}"
        return Verdict(checker.count, accounts, checker.last_hash, number + 1, reason)
    return Verdict(checker.count, accounts, checker.last_hash)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m ledger.verify EXPORT.jsonl", file=sys.stderr)
        return 2
    try:
        with open(args[0], encoding="utf-8") as lines:
            verdict = verify_lines(lines)
    except (OSError, UnicodeDecodeError) as error:
        print(f"cannot read {args[0]}: {error}", file=sys.stderr)
        return 2
    if not verdict.is_intact:
        print(f"line {verdict.bad_line}: {verdict.reason}", file=sys.stderr)
        return 1
    checked = f"{verdict.accounts} accounts" if verdict.accounts else "no accounts listed"
    print(f"OK: {verdict.transfers} transfers, {checked}; last hash {verdict.last_hash}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
