"""Many writers at once through the API, served by gunicorn with two workers (issue 11: p95 < 150 ms).

For each engine (a SQLite file, a fresh PostgreSQL database): `quota db upgrade`, W HR users each with
an API token and an open place of their own, then `gunicorn -w 2` and W writers started together, each
recording C status changes on its place (POST /api/v1/places/<id>/events, one after another). Prints
the answers by status code, p50/p95/max latency per status change, throughput, and whether the events
saved equal the 2xx answers.

    python -m benchmarks.bench_write [--writers 20] [--changes 10] [--engines sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import math
import shutil
import statistics
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .databases import fresh_database
from .writers import Writer, api_change, cpu_seconds, gunicorn, prepare, saved_events

BUDGET_P95_MS = 150.0


def run(url: str, workdir: Path, *, writers: int, changes: int) -> dict:
    people = prepare(url, writers)
    with gunicorn(url, workdir / "instance") as base:
        start = threading.Barrier(writers)

        def write(writer: Writer) -> list[tuple[int, float]]:
            start.wait()
            return [
                (answer.status, answer.seconds)
                for answer in (api_change(base, writer, step) for step in range(1, changes + 1))
            ]

        began, cpu = time.perf_counter(), cpu_seconds(base.pid)
        with ThreadPoolExecutor(max_workers=writers) as pool:
            answers = [a for result in pool.map(write, people) for a in result]
        elapsed, cpu = time.perf_counter() - began, cpu_seconds(base.pid) - cpu
    latencies = sorted(seconds for _status, seconds in answers)
    statuses = Counter(status for status, _seconds in answers)
    return {
        "statuses": dict(sorted(statuses.items())),
        "p50 ms": statistics.median(latencies) * 1000,
        "p95 ms": latencies[max(0, math.ceil(0.95 * len(latencies)) - 1)] * 1000,  # nearest rank
        "max ms": latencies[-1] * 1000,
        "changes/s": len(answers) / elapsed,
        "app cpu ms": cpu / len(answers) * 1000,  # the workers' CPU per change: less sensitive to load
        "2xx": sum(n for status, n in statuses.items() if 200 <= status < 300),
        "saved": saved_events(url),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    results = {}
    for name in args.engines.split(","):
        workdir = Path(tempfile.mkdtemp(prefix="bench-write-"))
        try:
            with fresh_database(name) as url:
                results[name] = run(url, workdir, writers=args.writers, changes=args.changes)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        print(f"[{name}] {results[name]}", flush=True)
    print(
        f"\nStatus changes through the API, gunicorn -w 2, {args.writers} writers x {args.changes} changes "
        f"(budget p95 < {BUDGET_P95_MS:.0f} ms)"
    )
    print(
        f"{'engine':<11} {'answers':<28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'changes/s':>10} "
        f"{'app cpu ms':>10}  saved  budget"
    )
    for name, f in results.items():
        answers = ", ".join(f"{status}: {count}" for status, count in f["statuses"].items())
        saved = "= 2xx" if f["saved"] == f["2xx"] else f"{f['saved']} != {f['2xx']} 2xx"
        verdict = "ok" if f["p95 ms"] < BUDGET_P95_MS and set(f["statuses"]) == {201} else "OVER"
        print(
            f"{name:<11} {answers:<28} {f['p50 ms']:>8.1f} {f['p95 ms']:>8.1f} {f['max ms']:>8.1f} "
            f"{f['changes/s']:>10.1f} {f['app cpu ms']:>10.1f}  {saved}  {verdict}"
        )


if __name__ == "__main__":
    main()
