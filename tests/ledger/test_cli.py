"""``asamblea ledger verify`` and ``asamblea ledger export FILE``, on an intact
ledger and after a stored transfer or account was altered behind the ledger's
back (the append-only trigger lifted inside the test's transaction, which is
rolled back at the end)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from governance.extensions import db
from ledger import services
from ledger.models import Modality
from ledger.specs import PostPendingSpec, ReversalSpec
from tests.fixtures.factories import NOW
from tests.fixtures.ledger import make_currency, spec

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ledger(network):
    """Seven transfers: a deposit (in the fixture), sales, a donation, a pending
    transfer posted in part, and a reversal."""
    services.post(spec(network.ana, network.bruno, 1_000, transfer_id="sale-1"), now=NOW)
    services.post(
        spec(
            network.ana,
            network.carla,
            300,
            transfer_id="gift-1",
            modality=Modality.DONATION,
            thanks="¡Gracias! | obrigado \\o/",
        ),
        now=NOW,
    )
    services.post_batch(
        [
            spec(network.bruno, network.carla, 400, transfer_id="hold-1", is_pending=True),
            PostPendingSpec("take-1", "hold-1", amount=250),
        ],
        now=NOW,
    )
    services.post_batch([ReversalSpec("undo-1", "gift-1")], now=NOW)
    services.post(spec(network.carla, network.ana, 700, transfer_id="sale-2"), now=NOW)
    db.session.commit()  # as a request would; only releases a savepoint here
    return network


def run(app, *args: str):
    db.session.commit()
    return app.test_cli_runner().invoke(args=["ledger", *args])


def tamper(statement: str, **params) -> None:
    """Run ``statement`` on ledger_transfers with its append-only trigger lifted."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.text("ALTER TABLE ledger_transfers DISABLE TRIGGER ledger_transfers_append_only")
        )
    else:
        db.session.execute(sa.text("DROP TRIGGER IF EXISTS ledger_transfers_no_update"))
    db.session.execute(sa.text(statement), params)


def seq_of(transfer_id: str) -> int:
    query = sa.text("SELECT seq FROM ledger_transfers WHERE id = :id")
    return db.session.execute(query, {"id": transfer_id}).scalar_one()


def test_verify_passes_on_an_intact_ledger(app, ledger):
    result = run(app, "verify")
    assert result.exit_code == 0, result.output
    assert "Ledger chain intact: 7 transfers" in result.output
    assert "Balances match the transfers: 4 accounts" in result.output


def test_verify_passes_on_an_empty_ledger(app, db_session):
    result = run(app, "verify")
    assert result.exit_code == 0, result.output
    assert "0 transfers" in result.output


def test_the_database_refuses_to_change_a_transfer(app, ledger):
    for statement in ("UPDATE ledger_transfers SET amount = 1", "DELETE FROM ledger_transfers"):
        with pytest.raises(sa.exc.DatabaseError) as refused, db.session.begin_nested():
            db.session.execute(sa.text(statement))
        assert "append-only" in str(refused.value)


@pytest.mark.parametrize(
    ("statement", "params", "named"),
    [
        (
            "UPDATE ledger_transfers SET amount = amount + 1 WHERE id = :id",
            {"id": "sale-1"},
            "sale-1",
        ),
        ("UPDATE ledger_transfers SET amount = 299 WHERE id = :id", {"id": "undo-1"}, "undo-1"),
        (
            "UPDATE ledger_transfers SET credit_account_id = :other WHERE id = :id",
            {"id": "sale-2", "other": "bruno"},
            "sale-2",
        ),
        ("UPDATE ledger_transfers SET memo = 'm' WHERE id = :id", {"id": "take-1"}, "take-1"),
        (
            "UPDATE ledger_transfers SET thanks = 'Gracias' WHERE id = :id",
            {"id": "gift-1"},
            "gift-1",
        ),
    ],
    ids=["amount", "reversal amount", "account", "memo", "thanks"],
)
def test_altering_a_transfer_is_named_by_verify(app, ledger, statement, params, named):
    if params.get("other") == "bruno":
        params = {**params, "other": ledger.bruno.id}
    tamper(statement, **params)
    result = run(app, "verify")
    assert result.exit_code == 1
    assert f"Ledger chain broken at transfer {named} (seq {seq_of(named)})" in result.output


