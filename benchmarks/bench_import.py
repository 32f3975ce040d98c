"""Benchmark `import_places`: N event rows into a fresh SQLite file and a fresh PostgreSQL database.

    python -m benchmarks.bench_import [--rows 100000] [--seed 2015] [--tracemalloc]

Each import runs in its own process so its peak resident memory (ru_maxrss) is its own. docs/quality.md §1:
100,000 event rows under 20 s, memory under 300 MB.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from .databases import fresh_postgresql

if TYPE_CHECKING:
    from sqlalchemy import Engine

NOW = datetime(2025, 9, 30, 10, 0, tzinfo=UTC)
TODAY = date(2025, 9, 30)
DEPARTMENTS = ("ØKF", "KFF", "BUF", "SUF", "SOF", "TMF", "BIF")
TYPES = ("Virksomhedspraktik", "Nytteindsats", "Fleksjob", "Seniorjob", "Jobrotation", "Løntilskud")
STATUS_DA = {"open": "åben", "filled": "besat", "paused": "i bero", "closed": "nedlagt"}
HEADER = "reference;forvaltning;ordning;status;dato;enhed;titel;årsværk;bemærkning"


def generate_csv(
    path: Path, *, rows: int, seed: int, departments: tuple[str, ...] = DEPARTMENTS
) -> tuple[int, int]:
    """Write a deterministic place import of exactly `rows` event rows; return (rows, places)."""
    from quota_app.demo.services import generate_history

    rng = random.Random(seed)
    written = places = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER + "\r\n")
        while written < rows:
            places += 1
            department = rng.choice(departments)
            type_name = rng.choice(TYPES)
            start = TODAY - timedelta(days=rng.randrange(3 * 365, 10 * 365))
            history = generate_history(rng, start=start, today=TODAY)[: rows - written]
            unit = f"Enhed {rng.randrange(1, 20)}"
            fte = "1" if type_name != "Fleksjob" else rng.choice(("0,5", "0,6", "0,8", "1"))
            for index, (status, day) in enumerate(history):
                title = f"{type_name} {places}" if index == 0 else ""
                handle.write(
                    f"{department}-{places:06d};{department};{type_name};{STATUS_DA[status]};"
                    f"{day.strftime('%d.%m.%Y')};{unit};{title};{fte};\r\n"
                )
            written += len(history)
    return written, places


def _max_rss_mb() -> float:
    """Peak resident memory of this process (since the last reset, where Linux allows one), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _reset_peak_rss() -> bool:
    """Reset the peak-RSS mark, so start-up costs (e.g. argon2's 64 MB hash at import) do not count."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def ready_engine(url: str) -> Engine:
    """An engine on url with the schema and the reference data an import needs (departments, types, rules)."""
    from sqlmodel import SQLModel

    import quota_app.models  # noqa: F401
    from quota_app.db import QuotaSession, make_engine
    from quota_app.reference import ensure_default_rules, ensure_departments, ensure_placement_types

    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    with QuotaSession(engine) as session:
        ensure_departments(session)
        ensure_placement_types(session)
        ensure_default_rules(session, 2025)
        session.commit()
    return engine


def run_child(url: str, csv_path: Path, *, trace: bool) -> dict:
    """Import the file into the database at url (schema and reference data first); return figures."""
    from quota_app.db import QuotaSession
    from quota_app.imports.places import import_places

    engine = ready_engine(url)
    data = csv_path.read_bytes()
    peak_before = _max_rss_mb()
    reset = _reset_peak_rss()
    rss_before = _max_rss_mb()
    if trace:
        tracemalloc.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    with QuotaSession(engine) as session:
        result = import_places(session, data=data, filename=csv_path.name, actor="bench", now=NOW)
        session.commit()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    if trace:
        tracemalloc.stop()
    rss_after = _max_rss_mb()
    again_started = time.perf_counter()
    with QuotaSession(engine) as session:
        again = import_places(session, data=data, filename=csv_path.name, actor="bench", now=NOW)
        session.rollback()
    again_seconds = time.perf_counter() - again_started
    engine.dispose()
    if not result.ok:
        raise SystemExit(f"import failed: {result.errors[:5]}")
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "rows_read": result.rows_read,
        "places_created": result.places_created,
        "events_created": result.events_created,
        "peak_rss_mb": round(rss_after, 1),
        "rss_before_import_mb": round(rss_before, 1),
        "startup_peak_rss_mb": round(peak_before, 1),
        "peak_reset": reset,
        "tracemalloc_peak_mb": round(traced, 1) if traced is not None else None,
        "reimport_seconds": round(again_seconds, 2),
        "reimport_unchanged": again.unchanged,
    }


def _child(engine_name: str, url: str, csv_path: Path, trace: bool) -> dict:
    command = [sys.executable, "-m", "benchmarks.bench_import", "--child", url, "--file", str(csv_path)]
    if trace:
        command.append("--tracemalloc")
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"{engine_name} run failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--tracemalloc", action="store_true", help="Also trace Python allocations (slower).")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_child(args.child, Path(args.file), trace=args.tracemalloc)))
        return

    with tempfile.TemporaryDirectory(prefix="bench_import_") as tmp:
        csv_path = Path(tmp) / "places.csv"
        started = time.perf_counter()
        rows, places = generate_csv(csv_path, rows=args.rows, seed=args.seed)
        print(
            f"Generated {rows:,} event rows for {places:,} places "
            f"({csv_path.stat().st_size / 2**20:.1f} MB) in {time.perf_counter() - started:.1f} s"
        )
        figures = {
            "SQLite": _child("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", csv_path, args.tracemalloc)
        }
        with fresh_postgresql() as url:
            figures["PostgreSQL"] = _child("PostgreSQL", url, csv_path, args.tracemalloc)

    labels = [
        ("import time (s)", "seconds"),
        ("  of which CPU in this process (s)", "cpu_seconds"),
        ("rows read", "rows_read"),
        ("places created", "places_created"),
        ("events created", "events_created"),
        ("peak RSS during import (MB)", "peak_rss_mb"),
        ("RSS just before the import (MB)", "rss_before_import_mb"),
        ("start-up peak RSS (MB)", "startup_peak_rss_mb"),
        ("peak mark reset before import", "peak_reset"),
        ("tracemalloc peak (MB)", "tracemalloc_peak_mb"),
        ("re-import, all unchanged (s)", "reimport_seconds"),
        ("re-import unchanged rows", "reimport_unchanged"),
    ]
    print(f"\n{'':32}{'SQLite':>14}{'PostgreSQL':>14}")
    for label, key in labels:
        values = [figures[engine].get(key) for engine in ("SQLite", "PostgreSQL")]
        shown = ["-" if v is None else ("yes" if v is True else "no" if v is False else v) for v in values]
        print(f"{label:32}" + "".join(f"{v:>14}" for v in shown))
    print("\nBudget (docs/quality.md): 100,000 event rows under 20 s and under 300 MB.")


if __name__ == "__main__":
    main()
