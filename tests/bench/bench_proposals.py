"""Benchmark: the proposal list and a proposal page with 200 comments.

Run by ``make bench``; prints JSON. Needs PostgreSQL (``BENCH_DATABASE_URL``,
default the Makefile's test server): a database is created, migrated, given the
demo network and 10,000 proposals with 200,000 comments (see
``tests.bench.proposal_data``), and dropped at the end. Then, through the Flask
test client and logged in as a demo member, ``BENCH_REQUESTS`` requests of each
page are timed, and the SQL statements of each request counted.

Sizes can be lowered for a quick look: ``BENCH_PROPOSALS``, ``BENCH_COMMENTS``.
"""

from __future__ import annotations

import json
import math
import os
import random
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime

import flask_migrate
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from governance import demo
from governance.extensions import db
from proposals.models import VISIBLE_STATES
from tests.bench import proposal_data
from tests.fixtures.app import AuthActions, make_app
from tests.fixtures.database import create_postgres_database, drop_postgres_database
from tests.fixtures.queries import count_queries

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PROPOSALS = int(os.environ.get("BENCH_PROPOSALS", "10000"))
COMMENTS = int(os.environ.get("BENCH_COMMENTS", "200000"))
BIG_COMMENTS = 200
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
WARM_UP = 5
MEMBER = "ana@example.org"
SEARCH_WORDS = ["huerta", "panadería", "Valle", "radio", "café", "coser"]


def list_paths(rng: random.Random, data: proposal_data.LoadedData, count: int) -> list[str]:
    """Filtered list pages as members ask for them: one to three filters, and a page."""
    states = sorted(state.value for state in VISIBLE_STATES)
    filters = {
        "body": lambda: rng.choice(data.body_slugs),
        "kind": lambda: rng.choice(["motion", "fund-project"]),
        "state": lambda: rng.choice(states),
        "q": lambda: rng.choice(SEARCH_WORDS),
        "author": lambda: str(rng.choice(data.member_ids)),
    }
    paths = []
    for index in range(count):
        chosen = rng.sample(sorted(filters), rng.randrange(0, 4))
        query = [f"{name}={filters[name]()}" for name in sorted(chosen)]
        if index % 4 == 3:
            query.append(f"page={rng.randrange(2, 4)}")
        paths.append("/proposals/" + ("?" + "&".join(query) if query else ""))
    return paths


def percentile(ordered: list[float], share: int) -> float:
    """The nearest-rank percentile of an ordered list."""
    return ordered[max(0, math.ceil(len(ordered) * share / 100) - 1)]


def measure(
    client: FlaskClient, engine: sa.Engine, paths: list[str], expect: str | None = None
) -> dict:
    """Time each request and count its SQL statements; every answer must be 200.

    No app context is pushed around the requests: each request has its own, and
    with it its own database session, as in the app."""
    for path in paths[:WARM_UP]:
        client.get(path)
    times, cpu_times, counts = [], [], Counter()
    for path in paths:
        with count_queries(engine) as queries:
            start, cpu_start = time.perf_counter(), time.process_time()
            response = client.get(path)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        if response.status_code != 200:
            raise AssertionError(f"{path} answered {response.status_code}")
        if expect is not None and expect not in response.get_data(as_text=True):
            raise AssertionError(f"{path} does not show {expect!r}")
        times.append(elapsed * 1000)
        cpu_times.append(cpu * 1000)
        counts[queries.count] += 1
    times.sort()
    cpu_times.sort()
    return {
        "requests": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "max_ms": round(times[-1], 1),
        "mean_ms": round(statistics.fmean(times), 1),
        # The app's own CPU time (the database server's is not in it): a figure
        # that other work on the machine disturbs less than the wall-clock time.
        "cpu_p50_ms": round(statistics.median(cpu_times), 1),
        "cpu_p95_ms": round(percentile(cpu_times, 95), 1),
        "sql_queries": dict(sorted(counts.items())),
    }


def run(app: Flask) -> dict:
    with app.app_context():
        start = time.perf_counter()
        flask_migrate.upgrade()
        migrate_s = time.perf_counter() - start
        start = time.perf_counter()
        now = datetime.now(UTC)
        demo.load(now=now)
        data = proposal_data.load(
            now=now, proposals=PROPOSALS, comments=COMMENTS, big_comments=BIG_COMMENTS
        )
        db.session.commit()
        load_s = time.perf_counter() - start
        start = time.perf_counter()
        proposal_data.analyze()
        analyze_s = time.perf_counter() - start
        db.session.remove()
        engine = db.engine

    rng = random.Random(7)
    results: dict = {
        "load_average_before": [round(n, 2) for n in os.getloadavg()],
        "proposals": data.proposals,
        "comments": data.comments,
        "supports": data.supports,
        "big_proposal_comments": BIG_COMMENTS,
        "migrate_s": round(migrate_s, 2),
        "load_s": round(load_s, 2),
        "analyze_s": round(analyze_s, 2),
    }
    detail = [f"/proposals/{data.big_proposal_id}"] * REQUESTS
    lists = list_paths(rng, data, REQUESTS)
    for who in ("member", "anonymous"):
        client = app.test_client()
        if who == "member":
            response = AuthActions(client).login(MEMBER, demo.PASSWORD)
            assert response.status_code == 302, "the demo member could not log in"
        results[f"list_{who}"] = measure(client, engine, lists)
        results[f"detail_{who}"] = measure(client, engine, detail, expect=data.big_proposal_title)
    return results


def main() -> None:
    base = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    url = create_postgres_database(base, prefix="asamblea_bench")
    try:
        with tempfile.TemporaryDirectory() as folder:
            app = make_app(url, folder)
            try:
                results = run(app)
            finally:
                with app.app_context():
                    db.session.remove()
                    db.engine.dispose()
    finally:
        drop_postgres_database(url)
    print(json.dumps({"benchmark": "proposals", "postgresql": results}, indent=2))


if __name__ == "__main__":
    main()
