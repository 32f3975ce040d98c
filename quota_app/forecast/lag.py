"""Registration lag (issue 16, point 1): how late status changes reach the app.

For every status event the lag is the number of days from its effective date to the date, in the app's
time zone (QUOTA_TIMEZONE, Europe/Copenhagen), on which it was recorded. Per department and type over a
period (the events whose effective date falls in it): the number of events, the median, the 90th
percentile by nearest rank (the smallest lag that at least 90 % of the events have), and the share
recorded more than LATE_DAYS days late; for all events and for the `open` events (the memo's delay: a
place BIF learns of late sits empty).

Choices where the issue is silent:
- As known at known_at: an event recorded after it is not there yet, one voided at or before it is left
  out (voided events are left out; one voided later still counted then). Corrections are events of their
  own and count with their own recording date; the event a correction replaced keeps its own.
- The department and type are the place's as they are now (as counting reads them, docs/counting.md §8).
- The median is the middle value (the mean of the two middle ones for an even number), as time to fill's.
- Without codes: the active departments and types; a row for every pair, empty figures without events.

One aggregate in SQL: the events per department, type, open or not, and lag (a histogram); the figures
are read off it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from ..db import days_to_local_date
from ..errors import DomainError
from ..models import Place, PlaceEvent
from ..periods import Period
from ..reconcile.rules import NEEDS_TIMEZONE, departments_by_code, types_by_code
from .types import LagFigures, LagReport, LagRow

LATE_DAYS = 7  # recorded more than this many days after the effective date: late
P90 = 0.9
FIGURES = ("events", "median_days", "p90_days", "share_late")
OPENINGS_PREFIX = "openings_"

EVENTS = PlaceEvent.__table__
PLACES = Place.__table__


def lag_histogram_query(
    *,
    period: Period,
    known_at: datetime,
    zone: ZoneInfo,
    department_ids: Sequence[int],
    type_ids: Sequence[int],
) -> sa.Select[Any]:
    """Return rows (department_id, type_id, opening, lag, n): events per lag in days, opening 1 for `open`."""
    lag = days_to_local_date(EVENTS.c.effective_date, EVENTS.c.recorded_at, zone.key)
    events = (
        sa.select(
            PLACES.c.department_id,
            PLACES.c.type_id,
            sa.case((EVENTS.c.status == "open", 1), else_=0).label("opening"),
            lag.label("lag"),
        )
        .select_from(EVENTS.join(PLACES, PLACES.c.id == EVENTS.c.place_id))
        .where(
            EVENTS.c.effective_date >= period.start,
            EVENTS.c.effective_date <= period.end,
            EVENTS.c.recorded_at <= known_at,
            sa.or_(EVENTS.c.voided_at.is_(None), EVENTS.c.voided_at > known_at),
            PLACES.c.department_id.in_(list(department_ids)),
            PLACES.c.type_id.in_(list(type_ids)),
        )
        .subquery("events")
    )
    # Grouped on the labelled columns of a subquery: PostgreSQL would not match expressions with parameters.
    keys = (events.c.department_id, events.c.type_id, events.c.opening, events.c.lag)
    return sa.select(*keys, sa.func.count().label("n")).group_by(*keys)


def kth(histogram: Mapping[int, int], k: int) -> int:
    """The k-th smallest observation (1-based) of a histogram (value -> number of observations)."""
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= k:
            return value
    raise ValueError(f"the histogram has fewer than {k} observations")


def nearest_rank(histogram: Mapping[int, int], share: float) -> int | None:
    """The percentile by nearest rank: the ceil(share x n)-th smallest observation (None without any)."""
    total = sum(histogram.values())
    return kth(histogram, max(1, math.ceil(round(share * total, 9)))) if total else None


def median(histogram: Mapping[int, int]) -> float | None:
    """The middle observation (the mean of the two middle ones for an even number); None without any."""
    total = sum(histogram.values())
    if total == 0:
        return None
    return (kth(histogram, (total + 1) // 2) + kth(histogram, total // 2 + 1)) / 2


def figures(histogram: Mapping[int, int]) -> LagFigures:
    """The lag figures of a histogram (lag in days -> number of events)."""
    total = sum(histogram.values())
    if total == 0:
        return LagFigures(events=0, median_days=None, p90_days=None, share_late=None)
    late = sum(n for lag, n in histogram.items() if lag > LATE_DAYS)
    return LagFigures(
        events=total,
        median_days=median(histogram),
        p90_days=nearest_rank(histogram, P90),
        share_late=round(late / total, 3),
    )


def registration_lag(
    session: Session,
    *,
    period: Period,
    known_at: datetime,
    zone: ZoneInfo,
    department_codes: Sequence[str] | None = None,
    type_codes: Sequence[str] | None = None,
) -> LagReport:
    """Return the registration lag per department and type of the events dated in period, as known at
    known_at, with lags counted to the recording's date in zone (the app's QUOTA_TIMEZONE)."""
    if known_at.tzinfo is None:
        raise DomainError(NEEDS_TIMEZONE, field="known_at")
    departments = departments_by_code(session, department_codes)
    types = types_by_code(session, type_codes)
    query = lag_histogram_query(
        period=period,
        known_at=known_at,
        zone=zone,
        department_ids=[d.id for d in departments],
        type_ids=[t.id for t in types],
    )
    every: dict[tuple[int, int], Counter[int]] = defaultdict(Counter)
    openings: dict[tuple[int, int], Counter[int]] = defaultdict(Counter)
    for department_id, type_id, opening, lag, n in session.execute(query):
        every[(department_id, type_id)][int(lag)] += int(n)
        if opening:
            openings[(department_id, type_id)][int(lag)] += int(n)
    rows = tuple(
        LagRow(
            department=d.code,
            type=t.code,
            all=figures(every.get((d.id, t.id), Counter())),
            openings=figures(openings.get((d.id, t.id), Counter())),
        )
        for d in departments
        for t in types
    )
    return LagReport(period=period.label, known_at=known_at, rows=rows)


def lag_row_to_json(row: LagRow) -> dict[str, Any]:
    """A row as `quota lag --format json` prints it: the figures of all events, then of the openings."""
    data: dict[str, Any] = {"department": row.department, "type": row.type}
    data.update({name: getattr(row.all, name) for name in FIGURES})
    data.update({OPENINGS_PREFIX + name: getattr(row.openings, name) for name in FIGURES})
    return data


def lag_to_json(report: LagReport) -> dict[str, Any]:
    """Return the object `quota lag --format json` prints (docs/cli.md): {"period", "rows"}."""
    return {"period": report.period, "rows": [lag_row_to_json(row) for row in report.rows]}
