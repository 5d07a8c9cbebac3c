"""Benchmark: a Schulze count of 100,000 complete rankings of 20 options.

Run by ``make bench`` (or ``python -m tests.bench.bench_schulze``); prints one
JSON line. The rankings are shuffled by a seeded ``random.Random`` (weight 1
each, so almost none repeat and grouping does not help). ``seconds`` is the
first untraced ``tally`` (``runs_s`` has three); ``peak_mb`` is the peak of
tracemalloc during one more ``tally`` (the papers themselves, made before,
are not in it), and ``maxrss_mb`` the process's ``ru_maxrss`` (all of it).
"""

from __future__ import annotations

import json
import os
import random
import resource
import time
import tracemalloc

from votes.methods import Contest, Rules, tally

OPTIONS = int(os.environ.get("BENCH_OPTIONS", "20"))
RANKINGS = int(os.environ.get("BENCH_RANKINGS", "100000"))
SEED = 20260101


def main() -> None:
    rng = random.Random(SEED)
    options = tuple(f"Option {number + 1}" for number in range(OPTIONS))
    papers = []
    for _ in range(RANKINGS):
        ranking = list(options)
        rng.shuffle(ranking)
        papers.append((ranking, 1))
    contest = Contest("schulze", options, RANKINGS, Rules())
    runs = []
    result = None
    for _ in range(3):
        start = time.perf_counter()
        result = tally(contest, papers)
        runs.append(time.perf_counter() - start)
    tracemalloc.start()
    again = tally(contest, papers)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result is not None and again["hash"] == result["hash"]
    print(
        json.dumps(
            {
                "bench": "schulze",
                "options": OPTIONS,
                "rankings": RANKINGS,
                "seconds": round(runs[0], 3),
                "runs_s": [round(run, 3) for run in runs],
                "peak_mb": round(peak / 2**20, 1),
                "peak_mb_source": "tracemalloc peak during one tally",
                "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "winners": result["winners"],
            }
        )
    )


if __name__ == "__main__":
    main()
