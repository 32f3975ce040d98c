"""A write that cannot get its lock within QUOTA_LOCK_TIMEOUT_MS is answered 503 with Retry-After (the
app's Danish page, or the API's JSON error), never a 500, and saves nothing; trying again then works.

Another connection holds the lock: on SQLite the write lock (BEGIN IMMEDIATE), on PostgreSQL the place's
row (SELECT ... FOR UPDATE). The app runs in this process against its own database, with a 100 ms timeout.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from benchmarks.writers import VERSION, Writer, change_day, prepare, saved_events
from quota_app import create_app
from quota_app.settings import Settings
from tests.conftest import csrf_from


@contextmanager
def lock_held(url: str, place_id: int) -> Iterator[None]:
    """Hold, from another connection, the lock a status change of the place needs."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        other = sqlite3.connect(parsed.database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.rollback()
            other.close()
        return
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT id FROM place WHERE id = :id FOR UPDATE"), {"id": place_id})
            yield
            conn.rollback()
    finally:
        engine.dispose()


def _app(url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = Settings(
        env="test",
        secret_key="test-secret",
        session_cookie_secure=False,
        instance_path=tmp_path / "instance",
        database_url=url,
        lock_timeout_ms=100,
        retry_after_seconds=7,
    )
    return create_app(settings)


def _sign_in(client, writer: Writer) -> None:  # type: ignore[no-untyped-def]
    from benchmarks.writers import PASSWORD

    token = csrf_from(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"email": writer.email, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302


def test_a_write_that_cannot_get_the_lock_is_503_with_retry_after(fresh_url: str, tmp_path: Path) -> None:
    (writer,) = prepare(fresh_url, 1)
    app = _app(fresh_url, tmp_path)
    client = app.test_client()
    _sign_in(client, writer)
    page = client.get(f"/places/{writer.place_id}").get_data(as_text=True)
    status, day = change_day(1)
    form = {"csrf_token": csrf_from(page), "version": VERSION.search(page).group(1), "status": status}
    form["effective_date"] = day
    api = {"Authorization": f"Bearer {writer.token}"}
    body = {"status": status, "effective_date": day}
    try:
        with lock_held(fresh_url, writer.place_id):
            web = client.post(f"/places/{writer.place_id}/status", data=form)
            assert web.status_code == 503
            assert web.headers["Retry-After"] == "7"
            assert "Prøv igen om lidt" in web.get_data(as_text=True)  # the app's own Danish page
            answer = client.post(f"/api/v1/places/{writer.place_id}/events", json=body, headers=api)
            assert answer.status_code == 503 and answer.headers["Retry-After"] == "7"
            assert answer.is_json and answer.json["error"] == "busy" and answer.json["message"]
        assert saved_events(fresh_url) == 0  # nothing of a refused request is saved
        # The lock is free again: the same request is saved.
        again = client.post(
            f"/api/v1/places/{writer.place_id}/events",
            data=json.dumps(body),
            headers=api | {"Content-Type": "application/json"},
        )
        assert again.status_code == 201
        assert saved_events(fresh_url) == 1
    finally:
        app.extensions["quota_db"].dispose()
