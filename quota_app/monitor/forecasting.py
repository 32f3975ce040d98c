"""The early warning on the monitoring pages and HR's start page (docs/forecast.md §5): where the year is
heading from today, as known now, whatever date or moment a page measures.

Computed once for every department by the forecast package and cached like the live overview
(cache.remember with a live measure: reused until anything it depends on changes), so the overview, a
department's page and HR's start page share one result and each narrows it to the lines it may show. A
page measuring another date or moment does not compute a projection of its own: that would cost a fit of
the model per request (docs/quality.md, the uncached overview).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from ..forecast.summary import EarlyWarning, early_warning, of_departments
from .cache import remember
from .measure import Measure


def early_warning_for(
    session: Session, *, now: datetime, zone: ZoneInfo, department_codes: Sequence[str] | None = None
) -> EarlyWarning:
    """Today's projection of the year, the pace needed and the registration lag of this year's events, as
    known now (or when last computed, while nothing has changed since), narrowed to department_codes
    (None: every department)."""
    today = now.astimezone(zone).date()
    live = Measure(as_of=today, period=None, method="point", known_at=now, live=True)
    everything = remember(
        session,
        name="early_warning",
        params=(),
        measure=live,
        now=now,
        compute=lambda: early_warning(session, as_of=today, known_at=now, zone=zone),
    )
    return of_departments(everything, department_codes)
