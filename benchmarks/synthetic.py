"""Deterministic synthetic data at scale: places across the departments and types with years of history.

Each place's history is a chain of the demo's valid histories (quota_app.demo.services.generate_history):
when a chain segment ends in a closure, the place lives on with probability `keep_alive` (the closure is
dropped and a new segment starts that day), which gives ten-year histories of realistic shape. Mistakes
are included: back-dated corrections (a fill registered as a pause and corrected days later, or the
reverse) and voided events (a closure registered by mistake and voided).

Rows are written with bulk inserts in chunks (Core executemany on SQLite, COPY on PostgreSQL), the
places' status intervals with them (derived from the events as quota_app.reconcile.intervals derives them).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import SQLModel

import quota_app.models  # noqa: F401  (registers every table)
from quota_app.db import DayNumber, QuotaSession, make_engine
from quota_app.demo.services import generate_history
from quota_app.models import Place, PlaceEvent, PlaceInterval, SupersededInterval, Target
from quota_app.reconcile.intervals import EventFacts, interval_rows
from quota_app.reference import ensure_default_rules, ensure_departments, ensure_placement_types

TODAY = date(2025, 9, 30)
NOW = datetime(2025, 9, 30, 12, 0, tzinfo=UTC)
CHUNK = 20_000


@dataclass
class LoadResult:
    places: int = 0
    events: int = 0
    seconds: float = 0.0


def place_history(
    rng: random.Random, *, start: date, today: date, keep_alive: float
) -> list[tuple[str, date]]:
    """Return a valid status history from start to today, chaining demo histories past closures."""
    history = generate_history(rng, start=start, today=today)
    while history[-1][0] == "closed" and rng.random() < keep_alive:
        closed_on = history[-1][1]
        before = history[-2][0] if len(history) > 1 else None
        # open -> open or filled -> filled is no transition: draw again until the segment starts otherwise.
        for _ in range(10):
            segment = generate_history(rng, start=closed_on, today=today)
            if segment[0][0] != before:
                break
        else:
            break
        history = history[:-1] + segment
    return history


def _recorded(rng: random.Random, effective: date) -> datetime:
    lag = rng.choice((0, 0, 1, 1, 2, 3, 5, 8, 14, 30))
    moment = datetime(effective.year, effective.month, effective.day, 7 + rng.randrange(9), tzinfo=UTC)
    return min(moment + timedelta(days=lag, minutes=rng.randrange(60)), NOW)


def generate(
    *,
    seed: int,
    places: int,
    department_ids: list[int],
    type_ids: list[int],
    years: int = 10,
    keep_alive: float = 0.85,
    today: date = TODAY,
) -> Iterator[tuple[dict, list[dict]]]:
    """Yield (place row, event rows) for places 1..places, the same for the same arguments."""
    if not 3 <= years <= 10:
        raise ValueError("years must be from 3 to 10")
    rng = random.Random(seed)
    span = years * 365
    event_id = 0
    for place_id in range(1, places + 1):
        start = today - timedelta(days=rng.randrange(span))
        history = place_history(rng, start=start, today=today, keep_alive=keep_alive)
        fte = rng.choice((0.5, 0.75, 1.0, 1.0, 1.0))
        events: list[dict] = []
        previous = None
        for status, effective in history:
            event_id += 1
            recorded = _recorded(rng, effective)
            events.append(_event(event_id, place_id, status, effective, recorded))
            if previous == "open" and status in ("filled", "paused") and rng.random() < 0.06:
                event_id += 1
                fixed = min(recorded + timedelta(days=rng.randint(1, 20)), NOW)
                corrected = "paused" if status == "filled" else "filled"
                events.append(
                    _event(
                        event_id,
                        place_id,
                        corrected,
                        effective,
                        fixed,
                        corrects=event_id - 1,
                        note="Rettelse",
                    )
                )
                status = corrected
            previous = status
        last_status, last_day = history[-1]
        if last_status != "closed" and last_day < today and rng.random() < 0.03:
            # A closure registered by mistake, voided a few days later.
            event_id += 1
            day = last_day + timedelta(days=rng.randint(1, (today - last_day).days))
            recorded = _recorded(rng, day)
            voided = min(recorded + timedelta(days=rng.randint(1, 10)), NOW)
            events.append(_event(event_id, place_id, "closed", day, recorded, voided=voided))
        current = max(
            (e for e in events if e["voided_at"] is None), key=lambda e: (e["effective_date"], e["id"])
        )
        place = {
            "id": place_id,
            "department_id": department_ids[place_id % len(department_ids)],
            "type_id": type_ids[rng.randrange(len(type_ids))],
            "unit_id": None,
            "reference": f"S-{place_id:07d}",
            "title": "Syntetisk plads",
            "fte": fte,
            "version": 1,
            "current_status": current["status"],
            "current_since": current["effective_date"],
            "created_at": events[0]["recorded_at"],
        }
        yield place, events


def _event(
    event_id: int,
    place_id: int,
    status: str,
    effective: date,
    recorded: datetime,
    *,
    corrects: int | None = None,
    note: str = "",
    voided: datetime | None = None,
) -> dict:
    return {
        "id": event_id,
        "place_id": place_id,
        "status": status,
        "effective_date": effective,
        "recorded_at": recorded,
        "note": note,
        "corrects_event_id": corrects,
        "source": "synthetic",
        "voided_at": voided,
        "void_reason": "Registreret ved en fejl" if voided else None,
    }


def prepare(engine: sa.Engine) -> tuple[list[int], list[int]]:
    """Create the schema, reference data and targets; return department and type ids."""
    SQLModel.metadata.create_all(engine)
    with QuotaSession(engine) as session:
        departments = ensure_departments(session)
        types = ensure_placement_types(session)
        for year in range(TODAY.year - 10, TODAY.year + 1):
            ensure_default_rules(session, year)
            for department in departments.values():
                for placement_type in types.values():
                    session.add(
                        Target(
                            year=year,
                            department_id=department.id,
                            type_id=placement_type.id,
                            value=1500,
                            updated_at=NOW,
                        )
                    )
        session.commit()
        return [d.id for d in departments.values()], [t.id for t in types.values()]


def load(engine: sa.Engine, *, seed: int, places: int, years: int = 10) -> LoadResult:
    """Write the synthetic places and events into an empty database with bulk inserts."""
    department_ids, type_ids = prepare(engine)
    began = time.perf_counter()
    result = LoadResult()
    rows = generate(seed=seed, places=places, department_ids=department_ids, type_ids=type_ids, years=years)
    with engine.begin() as conn:
        _write(conn, rows, result)
    # What autovacuum does soon after a bulk load; without it PostgreSQL's index-only scans visit the heap.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    result.seconds = time.perf_counter() - began
    return result


def intervals_of(place: dict, events: list[dict]) -> tuple[list[dict], list[dict]]:
    """Return the place's rows of place_interval and place_interval_superseded."""
    facts = [EventFacts(*(e[c] for c in EventFacts._fields)) for e in events]
    return interval_rows(place, facts)


