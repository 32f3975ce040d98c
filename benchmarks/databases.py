"""Fresh databases for the benchmarks: a SQLite file in a temporary folder, or a PostgreSQL database that
is dropped afterwards (on the server of QUOTA_BENCH_PG_URL, else QUOTA_TEST_PG_URL, else 127.0.0.1)."""

from __future__ import annotations

import argparse
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from quota_app.db import make_engine

PG_ADMIN_URL = os.environ.get(
    "QUOTA_BENCH_PG_URL",
    os.environ.get("QUOTA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
)


@contextmanager
def fresh_postgresql() -> Iterator[str]:
    """Yield the URL of a new, empty PostgreSQL database; drop it afterwards."""
    name = f"quota_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"))
    try:
        yield sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def fresh_database(engine_name: str) -> Iterator[str]:
    """Yield the URL of an empty database of the engine ("sqlite" or "postgresql"), gone afterwards."""
    if engine_name == "postgresql":
        with fresh_postgresql() as url:
            yield url
        return
    if engine_name != "sqlite":
        raise ValueError(f"unknown engine {engine_name}: use sqlite or postgresql")
    with tempfile.TemporaryDirectory(prefix="quota-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


Figures = dict[str, float | int | str]


def engines_parser(description: str) -> argparse.ArgumentParser:
    """The options of a benchmark that measures a synthetic load on SQLite and PostgreSQL."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--places", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-postgresql", action="store_true")
    return parser


def measure_engines(measure: Callable[..., Figures], args: argparse.Namespace) -> dict[str, Figures]:
    """measure(engine, places=, seed=, repeat=) on a fresh database of each engine, by engine label."""
    results: dict[str, Figures] = {}
    for label in ("SQLite", "PostgreSQL")[: 1 if args.skip_postgresql else 2]:
        with fresh_database(label.lower()) as url:
            engine = make_engine(url)
            try:
                results[label] = measure(engine, places=args.places, seed=args.seed, repeat=args.repeat)
            finally:
                engine.dispose()
    return results


def print_table(results: dict[str, Figures], *, width: int) -> None:
    """The figures as a table: a row a figure (its name `width` wide), a column an engine."""
    engines = list(results)
    print(f"{'':{width}}" + "".join(f"{e:>14}" for e in engines))
    for key in next(iter(results.values())):
        cells = []
        for e in engines:
            value = results[e][key]
            cells.append(f"{value:>14.3f}" if isinstance(value, float) else f"{value!s:>14}")
        print(f"{key:{width}}" + "".join(cells))
