"""Benchmark: count a ballot of a million votes through ``votes.services.count``.

Run by ``make bench`` (or ``python -m tests.bench.bench_ballot_count``); prints one
JSON line per database and mode. Uses a throw-away SQLite file, and the
PostgreSQL server in ``BENCH_DATABASE_URL`` when it is set (a database is created
and dropped). ``BENCH_BALLOT_VOTES`` (default 1,000,000) sets the size, e.g. 10000
for a quick check; ``BENCH_BALLOT_MODES`` (default ``secret,nominal``) the modes.

The ballot (yes/no/abstain, quorum 1/3, threshold 1/2 of the votes) is set up
through the services, then opened by hand and loaded in bulk, bypassing the
services: a seeded ``random.Random`` draws the answers (48 % yes, 42 % no, 10 %
abstain) and the weights (95 % 1, 4 % 2, 1 % 3); SQLite gets ``executemany`` in
batches and PostgreSQL ``COPY``, then ``ANALYZE``.

* ``secret``: the papers only, with random trackers and salts (the count never
  reads them; ``bench_tally_file`` checks real trackers). No participation or
  elector rows: the frozen ``electorate_weight`` is set directly, 10 % above the
  papers' weight.
* ``nominal``: the whole chain the foreign keys ask for, one member, seat and
  elector per vote (so this mode loads four million rows).

Then ``count(ballot)`` runs twice: timed (``seconds``, and ``seconds_again`` with
the database's caches warm) and under ``tracemalloc`` (``peak_mb``: the peak of
the Python allocations made during the count, not the process's resident size
and not the database server's memory). The count is a ``GROUP BY`` in SQL, so
the app never holds the rows. Targets: 3 s and 300 MB.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import date, timedelta

import flask_migrate
import sqlalchemy as sa

from governance.extensions import db
from tests.fixtures.app import make_app
from tests.fixtures.ballots import make_ballot, make_voting_body
from tests.fixtures.database import create_postgres_database, drop_postgres_database
from tests.fixtures.factories import NOW
from votes import services
from votes.models import Ballot, BallotState

VOTES = int(os.environ.get("BENCH_BALLOT_VOTES", "1000000"))
MODES = [m for m in os.environ.get("BENCH_BALLOT_MODES", "secret,nominal").split(",") if m]
BATCH = 50_000
SEED = 20261123
TARGET_SECONDS = 3.0
TARGET_MB = 300.0
AT = NOW.replace(tzinfo=None)


def draws() -> Iterator[tuple[int, str, int]]:
    """(index, choice as stored, weight) for each vote."""
    rng = random.Random(SEED)
    answers = ('"yes"', '"no"', '"abstain"')
    for index in range(VOTES):
        yield index, rng.choices(answers, (48, 42, 10))[0], rng.choices((1, 2, 3), (95, 4, 1))[0]


def batches(rows: Iterator[tuple]) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def bulk_insert(connection, table: str, columns: tuple[str, ...], rows: Iterator[tuple]) -> None:
    """COPY on PostgreSQL, executemany in batches on SQLite; one transaction."""
    raw = connection.connection.driver_connection
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    cursor = raw.cursor()
    for batch in batches(rows):
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)
    cursor.close()


def load_secret(connection, ballot_id: int) -> int:
    rng = random.Random(SEED + 1)
    total = 0

    def rows() -> Iterator[tuple]:
        nonlocal total
        for _index, choice, weight in draws():
            total += weight
            yield (
                f"{rng.getrandbits(256):064x}",
                ballot_id,
                f"{rng.getrandbits(128):032x}",
                weight,
                choice,
            )

    columns = ("tracker", "ballot_id", "salt", "weight", "choice")
    bulk_insert(connection, "secret_papers", columns, rows())
    return total


def next_id(connection, table: str) -> int:
    return connection.execute(sa.text(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")).scalar_one()


def load_nominal(connection, ballot_id: int, body_id: int) -> int:
    """Members, seats, electors and votes, with ids given here (contiguous)."""
    first_member, first_seat = next_id(connection, "members"), next_id(connection, "seats")
    first_vote = next_id(connection, "nominal_votes")
    weights = [weight for _i, _c, weight in draws()]
    bulk_insert(
        connection,
        "members",
        (
            "id",
            "email",
            "display_name",
            "language",
            "timezone",
            "is_admin",
            "is_active_member",
            "ballot_mail",
            "session_version",
            "created_at",
        ),
        (
            (
                first_member + i,
                f"bench{i}@example.org",
                f"Bench {i}",
                "es",
                "UTC",
                False,
                True,
                "none",
                0,
                AT,
            )
            for i in range(VOTES)
        ),
    )
    bulk_insert(
        connection,
        "seats",
        ("id", "body_id", "member_id", "role", "weight", "starts_on", "created_at"),
        (
            (first_seat + i, body_id, first_member + i, "member", weights[i], date(2026, 1, 1), AT)
            for i in range(VOTES)
        ),
    )
    bulk_insert(
        connection,
        "ballot_electors",
        ("ballot_id", "seat_id", "member_id", "weight"),
        ((ballot_id, first_seat + i, first_member + i, weights[i]) for i in range(VOTES)),
    )
    bulk_insert(
        connection,
        "nominal_votes",
        ("id", "ballot_id", "seat_id", "choice", "salt", "weight", "cast_by_id", "cast_at"),
        (
            (
                first_vote + i,
                ballot_id,
                first_seat + i,
                choice,
                f"{i:032x}",
                weight,
                first_member + i,
                AT,
            )
            for i, choice, weight in draws()
        ),
    )
    if connection.dialect.name == "postgresql":
        for table in ("members", "seats", "nominal_votes"):
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            connection.execute(sa.text(f"SELECT setval({sequence}, MAX(id)) FROM {table}"))
    return sum(weights)


def set_up_ballot(mode: str) -> tuple[int, int]:
    """A ballot set up through the services (in a body of one voter), committed."""
    voting = make_voting_body((1,), max_proxies=0)
    ballot = make_ballot(
        voting.chair,
        voting.body,
        mode=mode,
        opens_at=NOW + timedelta(days=1),
        closes_at=NOW + timedelta(days=8),
        quorum=(1, 3),
        threshold=(1, 2),
    )
    ids = ballot.id, voting.body.id
    db.session.commit()
    db.session.close()  # no read transaction may hold SQLite's lock during the load
    return ids


def run(url: str, instance: str, mode: str) -> dict[str, object]:
    app = make_app(url, instance)
    with app.app_context():
        flask_migrate.upgrade()
        ballot_id, body_id = set_up_ballot(mode)
        start = time.perf_counter()
        with db.engine.begin() as connection:
            if mode == "secret":
                weight = load_secret(connection, ballot_id)
                electorate = weight + weight // 10
            else:
                weight = load_nominal(connection, ballot_id, body_id)
                electorate = weight
            connection.execute(
                sa.update(Ballot)
                .where(Ballot.id == ballot_id)
                .values(state=BallotState.OPEN, opened_at=AT, electorate_weight=electorate)
            )
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("ANALYZE"))
        load_s = time.perf_counter() - start

        ballot = db.session.get(Ballot, ballot_id)
        start = time.perf_counter()
        result = services.count(ballot)
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        again = services.count(ballot)
        seconds_again = time.perf_counter() - start
        tracemalloc.start()
        traced = services.count(ballot)
        _size, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert result == again == traced
        assert (result["papers"], result["participation_weight"]) == (VOTES, weight)
        db.session.remove()
        db.engine.dispose()
    fresh = count_in_a_fresh_process(url, instance, ballot_id)
    assert fresh["hash"] == result["hash"]
    peak_mb = peak / 2**20
    return {
        "mode": mode,
        "rows": VOTES,
        "seconds": round(seconds, 3),
        "seconds_again": round(seconds_again, 3),
        "peak_mb": round(peak_mb, 2),
        "peak_mb_source": "tracemalloc peak of the Python allocations during count()",
        "process_peak_mb": fresh["maxrss_mb"],
        "process_peak_mb_source": "ru_maxrss of a fresh process that only builds the app and counts"
        " (the database driver's memory included)",
        "process_seconds": fresh["seconds"],
        "meets_target": max(seconds, fresh["seconds"]) <= TARGET_SECONDS
        and max(peak_mb, fresh["maxrss_mb"]) <= TARGET_MB,
        "load_s": round(load_s, 1),
        "participation_weight": weight,
        "electorate_weight": electorate,
        "counts": result["counts"],
        "approved": result["approved"],
    }


def count_in_a_fresh_process(url: str, instance: str, ballot_id: int) -> dict:
    """Count once in a new Python process and report its peak resident memory."""
    output = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.bench_ballot_count",
            "--count",
            url,
            instance,
            str(ballot_id),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def count_only(url: str, instance: str, ballot_id: int) -> None:
    app = make_app(url, instance)
    with app.app_context():
        ballot = db.session.get(Ballot, ballot_id)
        start = time.perf_counter()
        result = services.count(ballot)
        seconds = time.perf_counter() - start
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {"seconds": round(seconds, 3), "maxrss_mb": round(maxrss_mb, 1), "hash": result["hash"]}
        )
    )


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--count":
        count_only(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    with tempfile.TemporaryDirectory() as folder:
        for mode in MODES:
            path = f"{folder}/bench-{mode}.sqlite3"
            figures = run(f"sqlite:///{path}", folder, mode)
            print(json.dumps({"benchmark": "ballot_count", "database": "sqlite", **figures}))
            os.remove(path)
        base = os.environ.get("BENCH_DATABASE_URL")
        if base:
            for mode in MODES:
                url = create_postgres_database(base, prefix="asamblea_bench")
                try:
                    figures = run(url, folder, mode)
                finally:
                    drop_postgres_database(url)
                print(
                    json.dumps({"benchmark": "ballot_count", "database": "postgresql", **figures})
                )


if __name__ == "__main__":
    main()
