"""Benchmark: the ledger's posting path and its chain check, against pgbench.

Run by ``make bench`` (``python -m tests.bench.bench_ledger``); prints one JSON
line per figure: ``seconds``, a rate, ``peak_mb`` (the peak resident memory of
the process(es) that did the work: each figure runs in fresh processes) and,
where the issue sets one, the ``goal`` and whether it was ``met``.

On a throw-away SQLite file and, with ``BENCH_DATABASE_URL``, on a PostgreSQL
database created for the run and dropped after it:

- ``batch``: linked batches of 1,000 transfers, one per transaction (goal
  >= 20,000 transfers/s);
- ``single``: one transfer per transaction through ``ledger.services.post``
  (no HTTP), one client; on PostgreSQL compared with pgbench's simple-update
  (``-N``) single-client rate measured just before, in the same run, against a
  scratch database of its own (goal >= 40 %);
- ``clients``: 4 processes posting one transfer per transaction at once
  (PostgreSQL only; goal >= 0.25 x pgbench ``-N -c 4``), then every invariant
  checked;
- ``verify_chain`` and ``verify_balances``: the checks of ``asamblea ledger
  verify`` over ``BENCH_LEDGER_VERIFY`` transfers (goal for the chain: <= 10 s
  on PostgreSQL, <= 7 s on SQLite), timed separately.

Sizes for a quick look: ``BENCH_LEDGER_ACCOUNTS`` (1000), ``BENCH_LEDGER_BATCHES``
(30), ``BENCH_LEDGER_SINGLES`` (3000), ``BENCH_LEDGER_CLIENT_TRANSFERS`` (1500
per client), ``BENCH_LEDGER_VERIFY`` (1000000), ``BENCH_PGBENCH_SECONDS`` (10).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import re
import resource
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any

import flask_migrate
import sqlalchemy as sa

from governance.extensions import db
from ledger import accounts, queries, services
from ledger.models import Account
from ledger.specs import TransferSpec
from tests.fixtures.app import make_app
from tests.fixtures.database import create_postgres_database, drop_postgres_database

ACCOUNTS = int(os.environ.get("BENCH_LEDGER_ACCOUNTS", "1000"))
BATCHES = int(os.environ.get("BENCH_LEDGER_BATCHES", "30"))
BATCH_SIZE = 1000
SINGLES = int(os.environ.get("BENCH_LEDGER_SINGLES", "3000"))
CLIENTS = 4
CLIENT_TRANSFERS = int(os.environ.get("BENCH_LEDGER_CLIENT_TRANSFERS", "1500"))
VERIFY = int(os.environ.get("BENCH_LEDGER_VERIFY", "1000000"))
PGBENCH_SECONDS = int(os.environ.get("BENCH_PGBENCH_SECONDS", "10"))
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
FUNDS = 10**12
GOALS = {
    ("batch", "postgresql"): 20_000,
    ("batch", "sqlite"): 20_000,
    ("verify_chain", "postgresql"): 10.0,
    ("verify_chain", "sqlite"): 7.0,
}
SPAWN = multiprocessing.get_context("spawn")


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def in_fresh_process(function, *args) -> Any:
    """Run ``function`` in a new process, so that its peak memory is its own."""
    with ProcessPoolExecutor(1, mp_context=SPAWN, max_tasks_per_child=1) as pool:
        return pool.submit(function, *args).result()


def bench_app(url: str, instance: str):
    # A pool, as in the app: NullPool (the tests' choice) would connect per transaction.
    return make_app(url, instance, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 2})


def emit(figure: str, dialect: str, **values: Any) -> None:
    line: dict[str, Any] = {"benchmark": "ledger", "figure": figure, "database": dialect}
    line.update(values)
    goal = GOALS.get((figure, dialect))
    if goal is not None:
        line["goal"] = goal
        measured = line.get("per_s", line.get("seconds"))
        line["met"] = measured >= goal if "per_s" in line else measured <= goal
    print(json.dumps(line), flush=True)


def member_ids() -> list[int]:
    query = sa.select(Account.id).where(~Account.may_go_negative).order_by(Account.id)
    return list(db.session.execute(query).scalars())


def random_specs(rng: random.Random, ids: list[int], prefix: str, count: int) -> list[TransferSpec]:
    specs = []
    for n in range(count):
        debit, credit = rng.sample(ids, 2)
        specs.append(
            TransferSpec(f"{prefix}-{n}", debit, credit, rng.randrange(1, 10_000), "BRL", "barter")
        )
    return specs


# ---------------------------------------------------------------- figures, each in its own process


def setup_and_batches(url: str, instance: str) -> dict[str, Any]:
    """Migrate, open and fund the accounts, then post BATCHES linked batches of 1,000."""
    app = bench_app(url, instance)
    with app.app_context():
        flask_migrate.upgrade()
        accounts.create_currency("BRL", "Real", kind="national", minor_units=2, now=NOW)
        world = accounts.open_account(
            "world:BRL", owner="world", currency="BRL", now=NOW, may_go_negative=True
        )
        ids = [
            accounts.open_account(
                f"member:{n}:BRL", owner=f"member:{n}", currency="BRL", now=NOW
            ).id
            for n in range(ACCOUNTS)
        ]
        deposits = [
            TransferSpec(f"deposit-{n}", world.id, account_id, FUNDS, "BRL", "deposit")
            for n, account_id in enumerate(ids)
        ]
        services.post_batch(deposits, now=NOW)
        db.session.commit()
        rng = random.Random(1)
        batches = [random_specs(rng, ids, f"batch-{b}", BATCH_SIZE) for b in range(BATCHES)]
        start = time.perf_counter()
        for specs in batches:
            services.post_batch(specs, now=NOW)
            db.session.commit()
        seconds = time.perf_counter() - start
        db.engine.dispose()
    count = BATCHES * BATCH_SIZE
    return {
        "transfers": count,
        "seconds": round(seconds, 3),
        "per_s": round(count / seconds),
        "peak_mb": peak_mb(),
    }


def post_singles(url: str, instance: str, client: int, count: int, start_at: float) -> dict:
    """One transfer per transaction; waits until ``start_at`` so clients begin together."""
    app = bench_app(url, instance)
    with app.app_context():
        ids = member_ids()
        rng = random.Random(1000 + client)
        specs = random_specs(rng, ids, f"single-{client}-{start_at}", count)
        services.post(specs[0], now=NOW)  # warm the statement cache
        db.session.commit()
        time.sleep(max(0.0, start_at - time.time()))
        start, wall_start = time.perf_counter(), time.time()
        for spec in specs[1:]:
            services.post(spec, now=NOW)
            db.session.commit()
        seconds = time.perf_counter() - start
        wall_end = time.time()
        db.engine.dispose()
    return {
        "transfers": count - 1,
        "seconds": seconds,
        "start": wall_start,
        "end": wall_end,
        "peak_mb": peak_mb(),
    }


def fill(url: str, instance: str, total: int) -> dict[str, Any]:
    """Post batches until the ledger holds ``total`` transfers."""
    app = bench_app(url, instance)
    with app.app_context():
        ids = member_ids()
        have = queries.chain_head(db.session.connection())[0]
        db.session.rollback()
        rng = random.Random(7)
        start, posted, batch = time.perf_counter(), 0, 0
        while have + posted < total:
            size = min(BATCH_SIZE, total - have - posted)
            services.post_batch(random_specs(rng, ids, f"fill-{batch}", size), now=NOW)
            db.session.commit()
            posted += size
            batch += 1
        seconds = time.perf_counter() - start
        db.engine.dispose()
    return {
        "transfers": posted,
        "seconds": round(seconds, 3),
        "per_s": round(posted / seconds) if posted else None,
        "peak_mb": peak_mb(),
    }


def check(url: str, instance: str, part: str) -> dict[str, Any]:
    """Time one check of ``asamblea ledger verify``: the chain, or the balances."""
    app = bench_app(url, instance)
    with app.app_context():
        start = time.perf_counter()
        report = queries.verify_chain() if part == "chain" else queries.verify_balances()
        seconds = time.perf_counter() - start
        db.session.rollback()
        db.engine.dispose()
    assert report.is_intact, report
    count = report.count if part == "chain" else report.accounts
    return {"checked": count, "seconds": round(seconds, 3), "peak_mb": peak_mb()}


# ---------------------------------------------------------------- pgbench


def pgbench(url: str, clients: int) -> float:
    """pgbench's simple-update (-N) rate with ``clients`` clients on a scratch database."""
    scratch = sa.make_url(create_postgres_database(url, prefix="asamblea_pgbench"))
    args = ["-h", scratch.host or "127.0.0.1", "-p", str(scratch.port or 5432)]
    args += ["-U", scratch.username or "postgres"]
    try:
        subprocess.run(
            ["pgbench", *args, "-i", "-q", scratch.database], check=True, capture_output=True
        )
        result = subprocess.run(
            [
                "pgbench",
                *args,
                "-N",
                "-T",
                str(PGBENCH_SECONDS),
                "-c",
                str(clients),
                "-j",
                str(clients),
                scratch.database,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        drop_postgres_database(scratch.render_as_string(hide_password=False))
    match = re.search(r"tps = ([0-9.]+)", result.stdout)
    assert match, result.stdout
    return float(match.group(1))


# ---------------------------------------------------------------- one database


def run(url: str, instance: str, dialect: str) -> None:
    batch = in_fresh_process(setup_and_batches, url, instance)
    emit("batch", dialect, batch_size=BATCH_SIZE, **batch)

    reference = pgbench(url, 1) if dialect == "postgresql" else None
    single = in_fresh_process(post_singles, url, instance, 0, SINGLES, 0.0)
    per_s = single["transfers"] / single["seconds"]
    extra = {}
    if reference:
        ratio = per_s / reference
        extra = {
            "pgbench_tps": round(reference),
            "ratio": round(ratio, 3),
            "goal_ratio": 0.40,
            "met": ratio >= 0.40,
        }
    emit(
        "single",
        dialect,
        transfers=single["transfers"],
        seconds=round(single["seconds"], 3),
        per_s=round(per_s),
        peak_mb=single["peak_mb"],
        **extra,
    )

    if dialect == "postgresql":
        reference = pgbench(url, CLIENTS)
        start_at = time.time() + 8  # after every client has started and warmed up
        with ProcessPoolExecutor(CLIENTS, mp_context=SPAWN) as pool:
            futures = [
                pool.submit(post_singles, url, instance, client, CLIENT_TRANSFERS, start_at)
                for client in range(1, CLIENTS + 1)
            ]
            results = [future.result() for future in futures]
        seconds = max(r["end"] for r in results) - min(r["start"] for r in results)
        transfers = sum(r["transfers"] for r in results)
        chain = in_fresh_process(check, url, instance, "chain")
        balances = in_fresh_process(check, url, instance, "balances")
        ratio = transfers / seconds / reference
        emit(
            "clients",
            dialect,
            clients=CLIENTS,
            transfers=transfers,
            seconds=round(seconds, 3),
            per_s=round(transfers / seconds),
            peak_mb=max(r["peak_mb"] for r in results),
            pgbench_tps=round(reference),
            ratio=round(ratio, 3),
            goal_ratio=0.25,
            met=ratio >= 0.25,
            invariants_intact=True,
            chain_checked=chain["checked"],
            accounts_checked=balances["checked"],
        )

    filled = in_fresh_process(fill, url, instance, VERIFY)
    emit("fill", dialect, **filled)
    chain = in_fresh_process(check, url, instance, "chain")
    emit(
        "verify_chain",
        dialect,
        transfers=chain["checked"],
        seconds=chain["seconds"],
        peak_mb=chain["peak_mb"],
    )
    balances = in_fresh_process(check, url, instance, "balances")
    emit(
        "verify_balances",
        dialect,
        accounts=balances["checked"],
        seconds=balances["seconds"],
        peak_mb=balances["peak_mb"],
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{folder}/bench.sqlite3", folder, "sqlite")
        base = os.environ.get("BENCH_DATABASE_URL")
        if base:
            url = create_postgres_database(base, prefix="asamblea_bench")
            try:
                run(url, folder, "postgresql")
            finally:
                drop_postgres_database(url)


if __name__ == "__main__":
    main()
