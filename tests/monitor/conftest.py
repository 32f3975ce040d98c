"""Factories for the monitoring tests: places and events inserted directly with the models."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from quota_app.models import Place, Unit
from quota_app.monitor.cache import RESULTS
from tests.factories import EventSpec, insert_place

RECORDED = datetime(2025, 1, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _empty_result_cache() -> None:
    """Cached results belong to one database; tests start without any."""
    RESULTS.clear()


@pytest.fixture
def make_unit(session: Session, reference: dict) -> Callable[..., Unit]:
    def factory(department: str, name: str) -> Unit:
        unit = Unit(department_id=reference["departments"][department].id, name=name)
        session.add(unit)
        session.flush()
        return unit

    return factory


@pytest.fixture
def make_place(session: Session, reference: dict) -> Callable[..., Place]:
    """Return make_place(department, type, events, fte=1.0, unit=None, reference=None) -> Place."""
    serial = iter(range(1, 1_000_000))

    def factory(
        department: str,
        type_code: str,
        events: Sequence[EventSpec],
        fte: float = 1.0,
        unit: Unit | None = None,
        reference_text: str | None = None,
    ) -> Place:
        n = next(serial)
        return insert_place(
            session,
            reference,
            department=department,
            type_code=type_code,
            events=events,
            place_reference=reference_text or f"M-{n:05d}",
            title=f"Plads {n}",
            fte=fte,
            unit_id=unit.id if unit else None,
            default_recorded=RECORDED,
        )

    return factory


@pytest.fixture
def history(session: Session, make_place, make_target, make_unit) -> dict:  # type: ignore[no-untyped-def]
    """A small history in SOF and BIF: filled, open (long and short), paused and closed places."""
    unit = make_unit("SOF", "Borgercenter Voksne")
    d = date
    places = {
        "sof_filled_1": make_place(
            "SOF", "internship", [("open", d(2025, 1, 5)), ("filled", d(2025, 2, 1))], unit=unit
        ),
        "sof_filled_2": make_place("SOF", "internship", [("filled", d(2025, 3, 1))], unit=unit),
        "sof_open_old": make_place("SOF", "internship", [("open", d(2025, 3, 1))], unit=unit),
        "sof_open_new": make_place("SOF", "internship", [("open", d(2025, 9, 10))]),
        "sof_paused": make_place("SOF", "internship", [("open", d(2025, 1, 10)), ("paused", d(2025, 4, 1))]),
        "sof_closed": make_place(
            "SOF", "internship", [("filled", d(2025, 1, 10)), ("closed", d(2025, 5, 1))]
        ),
        "sof_flex": make_place("SOF", "flex_job", [("filled", d(2024, 6, 1))]),
        "bif_utility_open": make_place("BIF", "utility_job", [("open", d(2025, 8, 1))]),
        "bif_utility_filled": make_place("BIF", "utility_job", [("filled", d(2025, 6, 1))]),
        # Recorded after 1 Sep 2025: not known at the earlier known-at.
        "sof_late": make_place(
            "SOF", "internship", [("filled", d(2025, 4, 1), datetime(2025, 9, 15, 8, tzinfo=UTC))]
        ),
    }
    make_target(2025, "SOF", "internship", 4)
    make_target(2025, "SOF", "flex_job", 1)
    make_target(2025, "BIF", "utility_job", 3)
    session.commit()
    return {"places": places, "unit": unit}
