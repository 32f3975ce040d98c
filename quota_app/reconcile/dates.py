"""The dates counting measures on: where a flow type's starts begin, and the month ends of a trend."""

from __future__ import annotations

from datetime import date, timedelta

from ..periods import Period


def flow_start_of(as_of: date, period: Period | None = None) -> date:
    """The first day whose starts a flow type counts (docs/counting.md §4): the period's first day, or for a
    single date 1 January of its year."""
    return period.start if period is not None else date(as_of.year, 1, 1)


def month_end(day: date) -> date:
    """The last day of day's month."""
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def month_ends(start: date, end: date) -> list[date]:
    """Every month end from start's month to end's, the last one replaced by end."""
    points = []
    day = month_end(start)
    while True:
        points.append(min(day, end))
        if day >= end:
            return points
        day = month_end(day + timedelta(days=1))
