"""The outbox to an external ledger: each transfer sent once, in chain order, as a
signed JSON POST to a receiver on 127.0.0.1 that fails the first attempts;
retried with backoff (time driven by an injected clock); recorded as delivered;
inline after the commit that posted, or through the Redis queue and its worker.

The tests that deliver commit for real, each in a database of its own.
"""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import flask_migrate
import pytest
import redis
import sqlalchemy as sa
from flask import Flask

from governance import create_app
from governance.config import ConfigError, LedgerOutboxSettings, Settings
from governance.extensions import db
from ledger import outbox, outbox_queue, services
from ledger.export import export
from ledger.models import Modality, Transfer
from ledger.outbox import Backoff, LedgerDelivery, LedgerOutboxState, PassReport, deliver
from ledger.outbox_wire import Destination, Response, http_post, signed_headers, verify_signature
from ledger.queries import find_account
from tests.fixtures.database import create_postgres_database, drop_postgres_database
from tests.fixtures.factories import NOW
from tests.fixtures.ledger import fund, make_account, make_currency, spec
from tests.fixtures.receiver import Receiver, running_receiver

SECRET = "test-outbox-secret-4f1c9a7e2b8d6035c1e9"
REDIS_URL = "redis://127.0.0.1:6379/0"


class Clock:
    """Now, as the tests move it; starts at the real time, so signatures stay fresh."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    @property
    def naive(self) -> datetime:
        return self.now.replace(tzinfo=None)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver(SECRET) as running:
        yield running


def destination(receiver: Receiver) -> Destination:
    return Destination(receiver.url, SECRET, timeout=5)


@contextmanager
def app_on(database_url: str, tmp_path, **settings) -> Iterator[Flask]:
    """An app on the (migrated) database with these settings, in its app context."""
    app = create_app(
        {
            "ASAMBLEA": Settings(
                database_url=database_url,
                testing=True,
                secret_key="test-secret",
                instance_path=str(tmp_path / "instance"),
                **settings,
            ),
            "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": sa.pool.NullPool},
        }
    )
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()
            for queue in app.extensions.get("ledger_outbox_queues", {}).values():
                queue.close()


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory) -> Iterator[str]:
    """A database migrated once for this module; each test gets a copy of it."""
    folder = tmp_path_factory.mktemp("outbox")
    base = os.environ.get("DATABASE_URL", "")
    is_postgres = base.startswith("postgres")
    url = create_postgres_database(base, "asamblea_outbox") if is_postgres else None
    url = url or f"sqlite:///{folder / 'template.sqlite3'}"
    try:
        with app_on(url, folder):
            flask_migrate.upgrade()
        yield url
    finally:
        if is_postgres:
            drop_postgres_database(url)


@pytest.fixture
def database(migrated_template, tmp_path) -> Iterator[str]:
    """A database of this test's own (its commits are real), copied from the template."""
    template = sa.make_url(migrated_template)
    if template.get_backend_name() == "sqlite":
        copy = tmp_path / "outbox.sqlite3"
        shutil.copyfile(template.database, copy)
        yield f"sqlite:///{copy}"
        return
    name = f"asamblea_outbox_{secrets.token_hex(4)}"
    admin = sa.create_engine(
        template.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template.database}"')
    admin.dispose()
    url = template.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        drop_postgres_database(url)


ANA, BRUNO = "member:ana:BRL", "member:bruno:BRL"


def seed(sales: int = 2) -> list[str]:
    """Accounts ``ANA`` and ``BRUNO``, a deposit to Ana and ``sales`` sales, each
    committed; the ids of all the transfers in seq order."""
    make_currency("BRL")
    ana, bruno = make_account(code=ANA), make_account(code=BRUNO)
    fund(ana, 10_000)
    db.session.commit()
    for _ in range(sales):
        services.post(spec(ana, bruno, 100), now=NOW)
        db.session.commit()
    return transfer_ids()


def sale(amount: int = 100, **fields) -> None:
    """Ana pays Bruno (not committed)."""
    ana, bruno = find_account(ANA), find_account(BRUNO)
    assert ana is not None and bruno is not None
    services.post(spec(ana, bruno, amount, **fields), now=NOW)


# The readers below end their transaction: on SQLite an open read would hold off
# the commits of the delivery pass, which runs on connections of its own.


