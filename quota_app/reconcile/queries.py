"""The SQL counting is made of: conditions on the status intervals, and the aggregate queries built on them.

The status of place P on date D as known at T is the event with the greatest (effective_date,
recorded_at) among the events with effective_date <= D, recorded_at <= T and not voided at T
(voided_at IS NULL OR voided_at > T); events recorded at the same instant for the same date are
ordered by id. Counting reads that from the status intervals derived from the events
(quota_app.reconcile.intervals): the intervals as known at T are the current ones known since T or
earlier, and the superseded ones known over a span that contains T. Every figure is then one range
aggregate per table over an index that covers it: per department, type and status, the intervals ending
after the first day asked about. Dates are day numbers (DayNumber), so durations are integer arithmetic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ..db import DayNumber, greatest, least
from ..models import STATUSES
from .dates import flow_start_of
from .intervals import CURRENT, SUPERSEDED

SOURCES = (CURRENT, SUPERSEDED)


# --- conditions on the intervals -----------------------------------------------------------------------


def day_number(value: date | Any) -> Any:
    """A date as a day-number literal; an SQL expression (a day number already) as it is."""
    return sa.literal(value, DayNumber()) if isinstance(value, date) else value


def days_from(earlier: Any, later: Any) -> Any:
    """Whole days from one day-number expression to another (later - earlier), as an integer."""
    return sa.type_coerce(later - earlier, sa.Integer())


def known_at_condition(table: sa.Table, known_at: datetime) -> Any:
    """The intervals of table (current or superseded) that were known at known_at."""
    known = table.c.known_from <= known_at
    if table is SUPERSEDED:
        # known_to first: after department, type and status, the superseded table's index ranges on it.
        return sa.and_(table.c.known_to > known_at, known)
    return known


def overlaps(table: sa.FromClause, start: date | Any, end: date | Any) -> list[Any]:
    """The intervals that hold on at least one day from start to end, both included."""
    return [table.c.valid_to > day_number(start), table.c.valid_from <= day_number(end)]


def holds_on(table: sa.FromClause, day: date | Any) -> Any:
    """The intervals that hold on day."""
    return sa.and_(*overlaps(table, day, day))


def begins_within(table: sa.FromClause, start: date | Any, end: date | Any) -> list[Any]:
    """The intervals that begin from start to end, both included (e.g. within a period).

    valid_to > start follows from the others (an interval ends after it begins); said, it bounds the
    range the indexes read (they range on valid_to after department, type and status)."""
    first = day_number(start)
    return [table.c.valid_to > first, table.c.valid_from >= first, table.c.valid_from <= day_number(end)]


def is_start(table: sa.FromClause) -> Any:
    """A transition into filled: a filled interval after another status, or the place's first."""
    return sa.and_(table.c.status == "filled", sa.func.coalesce(table.c.prev_status, "") != "filled")


def starts_within(table: sa.FromClause, start: date, end: date) -> list[Any]:
    """The starts a flow type counts from start to end: transitions into filled that begin then."""
    return [*begins_within(table, start, end), is_start(table)]


def scope(
    table: sa.Table, *, department_ids: Sequence[int], type_ids: Sequence[int], statuses: Sequence[str]
) -> list[Any]:
    """Conditions on the index's leading columns. All three are named, also when all are wanted: then
    both engines seek each combination and range over the rest, where they would otherwise scan."""
    return [
        table.c.department_id.in_(list(department_ids)),
        table.c.type_id.in_(list(type_ids)),
        table.c.status.in_(list(statuses)),
    ]


def known_intervals(
    known_at: datetime,
    columns: Callable[[sa.Table], Sequence[Any]],
    conditions: Callable[[sa.Table], Sequence[Any]],
    *,
    name: str = "known",
) -> sa.Subquery:
    """Return the columns of the intervals known at known_at that meet the conditions, from both tables."""
    return sa.union_all(
        *(sa.select(*columns(t)).where(known_at_condition(t, known_at), *conditions(t)) for t in SOURCES)
    ).subquery(name)


# --- the aggregates ------------------------------------------------------------------------------------


