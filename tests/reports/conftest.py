"""Fixtures of the report tests: SOF's figures (places from the root make_place) and mayors with Danish letters."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session


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
