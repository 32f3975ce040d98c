"""Fixtures of these tests."""

from __future__ import annotations

import pytest

from tests.factories import fresh_context_per_request


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    fresh_context_per_request(app)
    return app.test_client()