TABLES = (Place.__table__, PlaceEvent.__table__, PlaceInterval.__table__, SupersededInterval.__table__)


def _write(conn: sa.Connection, rows: Iterator[tuple[dict, list[dict]]], result: LoadResult) -> None:
    """Write places, events and intervals a chunk at a time (COPY on PostgreSQL, executemany on SQLite)."""
    pending: dict[sa.Table, list[dict]] = {table: [] for table in TABLES}

    def flush() -> None:
        for table, table_rows in pending.items():  # places first: the others refer to them
            if table_rows:
                if conn.dialect.name == "postgresql":
                    _copy(conn, table, table_rows)
                else:
                    conn.execute(sa.insert(table), table_rows)
                table_rows.clear()

    for place, events in rows:
        current, superseded = intervals_of(place, events)
        for table, new in zip(TABLES, ([place], events, current, superseded), strict=True):
            pending[table].extend(new)
        result.places += 1
        result.events += len(events)
        if len(pending[PlaceEvent.__table__]) >= CHUNK:
            flush()
    flush()
    if conn.dialect.name == "postgresql":
        for table in ("place", "place_event"):
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )


def _copy(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    columns = list(rows[0])
    # COPY bypasses the column types: the interval tables' days go in as day numbers (DayNumber).
    days = {c for c in columns if isinstance(table.c[c].type, DayNumber)}
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None, "an open connection"
    cursor = dbapi.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(row[c].toordinal() if c in days and row[c] else row[c] for c in columns))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="database URL, e.g. sqlite:///instance/synthetic.db")
    parser.add_argument("--places", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    engine = make_engine(args.url)
    result = load(engine, seed=args.seed, places=args.places, years=args.years)
    print(f"{result.places} places, {result.events} events in {result.seconds:.1f} s")
    engine.dispose()


if __name__ == "__main__":
    main()
