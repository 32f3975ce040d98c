"""Failed sign-ins are limited per (account, address) and per address, on the app clock, in the database or
Redis; another address is never locked out, and successful sign-ins are not counted."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from sqlmodel import select

from quota_app import create_app
from quota_app.auth.throttle import RedisStorage
from quota_app.db import Database
from quota_app.models import LoginAttempt
from quota_app.settings import Settings, SettingsError, load_settings
from tests.conftest import TEST_PASSWORD, csrf_from

WRONG_PASSWORD = "wrong password!"
REDIS_URL = os.environ.get("QUOTA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["database", "redis"])
def storage(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "database":
        return "database"
    # Tests on other workers share the Redis server: each test counts under keys of its own.
    monkeypatch.setattr(RedisStorage, "PREFIX", f"quota-test:{uuid.uuid4().hex}")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        message = f"Redis is not reachable at {REDIS_URL}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(f"{message}. CI requires Redis.")
        pytest.skip(f"{message}; skipping the Redis storage tests (CI will not skip them)")
    return REDIS_URL


@pytest.fixture
def settings(tmp_path: Path, storage: str) -> Settings:
    return Settings(
        env="test",
        instance_path=tmp_path / "instance",
        secret_key="test-secret",
        session_cookie_secure=False,
        ratelimit_storage_uri=storage,
        login_rate_limit="3 per 10 minutes",
        login_address_rate_limit="8 per hour",
    )


@pytest.fixture
def browser(app):  # type: ignore[no-untyped-def]
    """browser(address) -> a test client whose requests come from that address (unique to this test)."""
    prefix = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    made = iter(range(1, 250))

    def make():  # type: ignore[no-untyped-def]
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"{prefix}.{next(made)}"
        return client

    return make


def _attempt(client, email: str, password: str = WRONG_PASSWORD) -> int:  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    client.last = response
    if response.status_code == 302:
        out = csrf_from(client.get("/").get_data(as_text=True))
        assert client.post("/logout", data={"csrf_token": out}).status_code == 302
    return response.status_code


def _refused(client, email: str, retry_after: int, password: str = WRONG_PASSWORD) -> None:  # type: ignore[no-untyped-def]
    assert _attempt(client, email, password) == 429
    assert client.last.headers["Retry-After"] == str(retry_after)
    page = client.last.get_data(as_text=True)
    assert "For mange forsøg" in page and 'lang="da"' in page


def test_failures_per_account_and_address_are_limited_in_a_sliding_window(browser, make_user, clock):
    user = make_user("hr")
    client = browser()
    assert [_attempt(client, user.email) for _ in range(3)] == [200, 200, 200]
    # Even the right password waits: the attempt is refused before the password is checked.
    _refused(client, user.email, 600, TEST_PASSWORD)
    clock.advance(timedelta(minutes=5))
    _refused(client, user.email, 300)  # refused attempts are not counted: the wait does not grow
    clock.advance(timedelta(seconds=299))
    _refused(client, user.email, 1)
    clock.advance(timedelta(seconds=1))
    assert _attempt(client, user.email, TEST_PASSWORD) == 302


def test_the_window_slides_one_failure_at_a_time(browser, make_user, clock):
    user = make_user("hr")
    client = browser()
    for _ in range(3):
        assert _attempt(client, user.email) == 200
        clock.advance(timedelta(minutes=4))
    # failures at 0, 4 and 8 minutes; now 12 minutes: the first has left the window.
    assert _attempt(client, user.email) == 200
    _refused(client, user.email, 120)  # until the failure at 4 minutes leaves, at 14 minutes


def test_an_attacker_cannot_lock_the_account_for_another_address(browser, make_user):
    user = make_user("hr")
    attacker, colleague = browser(), browser()
    codes = [_attempt(attacker, user.email) for _ in range(12)]
    assert codes == [200] * 3 + [429] * 9
    assert _attempt(colleague, user.email) == 200  # a typo from elsewhere is answered normally
    assert _attempt(colleague, user.email, TEST_PASSWORD) == 302
    # The colleague's success resets nothing of the attacker's.
    _refused(attacker, user.email, 600, TEST_PASSWORD)


def test_successful_sign_ins_are_not_counted(browser, make_user):
    user = make_user("bif")
    client = browser()
    assert [_attempt(client, user.email) for _ in range(2)] == [200, 200]
    assert [_attempt(client, user.email, TEST_PASSWORD) for _ in range(5)] == [302] * 5
    assert _attempt(client, user.email) == 200  # the third failure
    _refused(client, user.email, 600, TEST_PASSWORD)


def test_one_address_trying_many_accounts_is_limited_per_address(browser, make_user, clock):
    user = make_user("hr")
    sprayer, colleague = browser(), browser()
    for n in range(8):
        assert _attempt(sprayer, f"guess{n}@kk.dk") == 200
        clock.advance(timedelta(minutes=1))
    _refused(sprayer, user.email, 3600 - 8 * 60, TEST_PASSWORD)
    assert _attempt(colleague, user.email, TEST_PASSWORD) == 302


@pytest.mark.parametrize("storage", ["database"], indirect=True)  # Redis: ZREMRANGEBYSCORE and EXPIRE
def test_old_failures_are_pruned(browser, make_user, clock, session):
    user = make_user("hr")
    client = browser()
    for _ in range(3):
        assert _attempt(client, user.email) == 200
    assert session.exec(select(sa.func.count()).select_from(LoginAttempt)).one() == 3
    clock.advance(timedelta(hours=1))  # the longest window (the per-address hour)
    assert _attempt(client, user.email) == 200
    rows = session.exec(select(LoginAttempt)).all()
    assert [(row.account, row.at) for row in rows] == [(user.email, clock.now())]
    assert rows[0].address == client.environ_base["REMOTE_ADDR"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("login_rate_limit", "five a minute"),
        ("login_address_rate_limit", ""),
        ("ratelimit_storage_uri", "memory://"),
        ("trusted_proxies", "-1"),
    ],
)
def test_bad_rate_limit_settings_are_refused(name, value):
    with pytest.raises(SettingsError, match=f"QUOTA_{name.upper()}="):
        load_settings(env="test", **{name: value})


@pytest.mark.parametrize("storage", ["database"], indirect=True)
def test_sign_in_is_refused_with_503_when_redis_cannot_be_reached(settings, connection, clock, make_user):
    settings = settings.model_copy(update={"ratelimit_storage_uri": "redis://127.0.0.1:1/0"})
    app = create_app(settings, database=Database.bound_to(connection), clock=clock)
    user = make_user("hr")
    client = app.test_client()
    assert _attempt(client, user.email, TEST_PASSWORD) == 503  # never let through uncounted
    assert client.last.headers["Retry-After"] == "30"
