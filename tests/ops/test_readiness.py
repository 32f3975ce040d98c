"""/readyz: ready only when the database answers, its schema is at the code's migration head and the
scheduler reported in within HEARTBEAT_STALE_AFTER; otherwise 503 JSON naming each failed check. No sign-in."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from quota_app import create_app
from quota_app.db import MIGRATIONS_DIR
from quota_app.dispatch.heartbeat import HEARTBEAT_STALE_AFTER
from quota_app.ops.readiness import code_heads
from quota_app.settings import Settings
from tests.foundation.test_failures import dead_database_urls
from tests.ops.conftest import publish_heartbeat


@pytest.fixture
def beating(live_app, live_db, settings, clock):  # type: ignore[no-untyped-def]
    """The scheduler reported in a minute ago."""
    publish_heartbeat(live_db, settings, clock.now() - timedelta(minutes=1))
    return live_app.test_client()


def test_ready_when_database_schema_and_scheduler_are(beating) -> None:
    response = beating.get("/readyz")  # nobody signed in
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "scheduler": "ok"},
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_a_stale_heartbeat_is_not_ready(live_app, live_db, settings, clock) -> None:
    publish_heartbeat(live_db, settings, clock.now() - HEARTBEAT_STALE_AFTER - timedelta(seconds=5))
    response = live_app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == body["checks"]["migrations"] == "ok"
    assert body["reasons"] == ["scheduler: heartbeat 905 s old (more than 900 s): is the scheduler running?"]
    # /healthz is liveness: the process and its database are fine.
    assert live_app.test_client().get("/healthz").status_code == 200


def test_no_heartbeat_at_all_is_not_ready(live_app, live_db) -> None:
    with live_db.begin() as session:
        session.execute(sa.text("DELETE FROM app_text WHERE key = 'scheduler.status'"))
    body = live_app.test_client().get("/readyz").get_json()
    assert body["reasons"] == ["scheduler: no heartbeat: is the scheduler running? (quota scheduler)"]


def test_a_schema_behind_the_code_is_not_ready(beating, live_db) -> None:
    """The code was updated but `quota db upgrade` has not run yet."""
    (head,) = code_heads()
    previous = ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(head).down_revision
    with live_db.begin() as session:
        session.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": previous})
    try:
        response = beating.get("/readyz")
    finally:
        with live_db.begin() as session:
            session.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert response.status_code == 503
    assert response.get_json()["reasons"] == [
        f"migrations: database at {previous}, code at {head}: run quota db upgrade"
    ]
    assert beating.get("/readyz").status_code == 200


def test_a_schema_never_migrated_is_not_ready(client) -> None:
    """The other tests' databases are made with create_all: no Alembic revision, no scheduler table rows."""
    body = client.get("/readyz").get_json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"].startswith("not migrated: run quota db upgrade (code at ")


@pytest.mark.parametrize("engine_name", ["postgresql", "sqlite"])
def test_a_dead_database_is_not_ready_and_not_alive(tmp_path, engine_name) -> None:
    url = dead_database_urls(tmp_path)[engine_name]
    client = create_app(
        Settings(env="test", secret_key="s", instance_path=tmp_path, database_url=url)
    ).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "not ready",
        "checks": {"database": "unreachable", "migrations": "not checked", "scheduler": "not checked"},
        "reasons": ["database: unreachable", "migrations: not checked", "scheduler: not checked"],
    }
    assert "127.0.0.1" not in response.get_data(as_text=True)
    assert client.get("/healthz").status_code == 503