def transfer_ids() -> list[str]:
    ids = list(db.session.scalars(sa.select(Transfer.id).order_by(Transfer.seq)))
    db.session.rollback()
    return ids


def deliveries() -> list[tuple[int, int, int]]:
    query = sa.select(LedgerDelivery.seq, LedgerDelivery.attempts, LedgerDelivery.status)
    rows = [tuple(row) for row in db.session.execute(query.order_by(LedgerDelivery.seq))]
    db.session.rollback()
    return rows


def state() -> dict:
    row = db.session.execute(sa.select(LedgerOutboxState.__table__)).mappings().one()
    db.session.rollback()
    return dict(row)


# ---------------------------------------------------------------- the delivery pass


def test_failed_posts_are_retried_with_backoff_and_each_transfer_delivered_once_in_order(
    database, tmp_path, receiver
):
    receiver.fail_first = 2
    clock = Clock()
    with app_on(database, tmp_path):
        ids = seed(sales=2)
        target = destination(receiver)

        first = deliver(db.engine, target, clock=clock)
        t0 = clock.naive
        assert (first.delivered, first.failed_seq) == (0, 1)
        assert first.error == "HTTP 500: not now"
        assert first.next_attempt_at == t0 + timedelta(seconds=1)

        clock.advance(0.5)  # the backoff holds: nothing is sent
        assert deliver(db.engine, target, clock=clock).next_attempt_at == t0 + timedelta(seconds=1)
        assert len(receiver.attempts) == 1

        clock.advance(0.5)  # the second attempt fails too: the wait doubles
        second = deliver(db.engine, target, clock=clock)
        assert second.next_attempt_at == t0 + timedelta(seconds=3)
        clock.advance(1.9)
        assert deliver(db.engine, target, clock=clock).delivered == 0
        assert len(receiver.attempts) == 2
        assert (state()["attempts"], state()["last_error"]) == (2, "HTTP 500: not now")

        clock.advance(0.1)
        assert deliver(db.engine, target, clock=clock).delivered == 3
        assert receiver.kept_ids == ids
        assert [a.status for a in receiver.attempts] == [500, 500, 200, 200, 200]
        assert all(attempt.is_signed for attempt in receiver.attempts)
        assert deliveries() == [(1, 3, 200), (2, 1, 200), (3, 1, 200)]
        assert state() == {
            "id": 1,
            "next_seq": 4,
            "attempts": 0,
            "next_attempt_at": None,
            "last_error": None,
            "claimed_by": None,
            "claimed_until": None,
        }

        # Delivered is delivered: another pass sends nothing; a new transfer goes alone.
        assert deliver(db.engine, target, clock=clock).delivered == 0
        sale(50)
        db.session.commit()
        assert deliver(db.engine, target, clock=clock).delivered == 1
        assert receiver.kept_ids == transfer_ids()
        assert len(receiver.attempts) == 6 and receiver.duplicates == 0


def test_the_body_is_the_transfers_line_of_the_export(database, tmp_path, receiver):
    with app_on(database, tmp_path):
        seed(sales=0)
        memo = "pan | queso \\ 2kg, ¡gracias!"
        sale(2_500, memo=memo)
        sale(300, modality=Modality.DONATION, thanks="obrigado")
        db.session.commit()
        assert deliver(db.engine, destination(receiver)).delivered == 3

        out = io.StringIO()
        export(out)
        db.session.rollback()
    lines = [line for line in out.getvalue().splitlines() if '"type":"transfer"' in line]
    with receiver._lock:
        bodies = list(receiver.kept.values())
    assert bodies == [line.encode("utf-8") for line in lines]
    first = json.loads(bodies[1])
    assert (first["memo"], first["amount"], first["seq"]) == (memo, 2_500, 2)
    assert isinstance(first["amount"], int) and len(first["hash"]) == 64


def test_a_lost_answer_is_sent_again_and_the_receiver_keeps_it_once(database, tmp_path, receiver):
    receiver.drop_first = 1  # keeps transfer 1, then loses the answer
    clock = Clock()
    with app_on(database, tmp_path):
        ids = seed(sales=1)
        target = destination(receiver)
        lost = deliver(db.engine, target, clock=clock)
        assert (lost.delivered, lost.failed_seq) == (0, 1)
        assert "RemoteDisconnected" in lost.error
        clock.advance(1)
        assert deliver(db.engine, target, clock=clock).delivered == 2
        assert [a.transfer_id for a in receiver.attempts] == [ids[0], ids[0], ids[1]]
        assert receiver.duplicates == 1
        assert receiver.kept_ids == ids
        assert deliveries() == [(1, 2, 200), (2, 1, 200)]


