"""Fixtures of the compliance tests: workplaces with a headcount (places at them: the root register_place)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlmodel import Session

from quota_app.clock import FrozenClock
from quota_app.compliance import headcounts
from quota_app.models import Unit


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
