"""Benchmark refusing hostile imports at the default limits: time and peak memory of each refusal.

    python -m benchmarks.bench_import_limits [--gib 1] [--sheet-gib 2] [--csv-rows 600000]

Scenarios: an XLSX of about 1 MB holding one 1 GiB shared string (sizes declared honestly, and lying),
an XLSX whose sheet is 2 GiB of repeated cells, a CSV over QUOTA_IMPORT_MAX_BYTES, and a CSV within
the byte limit but over QUOTA_IMPORT_MAX_ROWS. Each is refused by `import_places` (the service the CLI,
the browser and the API share) in its own process against a fresh SQLite database, so its peak resident
memory (ru_maxrss / VmHWM) is its own; a second run traces Python allocations (tracemalloc).
The bombs are built by tests/imports/hostile.py, as in the tests.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from .bench_import import NOW, _max_rss_mb, _reset_peak_rss, ready_engine

GIB = 1024**3


def build(folder: Path, *, gib: float, sheet_gib: float, csv_rows: int) -> dict[str, Path]:
    from quota_app.imports.limits import ImportLimits
    from tests.imports.hostile import GOOD, HEADER, bomb

    files: dict[str, Path] = {}

    def write(name: str, make: Callable[[], bytes]) -> None:
        started = time.perf_counter()
        data = make()
        path = folder / name
        path.write_bytes(data)
        files[name] = path
        print(f"  {name}: {len(data) / 2**20:,.1f} MB, built in {time.perf_counter() - started:.1f} s")

    print("Building the files:")
    write("shared-string-bomb.xlsx", lambda: bomb("shared", int(gib * GIB)))
    write("shared-string-bomb-lying.xlsx", lambda: bomb("shared", int(gib * GIB), declared=1000))
    write("sheet-bomb.xlsx", lambda: bomb("sheet", int(sheet_gib * GIB)))
    write("sheet-bomb-lying.xlsx", lambda: bomb("sheet", int(sheet_gib * GIB), declared=100_000))
    row = (GOOD.format(n=0) + "\n").encode()
    limit = ImportLimits().max_bytes
    write("over-bytes.csv", lambda: (HEADER + "\n").encode() + row * (limit // len(row) + 1))
    write(
        "over-rows.csv",
        lambda: (HEADER + "\n" + "".join(GOOD.format(n=n) + "\n" for n in range(csv_rows))).encode(),
    )
    return files


def run_child(url: str, path: Path, *, trace: bool) -> dict:
    """Refuse the file through import_places at the default limits; return the figures."""
    from quota_app.db import QuotaSession
    from quota_app.errors import DomainError
    from quota_app.imports.places import import_places

    engine = ready_engine(url)
    data = path.read_bytes()
    _reset_peak_rss()
    rss_before = _max_rss_mb()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    message = None
    with QuotaSession(engine) as session:
        try:
            result = import_places(session, data=data, filename=path.name, actor="bench", now=NOW)
        except DomainError as exc:
            message = str(exc.message)
        else:
            message = f"NOT REFUSED: {result.rows_read} rows, {len(result.errors)} errors"
        session.rollback()
    seconds = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    engine.dispose()
    return {
        "seconds": round(seconds, 3),
        "peak_rss_mb": round(_max_rss_mb(), 1),
        "rss_before_mb": round(rss_before, 1),
        "tracemalloc_peak_mb": round(traced, 2) if traced is not None else None,
        "message": message,
    }


def _child(url: str, path: Path, trace: bool) -> dict:
    command = [sys.executable, "-m", "benchmarks.bench_import_limits", "--child", url, "--file", str(path)]
    if trace:
        command.append("--tracemalloc")
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"{path.name} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=1.0, help="size of the shared string (GiB)")
    parser.add_argument("--sheet-gib", type=float, default=2.0, help="size of the repeated-cell sheet (GiB)")
    parser.add_argument("--csv-rows", type=int, default=600_000, help="rows of the over-long CSV")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--tracemalloc", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_child(args.child, Path(args.file), trace=args.tracemalloc)))
        return
    with tempfile.TemporaryDirectory(prefix="bench_import_limits_") as tmp:
        folder = Path(tmp)
        files = build(folder, gib=args.gib, sheet_gib=args.sheet_gib, csv_rows=args.csv_rows)
        url = f"sqlite:///{folder / 'bench.db'}"
        print(f"\n{'file':32}{'refused in s':>14}{'peak RSS MB':>13}{'RSS before':>12}{'tracemalloc MB':>16}")
        messages = {}
        for name, path in files.items():
            plain = _child(url, path, trace=False)
            traced = _child(url, path, trace=True)
            messages[name] = plain["message"]
            print(
                f"{name:32}{plain['seconds']:>14}{plain['peak_rss_mb']:>13}{plain['rss_before_mb']:>12}"
                f"{traced['tracemalloc_peak_mb']:>16}"
            )
    print("\nAnswers:")
    for name, message in messages.items():
        print(f"  {name}: {message}")
    print(
        "\nPeak RSS includes the interpreter, the app's modules and the file's own bytes (read before the "
        "import); tracemalloc counts what the refusal itself allocated in Python."
    )


if __name__ == "__main__":
    main()