def test_a_receiver_with_another_secret_refuses_and_nothing_is_recorded(
    database, tmp_path, receiver
):
    with app_on(database, tmp_path):
        seed(sales=0)
        report = deliver(db.engine, Destination(receiver.url, "another-secret-" * 3, 5))
        assert (report.delivered, report.error) == (0, "HTTP 401: bad signature")
        assert receiver.kept_ids == [] and deliveries() == []
        assert (state()["next_seq"], state()["attempts"]) == (1, 1)


def test_a_pass_started_during_another_sends_nothing(database, tmp_path, receiver):
    with app_on(database, tmp_path):
        seed(sales=2)
        engine, target = db.engine, destination(receiver)
        during: list[PassReport] = []

        def send(where: Destination, body: bytes, headers) -> Response:
            during.append(deliver(engine, where))  # while the first pass holds the lease
            return http_post(where, body, headers)

        assert deliver(engine, target, send=send).delivered == 3
        assert [report.is_busy for report in during] == [True, True, True]
        assert sum(report.delivered for report in during) == 0
        assert receiver.kept_ids == transfer_ids() and receiver.duplicates == 0


# ---------------------------------------------------------------- after the commit


def test_inline_delivery_follows_the_commit_and_a_failure_never_reaches_it(
    database, tmp_path, receiver, monkeypatch, caplog
):
    configured = LedgerOutboxSettings(url=receiver.url, secret=SECRET, timeout=5)
    with app_on(database, tmp_path, ledger_outbox=configured) as app:
        ids = seed(sales=1)  # each commit delivered what it posted
        assert receiver.kept_ids == ids
        assert deliveries() == [(1, 1, 200), (2, 1, 200)]

        receiver.fail_first = 1
        with caplog.at_level(logging.WARNING, logger="ledger.outbox"):
            sale(transfer_id="sale-late")
            db.session.commit()  # the POST fails: the commit does not
        assert "seq 3 was not delivered (HTTP 500: not now)" in caplog.text
        assert receiver.kept_ids == ids
        assert state()["attempts"] == 1

        # The next commit finds the backoff running; the cron command retries after it.
        sale(transfer_id="sale-later")
        db.session.commit()
        assert len(receiver.attempts) == 3
        later = datetime.now(UTC) + timedelta(seconds=2)
        monkeypatch.setattr(outbox, "utcnow", lambda: later)
        result = app.test_cli_runner().invoke(args=["ledger", "outbox", "deliver"])
        assert result.exit_code == 0, result.output
        assert "Delivered 2 transfers." in result.output
        assert receiver.kept_ids == [*ids, "sale-late", "sale-later"]

        def broken(*args, **kwargs):
            raise RuntimeError("the outbox is broken")

        monkeypatch.setattr(outbox, "deliver", broken)
        with caplog.at_level(logging.ERROR, logger="ledger.outbox"):
            sale(transfer_id="sale-broken")
            db.session.commit()
        assert "could not start a delivery" in caplog.text
        assert "sale-broken" in transfer_ids()


def test_a_rolled_back_posting_starts_no_delivery(database, tmp_path, receiver, monkeypatch):
    configured = LedgerOutboxSettings(url=receiver.url, secret=SECRET, timeout=5)
    with app_on(database, tmp_path, ledger_outbox=configured):
        seed(sales=0)
        passes = []
        monkeypatch.setattr(outbox, "deliver", lambda *args, **kwargs: passes.append(args))
        sale()
        db.session.rollback()
        db.session.commit()
        assert passes == []


def test_not_configured_sends_and_records_nothing(database, tmp_path, receiver):
    no_secret = LedgerOutboxSettings(url=receiver.url, secret=None)
    with app_on(database, tmp_path, ledger_outbox=no_secret) as app:
        seed(sales=2)
        assert receiver.attempts == [] and deliveries() == []
        assert state() == {
            "id": 1,
            "next_seq": 1,
            "attempts": 0,
            "next_attempt_at": None,
            "last_error": None,
            "claimed_by": None,
            "claimed_until": None,
        }

        cli = app.test_cli_runner()
        result = cli.invoke(args=["ledger", "outbox", "deliver"])
        assert result.exit_code == 1 and "not configured" in result.output
        status = cli.invoke(args=["ledger", "outbox", "status"])
        assert "not configured" in status.output
        assert "Delivered up to seq 0 of 3; 3 pending." in status.output


