"""Concurrent writers append to one unbroken audit chain.

Each writer has its own app context, hence its own session and transaction, and
commits for real in a PostgreSQL database made for the test. The chain head's
row lock (``SELECT ... FOR UPDATE`` on ``chain_heads``) makes the second writer
wait for the first, so ids stay gapless and no entry has two successors.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from governance import audit
from governance.extensions import db
from governance.models import AuditEntry
from tests.fixtures.concurrency import backends_waiting_on_a_lock, wait_for

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
THREADS = 8
ENTRIES_PER_THREAD = 25
TIMEOUT_S = 30


def append(object_id: str) -> AuditEntry:
    return audit.record(None, "test.appended", now=NOW, object_type="test", object_id=object_id)


def start_thread(target: Callable[[], None], errors: list[BaseException]) -> threading.Thread:
    def guarded() -> None:
        try:
            target()
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=guarded, daemon=True)
    thread.start()
    return thread


def chain(app) -> tuple[list[AuditEntry], audit.ChainReport]:
    with app.app_context():
        query = sa.select(AuditEntry).order_by(AuditEntry.id)
        return list(db.session.execute(query).scalars()), audit.verify_chain()


def assert_unbroken(entries: list[AuditEntry], report: audit.ChainReport, count: int) -> None:
    assert report.is_intact, report.reason
    assert report.count == count
    assert [entry.id for entry in entries] == list(range(1, count + 1))
    assert entries[0].prev_hash == audit.GENESIS
    for earlier, later in itertools.pairwise(entries):
        assert later.prev_hash == earlier.hash, f"entry {later.id} does not follow {earlier.id}"


def test_concurrent_writers_append_one_unbroken_chain(own_migrated_app):
    app = own_migrated_app
    start = threading.Barrier(THREADS)

    def writer(thread: int) -> Callable[[], None]:
        def write() -> None:
            with app.app_context():
                start.wait(timeout=TIMEOUT_S)
                for index in range(ENTRIES_PER_THREAD):
                    append(f"{thread}-{index}")
                    db.session.commit()

        return write

    errors: list[BaseException] = []
    threads = [start_thread(writer(thread), errors) for thread in range(THREADS)]
    for thread in threads:
        thread.join(TIMEOUT_S)
    assert not any(thread.is_alive() for thread in threads), "a writer is still waiting"
    assert errors == []

    entries, report = chain(app)
    assert_unbroken(entries, report, THREADS * ENTRIES_PER_THREAD)
    written = {
        f"{thread}-{index}" for thread in range(THREADS) for index in range(ENTRIES_PER_THREAD)
    }
    assert {entry.object_id for entry in entries} == written


@pytest.mark.parametrize("earlier_entries", [0, 3], ids=["empty-chain", "chain-with-entries"])
def test_a_second_writer_waits_for_the_first_and_never_forks_the_chain(
    own_migrated_app, earlier_entries
):
    app = own_migrated_app
    with app.app_context():
        for index in range(earlier_entries):
            append(f"earlier-{index}")
        db.session.commit()

    errors: list[BaseException] = []
    second_done = threading.Event()

    def second_writer() -> None:
        with app.app_context():
            append("second")
            db.session.commit()
        second_done.set()

    with app.app_context():
        first = append("first")  # holds the head's row lock until the commit
        second = start_thread(second_writer, errors)
        assert wait_for(lambda: backends_waiting_on_a_lock() == 1), "the second writer never waited"
        assert not second_done.is_set()
        db.session.commit()
        first_id, first_hash = first.id, first.hash
    second.join(TIMEOUT_S)
    assert not second.is_alive(), "the second writer is still waiting"
    assert errors == []

    entries, report = chain(app)
    assert_unbroken(entries, report, earlier_entries + 2)
    assert first_id == earlier_entries + 1
    assert (entries[-1].object_id, entries[-1].prev_hash) == ("second", first_hash)
