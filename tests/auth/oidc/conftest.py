"""The app configured for sign-in with a real OpenID provider (provider.py), one provider per module."""

from __future__ import annotations

import pytest

from quota_app.clock import FrozenClock
from quota_app.settings import Settings
from tests.auth.oidc.provider import CLIENT_ID, CLIENT_SECRET, GROUP_MAP, Browser, running_provider


@pytest.fixture(scope="module")
def provider(tmp_path_factory):  # type: ignore[no-untyped-def]
    with running_provider(tmp_path_factory.mktemp("provider")) as running:
        yield running


@pytest.fixture
def clock(provider) -> FrozenClock:  # type: ignore[no-untyped-def]
    """The app's clock, standing at the provider's time (the two machines agree) until the test moves it."""
    return FrozenClock(provider.now())


@pytest.fixture
def oidc_options(provider) -> dict:  # type: ignore[no-untyped-def]
    return {
        "oidc_issuer": provider.issuer,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
        "oidc_group_map": GROUP_MAP,
    }


@pytest.fixture
def settings(tmp_path, oidc_options) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(
        env="test",
        instance_path=tmp_path / "instance",
        secret_key="test-secret",
        session_cookie_secure=False,
        **oidc_options,
    )


@pytest.fixture
def browser(app, provider, reference) -> Browser:  # type: ignore[no-untyped-def]
    return Browser(app.test_client(), provider)
