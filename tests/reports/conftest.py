"""Factories for report tests: places and events inserted directly with the models."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from sqlmodel import Session

from quota_app.models import Place
from tests.factories import EventSpec, insert_place


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
        return insert_place(
            session,
            reference_data,
            department=department,
            type_code=type_code,
            events=events,
            place_reference=reference or f"P-{n:05d}",
            title=title,
            fte=fte,
        )

    return factory


@pytest.fixture
def mayors(session: Session, reference: dict) -> dict:
    """Give SOF and BIF mayors with Danish letters in their names."""
    departments = reference["departments"]
    departments["SOF"].mayor_name = "Søren Østergård Åberg"
    departments["BIF"].mayor_name = "Jens-Kristian Lütken"
    session.flush()
    return departments
