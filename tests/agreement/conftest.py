"""Fixtures of the agreement tests (pages and the API alternate, signed in and by token): the monitor's
result cache emptied per test."""

from __future__ import annotations

import pytest

from quota_app.monitor.cache import RESULTS


@pytest.fixture(autouse=True)
def _empty_result_cache() -> None:
    RESULTS.clear()
