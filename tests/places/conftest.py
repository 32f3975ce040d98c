"""Factories for place tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlmodel import Session

from quota_app.clock import FrozenClock
from quota_app.models import Place
from quota_app.places import registration, status_events


@pytest.fixture
def make_place(session: Session, reference: dict, clock: FrozenClock) -> Callable[..., Place]:
    """Return make_place(*history, department="SOF", type_code="internship") with history (status, date)."""
    counter = iter(range(1, 100_000))

    def factory(
        *history: tuple[str, date], department: str = "SOF", type_code: str = "internship", **kw: object
    ) -> Place:
        history = history or (("open", date(2025, 1, 6)),)
        (status, day), rest = history[0], history[1:]
        place = registration.register_place(
            session,
            department_id=reference["departments"][department].id,
            type_code=type_code,
            reference=str(kw.pop("reference", f"P-{next(counter)}")),
            status=status,
            effective_date=day,
            actor="test",
            now=clock.now(),
            **kw,  # type: ignore[arg-type]
        )
        for status, day in rest:
            status_events.record_status(
                session, place_id=place.id, status=status, effective_date=day, actor="test", now=clock.now()
            )
        return place

    return factory
