"""The client address comes from X-Forwarded-For only as far as QUOTA_TRUSTED_PROXIES says."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Blueprint, request

from quota_app import create_app
from quota_app.clock import FrozenClock
from quota_app.db import Database
from quota_app.settings import Settings
from tests.auth.test_throttle import WRONG_PASSWORD
from tests.conftest import TEST_PASSWORD, csrf_from
from tests.factories import bare_settings


def _probe_app(tmp_path: Path, trusted_proxies: int):  # type: ignore[no-untyped-def]
    app = create_app(bare_settings(tmp_path).model_copy(update={"trusted_proxies": trusted_proxies}))
    probe = Blueprint("probe", __name__)

    @probe.route("/probe-address")
    def address() -> str:
        return f"{request.remote_addr} {request.scheme}"

    app.register_blueprint(probe)
    return app


@pytest.mark.parametrize(
    ("trusted", "forwarded_for", "expected"),
    [
        (0, None, "192.0.2.1 http"),
        (0, "203.0.113.7", "192.0.2.1 http"),  # nobody is trusted: the header is ignored
        (1, None, "192.0.2.1 http"),
        (1, "203.0.113.7", "203.0.113.7 https"),
        (1, "198.51.100.66, 203.0.113.7", "203.0.113.7 https"),  # the client's own (forged) hop is ignored
        (2, "198.51.100.66, 203.0.113.7, 10.0.0.2", "203.0.113.7 https"),  # the hop the outer proxy saw
        (2, "203.0.113.7", "192.0.2.1 http"),  # fewer hops than proxies: not trusted
    ],
)
def test_the_client_address_behind_trusted_proxies(tmp_path, trusted, forwarded_for, expected):
    client = _probe_app(tmp_path, trusted).test_client()
    headers = {}
    if forwarded_for is not None:
        hops = len(forwarded_for.split(","))
        headers = {"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": ", ".join(["https"] * hops)}
    response = client.get("/probe-address", headers=headers, environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert response.get_data(as_text=True) == expected


def test_no_proxy_fix_without_trusted_proxies(tmp_path):
    assert type(_probe_app(tmp_path, 0).wsgi_app).__name__ != "ProxyFix"
    assert type(_probe_app(tmp_path, 1).wsgi_app).__name__ == "ProxyFix"


@pytest.mark.parametrize("trusted", [0, 1])
def test_sign_in_limits_count_the_address_the_proxies_vouch_for(
    settings: Settings, connection: sa.Connection, clock: FrozenClock, make_user, trusted
):
    settings = settings.model_copy(update={"trusted_proxies": trusted, "login_rate_limit": "2 per hour"})
    app = create_app(settings, database=Database.bound_to(connection), clock=clock)
    user = make_user("hr")

    def attempt(forwarded_for: str, password: str = WRONG_PASSWORD) -> int:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "10.9.9.9"  # the proxy
        headers = {"X-Forwarded-For": forwarded_for}
        token = csrf_from(client.get("/login", headers=headers).get_data(as_text=True))
        data = {"email": user.email, "password": password, "csrf_token": token}
        return client.post("/login", data=data, headers=headers).status_code

    assert [attempt("203.0.113.7") for _ in range(3)] == [200, 200, 429]
    if trusted:
        # Behind the proxy, another client is another address: not locked out.
        assert attempt("198.51.100.8", TEST_PASSWORD) == 302
    else:
        # Without trusted proxies a forged header changes nothing: it is the same address, refused.
        assert attempt("198.51.100.8", TEST_PASSWORD) == 429
