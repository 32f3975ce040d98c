"""Fuzz the OpenID Connect sign-in routes with a real provider configured (test_routes fuzzes every route
with none configured, where these two answer 404): hostile values never give a server error."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from quota_app.settings import Settings
from tests.auth.oidc.provider import app_settings, running_provider
from tests.fuzz.strategies import CONTROL, HUGE, UNICODE_DIGITS
from tests.fuzz.test_routes import ROLES, VALUE_SWEEP, Runner, Tally, rules_of, world  # noqa: F401 (fixture)

ROUTES = ("/login/oidc", "/login/oidc/callback")


@pytest.fixture(scope="module")
def provider(tmp_path_factory):  # type: ignore[no-untyped-def]
    with running_provider(tmp_path_factory.mktemp("provider")) as running:
        yield running


@pytest.fixture
def settings(tmp_path, provider) -> Settings:  # type: ignore[no-untyped-def]
    return app_settings(tmp_path / "instance", provider)


@pytest.mark.parametrize("role", ROLES)
def test_oidc_login_routes_answer_no_server_error(app, world, role, engine):  # type: ignore[no-untyped-def]  # noqa: F811
    tally = Tally()
    runner = Runner(app, world, role, tally)
    rules = [(rule, method) for rule, method in rules_of(app) if rule.rule in ROUTES]
    assert sorted(rule.rule for rule, _method in rules) == sorted(ROUTES)
    for rule, method in rules:
        runner.fuzz(rule, method)
    print(f"\nfuzz oidc {engine.dialect.name} {role}: {tally.cases} cases, {tally.requests} requests")
    assert tally.failures == [], "\n".join(tally.failures[:40])


HOSTILE = [*VALUE_SWEEP, *UNICODE_DIGITS[:4], *HUGE[:6], *CONTROL[:3], "", " ", "a" * 5000, "%00", "é"]


@pytest.mark.parametrize("name", ["code", "iss", "error", "state"])
def test_oidc_login_callback_of_a_real_flow_with_hostile_values(app, world, name):  # type: ignore[no-untyped-def]  # noqa: F811
    """Past the state check (a real sign-in under way), every value reaches the provider or a refusal."""
    client = app.test_client()
    for value in HOSTILE:
        started = client.get("/login/oidc")
        assert started.status_code == 302
        state = parse_qs(urlsplit(started.headers["Location"]).query)["state"][0]
        query = {"state": state, "code": "not-a-code", name: value}
        answer = client.get("/login/oidc/callback", query_string=query)
        assert 400 <= answer.status_code < 500, (name, value, answer.status_code)
