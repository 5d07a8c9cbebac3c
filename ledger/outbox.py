"""The outbox to an external ledger: every transfer, in chain order, sent once as a
signed JSON POST and recorded as delivered.

Posting writes nothing for the outbox (a posting takes one chain head and no
more). The chain's own order is the queue: ``ledger_outbox_state`` holds the
next seq to send and how its attempts went, and a ``ledger_deliveries`` row is
written for each transfer once the external ledger acknowledged it. A delivery
pass (``deliver``), for each transfer from ``next_seq`` on:

1. in a short transaction, locks the state row and takes a lease on it, so two
   passes never send at once and none waits for another's POST;
2. sends the transfer with no transaction open (SQLite's one writer is never
   held across the network);
3. in a short transaction, records the delivery and moves ``next_seq`` on; or,
   if the POST failed, counts the attempt, sets ``next_attempt_at`` (exponential
   backoff) and stops. Order is kept, and nothing recorded delivered is sent again.

Only the lease holder records. A POST slower than its lease may let another pass
send the same transfer again: the ``Idempotency-Key`` header (the transfer's id)
makes that harmless to the receiver. When passes run is ``ledger.outbox_queue``'s
business; what goes on the wire, ``ledger.outbox_wire``'s (specified in
``ledger/README.md``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from governance.extensions import db
from ledger.chain import FIELDS
from ledger.models import SeqType, Transfer
from ledger.outbox_wire import (
    Destination,
    Response,
    Send,
    http_post,
    signed_headers,
    transfer_body,
    transfer_record,
)
from ledger.queries import chain_head
from ledger.specs import utc_naive

if TYPE_CHECKING:  # db.Model is built at run time; mypy reads the declarative base
    from governance.extensions import Base as Model
else:
    Model = db.Model


class LedgerOutboxState(Model):
    """How far delivery went: the next seq to send, and its failed attempts so far."""

    __tablename__ = "ledger_outbox_state"
    __table_args__ = (
        sa.CheckConstraint("id = 1", name="single_row"),
        sa.CheckConstraint("next_seq >= 1", name="next_seq"),
        sa.CheckConstraint("attempts >= 0", name="attempts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=1)
    next_seq: Mapped[int] = mapped_column(sa.BigInteger, default=1)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    # The pass sending now, and until when its lease holds.
    claimed_by: Mapped[str | None] = mapped_column(sa.String(32))
    claimed_until: Mapped[datetime | None]


class LedgerDelivery(Model):
    """A transfer the external ledger acknowledged; written once, never changed."""

    __tablename__ = "ledger_deliveries"
    __table_args__ = (sa.CheckConstraint("attempts >= 1", name="attempts"),)

    # The transfer is immutable and seq is its key: its id is one join away.
    seq: Mapped[int] = mapped_column(
        SeqType, sa.ForeignKey("ledger_transfers.seq"), primary_key=True, autoincrement=False
    )
    attempts: Mapped[int]
    status: Mapped[int]  # the HTTP status of the acknowledgement
    delivered_at: Mapped[datetime]


_transfers = cast(sa.Table, Transfer.__table__)
# As ``ledger.queries.stream_transfers`` reads them: kind and modality as text.
_TRANSFER_COLUMNS = [
    sa.type_coerce(_transfers.c[name], sa.String)
    if name in ("kind", "modality")
    else _transfers.c[name]
    for name in FIELDS
] + [_transfers.c.hash]


# ---------------------------------------------------------------- the delivery pass


@dataclass(frozen=True)
class Backoff:
    """Seconds to wait after the n-th failed attempt: first, 2×first, 4×first, ... up to cap.

    No jitter: one lease-holding sender per database means no herd to spread.
    """

    first: float = 1.0
    cap: float = 900.0

    def delay(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.first * 2 ** min(attempts - 1, 62), self.cap))


BACKOFF = Backoff()


@dataclass(frozen=True)
class PassReport:
    """What one pass did: transfers delivered, and why it stopped if not for want of work."""

    delivered: int = 0
    failed_seq: int | None = None
    error: str | None = None
    # When the transfer at next_seq may be tried again (after a failure, ours or earlier).
    next_attempt_at: datetime | None = None
    is_busy: bool = False  # another pass holds the lease


@dataclass(frozen=True)
class _Claim:
    seq: int | None = None  # the transfer to send, under our lease
    record: dict[str, Any] | None = None
    waiting_until: datetime | None = None
    is_busy: bool = False


def utcnow() -> datetime:
    return datetime.now(UTC)


def deliver(
    engine: sa.Engine,
    destination: Destination,
    *,
    clock: Callable[[], datetime] | None = None,
    send: Send | None = None,
    backoff: Backoff = BACKOFF,
    limit: int | None = None,
) -> PassReport:
    """Send the transfers not yet delivered, in seq order, each in its own POST, until
    none is left, one fails, ``limit`` are sent, or another pass holds the lease.

    Opens its own connections from ``engine`` and commits after each step; call it
    after the commit that posted, never inside a posting's transaction.
    """
    clock = clock or utcnow
    send = send or http_post
    token = secrets.token_hex(16)
    lease = timedelta(seconds=3 * destination.timeout + 30)
    delivered = 0
    while limit is None or delivered < limit:
        with engine.begin() as conn:
            claim = _claim(conn, token, utc_naive(clock()), lease)
        if claim.seq is None or claim.record is None:
            return PassReport(delivered, next_attempt_at=claim.waiting_until, is_busy=claim.is_busy)
        body = transfer_body(claim.record)
        headers = signed_headers(
            destination.secret, body, claim.record["id"], timestamp=int(clock().timestamp())
        )
        try:
            response = send(destination, body, headers)
        except BaseException:
            with engine.begin() as conn:
                _release(conn, token)
            raise
        with engine.begin() as conn:
            kept, retry_at = _record(conn, token, claim.seq, response, utc_naive(clock()), backoff)
        if not response.is_delivered:
            error = response.error or f"HTTP {response.status}"
            return PassReport(delivered, claim.seq, error, retry_at, is_busy=not kept)
        if not kept:
            return PassReport(delivered, is_busy=True)
        delivered += 1
    with engine.begin() as conn:
        _release(conn, token)
    return PassReport(delivered)


_state = cast(sa.Table, LedgerOutboxState.__table__)
_deliveries = cast(sa.Table, LedgerDelivery.__table__)


def _lock_state(conn: sa.Connection) -> Any:
    """The state row, locked until the transaction ends (made if the database lacks it)."""
    if conn.dialect.name == "sqlite":
        # No row locks in SQLite: a write first takes its one write lock, so what we
        # read next is the latest state and nobody else writes it before we commit.
        conn.execute(sa.update(_state).where(_state.c.id == 1).values(id=_state.c.id))
    query = sa.select(_state).where(_state.c.id == 1).with_for_update()
    row = conn.execute(query).mappings().first()
    if row is None:  # the migration writes it; a database made by create_all lacks it
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(_state).values(id=1, next_seq=1, attempts=0)
        conn.execute(insert.on_conflict_do_nothing())
        row = conn.execute(query).mappings().one()
    return row


def _claim(conn: sa.Connection, token: str, now: datetime, lease: timedelta) -> _Claim:
    """Take (or keep) the lease and read the transfer at next_seq; release the lease in
    the same transaction when there is nothing to send, so a posting committed meanwhile
    is seen either by this check or by the pass its own commit starts."""
    state = _lock_state(conn)
    holder, until = state["claimed_by"], state["claimed_until"]
    if holder not in (None, token) and until is not None and until > now:
        return _Claim(is_busy=True)
    waiting = state["next_attempt_at"]
    if waiting is not None and waiting > now:
        _release(conn, token)
        return _Claim(waiting_until=waiting)
    seq = state["next_seq"]
    row = conn.execute(sa.select(*_TRANSFER_COLUMNS).where(_transfers.c.seq == seq)).first()
    if row is None:
        _release(conn, token)
        return _Claim()
    conn.execute(
        sa.update(_state)
        .where(_state.c.id == 1)
        .values(claimed_by=token, claimed_until=now + lease)
    )
    return _Claim(seq, transfer_record(row))


def _record(
    conn: sa.Connection,
    token: str,
    seq: int,
    response: Response,
    now: datetime,
    backoff: Backoff,
) -> tuple[bool, datetime | None]:
    """Write what the POST came to, if our lease still holds: (whether it held, when
    to try again after a failure)."""
    state = _lock_state(conn)
    if state["claimed_by"] != token or state["next_seq"] != seq:
        return False, state["next_attempt_at"]
    attempts = state["attempts"] + 1
    at_one = _state.c.id == 1
    if response.is_delivered:
        conn.execute(
            sa.insert(_deliveries).values(
                seq=seq, attempts=attempts, status=response.status, delivered_at=now
            )
        )
        conn.execute(
            sa.update(_state)
            .where(at_one)
            .values(next_seq=seq + 1, attempts=0, next_attempt_at=None, last_error=None)
        )
        return True, None
    retry_at = now + backoff.delay(attempts)
    error = (response.error or f"HTTP {response.status}")[:1000]
    conn.execute(
        sa.update(_state)
        .where(at_one)
        .values(
            attempts=attempts,
            next_attempt_at=retry_at,
            last_error=error,
            claimed_by=None,
            claimed_until=None,
        )
    )
    return True, retry_at


def _release(conn: sa.Connection, token: str) -> None:
    conn.execute(
        sa.update(_state)
        .where(_state.c.id == 1, _state.c.claimed_by == token)
        .values(claimed_by=None, claimed_until=None)
    )


# ---------------------------------------------------------------- status


@dataclass(frozen=True)
class OutboxStatus:
    delivered_up_to: int  # every transfer up to this seq was acknowledged
    last_seq: int  # the chain head
    attempts: int  # failed attempts on the next one
    next_attempt_at: datetime | None
    last_error: str | None

    @property
    def pending(self) -> int:
        return self.last_seq - self.delivered_up_to


def outbox_status(conn: sa.Connection) -> OutboxStatus:
    """Where delivery stands, read without locking anything."""
    last_seq, _ = chain_head(conn)
    columns = (_state.c.next_seq, _state.c.attempts, _state.c.next_attempt_at, _state.c.last_error)
    row = conn.execute(sa.select(*columns).where(_state.c.id == 1)).first()
    next_seq, attempts, next_attempt_at, last_error = row or (1, 0, None, None)
    return OutboxStatus(next_seq - 1, last_seq, attempts, next_attempt_at, last_error)
