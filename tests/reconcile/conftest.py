"""Factories for counting tests: places and events inserted directly with the models."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from sqlmodel import Session

from quota_app.models import Place
from tests.factories import EventSpec, insert_place


@pytest.fixture
def make_place(session: Session, reference: dict) -> Callable[..., Place]:
    """Return a factory make_place(department, type, events, fte=1.0) -> Place (events as EventSpec)."""
    serial = iter(range(1, 1_000_000))

    def factory(department: str, type_code: str, events: Sequence[EventSpec], fte: float = 1.0) -> Place:
        return insert_place(
            session,
            reference,
            department=department,
            type_code=type_code,
            events=events,
            place_reference=f"T-{next(serial):06d}",
            fte=fte,
        )

    return factory
