"""Fixtures of these tests."""

from __future__ import annotations

import pytest
from flask import g

from quota_app import web


def fresh_context_per_request(app) -> None:  # type: ignore[no-untyped-def]
    """Close the request's session and forget g after every request, as a real app context would.

    The app fixture keeps one app context for the whole test, so teardown_appcontext (which closes the
    request's session) would otherwise only run at the end: a session left open across requests nests
    its savepoints out of order with the test's session, and g keeps the first request's locale and user.
    """

    def teardown(exc: BaseException | None) -> None:
        web._close_session(exc)
        for key in list(g):
            g.pop(key)

    app.teardown_request(teardown)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    fresh_context_per_request(app)
    return app.test_client()
