"""A department's pages: its figures split by unit (counted as the department is, so the units add up to
it), a unit's places, and a type's monthly trend (all cached like the overview, see cache)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from ..models import STATUSES, Place
from ..periods import Period
from ..reconcile.ageing import ageing_summary, open_places_longest, time_to_fill
from ..reconcile.figures import monthly_trend, reconcile
from ..reconcile.queries import holds_on, known_intervals, scope
from ..reconcile.rules import type_ids
from ..reconcile.types import AgeingBuckets, OpenPlaceAge, Reconciliation, TimeToFill, UnitFigures
from ..reconcile.units import reconcile_units
from .cache import remember
from .measure import DepartmentInfo, Measure

TREND_YEARS = 3


@dataclass(frozen=True)
class DepartmentFigures:
    summary: Reconciliation
    units: list[UnitFigures]
    longest: list[OpenPlaceAge]
    ageing: dict[tuple[str, str], AgeingBuckets]
    fill_period: Period
    fills: list[TimeToFill]


def department_figures(
    session: Session, *, department: DepartmentInfo, measure: Measure, now: datetime
) -> DepartmentFigures:
    """Return everything the department page shows (cached like the overview)."""

    def compute() -> DepartmentFigures:
        code = [department.code]
        fill_period = measure.period or Period(measure.day.year)
        return DepartmentFigures(
            summary=reconcile(
                session,
                as_of=measure.as_of,
                period=measure.period,
                method=measure.method,
                known_at=measure.known_at,
                department_codes=code,
            ),
            units=reconcile_units(
                session,
                department_code=department.code,
                as_of=measure.as_of,
                period=measure.period,
                method=measure.method,
                known_at=measure.known_at,
            ),
            longest=open_places_longest(
                session, as_of=measure.day, known_at=measure.known_at, department_codes=code, limit=20
            ),
            ageing=ageing_summary(
                session, as_of=measure.day, known_at=measure.known_at, department_codes=code
            ),
            fill_period=fill_period,
            fills=time_to_fill(session, period=fill_period, known_at=measure.known_at, department_codes=code),
        )

    figures = remember(
        session, name="department", params=(department.code,), measure=measure, now=now, compute=compute
    )
    if figures.summary.known_at != measure.known_at:
        figures = replace(figures, summary=replace(figures.summary, known_at=measure.known_at))
    return figures


def _department_intervals_on(
    session: Session, department: DepartmentInfo, *, as_of: date, known_at: datetime
) -> sa.Subquery:
    """Return place_id, type_id, status and unit_id (the unit on as_of) of the department's places on as_of
    as known at known_at."""
    types = type_ids(session)
    return known_intervals(
        known_at,
        lambda t: (t.c.place_id, t.c.type_id, t.c.status, t.c.unit_id),
        lambda t: (
            *scope(t, department_ids=[department.id], type_ids=types, statuses=STATUSES),
            holds_on(t, as_of),
        ),
        name="department_intervals",
    )


def unit_place_ids(
    session: Session, *, department: DepartmentInfo, unit_id: int | None, as_of: date, known_at: datetime
) -> list[int]:
    """Return the ids of a unit's places that exist on as_of as known at known_at."""
    iv = _department_intervals_on(session, department, as_of=as_of, known_at=known_at)
    unit_match = iv.c.unit_id.is_(None) if unit_id is None else iv.c.unit_id == unit_id
    query = (
        sa.select(col(Place.id))
        .select_from(iv.join(Place, col(Place.id) == iv.c.place_id))
        .where(unit_match)
        .order_by(col(Place.id))
    )
    return [int(pid) for (pid,) in session.execute(query)]


def trend(
    session: Session, *, department_code: str, type_code: str, measure: Measure, now: datetime
) -> tuple[list[tuple[date, float, int | None]], list[OpenPlaceAge]]:
    """Return the monthly counted figure against target over the last three years up to the measuring
    date, and the type's places open longest (cached like the overview)."""
    end = measure.day
    start = (date(end.year - TREND_YEARS, end.month, 1) + timedelta(days=32)).replace(day=1)

    def compute() -> tuple[list[tuple[date, float, int | None]], list[OpenPlaceAge]]:
        points = monthly_trend(
            session,
            department_code=department_code,
            type_code=type_code,
            start=start,
            end=end,
            known_at=measure.known_at,
        )
        longest = open_places_longest(
            session,
            as_of=end,
            known_at=measure.known_at,
            department_codes=[department_code],
            type_codes=[type_code],
            limit=20,
        )
        return points, longest

    return remember(
        session,
        name="trend",
        params=(department_code, type_code),
        measure=measure,
        now=now,
        compute=compute,
    )
