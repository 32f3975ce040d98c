"""The early warning as the pages, the report and the weekly mail show it: computed once, here.

- early_warning(): the year-end projection, the pace needed for the lines below target and the
  registration lag, for one as-of date and known-at, every department asked for (one fit shared);
- of_departments(): the same narrowed to some departments (HR sees only its own lines);
- sort_gaps(): the pace lines in one of GAP_ORDERS (the overview's server-side sort);
- below_threshold(): the lines whose projected year-end fulfilment is under a percentage (the mail's 90 %);
- late_registrations(): status events recorded in a window more than N days after their date.

No Flask: the monitor caches the result (monitor/cache.py), the report gatherer and the mail call it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col

from ..db import days_to_local_date
from ..errors import DomainError
from ..models import Department, Place, PlaceEvent, PlacementType
from ..periods import Period
from ..texts import N_
from .lag import registration_lag
from .pace import pace_needed
from .projection import project
from .types import LagReport, Pace, Projection, ProjectionRow

GAP_ORDERS = ("largest", "smallest", "department")  # largest gap first is the default
WARNING_PCT = 90.0  # the weekly mail lists the lines projected below this fulfilment at year end
LATE_REGISTRATION_DAYS = 30  # ... and the status changes recorded more than this many days late


@dataclass(frozen=True)
class EarlyWarning:
    """Where the departments are heading (projection), what it takes (pace) and how late they register."""

    projection: Projection
    pace: tuple[Pace, ...]  # the lines below target, largest gap first
    lag: LagReport  # the lag of the events dated in lag.period, as known at projection.known_at

    def pace_of(self, department: str, type_code: str) -> Pace | None:
        return next((p for p in self.pace if (p.department, p.type) == (department, type_code)), None)


def lag_period_for(as_of: date) -> Period:
    """The lag the pages show: the events dated in the as-of date's year."""
    return Period(as_of.year)


def early_warning(
    session: Session,
    *,
    as_of: date,
    known_at: datetime,
    zone: ZoneInfo,
    department_codes: Sequence[str] | None = None,
    lag_period: Period | None = None,
) -> EarlyWarning:
    """The projection of as_of's year, the pace needed and the registration lag (of lag_period, by default
    as_of's year), as known at known_at, for the departments asked for (every active one without codes)."""
    projection = project(
        session, year=as_of.year, as_of=as_of, known_at=known_at, department_codes=department_codes
    )
    return EarlyWarning(
        projection=projection,
        pace=tuple(pace_needed(session, projection=projection)),
        lag=registration_lag(
            session,
            period=lag_period or lag_period_for(as_of),
            known_at=known_at,
            zone=zone,
            department_codes=department_codes,
        ),
    )


def of_departments(warning: EarlyWarning, codes: Sequence[str] | None) -> EarlyWarning:
    """The same figures for only these departments (None: all of them)."""
    if codes is None:
        return warning
    wanted = set(codes)
    return EarlyWarning(
        projection=replace(
            warning.projection, rows=tuple(r for r in warning.projection.rows if r.department in wanted)
        ),
        pace=tuple(p for p in warning.pace if p.department in wanted),
        lag=replace(warning.lag, rows=tuple(r for r in warning.lag.rows if r.department in wanted)),
    )


def sort_gaps(pace: Sequence[Pace], order: str) -> list[Pace]:
    """The pace lines by the size of the gap (largest or smallest first) or by department and type."""
    if order not in GAP_ORDERS:
        raise DomainError(N_("Ukendt sortering '%(order)s'.", order=order), field="order")
    if order == "department":
        return sorted(pace, key=lambda p: (p.department, p.type))
    sign = -1 if order == "largest" else 1
    return sorted(pace, key=lambda p: (sign * p.needed, p.department, p.type))


def below_threshold(projection: Projection, pct: float = WARNING_PCT) -> list[ProjectionRow]:
    """The lines with a target whose projected year-end fulfilment is below pct, lowest first."""
    rows = [r for r in projection.rows if r.projected_pct is not None and r.projected_pct < pct]
    return sorted(rows, key=lambda r: (r.projected_pct, r.department, r.type))


@dataclass(frozen=True)
class LateRegistration:
    """A status change recorded long after the day it happened."""

    department: str
    type: str
    reference: str
    title: str
    status: str
    effective_date: date
    recorded_on: date  # the recording's date in the app's time zone
    days_late: int


def late_registrations(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    zone: ZoneInfo,
    min_days: int = LATE_REGISTRATION_DAYS,
    department_codes: Sequence[str] | None = None,
) -> list[LateRegistration]:
    """The status events recorded in (since, until], not voided by until, more than min_days after their
    effective date (in zone), most late first."""
    lag = days_to_local_date(col(PlaceEvent.effective_date), col(PlaceEvent.recorded_at), zone.key)
    query = (
        sa.select(
            col(Department.code),
            col(PlacementType.code),
            col(Place.reference),
            col(Place.title),
            col(PlaceEvent.status),
            col(PlaceEvent.effective_date),
            lag.label("lag"),
        )
        .select_from(PlaceEvent)
        .join(Place, col(Place.id) == PlaceEvent.place_id)
        .join(Department, col(Department.id) == Place.department_id)
        .join(PlacementType, col(PlacementType.id) == Place.type_id)
        .where(
            col(PlaceEvent.recorded_at) > since,
            col(PlaceEvent.recorded_at) <= until,
            sa.or_(col(PlaceEvent.voided_at).is_(None), col(PlaceEvent.voided_at) > until),
            lag > min_days,
        )
    )
    if department_codes is not None:
        query = query.where(col(Department.code).in_(list(department_codes)))
    found = [
        LateRegistration(
            department=department,
            type=type_code,
            reference=reference,
            title=title or "",
            status=status,
            effective_date=effective,
            recorded_on=date.fromordinal(effective.toordinal() + int(days)),
            days_late=int(days),
        )
        for department, type_code, reference, title, status, effective, days in session.execute(query)
    ]
    return sorted(found, key=lambda r: (-r.days_late, r.department, r.reference, r.effective_date))
