"""Factories for counting tests: places and events inserted directly with the models."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from quota_app.models import Place, PlaceEvent, Target

# (status, effective date, recorded at) or (status, effective date, recorded at, voided at)
EventSpec = tuple


@pytest.fixture
def make_place(session: Session, reference: dict) -> Callable[..., Place]:
    """Return a factory make_place(department, type, events, fte=1.0) -> Place (events as EventSpec)."""
    serial = iter(range(1, 1_000_000))

    def factory(department: str, type_code: str, events: Sequence[EventSpec], fte: float = 1.0) -> Place:
        n = next(serial)
        place = Place(
            department_id=reference["departments"][department].id,
            type_id=reference["types"][type_code].id,
            reference=f"T-{n:06d}",
            fte=fte,
            created_at=datetime(2010, 1, 1, tzinfo=UTC),
        )
        session.add(place)
        session.flush()
        for spec in events:
            status, effective, recorded = spec[:3]
            voided = spec[3] if len(spec) > 3 else None
            session.add(
                PlaceEvent(
                    place_id=place.id,
                    status=status,
                    effective_date=effective,
                    recorded_at=recorded,
                    voided_at=voided,
                    void_reason="fejl" if voided else None,
                    source="test",
                )
            )
        session.flush()
        return place

    return factory


@pytest.fixture
def make_target(session: Session, reference: dict) -> Callable[..., Target]:
    """Return a factory make_target(year, department, type, value) -> Target."""

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