def test_status_names_the_last_error_and_the_next_attempt(database, tmp_path, receiver):
    receiver.fail_first = 1
    configured = LedgerOutboxSettings(url=receiver.url, secret=SECRET, timeout=5)
    with app_on(database, tmp_path) as app:
        seed(sales=1)
    with app_on(database, tmp_path, ledger_outbox=configured) as app:
        cli = app.test_cli_runner()
        failed = cli.invoke(args=["ledger", "outbox", "deliver"])
        assert failed.exit_code == 1
        assert "Transfer seq 1 was not delivered: HTTP 500: not now." in failed.output
        status = cli.invoke(args=["ledger", "outbox", "status"]).output
        assert "Delivered up to seq 0 of 2; 2 pending." in status
        assert "Last error, on seq 1 after 1 attempts: HTTP 500: not now" in status
        assert "Next attempt at " in status
        waiting = cli.invoke(args=["ledger", "outbox", "deliver"])
        assert waiting.exit_code == 0 and "Waiting to retry until" in waiting.output
        no_worker = cli.invoke(args=["ledger", "outbox", "work"])  # no REDIS_URL here
        assert no_worker.exit_code == 1 and "REDIS_URL is not set" in no_worker.output


# ---------------------------------------------------------------- through Redis


@pytest.fixture
def queue_name() -> Iterator[str]:
    name = f"asamblea-test:ledger-outbox:{secrets.token_hex(8)}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(name)
    client.close()


def test_with_redis_the_commit_wakes_the_worker_once_and_it_delivers(
    database, tmp_path, receiver, queue_name
):
    configured = LedgerOutboxSettings(url=receiver.url, secret=SECRET, timeout=5, queue=queue_name)
    with app_on(database, tmp_path, redis_url=REDIS_URL, ledger_outbox=configured) as app:
        ids = seed(sales=2)  # three commits that posted
        queue = outbox_queue.app_queue(app.config["ASAMBLEA"])
        assert len(queue) == 1  # one wake-up stands for all of them
        assert receiver.attempts == [] and deliveries() == []

        result = app.test_cli_runner().invoke(args=["ledger", "outbox", "work", "--burst"])
        assert result.exit_code == 0, result.output
        assert "Delivered 3 transfers." in result.output
        assert receiver.kept_ids == ids
        assert deliveries() == [(1, 1, 200), (2, 1, 200), (3, 1, 200)]
        assert len(queue) == 0


def test_the_worker_retries_on_the_backoff_schedule_without_a_new_wake_up(
    database, tmp_path, receiver, queue_name
):
    receiver.fail_first = 2
    configured = LedgerOutboxSettings(url=receiver.url, secret=SECRET, timeout=5, queue=queue_name)
    with app_on(database, tmp_path, redis_url=REDIS_URL, ledger_outbox=configured):
        # Posted before the worker starts: on SQLite a posting that reads while a
        # pass commits may be refused (SQLite's deadlock guard between writers).
        ids = seed(sales=1)
        engine, target = db.engine, destination(receiver)
        queue = outbox_queue.WakeUpQueue.connect(REDIS_URL, queue_name)
        assert len(queue) == 1
        stop = threading.Event()
        worker = threading.Thread(
            target=outbox_queue.work,
            args=(engine, target, queue),
            kwargs={"idle": 30.0, "stop": stop, "backoff": Backoff(first=0.2, cap=1.0)},
        )
        worker.start()
        try:
            deadline = time.monotonic() + 10
            while len(receiver.kept_ids) < len(ids) and time.monotonic() < deadline:
                time.sleep(0.02)
        finally:
            stop.set()
            queue.wake()  # so that the worker's wait ends now
            worker.join(timeout=10)
            queue.close()
        assert not worker.is_alive()
        assert receiver.kept_ids == ids
        failed, retried, delivered = receiver.attempts[:3]
        assert [failed.status, retried.status, delivered.status] == [500, 500, 200]
        # Each wait (0.2 s, then 0.4 s) was kept, and ended long before the idle 30 s.
        assert 0.2 <= retried.at - failed.at < 5
        assert 0.4 <= delivered.at - retried.at < 5
        assert deliveries() == [(1, 3, 200), (2, 1, 200)]