def test_swapping_the_order_of_two_transfers_is_named_by_verify(app, ledger):
    first, second = seq_of("sale-1"), seq_of("sale-2")
    tamper("UPDATE ledger_transfers SET seq = -1 WHERE seq = :seq", seq=first)
    tamper(
        "UPDATE ledger_transfers SET seq = :first WHERE seq = :second", first=first, second=second
    )
    tamper("UPDATE ledger_transfers SET seq = :second WHERE seq = -1", second=second)
    result = run(app, "verify")
    assert result.exit_code == 1
    # sale-2 now sits where sale-1 was: the first transfer that does not match.
    assert f"Ledger chain broken at transfer sale-2 (seq {first})" in result.output


def test_a_rewritten_hash_is_caught_at_the_next_transfer(app, ledger):
    tamper("UPDATE ledger_transfers SET hash = :h WHERE id = 'sale-1'", h="f" * 64)
    result = run(app, "verify")
    assert result.exit_code == 1
    assert "Ledger chain broken at transfer sale-1" in result.output


def test_a_cut_tail_is_caught_at_the_chain_head(app, ledger):
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.text("ALTER TABLE ledger_transfers DISABLE TRIGGER ledger_transfers_append_only")
        )
    else:
        db.session.execute(sa.text("DROP TRIGGER ledger_transfers_no_delete"))
    db.session.execute(sa.text("DELETE FROM ledger_transfers WHERE id = 'sale-2'"))
    result = run(app, "verify")
    assert result.exit_code == 1
    assert "Ledger chain broken at the chain head" in result.output


def test_an_altered_balance_is_named_by_verify(app, ledger):
    db.session.execute(
        sa.text("UPDATE ledger_accounts SET posted_credits = posted_credits + 1 WHERE id = :id"),
        {"id": ledger.bruno.id},
    )
    result = run(app, "verify")
    assert result.exit_code == 1
    assert "Ledger chain intact: 7 transfers" in result.output
    assert f"Ledger balances do not match at account {ledger.bruno.code}: posted_credits" in (
        result.output
    )


def test_an_account_moved_to_another_currency_is_named_by_verify(app, ledger):
    make_currency("PEN")
    db.session.execute(
        sa.text("UPDATE ledger_accounts SET currency = 'PEN' WHERE id = :id"),
        {"id": ledger.carla.id},
    )
    result = run(app, "verify")
    assert result.exit_code == 1
    assert "Ledger balances do not match at transfer gift-1: the transfer is in BRL" in (
        result.output
    )


def export_lines(app, tmp_path) -> tuple[Path, list[dict]]:
    path = tmp_path / "ledger.jsonl"
    result = run(app, "export", str(path))
    assert result.exit_code == 0, result.output
    return path, [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def verify_file(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ledger.verify", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_export_writes_json_lines_that_verify_with_no_database(app, ledger, tmp_path):
    path, records = export_lines(app, tmp_path)
    assert [r["type"] for r in records] == ["transfer"] * 7 + ["account"] * 4 + ["currency"]
    assert [r["seq"] for r in records[:7]] == list(range(1, 8))
    assert all(type(r["amount"]) is int for r in records[:7])  # JSON integers
    gift = next(r for r in records if r["id"] == "gift-1")
    assert gift["thanks"] == "¡Gracias! | obrigado \\o/"
    done = verify_file(path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OK: 7 transfers, 4 accounts; last hash ")
    assert records[6]["hash"] in done.stdout


def test_an_export_of_an_altered_ledger_names_its_first_bad_line(app, ledger, tmp_path):
    tamper("UPDATE ledger_transfers SET amount = 999 WHERE id = 'take-1'")
    path, _ = export_lines(app, tmp_path)
    done = verify_file(path)
    assert done.returncode == 1
    assert done.stderr.startswith(f"line {seq_of('take-1')}: transfer take-1 (seq 5)")


def test_an_export_altered_in_the_file_names_its_first_bad_line(app, ledger, tmp_path):
    path, records = export_lines(app, tmp_path)
    records[2]["amount"] += 1
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    done = verify_file(path)
    assert done.returncode == 1
    assert done.stderr.startswith("line 3: ")


def test_the_export_refuses_a_folder(app, ledger, tmp_path):
    result = run(app, "export", str(tmp_path))
    assert result.exit_code != 0
