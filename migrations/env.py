"""Alembic environment: the app's engine, the models' metadata, batch mode on SQLite."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, Engine
from sqlmodel import SQLModel

import quota_app.models  # noqa: F401  (registers every table on the metadata)
from quota_app.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine
    from quota_app.settings import load_settings

    return make_engine(load_settings().effective_database_url)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with _engine().connect() as connection:
        # SQLite changes a table by copying it and dropping the old one (batch mode), which foreign keys
        # pointing at the old one's rows forbid. So, as https://sqlite.org/lang_altertable.html says: keys
        # off (outside the transaction, or SQLite ignores it), migrate, check every key, commit, keys on.
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, "OFF")
        try:
            with connection.begin():
                _run(connection)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"the migration left foreign keys pointing nowhere: {broken[:5]}")
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, "ON")


def _sqlite_foreign_keys(connection: Connection, state: str) -> None:
    """On the driver's connection: SQLAlchemy would begin a transaction first, where SQLite ignores it."""
    raw = connection.connection.driver_connection
    assert raw is not None
    raw.execute(f"PRAGMA foreign_keys={state}")


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run 'quota db upgrade'.")
run_migrations_online()
