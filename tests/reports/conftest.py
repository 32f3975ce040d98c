"""Factories for report tests: places and events inserted directly with the models, and SOF's figures."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

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


EARLY = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def sof_figures(session: Session, reference: dict, mayors: dict, make_place, make_target) -> dict:  # type: ignore[no-untyped-def]
    """SOF: 4 work placements targeted in 2025 (3 in 2024); 3 filled and 1 open on 30.06.2025."""
    make_target(2025, "SOF", "internship", 4)
    make_target(2024, "SOF", "internship", 3)
    make_target(2025, "BIF", "internship", 2)
    for n in range(3):
        make_place("SOF", "internship", [("filled", date(2024, 3, 1 + n), EARLY)], title=f"Praktik {n}")
    make_place(
        "SOF",
        "internship",
        [("open", date(2025, 3, 1), datetime(2025, 3, 2, tzinfo=UTC))],
        reference="SOF-ÆØÅ-1",
        title="Praktik i køkken",
    )
    make_place("BIF", "internship", [("filled", date(2024, 5, 1), EARLY)])
    make_place("BIF", "internship", [("filled", date(2024, 5, 2), EARLY)])
    return mayors
