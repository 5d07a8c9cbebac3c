"""Benchmark: ``asamblea pb import`` and ``pb export`` of a 100,000-voter pabulib file.

Run with ``python -m tests.bench.bench_pb_import``; prints one JSON line per
database and figure (``import``: read, store 100,000 papers, count and commit;
``export``: the file written back), with ``peak_mb`` (the process's resident
peak so far). The file is drawn by ``tests/fixtures/gen_instance.py`` (seed
2024) into a temporary directory. On a throw-away SQLite file and, with
``BENCH_DATABASE_URL``, on a PostgreSQL database created for the run and
dropped after it. ``BENCH_PB_IMPORT_VOTERS`` (default 100000) sets the size;
the goal is 30 s for the import.
"""

from __future__ import annotations

import json
import os
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import flask_migrate
import sqlalchemy as sa

from budgets.models import Process
from budgets.transfer.cli import export_command, import_command
from governance import services
from governance.extensions import db
from governance.models import BodyKind
from tests.fixtures.app import make_app
from tests.fixtures.database import create_postgres_database, drop_postgres_database
from tests.fixtures.gen_instance import generate, write_pb

VOTERS = int(os.environ.get("BENCH_PB_IMPORT_VOTERS", "100000"))
GOAL_SECONDS = 30.0
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run(url: str, dialect: str, path: Path, instance: str) -> None:
    app = make_app(url, instance, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 2})
    with app.app_context(), app.test_request_context():
        flask_migrate.upgrade()
        admin = services.create_member(
            None,
            email="admin@example.org",
            display_name="Admin",
            password=None,
            language="en",
            timezone="UTC",
            now=NOW,
            is_admin=True,
        )
        services.create_body(None, slug="city", name="City", kind=BodyKind.ASSEMBLY, now=NOW)
        db.session.commit()
        runner = app.test_cli_runner()
        start = time.perf_counter()
        result = runner.invoke(
            import_command, [str(path), "--body", "city", "--as", admin.email, "--currency", "PLN"]
        )
        took = time.perf_counter() - start
        assert result.exit_code == 0, result.output
        process_id = db.session.execute(sa.select(sa.func.max(Process.id))).scalar_one()
        emit(dialect, "import", took, voters=VOTERS, goal=GOAL_SECONDS, met=took <= GOAL_SECONDS)
        start = time.perf_counter()
        result = runner.invoke(export_command, [str(process_id)])
        took = time.perf_counter() - start
        assert result.exit_code == 0, result.output
        emit(dialect, "export", took, voters=VOTERS, bytes=len(result.stdout_bytes))
        db.session.remove()
        db.engine.dispose()


def emit(dialect: str, figure: str, seconds: float, **values: object) -> None:
    line = {"benchmark": "pb_import", "figure": figure, "database": dialect}
    line.update(seconds=round(seconds, 2), peak_mb=peak_mb(), **values)
    print(json.dumps(line), flush=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / f"synth_n{VOTERS}.pb"
        costs, budget, ballots, district = generate(VOTERS, seed=2024)
        write_pb(path, costs, budget, ballots, district, 2024)
        del ballots, district
        run(f"sqlite:///{scratch}/bench.sqlite", "sqlite", path, f"{scratch}/instance-sqlite")
        base = os.environ.get("BENCH_DATABASE_URL")
        if base:
            url = create_postgres_database(base, prefix="asamblea_bench_pb")
            try:
                run(url, "postgresql", path, f"{scratch}/instance-pg")
            finally:
                drop_postgres_database(url)


if __name__ == "__main__":
    main()
