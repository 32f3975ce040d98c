"""Time and peak memory of the seven department reports plus the consolidated one (budget: all eight < 3 s).

python -m benchmarks.bench_reports [--places 300 100000] [--engines sqlite,postgresql]

Builds a fresh database per engine (demo data; beyond the demo size, places and events are bulk-inserted
with the demo's history generator and their status intervals derived), then renders every report of
2025-H1 twice: once timed, once under tracemalloc.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

import quota_app.models  # noqa: F401
from quota_app.clock import local_date
from quota_app.db import QuotaSession, make_engine
from quota_app.demo.services import generate_history, load_demo
from quota_app.models import Department, Place, PlaceEvent, PlacementType, Unit
from quota_app.periods import parse_period
from quota_app.reconcile.intervals import refresh_places
from reports import services as report_services
from reports.gather import gather_context

from .databases import fresh_database

NOW = datetime(2025, 9, 30, 10, 0, tzinfo=UTC)
PERIOD = parse_period("2025-H1")
DEMO_PLACES = 300
BUDGET_SECONDS = 3.0
CHUNK = 20_000


def bulk_places(session: Session, count: int, *, seed: int = 7) -> tuple[int, int]:
    """Insert count places with realistic histories, straight into the tables (fast, no services)."""
    rng = random.Random(seed)
    departments = session.exec(select(Department)).all()
    types = session.exec(select(PlacementType)).all()
    units: dict[int, list[int]] = {}
    for unit in session.exec(select(Unit)).all():
        units.setdefault(unit.department_id, []).append(unit.id)
    today = local_date(NOW)
    span = (today - date(today.year - 9, 1, 1)).days  # ten years of history
    place_table, event_table = Place.__table__, PlaceEvent.__table__
    next_id = (session.exec(select(sa.func.max(Place.id))).one() or 0) + 1
    places = events = 0
    while places < count:
        batch, batch_events = [], []
        for _ in range(min(CHUNK, count - places)):
            department = rng.choice(departments)
            kind = rng.choice(types)
            start = today - timedelta(days=rng.randrange(span))
            history = generate_history(rng, start=start, today=today)
            pid = next_id
            next_id += 1
            batch.append(
                {
                    "id": pid,
                    "department_id": department.id,
                    "unit_id": rng.choice(units.get(department.id, [None])),
                    "type_id": kind.id,
                    "reference": f"B-{pid:07d}",
                    "title": f"Syntetisk plads {pid}",
                    "fte": 1.0,
                    "version": 1,
                    "current_status": history[-1][0],
                    "current_since": history[-1][1],
                    "created_at": datetime.combine(start, datetime.min.time(), UTC),
                }
            )
            for status, effective in history:
                lag = rng.choice((0, 1, 2, 5, 14))
                batch_events.append(
                    {
                        "place_id": pid,
                        "status": status,
                        "effective_date": effective,
                        "recorded_at": min(
                            datetime.combine(effective + timedelta(days=lag), datetime.min.time(), UTC)
                            + timedelta(hours=9),
                            NOW,
                        ),
                        "note": "",
                        "source": "bench",
                    }
                )
        session.execute(sa.insert(place_table), batch)
        session.execute(sa.insert(event_table), batch_events)
        refresh_places(session.connection(), [row["id"] for row in batch])
        places += len(batch)
        events += len(batch_events)
    session.flush()
    return places, events


def run(url: str, places: int) -> None:
    engine = make_engine(url)
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    with QuotaSession(engine) as session:
        started = time.perf_counter()
        load_demo(session, seed=2015, places=min(places, DEMO_PLACES), now=NOW)
        extra = bulk_places(session, places - DEMO_PLACES) if places > DEMO_PLACES else (0, 0)
        session.commit()
        total_places = session.exec(select(sa.func.count()).select_from(Place)).one()
        total_events = session.exec(select(sa.func.count()).select_from(PlaceEvent)).one()
        print(
            f"database: {engine.dialect.name}, {total_places:,} places, {total_events:,} events "
            f"(loaded in {time.perf_counter() - started:.1f} s; {extra[0]:,} bulk-inserted)"
        )
    # What autovacuum does soon after a bulk load; without it PostgreSQL's index-only scans visit the heap.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    with QuotaSession(engine) as session:
        started = time.perf_counter()
        context = gather_context(session, period=PERIOD, known_at=NOW)
        reconciled = time.perf_counter() - started
        timings = {}
        for department in context.departments:
            t0 = time.perf_counter()
            report_services.build_department_report(
                session, period=PERIOD, department_code=department.code, known_at=NOW, context=context
            )
            timings[department.code] = time.perf_counter() - t0
        t0 = time.perf_counter()
        consolidated = report_services.build_consolidated_report(
            session, period=PERIOD, known_at=NOW, context=context
        )
        timings["samlet"] = time.perf_counter() - t0
        total = time.perf_counter() - started
        print(
            f"  reconciliations (the period, the previous one and the trend half-years, once): {reconciled * 1000:7.0f} ms"
        )
        for name, seconds in timings.items():
            print(f"  {name:8} {seconds * 1000:7.0f} ms")
        verdict = "within budget" if total < BUDGET_SECONDS else "OVER BUDGET"
        print(
            f"  all eight reports: {total:.2f} s (budget {BUDGET_SECONDS:.0f} s: {verdict}) – "
            f"consolidated {len(consolidated):,} bytes"
        )

        t0 = time.perf_counter()
        for code in [d.code for d in context.departments]:
            report_services.build_department_report(
                session, period=PERIOD, department_code=code, known_at=NOW
            )
        report_services.build_consolidated_report(session, period=PERIOD, known_at=NOW)
        print(
            f"  the same eight built one by one (each reconciling itself): {time.perf_counter() - t0:.2f} s"
        )

        tracemalloc.start()
        report_services.build_all_reports(session, period=PERIOD, known_at=NOW)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"  peak Python memory while building all eight: {peak / 2**20:.1f} MB (process max RSS {maxrss:.0f} MB)"
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, nargs="*", default=[DEMO_PLACES, 100_000])
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    for engine_name in args.engines.split(","):
        if engine_name not in ("sqlite", "postgresql"):
            parser.error(f"unknown engine {engine_name}")
        for places in args.places:
            print(f"\n== {engine_name}, {places:,} places ==")
            with fresh_database(engine_name) as url:
                run(url, places)


if __name__ == "__main__":
    main()
