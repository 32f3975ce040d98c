"""Fixtures of these tests."""

from __future__ import annotations

import pytest

from quota_app import web


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """A test client whose request session closes after every request.

    The app fixture keeps one app context for the whole test, so teardown_appcontext (which closes the
    request's session) would otherwise only run at the end; a session left open across requests nests
    its savepoints out of order with the test's session.
    """
    app.teardown_request(web._close_session)
    return app.test_client()
