"""Workplaces: a unit's P-number and the dated history of its ordinary headcount.

A headcount row is never changed: a correction is a new row for the same effective date, recorded later,
and the latest recorded row of a date wins. The headcount on day D as known at T is the winning row of
the latest effective date <= D among the rows recorded by T, so every figure known at T is reproducible.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from .. import converters
from ..audit import services as audit
from ..errors import DomainError, NotFound
from ..models import Unit, UnitHeadcount, User
from ..texts import N_

MAX_EMPLOYEES = 1_000_000
Timeline = list[tuple[date, int]]  # (effective date, ordinary employees), in date order
_HEADCOUNT = UnitHeadcount.__table__


def _actor_id(actor: User | str) -> int | None:
    return actor.id if isinstance(actor, User) else None


def require_unit(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(N_("Enheden findes ikke."))
    return unit


def set_p_number(
    session: Session, *, unit_id: int, p_number: str | None, actor: User | str, now: datetime
) -> Unit:
    """Give a unit its P-number (or none); a P-number belongs to one unit only (audited)."""
    unit = require_unit(session, unit_id)
    p_number = converters.optional_p_number(p_number)
    if p_number == unit.p_number:
        return unit
    if p_number is not None:
        holder = session.exec(select(Unit).where(Unit.p_number == p_number, Unit.id != unit.id)).first()
        if holder is not None:
            raise DomainError(
                N_(
                    "P-nummeret %(p_number)s tilhører allerede %(unit)s.", p_number=p_number, unit=holder.name
                ),
                field="p_number",
            )
    before = audit.snapshot(unit)
    unit.p_number = p_number
    session.add(unit)
    audit.flush_audited(session, unit, action="unit.p_number", before=before, actor=actor, now=now)
    return unit


def check_employees(value: object) -> int:
    return converters.parse_int(value, field="ordinary_employees", low=0, high=MAX_EMPLOYEES)


def known_headcount(
    session: Session, *, unit_id: int, effective_date: date, known_at: datetime
) -> int | None:
    """The figure recorded for exactly this date as known at known_at (None: none)."""
    row = session.execute(
        sa.select(_HEADCOUNT.c.ordinary_employees)
        .where(
            _HEADCOUNT.c.unit_id == unit_id,
            _HEADCOUNT.c.effective_date == effective_date,
            _HEADCOUNT.c.recorded_at <= known_at,
        )
        .order_by(_HEADCOUNT.c.recorded_at.desc(), _HEADCOUNT.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else row[0]


def record_headcount(
    session: Session,
    *,
    unit_id: int,
    effective_date: date,
    ordinary_employees: int,
    source: str = "",
    actor: User | str,
    now: datetime,
) -> UnitHeadcount | None:
    """Record a workplace's ordinary headcount from a date on; a figure equal to the one recorded for that
    date changes nothing (None). A different one is a correction: a new row, the old one kept."""
    require_unit(session, unit_id)
    employees = check_employees(ordinary_employees)
    effective_date = converters.parse_date(effective_date, field="effective_date")
    source = converters.clean_text(source, field="source", label=N_("Kilden"), max_length=200, cpr_guard=True)
    if known_headcount(session, unit_id=unit_id, effective_date=effective_date, known_at=now) == employees:
        return None
    row = UnitHeadcount(
        unit_id=unit_id,
        effective_date=effective_date,
        ordinary_employees=employees,
        source=source,
        recorded_at=now,
        recorded_by_id=_actor_id(actor),
    )
    session.add(row)
    audit.flush_audited(session, row, action="unit.headcount", before=None, actor=actor, now=now)
    return row


def timelines(session: Session, *, unit_ids: Collection[int], known_at: datetime) -> dict[int, Timeline]:
    """Each unit's headcount timeline as known at known_at (units without one are left out)."""
    if not unit_ids:
        return {}
    statement = (
        sa.select(_HEADCOUNT.c.unit_id, _HEADCOUNT.c.effective_date, _HEADCOUNT.c.ordinary_employees)
        .where(_HEADCOUNT.c.unit_id.in_(list(unit_ids)), _HEADCOUNT.c.recorded_at <= known_at)
        .order_by(
            _HEADCOUNT.c.unit_id, _HEADCOUNT.c.effective_date, _HEADCOUNT.c.recorded_at, _HEADCOUNT.c.id
        )
    )
    by_unit: dict[int, dict[date, int]] = {}
    for unit_id, day, employees in session.execute(statement):
        by_unit.setdefault(unit_id, {})[day] = employees  # the latest recorded of a date wins
    return {unit_id: sorted(days.items()) for unit_id, days in by_unit.items()}


def headcount_on(timeline: Sequence[tuple[date, int]], day: date) -> int | None:
    """The headcount on day by a timeline (None: nothing known from that day or earlier)."""
    position = bisect.bisect_right(timeline, (day, MAX_EMPLOYEES + 1))
    return timeline[position - 1][1] if position else None


def history(session: Session, *, unit_id: int) -> list[UnitHeadcount]:
    """Every row recorded for a unit, latest date first, corrections after what they correct."""
    return list(
        session.exec(
            select(UnitHeadcount)
            .where(UnitHeadcount.unit_id == unit_id)
            .order_by(
                col(UnitHeadcount.effective_date).desc(),
                col(UnitHeadcount.recorded_at).desc(),
                col(UnitHeadcount.id).desc(),
            )
        ).all()
    )
