"""``python -m ledger.verify FILE`` on exports written by hand (no database): it
names the first bad line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ledger import chain
from ledger.verify import main, verify_lines

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parents[2]
STAMP = "2026-11-30T12:00:00.000000"


def transfer(seq, transfer_id, kind, debit, credit, amount, *, pending_id=None, reverses_id=None):
    modality = "reversal" if reverses_id else "purchase"
    return {
        "type": "transfer",
        "seq": seq,
        "id": transfer_id,
        "kind": kind,
        "modality": modality,
        "debit_account_id": debit,
        "credit_account_id": credit,
        "amount": amount,
        "currency": "BRL",
        "pending_id": pending_id,
        "reverses_id": reverses_id,
        "batch": None,
        "reference": None,
        "memo": None,
        "thanks": None,
        "created_at": STAMP,
    }


def chained(records):
    prev = chain.GENESIS
    for record in records:
        record["prev_hash"] = prev
        prev = record["hash"] = chain.transfer_hash(*(record[name] for name in chain.FIELDS))
    return records


def account(account_id, totals, *, limit=0, issuance=False):
    return {
        "type": "account",
        "id": account_id,
        "code": f"acct-{account_id}",
        "owner": "member",
        "currency": "BRL",
        "credit_limit": limit,
        "is_network": issuance,
        "may_go_negative": issuance,
        "posted_debits": totals[0],
        "posted_credits": totals[1],
        "pending_debits": totals[2],
        "pending_credits": totals[3],
    }


def export() -> list[dict]:
    """world (1) funds ana (2); ana pays bruno (3), reserves for him, posts part of it,
    reserves again and voids it, and reverses a payment."""
    transfers = chained(
        [
            transfer(1, "dep", "posted", 1, 2, 1000),
            transfer(2, "pay", "posted", 2, 3, 100),
            transfer(3, "hold", "pending", 2, 3, 300),
            transfer(4, "take", "post-pending", 2, 3, 200, pending_id="hold"),
            transfer(5, "hold2", "pending", 2, 3, 50),
            transfer(6, "drop", "void-pending", 2, 3, 50, pending_id="hold2"),
            transfer(7, "undo", "posted", 3, 2, 100, reverses_id="pay"),
        ]
    )
    accounts = [
        account(1, (1000, 0, 0, 0), issuance=True),
        account(2, (300, 1100, 0, 0)),
        account(3, (100, 300, 0, 0)),
    ]
    currency = {
        "type": "currency",
        "code": "BRL",
        "name": "Real",
        "kind": "national",
        "minor_units": 2,
        "backed_by": None,
    }
    return [*transfers, *accounts, currency]


def lines(records) -> list[str]:
    return [json.dumps(record) + "\n" for record in records]


def test_a_good_export_verifies():
    verdict = verify_lines(lines(export()))
    assert verdict.is_intact, verdict.reason
    assert (verdict.transfers, verdict.accounts) == (7, 3)
    assert verdict.last_hash == export()[6]["hash"]


def tampered(change) -> tuple[int | None, str | None]:
    records = export()
    change(records)
    verdict = verify_lines(lines(records))
    return verdict.bad_line, verdict.reason


@pytest.mark.parametrize(
    ("change", "line", "says"),
    [
        (lambda r: r[3].update(amount=201), 4, "hash does not match"),
        (lambda r: r[1].update(credit_account_id=1), 2, "hash does not match"),
        (lambda r: r[4].update(memo="x"), 5, "hash does not match"),
        (lambda r: r[2].update(prev_hash=r[0]["hash"]), 3, "previous hash"),
        (lambda r: r.insert(1, r.pop(2)), 2, "expected seq 2, found 3"),
        (lambda r: r.pop(3), 4, "expected seq 4, found 5"),
        (lambda r: r[1].update(amount=True), 2, "amount is not an integer"),
        (lambda r: r[1].update(amount=100.0), 2, "amount is not an integer"),
        (lambda r: r[1].update(amount="100"), 2, "amount is not an integer"),
        (lambda r: r[1].update(amount=-100), 2, "not positive"),
        (lambda r: r[1].update(created_at="2026-11-30 12:00:00"), 2, "created_at"),
        (lambda r: r[1].update(hash=r[1]["hash"].upper()), 2, "64 lowercase hex"),
        (lambda r: r[1].pop("memo"), 2, "memo"),
        (lambda r: r[8].update(posted_credits=1101), 9, "posted_credits is 1101"),
        (lambda r: r[9].update(pending_debits=1), 10, "pending_debits is 1"),
        (lambda r: r[8].update(currency="PEN"), 9, "its transfers in BRL"),
        (lambda r: r.pop(9), 11, "no line of their own: 3"),
        (lambda r: r.insert(8, r.pop(0)), 1, "expected seq 1, found 2"),
        (lambda r: r.append(r[0]), 12, "a transfer after the accounts"),
        (lambda r: r.insert(0, {"type": "note"}), 1, "neither a transfer"),
        (lambda r: r.insert(0, [1, 2]), 1, "neither a transfer"),
    ],
)
def test_a_tampered_export_names_its_first_bad_line(change, line, says):
    bad_line, reason = tampered(change)
    assert bad_line == line
    assert says in reason


def test_semantic_breaks_with_valid_hashes_are_found():
    """A forger who rehashes the whole chain still cannot settle a pending transfer
    twice, reverse twice, or overdraw: the totals would not add up."""
    records = export()
    records[5].update(pending_id="hold")  # void what was already posted
    chained(records[:7])
    assert verify_lines(lines(records)).bad_line == 6

    records = export()
    records[6].update(reverses_id="dep")  # wrong original is fine for the chain ...
    records.insert(7, dict(records[6], seq=8, id="undo2"))  # ... but not twice
    chained(records[:8])
    assert verify_lines(lines(records)).reason.endswith("reversed a second time")

    records = export()
    records[1].update(amount=5000)  # ana pays more than she has
    chained(records[:7])
    records[8].update(posted_debits=5200)
    records[9].update(posted_credits=5200)
    bad = verify_lines(lines(records))
    assert (bad.bad_line, bad.reason) == (9, "account acct-2 is below its credit limit")


def test_a_line_that_is_not_json_is_named():
    text = lines(export())
    text[2] = '{"type": "transfer", "seq": 3,\n'
    verdict = verify_lines(text)
    assert (verdict.bad_line, verdict.reason) == (3, "not a JSON line")


def test_the_command_exits_0_1_or_2(tmp_path, capsys):
    good = tmp_path / "good.jsonl"
    good.write_text("".join(lines(export())), encoding="utf-8")
    assert main([str(good)]) == 0
    assert capsys.readouterr().out.startswith("OK: 7 transfers, 3 accounts; last hash ")

    records = export()
    records[3]["amount"] = 201
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(lines(records)), encoding="utf-8")
    assert main([str(bad)]) == 1
    assert capsys.readouterr().err.startswith("line 4: transfer take (seq 4): its hash")

    assert main([str(tmp_path / "missing.jsonl")]) == 2
    assert main([]) == 2


def test_an_empty_export_is_an_empty_chain(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    assert main([str(empty)]) == 0


def test_python_dash_m_runs_it(tmp_path):
    records = export()
    records[1]["debit_account_id"] = 1
    path = tmp_path / "export.jsonl"
    path.write_text("".join(lines(records)), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "ledger.verify", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("line 2: transfer pay (seq 2)")
