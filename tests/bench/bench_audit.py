"""Benchmark: append to and verify the audit hash chain.

Run by ``make bench``; prints JSON. Uses a throw-away SQLite file, or the
PostgreSQL server in ``BENCH_DATABASE_URL`` (a database is created and dropped).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from datetime import UTC, datetime

import flask_migrate

from governance import audit
from governance.extensions import db
from tests.fixtures.app import make_app
from tests.fixtures.database import create_postgres_database, drop_postgres_database

ENTRIES = int(os.environ.get("BENCH_AUDIT_ENTRIES", "10000"))
BATCH = 500


def run(url: str, instance: str) -> dict[str, float]:
    app = make_app(url, instance)
    with app.app_context():
        flask_migrate.upgrade()
        now = datetime.now(UTC)
        start = time.perf_counter()
        for index in range(ENTRIES):
            audit.record(
                None,
                "bench.append",
                None,
                now=now,
                object_type="bench",
                object_id=index,
                data={"n": index},
            )
            if index % BATCH == BATCH - 1:
                db.session.commit()
        db.session.commit()
        append_s = time.perf_counter() - start
        start = time.perf_counter()
        report = audit.verify_chain()
        verify_s = time.perf_counter() - start
        assert report.is_intact and report.count == ENTRIES
        db.session.remove()
        db.engine.dispose()
    return {
        "entries": ENTRIES,
        "append_s": round(append_s, 3),
        "appends_per_s": round(ENTRIES / append_s),
        "verify_s": round(verify_s, 3),
    }


def main() -> None:
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        results["sqlite"] = run(f"sqlite:///{folder}/bench.sqlite3", folder)
        base = os.environ.get("BENCH_DATABASE_URL")
        if base:
            url = create_postgres_database(base, prefix="asamblea_bench")
            try:
                results["postgresql"] = run(url, folder)
            finally:
                drop_postgres_database(url)
    print(json.dumps({"benchmark": "audit_chain", **results}, indent=2))


if __name__ == "__main__":
    main()