# ---------------------------------------------------------------- pure parts


@pytest.mark.pure
def test_a_signature_is_checked_against_body_secret_and_time():
    body = b'{"type":"transfer","id":"sale-1"}'
    now = int(time.time())
    headers = signed_headers(SECRET, body, "sale-1", timestamp=now)
    assert verify_signature(SECRET, body, headers)
    assert verify_signature(SECRET, body, {k.lower(): v for k, v in headers.items()})
    assert not verify_signature(SECRET + "x", body, headers)
    assert not verify_signature(SECRET, body.replace(b"1", b"2"), headers)
    assert not verify_signature(SECRET, body, {**headers, "X-Asamblea-Timestamp": str(now + 1)})
    assert not verify_signature(SECRET, body, headers, now=now + 301)  # a replay, later
    assert verify_signature(SECRET, body, headers, now=now + 299)
    signature = headers["X-Asamblea-Signature"]
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    for broken in ({}, {"X-Asamblea-Timestamp": "١٢"}, {"X-Asamblea-Signature": "sha256=00"}):
        assert not verify_signature(SECRET, body, {**headers, **broken} if broken else {})


@pytest.mark.pure
def test_the_signature_is_an_hmac_of_timestamp_dot_body():
    import hashlib
    import hmac

    body = '{"memo":"¡hola!"}'.encode()
    expected = hmac.new(SECRET.encode(), b"1767225600." + body, hashlib.sha256).hexdigest()
    headers = signed_headers(SECRET, body, "t-1", timestamp=1767225600)
    assert headers["X-Asamblea-Signature"] == f"sha256={expected}"
    assert headers["Idempotency-Key"] == "t-1"


@pytest.mark.pure
def test_the_backoff_doubles_up_to_its_cap():
    backoff = Backoff(first=1, cap=900)
    assert [backoff.delay(n).total_seconds() for n in range(1, 6)] == [1, 2, 4, 8, 16]
    assert backoff.delay(10).total_seconds() == 512
    assert backoff.delay(11).total_seconds() == 900
    assert backoff.delay(10_000).total_seconds() == 900


@pytest.mark.pure
def test_the_outbox_settings_are_read_and_checked():
    environ = {
        "LEDGER_OUTBOX_URL": "https://ledger.example.coop/transfers",
        "LEDGER_OUTBOX_SECRET": SECRET,
        "LEDGER_OUTBOX_TIMEOUT": "7",
        "REDIS_URL": "redis://:hunter2hunter2@127.0.0.1:6379/0",
    }
    settings = Settings.from_env(environ)
    assert settings.ledger_outbox == LedgerOutboxSettings(
        url="https://ledger.example.coop/transfers", secret=SECRET, timeout=7
    )
    assert settings.ledger_outbox.is_configured
    assert outbox_queue.destination_of(settings) == Destination(
        "https://ledger.example.coop/transfers", SECRET, 7.0
    )
    described = settings.describe()
    assert SECRET not in repr(described) and "hunter2" not in repr(described)
    assert described["redis_url"] == "redis://:***@127.0.0.1:6379/0"

    assert not Settings.from_env({}).ledger_outbox.is_configured
    assert outbox_queue.destination_of(Settings.from_env({})) is None
    production = {"ASAMBLEA_ENV": "production", "SECRET_KEY": "k" * 40}
    for wrong, named in (
        ({"LEDGER_OUTBOX_URL": "https://x.example/t"}, "LEDGER_OUTBOX_SECRET is not"),
        ({**environ, "LEDGER_OUTBOX_SECRET": "short"}, "at least 32"),
        ({**environ, "LEDGER_OUTBOX_URL": "file:///etc/passwd"}, "http(s) address"),
        ({**environ, "LEDGER_OUTBOX_TIMEOUT": "0"}, "LEDGER_OUTBOX_TIMEOUT"),
        ({**environ, "REDIS_URL": "http://127.0.0.1"}, "REDIS_URL"),
        ({**environ, **production, "LEDGER_OUTBOX_URL": "http://x.example/t"}, "https"),
    ):
        with pytest.raises(ConfigError, match=named.replace("(", r"\(").replace(")", r"\)")):
            Settings.from_env(wrong)
