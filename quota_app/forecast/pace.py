"""The pace needed (issue 16, point 4): what it takes for a department and type to reach the target.

For each row of a projection below target (needed > 0): how many more places must be counted at the end
of the year than projected, and, with the year's time to fill (the median of reconcile.time_to_fill over
the year, or over the year before while the year has no fills yet), the last day to advertise them so
that they are filled by the year's last day: that day minus the median, rounded up to whole days.

The sentence is a message (quota_app.texts): its value is Danish, the web renders it in the reader's
language, with the dates and the median written the way that language writes them (quota_app.formatting):
"SOF skal besætte 6 flere pladser i Virksomhedspraktik før 31. december; med den nuværende tid til
besættelse (median 41 dage) er sidste frist for opslag 20. november."
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlmodel import Session

from ..formatting import DayAndMonth, Decimal
from ..models import PlacementType
from ..periods import Period
from ..reconcile.ageing import time_to_fill
from ..reconcile.rules import types_by_code
from ..texts import N_, ByLanguage, Joined, Text
from .types import Pace, Projection, ProjectionRow


def _need(row: ProjectionRow, type_name: Text, end: date) -> Text:
    assert row.needed, "only a row below its target has a need"
    values = {"department": row.department, "type": type_name, "end": DayAndMonth(end)}
    if row.measure == "flow":
        if row.needed == 1:
            return N_("%(department)s skal starte 1 forløb mere i %(type)s før %(end)s", **values)
        return N_(
            "%(department)s skal starte %(count)s flere forløb i %(type)s før %(end)s",
            count=Decimal(row.needed, digits=0),
            **values,
        )
    if row.needed == 1:
        return N_("%(department)s skal besætte 1 plads mere i %(type)s før %(end)s", **values)
    return N_(
        "%(department)s skal besætte %(count)s flere pladser i %(type)s før %(end)s",
        count=Decimal(row.needed, digits=0),
        **values,
    )


def _deadline(median: float, post_by: date, *, overdue: bool) -> Text:
    values = {"median": Decimal(median), "deadline": DayAndMonth(post_by)}
    if overdue:
        return N_(
            "med den nuværende tid til besættelse (median %(median)s dage) var sidste frist for opslag %(deadline)s.",
            **values,
        )
    return N_(
        "med den nuværende tid til besættelse (median %(median)s dage) er sidste frist for opslag %(deadline)s.",
        **values,
    )


def sentence(
    row: ProjectionRow,
    *,
    type_name: Text,
    end: date,
    median: float | None,
    post_by: date | None,
    overdue: bool,
) -> Text:
    """What a row below target must do, in words: the need, and the deadline when there is a time to fill."""
    need = _need(row, type_name, end)
    if median is None or post_by is None:
        return N_("%(need)s.", need=need)
    return Joined([need, _deadline(median, post_by, overdue=overdue)], separator="; ")


def _medians(
    session: Session, *, year: int, known_at: datetime, cells: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], float]:
    """(department, type) -> the median days to fill of the year, or of the year before without fills."""
    wanted = set(cells)
    found: dict[tuple[str, str], float] = {}
    for period in (Period(year), Period(year - 1)):
        missing = wanted - found.keys()
        if not missing:
            break
        codes = sorted({department for department, _ in missing})
        for row in time_to_fill(session, period=period, known_at=known_at, department_codes=codes):
            if (row.department, row.type) in missing and row.median_days is not None:
                found[(row.department, row.type)] = row.median_days
    return found


def type_names(types: Iterable[PlacementType]) -> dict[str, Text]:
    return {t.code: ByLanguage(da=t.name_da, en=t.name_en) for t in types}


def pace_needed(session: Session, *, projection: Projection) -> list[Pace]:
    """Return the pace needed for every row of projection below target, largest gap first."""
    below = [r for r in projection.rows if r.needed]
    end = date(projection.year, 12, 31)
    medians = _medians(
        session,
        year=projection.year,
        known_at=projection.known_at,
        cells=((r.department, r.type) for r in below),
    )
    names = type_names(types_by_code(session, sorted({r.type for r in below}) or None)) if below else {}
    result = []
    for row in below:
        assert row.needed  # below: the rows with a need
        median = medians.get((row.department, row.type))
        post_by = end - timedelta(days=math.ceil(median)) if median is not None else None
        overdue = post_by is not None and post_by < projection.as_of
        result.append(
            Pace(
                department=row.department,
                type=row.type,
                measure=row.measure,
                needed=row.needed,
                by=end,
                median_days_to_fill=median,
                post_by=post_by,
                overdue=overdue,
                sentence=sentence(
                    row, type_name=names[row.type], end=end, median=median, post_by=post_by, overdue=overdue
                ),
            )
        )
    return sorted(result, key=lambda p: (-p.needed, p.department, p.type))
