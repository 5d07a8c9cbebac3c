"""The audit log is an append-only hash chain, and ``asamblea audit verify``
names the first entry that does not match."""

from __future__ import annotations

import itertools
import json

import pytest
import sqlalchemy as sa

from governance import audit, demo
from governance.extensions import db
from governance.models import AuditEntry, ChainHead
from tests.fixtures.helpers import count


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _allow(statement: str) -> None:
    """Lift the append-only trigger for ``statement`` (UPDATE or DELETE) inside
    the test's transaction, which is rolled back at the end of the test."""
    if _dialect() == "postgresql":
        db.session.execute(
            sa.text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only")
        )
    else:
        db.session.execute(sa.text(f"DROP TRIGGER audit_entries_no_{statement.lower()}"))


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


@pytest.fixture
def loaded(db_session, factories) -> int:
    """The demo network; returns the number of audit entries it wrote."""
    demo.load(now=factories.now)
    db.session.commit()  # as the CLI does; only releases a savepoint here
    return count(AuditEntry)


def test_verify_passes_on_the_demo_chain(app, loaded):
    assert loaded > 50
    result = _verify(app)
    assert result.exit_code == 0, result.output
    # The CLI reads the test's own (uncommitted) rows through the swapped session.
    assert f"Audit chain intact: {loaded} entries." in result.output


def test_verify_passes_on_an_empty_log(app, db_session):
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert "0 entries" in result.output


def test_entries_chain_with_gapless_ids(loaded):
    entries = db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
    assert [entry.id for entry in entries] == list(range(1, loaded + 1))
    assert entries[0].prev_hash == audit.GENESIS
    for previous, entry in itertools.pairwise(entries):
        assert entry.prev_hash == previous.hash
    for entry in entries:
        assert entry.hash == audit.entry_hash(entry)
    head = db.session.get(ChainHead, audit.CHAIN)
    assert (head.last_id, head.last_hash) == (loaded, entries[-1].hash)


def test_record_names_actor_object_and_data(factories):
    member = factories.member()
    entry = audit.record(member, "member.tested", member, now=factories.now, data={"b": 2, "a": 1})
    assert entry.actor_id == member.id
    assert (entry.object_type, entry.object_id) == ("members", str(member.id))
    assert entry.data == '{"a":1,"b":2}'
    assert entry.id == count(AuditEntry)


@pytest.mark.parametrize("statement", ["UPDATE", "DELETE"])
def test_database_refuses_to_change_an_entry(loaded, statement):
    sql = {
        "UPDATE": "UPDATE audit_entries SET action = 'forged' WHERE id = 3",
        "DELETE": "DELETE FROM audit_entries WHERE id = 3",
    }[statement]
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(sa.text(sql))
    stored = db.session.execute(sa.select(AuditEntry.action).where(AuditEntry.id == 3)).scalar_one()
    assert stored != "forged"


@pytest.mark.parametrize(
    ("column", "value"),
    [("action", "member.deleted"), ("data", json.dumps({"email": "mallory@example.org"}))],
)
def test_verify_names_an_altered_entry(app, loaded, column, value):
    altered_id = loaded // 2
    _allow("UPDATE")
    db.session.execute(
        sa.text(f"UPDATE audit_entries SET {column} = :value WHERE id = :id"),
        {"value": value, "id": altered_id},
    )
    result = _verify(app)
    assert result.exit_code != 0
    assert f"Audit chain broken at entry {altered_id}:" in result.output
    assert "stored hash does not match" in result.output


def test_verify_detects_the_last_entry_deleted(app, loaded):
    _allow("DELETE")
    db.session.execute(sa.text("DELETE FROM audit_entries WHERE id = :id"), {"id": loaded})
    result = _verify(app)
    assert result.exit_code != 0
    assert f"Audit chain broken at entry {loaded}:" in result.output


def test_verify_detects_a_gap(app, loaded):
    _allow("DELETE")
    db.session.execute(sa.text("DELETE FROM audit_entries WHERE id = 7"))
    result = _verify(app)
    assert result.exit_code != 0
    assert "Audit chain broken at entry 8: expected entry 7, found 8." in result.output


def test_verify_detects_a_recomputed_entry(app, loaded):
    """Rewriting an entry and its own hash still breaks the link to the next one."""
    entry = db.session.get(AuditEntry, 4)
    forged = AuditEntry(
        id=entry.id,
        at=entry.at,
        actor_id=entry.actor_id,
        action="member.forged",
        object_type=entry.object_type,
        object_id=entry.object_id,
        data=entry.data,
        prev_hash=entry.prev_hash,
    )
    _allow("UPDATE")
    db.session.execute(
        sa.text("UPDATE audit_entries SET action = :action, hash = :hash WHERE id = 4"),
        {"action": forged.action, "hash": audit.entry_hash(forged)},
    )
    result = _verify(app)
    assert result.exit_code != 0
    assert "Audit chain broken at entry 5: previous hash does not match." in result.output
