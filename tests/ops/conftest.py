"""Databases migrated the way an operator does it (Alembic, not create_all), so /readyz sees a schema
revision; and the app on them. Committed data: these tests write what other connections must see."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from alembic import command
from alembic.config import Config
from flask import Flask

from benchmarks.databases import fresh_database
from quota_app import create_app
from quota_app.clock import FrozenClock
from quota_app.db import MIGRATIONS_DIR, Database, make_engine
from quota_app.settings import Settings
from scheduler import jobs


def upgrade(url: str, revision: str = "head") -> None:
    engine = make_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    try:
        command.upgrade(config, revision)
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def migrated_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A new database of each engine at the code's migration head, for the tests of a module."""
    if request.param == "postgresql":
        request.getfixturevalue("pg_url")  # skips (or fails on CI) when PostgreSQL is unreachable
    with fresh_database(request.param) as url:
        upgrade(url)
        yield url


@pytest.fixture
def live_db(migrated_url: str) -> Iterator[Database]:
    db = Database(migrated_url)
    yield db
    db.dispose()


@pytest.fixture
def live_app(settings: Settings, live_db: Database, clock: FrozenClock) -> Iterator[Flask]:
    application = create_app(settings, database=live_db, clock=clock)
    with application.app_context():
        yield application


def publish_heartbeat(db: Database, settings: Settings, at: datetime) -> None:
    """What the scheduler process writes after each job (scheduler.jobs.publish_status), at a given time."""
    context = jobs.JobContext(settings=settings, db=db, clock=FrozenClock(at), transport=None)  # type: ignore[arg-type]
    jobs.publish_status(context, [("imports", at)])
