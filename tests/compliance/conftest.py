"""Fixtures of the compliance tests: workplaces with a headcount, and places at them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlmodel import Session

from quota_app.clock import FrozenClock
from quota_app.compliance import headcounts
from quota_app.models import Place, Unit
from quota_app.places import registration, status_events
from tests.factories import fresh_context_per_request


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    fresh_context_per_request(app)
    return app.test_client()


@pytest.fixture
def make_workplace(session: Session, reference: dict, clock: FrozenClock) -> Callable[..., Unit]:
    """Return make_workplace(name, employees, department="SOF", p_number=..., since=2025-01-01) -> Unit."""
    counter = iter(range(1, 1000))

    def factory(
        name: str = "Plejecenter Sundbo",
        employees: int | None = 9,
        *,
        department: str = "SOF",
        p_number: str | None = None,
        since: date = date(2025, 1, 1),
    ) -> Unit:
        unit = Unit(department_id=reference["departments"][department].id, name=name)
        session.add(unit)
        session.flush()
        number = p_number or f"{1_000_000_000 + next(counter)}"
        headcounts.set_p_number(session, unit_id=unit.id, p_number=number, actor="test", now=clock.now())
        if employees is not None:
            headcounts.record_headcount(
                session,
                unit_id=unit.id,
                effective_date=since,
                ordinary_employees=employees,
                actor="test",
                now=clock.now(),
            )
        session.commit()
        return unit

    return factory


@pytest.fixture
def place_at(session: Session, reference: dict, clock: FrozenClock) -> Callable[..., Place]:
    """Return place_at(unit, *history, type_code="internship", reference=...) with history (status, date)."""
    counter = iter(range(1, 100_000))

    def factory(
        unit: Unit | None, *history: tuple[str, date], type_code: str = "internship", **kw: object
    ) -> Place:
        history = history or (("open", date(2025, 1, 6)),)
        (status, day), rest = history[0], history[1:]
        department_id = unit.department_id if unit is not None else reference["departments"]["SOF"].id
        place = registration.register_place(
            session,
            department_id=department_id,
            type_code=type_code,
            reference=str(kw.pop("reference", f"P-{next(counter)}")),
            unit_id=unit.id if unit is not None else None,
            status=status,
            effective_date=day,
            actor="test",
            now=clock.now(),
        )
        for status, day in rest:
            status_events.record_status(
                session, place_id=place.id, status=status, effective_date=day, actor="test", now=clock.now()
            )
        session.commit()
        return place

    return factory
