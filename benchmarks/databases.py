"""Fresh databases for the benchmarks: a SQLite file in a temporary folder, or a PostgreSQL database that
is dropped afterwards (on the server of QUOTA_BENCH_PG_URL, else QUOTA_TEST_PG_URL, else 127.0.0.1)."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

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
