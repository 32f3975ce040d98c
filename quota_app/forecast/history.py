"""The municipality's own history, as the projection's model needs it (docs/forecast.md §2).

Read from the status intervals as known at known_at, never past the as-of date, in four aggregates:
- the sojourns: per type and status, how many places stayed how many days (or are still there on the
  as-of date), over the places that entered a status in the DURATION_DAYS before it, and where the
  changes from each status in those days went; all departments together (a type's durations are the
  municipality's);
- the openings: per department and type, the places first registered as open in the RATE_DAYS before it
  (count, and sums of fte and fte² for fte-weighted rules);
- the places now: per department, type, status and days in that status on the as-of date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from ..db import DayNumber, least
from ..models import STATUSES, Department
from ..reconcile.queries import begins_within, days_from, holds_on, known_intervals, scope
from .model import MOVING, Sojourn, fit_sojourn

DURATION_DAYS = 3 * 365  # how far back sojourns are read: long enough for slow types, recent enough
RATE_DAYS = 365  # how far back new openings are counted: a year, so seasons even out


def _day(value: date) -> Any:
    return sa.literal(value, DayNumber())


@dataclass(frozen=True)
class Weights:
    """Places (or arrivals) and their fte: n, the sum of fte and the sum of fte squared."""

    n: float = 0.0
    fte: float = 0.0
    fte2: float = 0.0

    def scaled(self, factor: float) -> Weights:
        return Weights(self.n * factor, self.fte * factor, self.fte2 * factor)

    def mean(self, weighting: str) -> float:
        return self.fte if weighting == "fte" else self.n

    def square(self, weighting: str) -> float:
        return self.fte2 if weighting == "fte" else self.n


@dataclass(frozen=True)
class History:
    """What the model is fitted on, as of a date and as known at a time."""

    as_of: date
    known_at: datetime
    sojourns: Mapping[int, Mapping[str, Sojourn]]  # type id -> status -> Sojourn
    openings: Mapping[tuple[int, int], Weights]  # (department id, type id) -> new openings per day


def _begun(t: sa.Table, since: date, as_of: date) -> list[Any]:
    """The intervals that began after since and by as_of."""
    return begins_within(t, since + timedelta(days=1), as_of)


def _weighted(places: sa.Subquery, *keys: Any) -> sa.Select[Any]:
    """Per keys: the number of places, the sum of their fte and of its square."""
    fte = places.c.fte
    return sa.select(*keys, sa.func.count(), sa.func.sum(fte), sa.func.sum(fte * fte)).group_by(*keys)


def all_department_ids(session: Session) -> list[int]:
    return [int(i) for i in session.execute(sa.select(col(Department.id))).scalars()]


def sojourn_query(
    *, as_of: date, known_at: datetime, department_ids: Sequence[int], type_ids: Sequence[int]
) -> sa.Select[Any]:
    """Rows (type_id, status, days, ended, n): the sojourns in a moving status begun in the DURATION_DAYS
    up to as_of, by their length (ended 1) or the days so far of those still going on as_of (ended 0).

    A sojourn is a status interval: its parts (split where the unit or fte changed) share status_since."""
    since = as_of - timedelta(days=DURATION_DAYS)
    parts = known_intervals(
        known_at,
        lambda t: (t.c.place_id, t.c.type_id, t.c.status, t.c.status_since, t.c.valid_to),
        lambda t: (
            *scope(t, department_ids=department_ids, type_ids=type_ids, statuses=MOVING),
            t.c.valid_to > _day(since + timedelta(days=1)),
            t.c.valid_from <= _day(as_of),
            t.c.status_since > _day(since),
            t.c.status_since <= _day(as_of),
        ),
        name="sojourn_parts",
    )
    run_end = sa.func.max(parts.c.valid_to)
    sojourns = (
        sa.select(
            parts.c.type_id,
            parts.c.status,
            days_from(parts.c.status_since, least(run_end, _day(as_of))).label("days"),
            sa.case((run_end <= _day(as_of), 1), else_=0).label("ended"),
        )
        .group_by(parts.c.place_id, parts.c.type_id, parts.c.status, parts.c.status_since)
        .subquery("sojourns")
    )
    # Grouped on the labelled columns of a subquery: PostgreSQL would not match expressions with parameters.
    keys = (sojourns.c.type_id, sojourns.c.status, sojourns.c.days, sojourns.c.ended)
    return sa.select(*keys, sa.func.count()).group_by(*keys)


def transitions_query(
    *, as_of: date, known_at: datetime, department_ids: Sequence[int], type_ids: Sequence[int]
) -> sa.Select[Any]:
    """Rows (type_id, prev_status, status, n): the changes from a moving status in the DURATION_DAYS up to
    as_of, by where they went."""
    since = as_of - timedelta(days=DURATION_DAYS)
    changes = known_intervals(
        known_at,
        lambda t: (t.c.type_id, t.c.prev_status, t.c.status),
        lambda t: (
            *scope(t, department_ids=department_ids, type_ids=type_ids, statuses=STATUSES),
            *_begun(t, since, as_of),
            t.c.prev_status.in_(MOVING),
            t.c.prev_status != t.c.status,  # not a part split off by a change of unit or fte
        ),
        name="changes",
    )
    keys = (changes.c.type_id, changes.c.prev_status, changes.c.status)
    return sa.select(*keys, sa.func.count()).group_by(*keys)


def openings_query(
    *, as_of: date, known_at: datetime, department_ids: Sequence[int], type_ids: Sequence[int]
) -> sa.Select[Any]:
    """Rows (department_id, type_id, n, fte, fte2): places first registered as open in the RATE_DAYS up
    to as_of."""
    since = as_of - timedelta(days=RATE_DAYS)
    firsts = known_intervals(
        known_at,
        lambda t: (t.c.department_id, t.c.type_id, t.c.fte),
        lambda t: (
            *scope(t, department_ids=department_ids, type_ids=type_ids, statuses=["open"]),
            *_begun(t, since, as_of),
            t.c.prev_status.is_(None),
        ),
        name="first_openings",
    )
    return _weighted(firsts, firsts.c.department_id, firsts.c.type_id)


def places_now_query(
    *, as_of: date, known_at: datetime, department_ids: Sequence[int], type_ids: Sequence[int]
) -> sa.Select[Any]:
    """Rows (department_id, type_id, status, age, n, fte, fte2): the places in a moving status on as_of
    by the days since they entered it."""
    now = known_intervals(
        known_at,
        lambda t: (
            t.c.department_id,
            t.c.type_id,
            t.c.status,
            t.c.fte,
            days_from(t.c.status_since, _day(as_of)).label("age"),
        ),
        lambda t: (
            *scope(t, department_ids=department_ids, type_ids=type_ids, statuses=MOVING),
            holds_on(t, as_of),
        ),
        name="places_now",
    )
    return _weighted(now, now.c.department_id, now.c.type_id, now.c.status, now.c.age)


def fit_history(session: Session, *, as_of: date, known_at: datetime, type_ids: Sequence[int]) -> History:
    """Fit the model's sojourns per type and the openings per department and type."""
    department_ids = all_department_ids(session)
    cells: dict[str, Any] = {
        "as_of": as_of,
        "known_at": known_at,
        "department_ids": department_ids,
        "type_ids": type_ids,
    }
    durations: dict[tuple[int, str], list[tuple[int, bool, int]]] = defaultdict(list)
    for type_id, status, days, ended, n in session.execute(sojourn_query(**cells)):
        durations[(type_id, status)].append((int(days), bool(ended), int(n)))
    going: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    for type_id, previous, status, n in session.execute(transitions_query(**cells)):
        going[(type_id, previous)][status] = int(n)
    sojourns = {
        type_id: {
            status: fit_sojourn(durations.get((type_id, status), ()), going.get((type_id, status), {}))
            for status in MOVING
        }
        for type_id in type_ids
    }
    per_day = 1.0 / RATE_DAYS
    openings = {
        (department_id, type_id): Weights(float(n), float(fte or 0), float(fte2 or 0)).scaled(per_day)
        for department_id, type_id, n, fte, fte2 in session.execute(openings_query(**cells))
    }
    return History(as_of=as_of, known_at=known_at, sojourns=sojourns, openings=openings)


def places_now(
    session: Session,
    *,
    as_of: date,
    known_at: datetime,
    department_ids: Sequence[int],
    type_ids: Sequence[int],
) -> dict[tuple[int, int], list[tuple[str, int, Weights]]]:
    """(department id, type id) -> [(status, days in it, places)] on as_of, moving statuses only."""
    found: dict[tuple[int, int], list[tuple[str, int, Weights]]] = defaultdict(list)
    query = places_now_query(as_of=as_of, known_at=known_at, department_ids=department_ids, type_ids=type_ids)
    for department_id, type_id, status, age, n, fte, fte2 in session.execute(query):
        found[(department_id, type_id)].append((status, int(age), Weights(float(n), float(fte), float(fte2))))
    return found
