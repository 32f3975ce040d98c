"""The early warning on the monitoring pages (docs/forecast.md): computed once per measure for every
department by the forecast package and cached like the overview (cache.remember), so the overview, a
department's page and HR's start page share one result; each page narrows it to the lines it may show."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from ..forecast.summary import EarlyWarning, early_warning, of_departments
from .cache import remember
from .measure import Measure


def early_warning_for(
    session: Session,
    *,
    measure: Measure,
    now: datetime,
    zone: ZoneInfo,
    department_codes: Sequence[str] | None = None,
) -> EarlyWarning:
    """The projection of the measuring date's year, the pace needed and the registration lag of that
    year, as known at the measure's moment, narrowed to department_codes (None: every department)."""
    everything = remember(
        session,
        name="early_warning",
        params=(),
        measure=measure,
        now=now,
        compute=lambda: early_warning(session, as_of=measure.day, known_at=measure.known_at, zone=zone),
    )
    return of_departments(everything, department_codes)
