"""Fixtures of the fuzz tests."""

from __future__ import annotations

import pytest

from quota_app import create_app
from quota_app.db import Database


@pytest.fixture
def app(settings, connection, clock):  # type: ignore[no-untyped-def]
    """The app without an app context held open, so each request closes its own session."""
    return create_app(settings, database=Database.bound_to(connection), clock=clock)
