"""Can the app reach its database? One `SELECT 1`, bounded in time, on a connection from the app's own pool."""

from __future__ import annotations

import contextlib
import logging

from ..db import Database

log = logging.getLogger("quota.health")

TIMEOUT_SECONDS = 2


def database_problem(db: Database, *, timeout_seconds: int = TIMEOUT_SECONDS) -> str | None:
    """None when `SELECT 1` answers; otherwise a short reason (the details go to the log, not the caller).

    A raw DBAPI connection: no ORM, no transaction begin hooks, so a write lock held elsewhere (SQLite)
    cannot make the check wait. PostgreSQL gets a statement timeout for this transaction only (the
    engine's connect_timeout bounds the connection itself); SQLite is a local file.
    """
    try:
        engine = db.engine  # creating it makes the SQLite folder: a folder that cannot be made lands here
        connection = engine.raw_connection()
    except Exception as exc:  # SQLAlchemy's, the driver's own (raw connections are not wrapped), OSError
        log.warning("health: cannot connect to the database: %s", exc)
        return "unreachable"
    try:
        cursor = connection.cursor()
        if engine.dialect.name == "postgresql":
            cursor.execute(f"SET LOCAL statement_timeout = {int(timeout_seconds * 1000)}")
        cursor.execute("SELECT 1")
        row = cursor.fetchone()
        ok = row is not None and row[0] == 1
        cursor.close()
        return None if ok else "unexpected answer"
    except Exception as exc:  # any driver error: the database does not answer as it should
        log.warning("health: SELECT 1 failed: %s", exc)
        return "not answering"
    finally:
        with contextlib.suppress(Exception):  # a broken connection: the pool discards it
            connection.rollback()
        connection.close()
