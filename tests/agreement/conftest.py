"""Fixtures of the agreement tests: a client whose requests each get a fresh app context (pages and the API
alternate, signed in and by token), and the monitor's result cache emptied per test."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from quota_app.monitor.cache import RESULTS
from tests.factories import fresh_context_per_request


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    fresh_context_per_request(app)
    return app.test_client()


@pytest.fixture(autouse=True)
def _empty_result_cache() -> None:
    RESULTS.clear()
