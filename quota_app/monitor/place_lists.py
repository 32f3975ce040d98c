"""The places behind a figure, and the lines that list them with their status on the measuring date.

Choices where the issue is silent:
- The places behind a figure are those on the measuring date (a period's last day), also for averages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import Department, Place, PlacementType, Unit
from ..reconcile import services as engine
from ..reconcile.types import RuleOverride
from .measure import placement_types

PLACES_PER_PAGE = 100


def places_behind(
    session: Session,
    *,
    as_of: date,
    known_at: datetime,
    department_codes: Sequence[str],
    type_codes: Sequence[str],
    status: str | None,
    overrides: Sequence[RuleOverride] = (),
    flow_from: date | None = None,
) -> list[int]:
    """Return the place ids behind a figure over several departments and types (status None: counted).

    With a what-if rule for a type, its counted places are those in any of the what-if's statuses. For
    flow types the counted places are those filled from flow_from (the period's first day; default
    1 January of as_of's year) to as_of, as the reconciliation counts them.
    """
    by_type = {o.type_code: o for o in overrides}
    flow_types = {t.code for t in placement_types(session, active_only=False) if t.measure == "flow"}
    ids: set[int] = set()
    for department in department_codes:
        for type_code in type_codes:
            if status is None and type_code in flow_types:
                ids.update(
                    _flow_starts(
                        session,
                        department_code=department,
                        type_code=type_code,
                        start=flow_from or date(as_of.year, 1, 1),
                        end=as_of,
                        known_at=known_at,
                    )
                )
                continue
            override = by_type.get(type_code)
            statuses: Sequence[str | None] = (
                override.counted_statuses if status is None and override is not None else (status,)
            )
            for one in statuses:
                ids.update(
                    engine.places_behind(
                        session,
                        as_of=as_of,
                        known_at=known_at,
                        department_code=department,
                        type_code=type_code,
                        status=one,
                    )
                )
    return sorted(ids)


def _flow_starts(
    session: Session, *, department_code: str, type_code: str, start: date, end: date, known_at: datetime
) -> list[int]:
    """Return the places filled (from another status, or as their first event) from start to end."""
    department = session.exec(select(Department).where(Department.code == department_code)).one()
    ptype = session.exec(select(PlacementType).where(PlacementType.code == type_code)).one()
    query = engine.place_ids_query(
        known_at=known_at,
        as_of=end,
        department_ids=[department.id],
        type_ids=[ptype.id],
        statuses=["filled"],
        starts_from=start,
    )
    return [int(pid) for (pid,) in session.execute(query)]


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
        sa.select(
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
        .join(Department, Department.id == Place.department_id)
        .join(PlacementType, PlacementType.id == Place.type_id)
        .outerjoin(Unit, Unit.id == Place.unit_id)
        .where(Place.id.in_(list(place_ids)))
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
    known = engine.known_intervals(
        known_at,
        lambda t: (t.c.place_id, t.c.status),
        lambda t: (t.c.place_id.in_(list(place_ids)), engine.holds_on(t, as_of)),
    )
    return {int(pid): status for pid, status in session.execute(sa.select(known))}
