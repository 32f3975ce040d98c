"""Helpers of the places pages' tests (places come from the root register_place, with commit=True)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from quota_app.models import Place, PlaceEvent


def counts(session: Session) -> tuple[int, int]:
    """(places, events) in the database, to prove a refused request changed nothing."""
    places = session.execute(sa.select(sa.func.count()).select_from(Place)).scalar_one()
    events = session.execute(sa.select(sa.func.count()).select_from(PlaceEvent)).scalar_one()
    return places, events
