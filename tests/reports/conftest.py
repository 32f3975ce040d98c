"""Factories for report tests: places and events inserted directly with the models."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from quota_app.models import Place, PlaceEvent, Target

# (status, effective date, recorded at)
EventSpec = tuple


@pytest.fixture
def make_place(session: Session, reference: dict) -> Callable[..., Place]:
    """Return make_place(department, type, events, reference=None, title="", fte=1.0) -> Place."""
    serial = iter(range(1, 1_000_000))
    reference_data = reference  # the factory's own `reference` argument is the place's reference

    def factory(
        department: str,
        type_code: str,
        events: Sequence[EventSpec],
        reference: str | None = None,
        title: str = "",
        fte: float = 1.0,
    ) -> Place:
        n = next(serial)
        place = Place(
            department_id=reference_data["departments"][department].id,
            type_id=reference_data["types"][type_code].id,
            reference=reference or f"P-{n:05d}",
            title=title,
            fte=fte,
            created_at=datetime(2010, 1, 1, tzinfo=UTC),
        )
        session.add(place)
        session.flush()
        for status, effective, recorded in events:
            session.add(
                PlaceEvent(
                    place_id=place.id,
                    status=status,
                    effective_date=effective,
                    recorded_at=recorded,
                    source="test",
                )
            )
        session.flush()
        return place

    return factory


@pytest.fixture
def make_target(session: Session, reference: dict) -> Callable[..., Target]:
    """Return make_target(year, department, type, value) -> Target."""

    def factory(year: int, department: str, type_code: str, value: int) -> Target:
        target = Target(
            year=year,
            department_id=reference["departments"][department].id,
            type_id=reference["types"][type_code].id,
            value=value,
            decided_on=date(year - 1, 12, 10),
            updated_at=datetime(year - 1, 12, 10, tzinfo=UTC),
        )
        session.add(target)
        session.flush()
        return target

    return factory


@pytest.fixture
def mayors(session: Session, reference: dict) -> dict:
    """Give SOF and BIF mayors with Danish letters in their names."""
    departments = reference["departments"]
    departments["SOF"].mayor_name = "Søren Østergård Åberg"
    departments["BIF"].mayor_name = "Jens-Kristian Lütken"
    session.flush()
    return departments
