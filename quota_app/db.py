"""Engine, sessions and the column types and SQL helpers that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session

# Danish alphabetical order: the Latin letters, then æ, ø, å. Old spellings sort with their modern letter.
_DANISH_ORDER = "abcdefghijklmnopqrstuvwxyzæøå"
_DANISH_RANK = {ch: i for i, ch in enumerate(_DANISH_ORDER)}
_DANISH_FOLD = {"ä": "æ", "ö": "ø", "aa": "å", "é": "e", "ü": "y"}
PG_DANISH_COLLATION = "da-DK-x-icu"
CONNECT_TIMEOUT_SECONDS = 5
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"  # Alembic's (quota db upgrade)


def danish_sort_key(value: str | None) -> tuple[Any, ...]:
    """Return a key that orders text the Danish way, ignoring case."""
    if value is None:
        return ()
    text = value.casefold()
    for old, new in _DANISH_FOLD.items():
        if old != "aa":
            text = text.replace(old, new)
    return tuple((_DANISH_RANK.get(ch, -1), ch) for ch in text)


def _sqlite_danish_collation(left: str, right: str) -> int:
    a, b = danish_sort_key(left), danish_sort_key(right)
    return (a > b) - (a < b)


def _sqlite_fold(value: str | None) -> str | None:
    return value.casefold() if isinstance(value, str) else value


def _sqlite_local_date(value: str | None, zone: str | None) -> str | None:
    """The date in zone of a UTC timestamp as UTCDateTime stores it on SQLite (naive UTC text)."""
    if value is None or zone is None:
        return None
    moment = datetime.fromisoformat(value).replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone)).date().isoformat()


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC timestamp: timestamptz on PostgreSQL, naive UTC text on SQLite, aware UTC in Python."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC timestamp is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class DayNumber(TypeDecorator[date]):
    """A date stored as its day number (date.toordinal()): whole-day arithmetic is integer arithmetic.

    For derived tables that the counting scans by the hundred thousand rows: on SQLite, dates are text and
    every difference of two would cost two julianday() calls.
    """

    impl = sa.Integer()
    cache_ok = True

    def process_bind_param(self, value: date | None, dialect: sa.Dialect) -> int | None:
        return None if value is None else value.toordinal()

    def process_result_value(self, value: int | None, dialect: sa.Dialect) -> date | None:
        return None if value is None else date.fromordinal(value)


class least(sa.sql.functions.GenericFunction[int]):
    """The smaller of two integers: LEAST on PostgreSQL, the two-argument min() on SQLite."""

    type = sa.Integer()
    inherit_cache = True


class greatest(sa.sql.functions.GenericFunction[int]):
    """The larger of two integers: GREATEST on PostgreSQL, the two-argument max() on SQLite."""

    type = sa.Integer()
    inherit_cache = True


@compiles(least, "sqlite")
@compiles(greatest, "sqlite")
def _least_greatest_sqlite(element: least | greatest, compiler: Any, **kw: Any) -> str:
    # SQLite's min() and max() with two or more arguments are scalar, like LEAST and GREATEST.
    name = "min" if isinstance(element, least) else "max"
    return f"{name}({compiler.process(element.clauses, **kw)})"


def danish_order(column: Any) -> Any:
    """Order a text column case-insensitively in Danish alphabetical order."""
    return _DanishOrder(column)


def danish_contains(column: Any, term: str) -> Any:
    """Match rows whose text column contains term, ignoring case (æ/Æ, ø/Ø, å/Å included)."""
    escaped = term.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return _DanishFold(column).like(f"%{escaped}%", escape="\\")


class _DanishOrder(sa.sql.expression.ColumnElement[str]):
    inherit_cache = True

    def __init__(self, column: Any) -> None:
        self.column = column
        self.type = sa.String()


class _DanishFold(sa.sql.functions.GenericFunction[str]):
    type = sa.String()
    name = "danish_fold"
    inherit_cache = True


def days_to_local_date(day: Any, moment: Any, zone: str) -> Any:
    """Whole days from a date column to the date in time zone zone (e.g. Europe/Copenhagen) of a UTC
    timestamp column (UTCDateTime), as an integer: how many days after day the moment fell, locally."""
    return _days_to_local_date(day, moment, sa.literal(str(zone), sa.String()))


class _days_to_local_date(sa.sql.functions.GenericFunction[int]):
    type = sa.Integer()
    name = "days_to_local_date"
    inherit_cache = True


@compiles(_days_to_local_date, "sqlite")
def _days_to_local_date_sqlite(element: _days_to_local_date, compiler: Any, **kw: Any) -> str:
    day, moment, zone = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(julianday(quota_local_date({moment}, {zone})) - julianday({day}) AS INTEGER)"


@compiles(_days_to_local_date, "postgresql")
def _days_to_local_date_pg(element: _days_to_local_date, compiler: Any, **kw: Any) -> str:
    day, moment, zone = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(CAST(({moment} AT TIME ZONE CAST({zone} AS TEXT)) AS DATE) - {day})"


@compiles(_DanishOrder, "sqlite")
def _order_sqlite(element: _DanishOrder, compiler: Any, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} COLLATE da_ci"


@compiles(_DanishOrder, "postgresql")
def _order_pg(element: _DanishOrder, compiler: Any, **kw: Any) -> str:
    return f'lower({compiler.process(element.column, **kw)} COLLATE "{PG_DANISH_COLLATION}")'


@compiles(_DanishFold, "sqlite")
def _fold_sqlite(element: _DanishFold, compiler: Any, **kw: Any) -> str:
    return f"da_fold({compiler.process(element.clauses, **kw)})"


@compiles(_DanishFold, "postgresql")
def _fold_pg(element: _DanishFold, compiler: Any, **kw: Any) -> str:
    (arg,) = element.clauses
    return f'lower({compiler.process(arg, **kw)} COLLATE "{PG_DANISH_COLLATION}")'


DEFAULT_LOCK_TIMEOUT_MS = 10_000
# The execution option that marks a connection's transactions as writes (see Database.session).
WRITE = {"quota_write": True}


def _sqlite_connect_hook(lock_timeout_ms: int) -> Any:
    def on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.create_collation("da_ci", _sqlite_danish_collation)
        dbapi_connection.create_function("da_fold", 1, _sqlite_fold, deterministic=True)
        dbapi_connection.create_function("quota_local_date", 2, _sqlite_local_date, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


def _sqlite_begin(conn: sa.Connection) -> None:
    """A write transaction takes SQLite's write lock at BEGIN, waiting up to the busy timeout for it.

    A deferred transaction that reads first and writes later cannot wait: if another connection wrote in
    between, SQLite refuses the upgrade at once ("database is locked"). Reads stay deferred, so readers
    never queue behind writers (WAL).
    """
    write = conn.get_execution_options().get("quota_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: str, *, lock_timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS, **kwargs: Any) -> Engine:
    """Create an engine configured for this app (SQLite pragmas and functions, PostgreSQL UTC).

    lock_timeout_ms: how long a write waits for a lock before it fails: SQLite's busy timeout for the
    write lock, PostgreSQL's lock_timeout for row and table locks.
    """
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": lock_timeout_ms / 1000}, **kwargs)
        sa.event.listen(engine, "connect", _sqlite_connect_hook(lock_timeout_ms))
        # pysqlite's own transaction handling defers BEGIN; emit it ourselves so SAVEPOINT works.
        sa.event.listen(engine, "connect", _sqlite_disable_pysqlite_begin)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return sa.create_engine(
            url,
            # JIT compilation costs more than it saves for this app's short queries (a third of the
            # reconciliation time at national scale).
            # A server that does not answer fails in seconds, not after the operating system's TCP timeout.
            connect_args={
                "options": f"-c timezone=UTC -c jit=off -c lock_timeout={int(lock_timeout_ms)}",
                "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            },
            pool_pre_ping=True,
            **kwargs,
        )
    raise ValueError(f"unsupported database {parsed.get_backend_name()!r}: use SQLite or PostgreSQL")


def _sqlite_disable_pysqlite_begin(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None


class QuotaSession(Session):
    """The app's sessions (Database.session makes them). The counting package listens to their flushes
    to keep the status intervals in step with the events (quota_app.reconcile.intervals)."""


class Database:
    """One engine per app, created on first use; sessions come from here."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        """engine_kwargs go to make_engine (lock_timeout_ms, and create_engine's own)."""
        self.url = url
        self._engine_kwargs = engine_kwargs
        self._engine: Engine | None = None
        self._write_engine: Engine | None = None
        self._bind: Any = None

    @classmethod
    def bound_to(cls, bind: Any) -> Database:
        """Return a Database whose sessions use an existing engine or connection (tests, scripts)."""
        db = cls(str(bind.engine.url))
        db._bind = bind
        db._engine = bind.engine
        return db

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.url, **self._engine_kwargs)
        return self._engine

    @property
    def write_engine(self) -> Engine:
        """The engine whose transactions are writes (the same pool as engine)."""
        if self._write_engine is None:
            self._write_engine = self.engine.execution_options(**WRITE)
        return self._write_engine

    def session(self, *, write: bool = False) -> Session:
        """A new session. write=True: every transaction it begins is a write transaction (on SQLite
        BEGIN IMMEDIATE, which waits for the write lock up front); else reads that may write later."""
        if self._bind is not None and isinstance(self._bind, sa.Connection):
            return QuotaSession(
                bind=self._bind, join_transaction_mode="create_savepoint", expire_on_commit=False
            )
        return QuotaSession(bind=self.write_engine if write else self.engine, expire_on_commit=False)

    @contextmanager
    def begin(self, *, write: bool = True) -> Iterator[Session]:
        """Yield a session that commits at the end, or rolls back on error (a write session by default)."""
        session = self.session(write=write)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @property
    def one_writer_at_a_time(self) -> bool:
        """Whether a write transaction locks the whole database (SQLite), so that it should begin as late
        as it can: reads a request needs first are better done before it."""
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        if self._engine is not None and self._bind is None:
            self._engine.dispose()
            self._engine = self._write_engine = None


