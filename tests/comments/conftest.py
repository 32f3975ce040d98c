"""Fixtures for the comment tests: the app without a held app context (each request closes its session)."""

from tests.places_web.conftest import app  # noqa: F401
