"""Is this instance ready for work? Its database answers, the schema is at the code's migration head, and
the scheduler has reported in lately (behind /readyz; /healthz asks only the first).

Each check gives None (fine) or a short reason for the operator. Details of a failure go to the log, not
to the answer: /readyz needs no sign-in.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import Session

from ..db import MIGRATIONS_DIR, Database
from ..dispatch.heartbeat import HEARTBEAT_STALE_AFTER, scheduler_status
from .health import TIMEOUT_SECONDS, database_problem

log = logging.getLogger("quota.health")

CHECKS = ("database", "migrations", "scheduler")


@functools.cache
def code_heads() -> tuple[str, ...]:
    """The migration heads of this code (read once per process: the files do not change under it)."""
    return tuple(sorted(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads()))


def readiness(
    db: Database, *, now: datetime, timeout_seconds: int = TIMEOUT_SECONDS
) -> dict[str, str | None]:
    """Each check's problem (None: fine), in the order of CHECKS; the later ones only if the database answers."""
    problem = database_problem(db, timeout_seconds=timeout_seconds)
    if problem is not None:
        return {"database": problem, "migrations": "not checked", "scheduler": "not checked"}
    try:
        with db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text(f"SET LOCAL statement_timeout = {int(timeout_seconds * 1000)}"))
            migrations = migrations_problem(connection)
            scheduler = scheduler_problem(connection, now=now)
    except sa.exc.SQLAlchemyError as exc:  # the database stopped answering between the checks
        log.warning("readiness: the database failed a check: %s", exc)
        return {"database": "not answering", "migrations": "not checked", "scheduler": "not checked"}
    return {"database": None, "migrations": migrations, "scheduler": scheduler}


def migrations_problem(connection: sa.Connection) -> str | None:
    """None when the database's schema revision is this code's head (`quota db upgrade` has run)."""
    current = tuple(sorted(MigrationContext.configure(connection).get_current_heads()))
    heads = code_heads()
    if current == heads:
        return None
    if not current:
        return f"not migrated: run quota db upgrade (code at {', '.join(heads)})"
    return f"database at {', '.join(current)}, code at {', '.join(heads)}: run quota db upgrade"


def scheduler_problem(connection: sa.Connection, *, now: datetime) -> str | None:
    """None when the scheduler's heartbeat is younger than HEARTBEAT_STALE_AFTER."""
    try:
        # a savepoint: a missing table fails this check alone (PostgreSQL aborts the whole transaction)
        with connection.begin_nested(), Session(bind=connection) as session:
            status = scheduler_status(session)
    except (sa.exc.ProgrammingError, sa.exc.OperationalError) as exc:  # no such table, on either engine
        log.warning("readiness: cannot read the scheduler's status: %s", exc)
        return "cannot read the scheduler's status: run quota db upgrade"
    if status is None:
        return "no heartbeat: is the scheduler running? (quota scheduler)"
    age = (now - status.heartbeat).total_seconds()
    if age > HEARTBEAT_STALE_AFTER.total_seconds():
        limit = int(HEARTBEAT_STALE_AFTER.total_seconds())
        return f"heartbeat {int(age)} s old (more than {limit} s): is the scheduler running?"
    return None
