"""Benchmark: a surplus split of 100,000 voters × 5 destinations, read from CSV and counted.

Run by ``python -m tests.bench.bench_surplus``; prints one JSON line. The
splits are drawn with seed 2024 from a Dirichlet with parameters 5, 4, 3, 2, 1
(so the destinations differ: a flat one gives every destination exactly 1/5),
in whole per cent (each row floored, then the missing points to its largest remainders, so every
row sums to 100), written to a CSV in a temporary directory.

Timed once each, in this process: reading the file
(``budgets.surplus_csv.load_splits``), ``independent_markets`` and ``mean`` on
what was read (the goal for independent markets: at most 1 s and 200 MB), and
as a reference a float numpy bisection of the same phantom-median definition,
evaluated literally (every report against every phantom, each step), with
``max_abs_diff`` the largest difference between its shares and our exact
ones (for information: floats are not what we count with).

Memory: ``peak_mb`` is the tracemalloc peak during ``independent_markets``
alone (a run of its own, after the timed ones); ``read_peak_mb`` the same for
reading the file; ``maxrss_mb`` the process's ``ru_maxrss`` at the end (it
includes numpy and the generated splits).

``BENCH_SURPLUS_VOTERS`` (default ``100000``) changes the size.
"""

from __future__ import annotations

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

import numpy as np

from budgets.rules.surplus import SplitProfile, independent_markets, mean
from budgets.surplus_csv import load_splits

SEED = 2024
VOTERS = int(os.environ.get("BENCH_SURPLUS_VOTERS", "100000"))
DESTINATIONS = ("expansion", "solidarity", "reserves", "education", "returns")
ALPHA = (5.0, 4.0, 3.0, 2.0, 1.0)
#: bisection steps of the float reference: 2**-50 is below a float's resolution of [0, 1]
STEPS = 50


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def peak_mb(function: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return round(peak / 2**20, 2)


def maxrss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def random_splits(voters: int, alpha: tuple[float, ...] = ALPHA, seed: int = SEED) -> np.ndarray:
    """Dirichlet splits in whole per cent, each row summing to 100."""
    rng = np.random.default_rng(seed)
    exact = rng.dirichlet(np.array(alpha), voters) * 100
    whole = np.floor(exact).astype(np.int64)
    missing = 100 - whole.sum(axis=1)
    by_remainder = np.argsort(-(exact - whole), axis=1, kind="stable")
    rank = np.argsort(by_remainder, axis=1)  # each column's place by remainder
    whole += rank < missing[:, None]
    assert (whole.sum(axis=1) == 100).all()
    return whole


def write_csv(path: Path, splits: np.ndarray) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(DESTINATIONS) + "\n")
        np.savetxt(out, splits, fmt="%d", delimiter=",")


def float_bisection(split: SplitProfile) -> np.ndarray:
    """Independent markets in floats: destination ``j`` gets
    ``max_k min(min(1, k·t), v_j^(k))`` (``v_j^(k)`` the ``k``-th largest report:
    the median of the reports and the phantoms ``min(1, k·t)``, ``k = 0..n``),
    with ``t`` bisected until the shares sum to 1. Unweighted profiles only."""
    assert not split.weighted
    reports = -np.sort(-split.reports.T, axis=1) / split.scale  # each row descending
    steps = np.arange(1, reports.shape[1] + 1, dtype=np.float64)

    def shares(t: float) -> np.ndarray:
        phantoms = np.minimum(steps * t, 1.0)
        return np.minimum(reports, phantoms).max(axis=1)

    low, high = 0.0, 1.0
    for _ in range(STEPS):
        middle = (low + high) / 2
        if shares(middle).sum() >= 1:
            high = middle
        else:
            low = middle
    return shares(high)


def main() -> None:
    splits = random_splits(VOTERS)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"splits_n{VOTERS}_s{SEED}.csv"
        write_csv(path, splits)
        size_mb = round(path.stat().st_size / 2**20, 2)
        read_seconds, split = timed(lambda: load_splits(str(path)))
        read_peak = peak_mb(lambda: load_splits(str(path)))
    assert (split.reports == splits).all()
    markets_seconds, shares = timed(lambda: independent_markets(split))
    mean_seconds, _ = timed(lambda: mean(split))
    float_seconds, reference = timed(lambda: float_bisection(split))
    peak = peak_mb(lambda: independent_markets(split))
    difference = float(np.abs(reference - np.array([float(share) for share in shares])).max())
    print(
        json.dumps(
            {
                "bench": "surplus",
                "voters": split.voters,
                "destinations": len(split.destinations),
                "csv_mb": size_mb,
                "read_s": round(read_seconds, 4),
                "read_peak_mb": read_peak,
                "independent_markets_s": round(markets_seconds, 4),
                "peak_mb": peak,
                "mean_s": round(mean_seconds, 4),
                "float_bisection_s": round(float_seconds, 4),
                "max_abs_diff": difference,
                "shares": [f"{share.numerator}/{share.denominator}" for share in shares],
                "goal": {"independent_markets_s": 1.0, "peak_mb": 200},
                "peak_mb_source": "tracemalloc peak during independent_markets alone",
                "maxrss_mb": maxrss_mb(),
            }
        )
    )


if __name__ == "__main__":
    main()
