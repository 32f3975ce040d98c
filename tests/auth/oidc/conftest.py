"""The app configured for sign-in with a real OpenID provider (provider.py), one provider per module."""

from __future__ import annotations

import pytest

from quota_app.clock import FrozenClock
from quota_app.settings import Settings
from tests.auth.oidc.provider import Browser, app_settings, running_provider


@pytest.fixture(scope="module")
def provider(tmp_path_factory):  # type: ignore[no-untyped-def]
    with running_provider(tmp_path_factory.mktemp("provider")) as running:
        yield running


@pytest.fixture
def clock(provider) -> FrozenClock:  # type: ignore[no-untyped-def]
    """The app's clock, standing at the provider's time (the two machines agree) until the test moves it."""
    return FrozenClock(provider.now())


@pytest.fixture
def setting_changes() -> dict:
    """Settings a test module changes besides the provider's (override to change them)."""
    return {}


@pytest.fixture
def settings(tmp_path, provider, setting_changes) -> Settings:  # type: ignore[no-untyped-def]
    return app_settings(tmp_path / "instance", provider, **setting_changes)


@pytest.fixture
def browser(app, provider, reference) -> Browser:  # type: ignore[no-untyped-def]
    return Browser(app.test_client(), provider)
