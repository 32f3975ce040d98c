"""Databases of their own for these tests: other processes (gunicorn workers, a second connection holding
a lock) must see committed data, so not the rolled-back transaction of the other tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from benchmarks.databases import fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a new, empty database of each engine; dropped afterwards."""
    yield from _fresh(request)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The same, shared by the tests of a module."""
    yield from _fresh(request)


def _fresh(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "postgresql":
        request.getfixturevalue("pg_url")  # skips (or fails on CI) when PostgreSQL is unreachable
    with fresh_database(request.param) as url:
        yield url
