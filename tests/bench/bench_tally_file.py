"""Benchmark: read, check and count a papers file of a million secret papers.

Run by ``make bench`` (or ``python -m tests.bench.bench_tally_file``); prints one
JSON line. A seeded ``random.Random`` makes ``BENCH_PAPERS`` (default
1,000,000) yes/no/abstain papers, each with a salt and its tracker, written by
``write_papers`` to a temporary file. A fresh Python process then times reading
the file from disk, ``read_papers`` (every tracker checked) and ``tally``.

``peak_mb`` is that process's ``resource.getrusage(RUSAGE_SELF).ru_maxrss``:
the whole process's peak resident memory (interpreter included), not
tracemalloc, which would slow the JSON parser down several times.
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
from fractions import Fraction

from votes.methods import Contest, Rules, tracker
from votes.papers import read_papers, write_papers

PAPERS = int(os.environ.get("BENCH_PAPERS", "1000000"))
BALLOT = 4242
SEED = 20260101


def make_file(path: str) -> None:
    """Write the papers file: mostly weight 1, a few weight 2 and 3."""
    rng = random.Random(SEED)
    contest = Contest.yes_no_abstain(PAPERS + PAPERS // 10, Rules(Fraction(1, 3), Fraction(1, 2)))
    answers = rng.choices(("yes", "no", "abstain"), weights=(48, 42, 10), k=PAPERS)
    weights = rng.choices((1, 2, 3), weights=(95, 4, 1), k=PAPERS)
    papers = []
    for answer, weight in zip(answers, weights, strict=True):
        salt = f"{rng.getrandbits(128):032x}"
        papers.append(
            {
                "tracker": tracker(BALLOT, answer, salt),
                "salt": salt,
                "weight": weight,
                "choice": answer,
            }
        )
    with open(path, "w", encoding="utf-8") as file:
        file.write(write_papers(contest, BALLOT, papers))


def measure(path: str) -> dict[str, object]:
    """Time reading, checking and counting the file (run in a fresh process)."""
    start = time.perf_counter()
    with open(path, "rb") as file:
        data = file.read()
    contest, papers, info = read_papers(data)
    del data
    read_s = time.perf_counter() - start
    from votes.methods import tally

    result = tally(contest, papers)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert info["trackers_checked"] == PAPERS == result["papers"]
    return {
        "seconds": round(seconds, 3),
        "read_and_check_s": round(read_s, 3),
        "tally_s": round(seconds - read_s, 3),
        "peak_mb": round(peak_kb / 1024, 1),
        "peak_mb_source": "getrusage ru_maxrss of the measuring process",
        "trackers_checked": info["trackers_checked"],
        "participation_weight": result["participation_weight"],
        "approved": result["approved"],
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2])))
        return
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "papers.json")
        start = time.perf_counter()
        make_file(path)
        make_s = time.perf_counter() - start
        child = subprocess.run(
            [sys.executable, "-m", "tests.bench.bench_tally_file", "--measure", path],
            check=True,
            capture_output=True,
            text=True,
        )
        figures = json.loads(child.stdout)
        size_mb = os.path.getsize(path) / 2**20
    print(
        json.dumps(
            {
                "bench": "tally_file",
                "papers": PAPERS,
                "method": "yes-no-abstain",
                "file_mb": round(size_mb, 1),
                **figures,
                "make_file_s": round(make_s, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
