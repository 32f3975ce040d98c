"""Fixtures of these tests."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import fresh_context_per_request


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    fresh_context_per_request(app)
    return app.test_client()


@pytest.fixture
def make_place(session, reference, clock):  # type: ignore[no-untyped-def]
    """Return a factory make_place(department_code, reference, status) -> Place with one event."""
    from datetime import date

    from quota_app.models import Place, PlaceEvent

    def factory(code: str = "SOF", ref: str = "P-1", status: str = "open", type_code: str = "internship"):  # type: ignore[no-untyped-def]
        place = Place(
            department_id=reference["departments"][code].id,
            type_id=reference["types"][type_code].id,
            reference=ref,
            title="Praktik",
            current_status=status,
            current_since=date(2025, 3, 1),
            created_at=clock.now(),
        )
        session.add(place)
        session.flush()
        session.add(
            PlaceEvent(
                place_id=place.id, status=status, effective_date=date(2025, 3, 1), recorded_at=clock.now()
            )
        )
        session.commit()
        return place

    return factory
