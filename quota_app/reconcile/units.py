"""A department's figures split by unit (docs/counting.md §4): counted exactly as reconcile counts the
department (the same span, rules, weighting and flow starts), so the units, with a line for the places
without a unit, add up to the department's figures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from sqlmodel import Session, col, select

from ..models import Unit
from ..periods import Period
from .figures import cell_figures, count_cells, measuring_span
from .rules import counting_rules, departments_by_code, types_by_code
from .types import UnitFigures


def reconcile_units(
    session: Session,
    *,
    department_code: str,
    as_of: date | None = None,
    period: Period | None = None,
    method: Literal["point", "average"] = "point",
    known_at: datetime,
) -> list[UnitFigures]:
    """Return every unit of the department (by name), then the places without a unit if there are any,
    each with its figures per active placement type; per type and status they sum to reconcile's row."""
    span = measuring_span(as_of=as_of, period=period, method=method, known_at=known_at)
    (department,) = departments_by_code(session, [department_code])
    types = types_by_code(session, None)
    rules = counting_rules(session, year=span.year, types=types)
    cells = count_cells(
        session,
        span,
        known_at=known_at,
        department_ids=[department.id],
        types=types,
        rules=rules,
        by_unit=True,
    )
    unit_ids = {unit_id for _dept, _type, unit_id in cells}
    units = session.exec(
        select(Unit).where(
            (col(Unit.department_id) == department.id) | col(Unit.id).in_([u for u in unit_ids if u])
        )
    ).all()
    names: dict[int | None, str | None] = {u.id: u.name for u in units}
    if None in unit_ids:
        names[None] = None
    result = [
        UnitFigures(
            unit_id,
            name,
            {
                t.code: cell_figures(
                    cells.get((department.id, t.id, unit_id), {}),
                    rule=rules[t.code],
                    measure=t.measure,
                    span=span,
                )
                for t in types
            },
        )
        for unit_id, name in names.items()
    ]
    result.sort(key=lambda u: (u.unit_id is None, (u.name or "").casefold(), u.unit_id or 0))
    return result
