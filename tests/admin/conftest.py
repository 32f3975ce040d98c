"""Fixtures of these tests."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import fresh_context_per_request


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    fresh_context_per_request(app)
    return app.test_client()
