"""How long places stay open (docs/counting.md §6): the places open longest, the ageing summary, time to fill."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from ..models import Department, Place, PlacementType
from ..periods import Period
from .queries import begins_within, day_number, days_from, holds_on, known_intervals, scope
from .rules import scope_ids
from .types import AgeingBuckets, OpenPlaceAge, TimeToFill

PLACES = Place.__table__


def open_spells(
    *, as_of: date, known_at: datetime, department_ids: Sequence[int], type_ids: Sequence[int]
) -> sa.Subquery:
    """Return place_id, department_id, type_id, unit_id (on as_of), spell_start and days_open of every
    place open on as_of."""
    return known_intervals(
        known_at,
        lambda t: (
            t.c.place_id,
            t.c.department_id,
            t.c.type_id,
            t.c.unit_id,
            t.c.spell_start,
            days_from(t.c.spell_start, day_number(as_of)).label("days_open"),
        ),
        lambda t: (
            *scope(t, department_ids=department_ids, type_ids=type_ids, statuses=["open"]),
            holds_on(t, as_of),
        ),
        name="open_spells",
    )


def open_places_longest(
    session: Session,
    *,
    as_of: date,
    known_at: datetime,
    department_codes: Sequence[str] | None = None,
    type_codes: Sequence[str] | None = None,
    limit: int | None = 20,
    per_department: bool = False,
) -> list[OpenPlaceAge]:
    """Return the places open on as_of, longest open spell first: the first limit of them, or with
    per_department the first limit of each department."""
    _, _, dept_ids, type_ids = scope_ids(session, department_codes, type_codes)
    s = open_spells(as_of=as_of, known_at=known_at, department_ids=dept_ids, type_ids=type_ids)
    longest_first = (s.c.days_open.desc(), PLACES.c.reference, PLACES.c.id)
    chosen = sa.select(s, PLACES.c.reference, PLACES.c.title).join(PLACES, PLACES.c.id == s.c.place_id)
    # The limit comes before the other joins: only the places shown are looked up.
    if limit is not None and per_department:
        rank = sa.func.row_number().over(partition_by=s.c.department_id, order_by=longest_first)
        ranked = chosen.add_columns(rank.label("rank")).subquery("ranked")
        chosen = sa.select(ranked).where(ranked.c.rank <= limit)
    elif limit is not None:
        chosen = chosen.order_by(*longest_first).limit(limit)
    r = chosen.subquery("longest")
    unit = sa.table("unit", sa.column("id"), sa.column("name"))
    query = (
        sa.select(
            r.c.place_id,
            r.c.reference,
            Department.__table__.c.code,
            unit.c.name,
            PlacementType.__table__.c.code,
            r.c.title,
            r.c.spell_start,
            r.c.days_open,
        )
        .select_from(
            r.join(Department.__table__, Department.__table__.c.id == r.c.department_id)
            .join(PlacementType.__table__, PlacementType.__table__.c.id == r.c.type_id)
            .outerjoin(unit, unit.c.id == r.c.unit_id)
        )
        .order_by(r.c.days_open.desc(), r.c.reference, r.c.place_id)
    )
    return [
        OpenPlaceAge(
            place_id=pid,
            reference=ref,
            department=dept,
            unit=unit_name,
            type=type_code,
            title=title,
            open_since=spell_start,
            days_open=int(days),
        )
        for pid, ref, dept, unit_name, type_code, title, spell_start, days in session.execute(query)
    ]


def ageing_summary(
    session: Session, *, as_of: date, known_at: datetime, department_codes: Sequence[str] | None = None
) -> dict[tuple[str, str], AgeingBuckets]:
    """Return, per (department, type), the places open on as_of and how many for over 30/60/90 days."""
    departments, types, dept_ids, all_type_ids = scope_ids(session, department_codes, None)
    s = open_spells(as_of=as_of, known_at=known_at, department_ids=dept_ids, type_ids=all_type_ids)

    def over(days: int) -> Any:
        return sa.func.sum(sa.case((s.c.days_open > days, 1), else_=0))

    query = sa.select(s.c.department_id, s.c.type_id, sa.func.count(), over(30), over(60), over(90)).group_by(
        s.c.department_id, s.c.type_id
    )
    found = {(d, t): (n, a, b, c) for d, t, n, a, b, c in session.execute(query)}
    result = {}
    for dept in departments:
        for ptype in types:
            n, a, b, c = found.get((dept.id, ptype.id), (0, 0, 0, 0))
            result[(dept.code, ptype.code)] = AgeingBuckets(int(n), int(a or 0), int(b or 0), int(c or 0))
    return result


def time_to_fill(
    session: Session, *, period: Period, known_at: datetime, department_codes: Sequence[str] | None = None
) -> list[TimeToFill]:
    """Return, per department and type, the days from open to filled of the fills dated in the period."""
    departments, types, dept_ids, all_type_ids = scope_ids(session, department_codes, None)
    # spell_start on a filled interval is the latest open spell before it: the one this fill ends.
    fills = known_intervals(
        known_at,
        lambda t: (t.c.department_id, t.c.type_id, days_from(t.c.spell_start, t.c.valid_from).label("days")),
        lambda t: (
            *scope(t, department_ids=dept_ids, type_ids=all_type_ids, statuses=["filled"]),
            *begins_within(t, period.start, period.end),
            t.c.prev_status == "open",
        ),
        name="fills",
    )
    durations: dict[tuple[int, int], list[int]] = defaultdict(list)
    for dept_id, type_id, days in session.execute(sa.select(fills)):
        durations[(dept_id, type_id)].append(int(days))
    result = []
    for dept in departments:
        for ptype in types:
            values = durations.get((dept.id, ptype.id), [])
            result.append(
                TimeToFill(
                    department=dept.code,
                    type=ptype.code,
                    fills=len(values),
                    median_days=float(statistics.median(values)) if values else None,
                    mean_days=round(statistics.fmean(values), 1) if values else None,
                )
            )
    return result
