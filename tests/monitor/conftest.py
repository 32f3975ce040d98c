"""Fixtures of the monitoring tests: a small history of places (the root make_place), an empty result cache."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from quota_app.monitor.cache import RESULTS

RECORDED = datetime(2025, 1, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _empty_result_cache() -> None:
    """Cached results belong to one database; tests start without any."""
    RESULTS.clear()


@pytest.fixture
def history(session: Session, make_place, make_target, make_unit) -> dict:  # type: ignore[no-untyped-def]
    """A small history in SOF and BIF: filled, open (long and short), paused and closed places."""
    unit = make_unit("SOF", "Borgercenter Voksne")
    d = date
    serial = iter(range(1, 100))

    def place(*args, **kw):  # type: ignore[no-untyped-def]
        """References M-00001, ... (the pages' tests find them by that); events recorded at RECORDED."""
        n = next(serial)
        return make_place(*args, reference=f"M-{n:05d}", title=f"Plads {n}", recorded=RECORDED, **kw)

    places = {
        "sof_filled_1": place(
            "SOF", "internship", [("open", d(2025, 1, 5)), ("filled", d(2025, 2, 1))], unit=unit
        ),
        "sof_filled_2": place("SOF", "internship", [("filled", d(2025, 3, 1))], unit=unit),
        "sof_open_old": place("SOF", "internship", [("open", d(2025, 3, 1))], unit=unit),
        "sof_open_new": place("SOF", "internship", [("open", d(2025, 9, 10))]),
        "sof_paused": place("SOF", "internship", [("open", d(2025, 1, 10)), ("paused", d(2025, 4, 1))]),
        "sof_closed": place("SOF", "internship", [("filled", d(2025, 1, 10)), ("closed", d(2025, 5, 1))]),
        "sof_flex": place("SOF", "flex_job", [("filled", d(2024, 6, 1))]),
        "bif_utility_open": place("BIF", "utility_job", [("open", d(2025, 8, 1))]),
        "bif_utility_filled": place("BIF", "utility_job", [("filled", d(2025, 6, 1))]),
        # Recorded after 1 Sep 2025: not known at the earlier known-at.
        "sof_late": place(
            "SOF", "internship", [("filled", d(2025, 4, 1), datetime(2025, 9, 15, 8, tzinfo=UTC))]
        ),
    }
    make_target(2025, "SOF", "internship", 4)
    make_target(2025, "SOF", "flex_job", 1)
    make_target(2025, "BIF", "utility_job", 3)
    session.commit()
    return {"places": places, "unit": unit}
