"""The app of the root fixture, without an app context held open for the whole test.

The root `app` fixture keeps one app context open, so `g` outlives each request: the signed-in user
(Flask-Login), the CSRF token (Flask-WTF) and the request's database session of one browser would leak
into the next request. Tests with several browsers need a fresh `g` per request, as in production.
"""

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
    return create_app(settings, database=Database.bound_to(connection), clock=clock)
