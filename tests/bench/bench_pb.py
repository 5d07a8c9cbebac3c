"""Benchmark: participatory-budget rules on 10,000 and 100,000 approval ballots, against pabutools.

Run by ``make bench`` (or ``python -m tests.bench.bench_pb``); prints one JSON
line. The 10,000-voter instance is ``tests/fixtures/synth_n10000_s2024.pb``; any
other size is drawn by ``tests/fixtures/gen_instance.py`` (seed 2024, the same
generator) into a temporary directory.

Timed separately, once each, in this process: reading the file (ours:
``budgets.pabulib.load_pabulib``; pabutools: ``parse_pabulib``) and the rule call
for ``greedy``, ``mes`` and ``mes-add1-greedy`` (pabutools: the calls of
``pb_helpers.PABUTOOLS_RULES``). Each of our rules counts a fresh copy of the
election, so none profits from what another computed. ``ratio`` is ours /
pabutools, and ``same_set`` says both selected the same projects.

Memory, ours only: ``peak_mb`` is the tracemalloc peak while reading the file
and counting the three rules (a run of its own, after the timed ones);
``maxrss_mb`` is the process's ``ru_maxrss`` after all of ours and before
pabutools is imported (it includes the generator's ballots and numpy).
``maxrss_after_pabutools_mb`` is the same figure at the end.

``BENCH_PB_SIZES`` (default ``10000,100000``) picks the sizes;
``BENCH_PB_SKIP_PABUTOOLS=1`` leaves pabutools out (its MES + add1 alone takes
about 40 s at 100,000 voters).
"""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from budgets.rules import Election, count
from tests.budgets.pb_helpers import PABUTOOLS_RULES, names, read_election
from tests.fixtures.gen_instance import generate, write_pb

FIXTURE = Path(__file__).parents[1] / "fixtures" / "synth_n10000_s2024.pb"
FIXTURE_VOTERS = 10_000
SEED = 2024
SIZES = [int(size) for size in os.environ.get("BENCH_PB_SIZES", "10000,100000").split(",")]
SKIP_PABUTOOLS = os.environ.get("BENCH_PB_SKIP_PABUTOOLS") == "1"
RULES = ("greedy", "mes", "mes-add1-greedy")


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def maxrss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def instance_file(voters: int, directory: str) -> Path:
    """The fixture for 10,000 voters, else a freshly generated file."""
    if voters == FIXTURE_VOTERS:
        return FIXTURE
    path = Path(directory) / f"synth_n{voters}_s{SEED}.pb"
    costs, budget, ballots, district = generate(voters, seed=SEED)
    write_pb(path, costs, budget, ballots, district, SEED)
    return path


def ours(path: Path) -> dict[str, Any]:
    """Our timings, selected sets and tracemalloc peak on one file."""
    seconds, election = timed(lambda: read_election(path))
    result: dict[str, Any] = {
        "voters": election.voters,
        "projects": election.projects,
        "seconds": {"parse": seconds},
        "selected": {},
    }
    for rule in RULES:
        fresh: Election = dataclasses.replace(election)  # without the cached supporters
        seconds, outcome = timed(lambda fresh=fresh, rule=rule: count(rule, fresh))
        result["seconds"][rule] = seconds
        result["selected"][rule] = set(outcome.selected_ids(election))
    del election, fresh
    gc.collect()
    tracemalloc.start()
    election = read_election(path)
    for rule in RULES:
        count(rule, election)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result["peak_mb"] = round(peak / 2**20, 1)
    return result


def pabutools(path: Path) -> dict[str, Any]:
    """pabutools' timings and selected sets on one file."""
    from pabutools.election import parse_pabulib

    seconds, (instance, profile) = timed(lambda: parse_pabulib(str(path)))
    result: dict[str, Any] = {"seconds": {"parse": seconds}, "selected": {}}
    for rule in RULES:
        call = PABUTOOLS_RULES[rule]
        seconds, allocation = timed(lambda call=call: call(instance, profile))
        result["seconds"][rule] = seconds
        result["selected"][rule] = names(allocation)
    return result


def main() -> None:
    runs: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as directory:
        paths = {voters: instance_file(voters, directory) for voters in SIZES}
        for voters in SIZES:
            runs[voters] = {"ours": ours(paths[voters])}
        maxrss_ours = maxrss_mb()
        if not SKIP_PABUTOOLS:
            for voters in SIZES:
                runs[voters]["pabutools"] = pabutools(paths[voters])
    sizes: dict[str, Any] = {}
    for voters, run in runs.items():
        mine, theirs = run["ours"], run.get("pabutools")
        timings: dict[str, Any] = {}
        for step in ("parse", *RULES):
            row: dict[str, Any] = {"ours_s": round(mine["seconds"][step], 4)}
            if theirs is not None:
                row["pabutools_s"] = round(theirs["seconds"][step], 3)
                row["ratio"] = round(mine["seconds"][step] / theirs["seconds"][step], 4)
                if step != "parse":
                    row["same_set"] = mine["selected"][step] == theirs["selected"][step]
            timings[step] = row
        sizes[str(voters)] = {
            "voters": mine["voters"],
            "projects": mine["projects"],
            "peak_mb": mine["peak_mb"],
            **timings,
        }
    print(
        json.dumps(
            {
                "bench": "pb",
                "sizes": sizes,
                "peak_mb_source": "tracemalloc peak while reading the file and counting the rules",
                "maxrss_mb": maxrss_ours,
                "maxrss_after_pabutools_mb": None if SKIP_PABUTOOLS else maxrss_mb(),
            }
        )
    )


if __name__ == "__main__":
    main()
