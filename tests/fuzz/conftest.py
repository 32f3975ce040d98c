"""Fixtures of the fuzz tests."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from quota_app import create_app
from quota_app.clock import FrozenClock
from quota_app.db import Database
from quota_app.settings import Settings


@pytest.fixture
def app(settings: Settings, connection: sa.Connection, clock: FrozenClock) -> Flask:
    """The app without an app context held open, so each request closes its own session."""
    return create_app(settings, database=Database.bound_to(connection), clock=clock)
