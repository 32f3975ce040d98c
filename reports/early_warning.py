"""The early warning in a department's report (docs/forecast.md): the registration lag of the period's
status changes and the pace needed to reach the year's targets, from the forecast package's figures
(computed once for every department in gather_context) into the report's plain data."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from quota_app.forecast.summary import EarlyWarning
from quota_app.periods import Period

from .data import LagLine, PaceLine


def pace_year_end(period: Period) -> date | None:
    """The year end a report's pace lines aim at; None when the period ends with the year (it is over)."""
    return None if period.end.month == 12 else date(period.year, 12, 31)


def lag_lines(warning: EarlyWarning, names: Mapping[str, str], department_code: str) -> tuple[LagLine, ...]:
    """The lag of the department's types that had status changes dated in the period."""
    return tuple(
        LagLine(
            names.get(row.type, row.type),
            row.all.events,
            row.all.median_days,
            row.all.p90_days,
            row.all.share_late,
            row.openings.events,
            row.openings.median_days,
            row.openings.p90_days,
            row.openings.share_late,
        )
        for row in warning.lag.rows
        if row.department == department_code and row.all.events
    )


def pace_lines(
    warning: EarlyWarning, names: Mapping[str, str], department_code: str, *, period: Period
) -> tuple[PaceLine, ...]:
    """The department's types projected below target at the year end, largest gap first (none when the
    period ends with the year)."""
    if pace_year_end(period) is None:
        return ()
    rows = {(r.department, r.type): r for r in warning.projection.rows}
    lines = []
    for pace in warning.pace:
        if pace.department != department_code:
            continue
        row = rows[(pace.department, pace.type)]
        lines.append(
            PaceLine(
                type_name=names.get(pace.type, pace.type),
                target=row.target,
                projected=row.year_end.projected,
                low=row.year_end.low,
                high=row.year_end.high,
                needed=pace.needed,
                post_by=pace.post_by,
                sentence=str(pace.sentence),
            )
        )
    return tuple(lines)
