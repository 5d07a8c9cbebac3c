"""When the outbox runs: after each commit that posted, and on the backoff's schedule.

``ledger.services`` marks the session (``session.info["ledger_posted"]``) when it
writes transfers; after that session commits, the listener below starts the
outbox if it is configured:

- with ``REDIS_URL``, it only wakes the worker (``asamblea ledger outbox work``)
  through a Redis list that holds at most one wake-up: the job has no arguments
  (what to send is in the database), so any number of commits before the worker
  wakes need one pass, not one each;
- without it, it runs a delivery pass inline, on connections of its own (the
  posting's transaction is over), sending at most ``INLINE_LIMIT`` transfers.

Either way a failure is logged and never reaches the request that posted: the
transfer waits in the outbox for the next commit, the worker's timer, or
``asamblea ledger outbox deliver`` run from cron, once its backoff allows.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from governance.extensions import db
from ledger import outbox
from ledger.outbox_wire import Destination, Send
from ledger.specs import utc_naive

POSTED = "ledger_posted"  # the session info key ledger.services sets when it writes
INLINE_LIMIT = 20  # a backlog is left to the cron command, not to one member's request
IDLE_SECONDS = 60.0  # the worker looks even without a wake-up (one lost while Redis was down)
SHORTEST_WAIT = 0.05

logger = logging.getLogger("ledger.outbox")


def destination_of(settings: Any) -> Destination | None:
    """The external ledger named by the app's settings, or None when it is not configured."""
    config = settings.ledger_outbox
    if not (config.url and config.secret):
        return None
    return Destination(config.url, config.secret, float(config.timeout))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(POSTED, False):
        run_after_commit()


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(POSTED, None)


def run_after_commit() -> None:
    """Wake the worker, or deliver inline; log, never raise (the posting is committed)."""
    if not has_app_context():
        return
    try:
        settings = current_app.config["ASAMBLEA"]
        destination = destination_of(settings)
        if destination is None:
            return
        if settings.redis_url:
            app_queue(settings).wake()
            return
        report = outbox.deliver(db.engine, destination, limit=INLINE_LIMIT)
        if report.error is not None:
            logger.warning(
                "ledger outbox: transfer seq %s was not delivered (%s); next attempt at %s",
                report.failed_seq,
                report.error,
                report.next_attempt_at,
            )
    except Exception:
        logger.exception("ledger outbox: could not start a delivery; the transfers stay queued")


class WakeUpQueue:
    """A Redis list holding at most one wake-up call for the outbox worker.

    A push trims the list to one item. The worker takes the item before it runs a
    pass, so a commit during the pass leaves a wake-up for the next one: nothing
    posted waits unsent, and a burst of postings costs one pass.
    """

    WAKE_UP = b"deliver"

    def __init__(self, client: Any, name: str) -> None:
        self.client = client
        self.name = name

    @classmethod
    def connect(cls, url: str, name: str, *, socket_timeout: float = 5.0) -> WakeUpQueue:
        import redis  # only with REDIS_URL

        return cls(
            redis.Redis.from_url(url, socket_timeout=socket_timeout, socket_connect_timeout=5),
            name,
        )

    def wake(self) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.rpush(self.name, self.WAKE_UP)
            pipe.ltrim(self.name, -1, -1)
            pipe.execute()

    def take(self, timeout: float) -> bool:
        """Take a wake-up, waiting up to ``timeout`` seconds (0: do not wait)."""
        if timeout <= 0:
            return self.client.lpop(self.name) is not None
        return self.client.blpop([self.name], timeout=timeout) is not None

    def __len__(self) -> int:
        return int(self.client.llen(self.name))

    def close(self) -> None:
        self.client.close()


_queues_lock = threading.Lock()


def app_queue(settings: Any) -> WakeUpQueue:
    """The app's queue, one client (and its connection pool) per app."""
    key = (settings.redis_url, settings.ledger_outbox.queue)
    with _queues_lock:
        queues = current_app.extensions.setdefault("ledger_outbox_queues", {})
        if key not in queues:
            queues[key] = WakeUpQueue.connect(*key)
        return queues[key]


def work(
    engine: sa.Engine,
    destination: Destination,
    queue: WakeUpQueue,
    *,
    burst: bool = False,
    idle: float = IDLE_SECONDS,
    stop: threading.Event | None = None,
    clock: Callable[[], datetime] | None = None,
    send: Send | None = None,
    backoff: outbox.Backoff = outbox.BACKOFF,
    on_pass: Callable[[outbox.PassReport], None] | None = None,
) -> int:
    """Run delivery passes: one at once (what was posted while no worker ran), then one
    per wake-up, and one whenever a failed transfer's backoff ends or ``idle`` seconds
    pass without a wake-up. ``burst``: return when the queue is empty. Returns the
    number of passes."""
    clock = clock or outbox.utcnow
    passes = 0
    timeout = 0.0
    while stop is None or not stop.is_set():
        if not passes:
            queue.take(0.0)  # a wake-up waiting already is served by the first pass
        elif not queue.take(0.0 if burst else timeout) and burst:
            break
        try:
            report = outbox.deliver(engine, destination, clock=clock, send=send, backoff=backoff)
        except Exception:
            if burst:
                raise
            logger.exception("ledger outbox: the delivery pass failed; trying again later")
            report = outbox.PassReport()
        passes += 1
        if on_pass is not None:
            on_pass(report)
        timeout = idle
        if report.next_attempt_at is not None:
            wait = (report.next_attempt_at - utc_naive(clock())).total_seconds()
            timeout = min(max(wait, SHORTEST_WAIT), idle)
    return passes