# SQLSTATEs of PostgreSQL's "try again" failures: serialization failure, deadlock, lock_timeout.
_PG_RETRY_STATES = frozenset({"40001", "40P01", "55P03"})
_SQLITE_LOCK_WORDS = ("database is locked", "database table is locked", "database is busy")


def is_lock_failure(error: BaseException) -> bool:
    """True when a statement failed only because another writer held a lock past the lock timeout
    (SQLite busy/locked, PostgreSQL lock_timeout, serialization failure or deadlock): trying again helps."""
    if not isinstance(error, sa.exc.DBAPIError):
        return False
    original = error.orig
    if isinstance(original, sqlite3.OperationalError):
        name = getattr(original, "sqlite_errorname", "") or ""
        return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or any(
            word in str(original).lower() for word in _SQLITE_LOCK_WORDS
        )
    return getattr(original, "sqlstate", None) in _PG_RETRY_STATES


def is_unique_violation(error: BaseException) -> bool:
    """True when an insert or update broke a unique constraint: what it saves exists already."""
    if not isinstance(error, sa.exc.IntegrityError):
        return False
    original = error.orig
    if isinstance(original, sqlite3.IntegrityError):
        return "UNIQUE constraint failed" in str(original)
    return getattr(original, "sqlstate", None) == "23505"