def count_by_status_query(
    *,
    known_at: datetime,
    as_of: date,
    method: str,
    flow_start: date,
    average_from: date | None = None,
    department_ids: Sequence[int],
    weighting: Mapping[int, str],
    flow_type_ids: Collection[int] = (),
    by_unit: bool = False,
) -> sa.CompoundSelect[Any]:
    """Return rows (department_id, type_id, status, n, starts) to be summed per key; with by_unit, each
    row ends with a unit_id (None: places without a unit), the same figures split by the unit each place
    had on the dates counted (as known at known_at).

    n: places in the status on as_of (point), or place-days in the status from average_from to as_of
    (average: divide by the number of those days); starts: transitions into filled from flow_start to
    as_of, for the flow types only. Both are weighted per type as weighting says (type id -> "headcount"
    or "fte"; the types not in it are not counted).

    Current intervals: one aggregate per weighting and figure, each over one index range per department,
    type and status, grouped in index order (no sort). Superseded intervals: those known at known_at are
    one range per department, type and status (known_to > known_at), short unless known_at lies far
    back; a single pass over them gives every figure.
    """

    def days(t: sa.Table) -> Any:
        """The place-days an interval adds (average); None for point (one place counts once)."""
        if method != "average":
            return None
        assert average_from is not None
        after_end = day_number(as_of + timedelta(days=1))
        return days_from(greatest(t.c.valid_from, day_number(average_from)), least(t.c.valid_to, after_end))

    def counted(t: sa.Table) -> Any:
        if method != "average":
            return holds_on(t, as_of)
        assert average_from is not None
        return sa.and_(*overlaps(t, average_from, as_of))

    def started(t: sa.Table, type_ids: Collection[int]) -> list[Any]:
        # The type is said again for the superseded table, which names all types.
        return [t.c.type_id.in_(list(type_ids)), *starts_within(t, flow_start, as_of)]

    def by_place_unit(t: sa.Table, select: sa.Select[Any], keys: Sequence[Any]) -> sa.Select[Any]:
        """The select grouped by keys, and with by_unit by the unit the place had on the interval's dates."""
        if not by_unit:
            return select.group_by(*keys)
        return select.add_columns(t.c.unit_id).group_by(*keys, t.c.unit_id)

    none = sa.literal(0, sa.Integer())
    by_weighting: dict[str, list[int]] = defaultdict(list)
    for type_id, weight in sorted(weighting.items()):
        by_weighting[weight].append(type_id)
    t = CURRENT
    known, keys = known_at_condition(t, known_at), (t.c.department_id, t.c.type_id, t.c.status)
    branches = []
    for weight, type_ids in sorted(by_weighting.items()):
        # Weighted in SQL only where the rule says so: the other rows add their days (or 1) as they are.
        if days(t) is None:
            n = sa.func.sum(t.c.fte) if weight == "fte" else sa.func.count()
        else:
            n = sa.func.sum(days(t) * t.c.fte) if weight == "fte" else sa.func.sum(days(t))
        cells = scope(t, department_ids=department_ids, type_ids=type_ids, statuses=STATUSES)
        branches.append(
            by_place_unit(
                t, sa.select(*keys, n.label("n"), none.label("starts")).where(known, *cells, counted(t)), keys
            )
        )
        flows = [i for i in type_ids if i in flow_type_ids]
        if flows:
            starts = sa.func.sum(t.c.fte) if weight == "fte" else sa.func.count()
            fills = scope(t, department_ids=department_ids, type_ids=flows, statuses=["filled"])
            branches.append(
                by_place_unit(
                    t,
                    sa.select(*keys, none.label("n"), starts.label("starts")).where(
                        known, *fills, *started(t, flows)
                    ),
                    keys,
                )
            )
    t = SUPERSEDED
    keys = (t.c.department_id, t.c.type_id, t.c.status)
    fte_ids = by_weighting.get("fte", [])
    weighted = (
        sa.case((t.c.type_id.in_(fte_ids), t.c.fte), else_=1) if fte_ids else sa.literal(1, sa.Integer())
    )
    is_counted, is_started = counted(t), sa.and_(*started(t, flow_type_ids))
    superseded = sa.select(
        *keys,
        sa.func.sum(
            sa.case((is_counted, weighted if days(t) is None else days(t) * weighted), else_=0)
        ).label("n"),
        sa.func.sum(sa.case((is_started, weighted), else_=0)).label("starts"),
    ).where(
        known_at_condition(t, known_at),
        *scope(t, department_ids=department_ids, type_ids=list(weighting), statuses=STATUSES),
        sa.or_(is_counted, is_started),
    )
    branches.append(by_place_unit(t, superseded, keys))
    return sa.union_all(*branches)


def monthly_trend_query(
    *, known_at: datetime, points: Sequence[date], department_id: int, type_id: int
) -> sa.Select[Any]:
    """Return the aggregate per (day, status) for every date of points (ascending) in one query.

    Columns: day, status, n, n_fte (places in the status on day), starts, starts_fte (transitions into
    filled from the flow start of day, 1 January of its year, to day): what count_by_status_query gives
    for one date.
    """
    iv = known_intervals(
        known_at,
        lambda t: (
            t.c.status,
            t.c.valid_from,
            t.c.valid_to,
            t.c.fte,
            sa.case((is_start(t), 1), else_=0).label("is_start"),
        ),
        lambda t: (
            *scope(t, department_ids=[department_id], type_ids=[type_id], statuses=STATUSES),
            *overlaps(t, min(points[0], flow_start_of(points[0])), points[-1]),
        ),
        name="trend_intervals",
    )
    days = sa.union_all(
        *(
            sa.select(day_number(p).label("day"), day_number(flow_start_of(p)).label("year_start"))
            for p in points
        )
    ).subquery("points")
    holds = holds_on(iv, days.c.day)
    starts_here = sa.and_(iv.c.is_start == 1, *begins_within(iv, days.c.year_start, days.c.day))
    held = sa.case((holds, 1), else_=0)
    started = sa.case((starts_here, 1), else_=0)
    return (
        sa.select(
            days.c.day,
            iv.c.status,
            sa.func.sum(held).label("n"),
            sa.func.sum(held * iv.c.fte).label("n_fte"),
            sa.func.sum(started).label("starts"),
            sa.func.sum(started * iv.c.fte).label("starts_fte"),
        )
        .select_from(iv.join(days, sa.or_(holds, starts_here)))
        .group_by(days.c.day, iv.c.status)
    )
