"""The early warning on the monitoring pages and HR's start page (docs/forecast.md §5): where the year is
heading from today, as known now, whatever date or moment a page measures.

Computed once for every department by the forecast package and cached (cache.remember), so the overview,
a department's page and HR's start page share one result and each narrows it to the lines it may show.
Fitting the model costs seconds at national scale, and a year-end projection does not move with each
registration: the result is reused for up to REUSE (the page says when it was computed), and at once
computed again when a target, a counting rule, a department or a type changes, or the day changes. A
page measuring another date or moment does not compute a projection of its own: that would cost a fit of
the model per request (docs/quality.md, the uncached overview).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from ..forecast.summary import EarlyWarning, early_warning, of_departments
from .cache import reference_fingerprint, remember
from .measure import Measure

REUSE = timedelta(minutes=15)


def early_warning_for(
    session: Session, *, now: datetime, zone: ZoneInfo, department_codes: Sequence[str] | None = None
) -> EarlyWarning:
    """Today's projection of the year, the pace needed and the registration lag of this year's events, as
    known now or at most REUSE ago (when last computed), narrowed to department_codes (None: every
    department)."""
    today = now.astimezone(zone).date()
    live = Measure(as_of=today, period=None, method="point", known_at=now, live=True)
    everything = remember(
        session,
        name="early_warning",
        params=(),
        measure=live,
        now=now,
        fingerprint=(today, int(now.timestamp() // REUSE.total_seconds()), reference_fingerprint(session)),
        compute=lambda: early_warning(session, as_of=today, known_at=now, zone=zone),
    )
    return of_departments(everything, department_codes)
