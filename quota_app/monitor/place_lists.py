"""The lines that list the places behind a figure with their status on the measuring date (the ids come
from quota_app.reconcile.places.places_behind).

Choices where the issue is silent:
- The places behind a figure are those on the measuring date (a period's last day), also for averages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from ..models import Department, Place, PlacementType, Unit
from ..reconcile.places import place_listing
from ..reconcile.queries import holds_on, known_intervals

PLACES_PER_PAGE = 100


@dataclass(frozen=True)
class PlaceBehindFigure:
    """A place counted in a monitor figure, with its status on the measuring date (the drill-down list)."""

    id: int
    reference: str
    title: str
    department: str
    unit: str | None
    type: str
    fte: float
    status: str | None  # on the measuring date, as known at known_at


def place_lines(
    session: Session, *, place_ids: Sequence[int], as_of: date, known_at: datetime
) -> list[PlaceBehindFigure]:
    """Return the places with these ids, ordered by department, type and reference, with their status."""
    if not place_ids:
        return []
    statuses = statuses_on(session, place_ids=place_ids, as_of=as_of, known_at=known_at)
    query = (
        place_listing(
            Place.id,
            Place.reference,
            Place.title,
            Department.code,
            Unit.name,
            PlacementType.code,
            Place.fte,
            Department.sort,
            PlacementType.sort,
        )
        .where(col(Place.id).in_(list(place_ids)))
        .order_by(Department.sort, PlacementType.sort, Place.reference, Place.id)
    )
    return [
        PlaceBehindFigure(pid, ref, title, dept, unit, type_code, float(fte), statuses.get(pid))
        for pid, ref, title, dept, unit, type_code, fte, _ds, _ts in session.execute(query)
    ]


def statuses_on(
    session: Session, *, place_ids: Sequence[int], as_of: date, known_at: datetime
) -> dict[int, str]:
    """Return the status of each place on as_of as known at known_at (places not existing yet left out)."""
    if not place_ids:
        return {}
    known = known_intervals(
        known_at,
        lambda t: (t.c.place_id, t.c.status),
        lambda t: (t.c.place_id.in_(list(place_ids)), holds_on(t, as_of)),
    )
    return {int(pid): status for pid, status in session.execute(sa.select(known))}
