"""Factories for the places pages' tests: places with a history, through the lifecycle service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlmodel import Session

from quota_app import create_app
from quota_app.clock import FrozenClock
from quota_app.db import Database
from quota_app.models import Place, PlaceEvent, Unit
from quota_app.places import registration, status_events
from quota_app.settings import Settings
from tests.conftest import department


@pytest.fixture
def app(settings: Settings, connection: sa.Connection, clock: FrozenClock) -> Flask:
    """The app without an app context held open by the test, so each request closes its own session."""
    return create_app(settings, database=Database.bound_to(connection), clock=clock)


@pytest.fixture
def make_unit(session: Session, reference: dict) -> Callable[..., Unit]:
    def factory(name: str, department_code: str = "SOF") -> Unit:
        unit = Unit(department_id=department(session, department_code).id, name=name)
        session.add(unit)
        session.commit()
        return unit

    return factory


@pytest.fixture
def make_place(session: Session, reference: dict, clock) -> Callable[..., Place]:  # type: ignore[no-untyped-def]
    """Return make_place(actor, reference, ...) registering a place and optional later statuses."""

    def factory(
        actor,  # type: ignore[no-untyped-def]
        ref: str,
        *,
        department_code: str = "SOF",
        type_code: str = "internship",
        title: str = "",
        unit: Unit | None = None,
        status: str = "open",
        since: date = date(2025, 9, 1),
        then: tuple[tuple[str, date], ...] = (),
    ) -> Place:
        place = registration.register_place(
            session,
            department_id=department(session, department_code).id,
            type_code=type_code,
            reference=ref,
            title=title,
            unit_id=unit.id if unit else None,
            status=status,
            effective_date=since,
            actor=actor,
            now=clock.now(),
        )
        for later_status, day in then:
            status_events.record_status(
                session,
                place_id=place.id,
                status=later_status,
                effective_date=day,
                actor=actor,
                now=clock.now(),
            )
        session.commit()
        return place

    return factory


def counts(session: Session) -> tuple[int, int]:
    """(places, events) in the database, to prove a refused request changed nothing."""
    places = session.execute(sa.select(sa.func.count()).select_from(Place)).scalar_one()
    events = session.execute(sa.select(sa.func.count()).select_from(PlaceEvent)).scalar_one()
    return places, events
