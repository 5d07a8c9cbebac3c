"""The audit log: an append-only hash chain of every state change.

Each entry's hash is the sha256 hex of its canonical JSON (sorted keys, no
spaces, UTF-8) over ``id, at, actor_id, action, object_type, object_id, data,
prev_hash``; the first entry's ``prev_hash`` is 64 zeros. Writers lock the
chain head row, so ids are gapless and there is exactly one successor per entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from governance.extensions import db
from governance.models import AuditEntry, ChainHead, Member

GENESIS = "0" * 64
CHAIN = "audit"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(entry: AuditEntry) -> str:
    """The sha256 hex of the entry's canonical fields (its own hash excluded)."""
    fields = {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "data": entry.data,
        "prev_hash": entry.prev_hash,
    }
    return hashlib.sha256(canonical_json(fields).encode()).hexdigest()


def _lock_head() -> ChainHead:
    query = sa.select(ChainHead).where(ChainHead.name == CHAIN).with_for_update()
    head = db.session.execute(query).scalar_one_or_none()
    if head is None:
        # The first writer creates the head. A concurrent first writer waits on its
        # key, fails to insert it, and then locks the row the other one committed.
        try:
            with db.session.begin_nested():
                db.session.add(ChainHead(name=CHAIN, last_id=0, last_hash=GENESIS))
        except sa.exc.IntegrityError:
            pass
        head = db.session.execute(query).scalar_one()
    return head


def record(
    actor: Member | None,
    action: str,
    obj: Any = None,
    *,
    now: datetime,
    data: dict[str, Any] | None = None,
    object_type: str | None = None,
    object_id: object = None,
) -> AuditEntry:
    """Append one entry to the audit chain, naming the actor and the object."""
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    head = _lock_head()
    entry = AuditEntry(
        id=head.last_id + 1,
        at=now.replace(tzinfo=None),
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type or "",
        object_id=None if object_id is None else str(object_id),
        data=canonical_json(data or {}),
        prev_hash=head.last_hash,
    )
    entry.hash = entry_hash(entry)
    db.session.add(entry)
    head.last_id = entry.id
    head.last_hash = entry.hash
    db.session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    count: int
    first_bad_id: int | None
    reason: str | None

    @property
    def is_intact(self) -> bool:
        return self.first_bad_id is None


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Recompute every hash in id order; report the first entry that does not match."""
    expected_prev = GENESIS
    expected_id = 1
    count = 0
    # populate_existing: check the stored rows, not copies the session already holds.
    query = (
        sa.select(AuditEntry)
        .order_by(AuditEntry.id)
        .execution_options(yield_per=batch_size, populate_existing=True)
    )
    # yield_per streams through a server-side cursor on PostgreSQL; the ``with``
    # closes it when the walk stops early at a bad entry.
    with db.session.execute(query).scalars() as entries:
        for entry in entries:
            count += 1
            if entry.id != expected_id:
                return ChainReport(
                    count, entry.id, f"expected entry {expected_id}, found {entry.id}"
                )
            if entry.prev_hash != expected_prev:
                return ChainReport(count, entry.id, "previous hash does not match")
            computed = entry_hash(entry)
            if computed != entry.hash:
                return ChainReport(count, entry.id, "stored hash does not match its fields")
            expected_prev = entry.hash
            expected_id += 1
    head = db.session.get(ChainHead, CHAIN, populate_existing=True)
    if head is not None and (head.last_id != expected_id - 1 or head.last_hash != expected_prev):
        return ChainReport(count, head.last_id, "chain head does not match the last entry")
    return ChainReport(count, None, None)
