"""Compliance per workplace on a date as known at a time (the view, `quota compliance`, the report).

Per unit: the ordinary headcount on the date (as known then), the ceiling by the date's year's rule, the
filled places of covered types on the date (the status intervals as known then, by the place's unit),
free capacity, how far over, the places among them whose statement is missing, and an exemption on the
date. A unit without a known headcount has None for the figures that need it. Statements are read as
they are now (they are not kept as a history).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ..models import Department, Place, PlacementType, PlaceStatement, Target, Unit
from ..reconcile.queries import holds_on, known_intervals, scope
from .exemptions import covering, exemptions
from .headcounts import headcount_on, timelines
from .rules import RuleBook

_PLACE = Place.__table__
_STATEMENT = PlaceStatement.__table__
WAGE_SUBSIDY = "wage_subsidy"


@dataclass(frozen=True)
class WorkplaceRow:
    department: str
    unit_id: int
    unit: str
    p_number: str | None
    ordinary_employees: int | None
    ceiling: int | None
    occupied: int
    free: int | None
    over: int | None
    missing_statements: int
    exemption: str | None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("unit_id")
        return data


@dataclass(frozen=True)
class DepartmentSummary:
    code: str
    name: str
    workplaces: int
    unknown_headcount: int
    occupied: int
    free: int  # over the workplaces with a known headcount
    over: int
    targets: dict[str, int]  # covered type code -> the year's target

    @property
    def target_total(self) -> int:
        return sum(self.targets.values())

    @property
    def reachable(self) -> bool | None:
        """Whether the filled places and the free capacity together reach the covered types' targets."""
        return None if not self.targets else self.occupied + self.free >= self.target_total


@dataclass(frozen=True)
class Compliance:
    as_of: date
    known_at: datetime
    covered: tuple[str, ...]
    rows: list[WorkplaceRow]
    departments: list[DepartmentSummary]

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "known_at": self.known_at.isoformat(),
            "rows": [row.to_json() for row in self.rows],
        }


def missing_statement(statement: Any, type_id: Any, wage_subsidy_id: int | None) -> Any:
    """An SQL condition: the place's statement is missing or, for wage subsidy, a confirmation is."""
    incomplete = statement.c.statement_date.is_(None)
    if wage_subsidy_id is None:
        return incomplete
    return sa.or_(
        incomplete,
        sa.and_(
            type_id == wage_subsidy_id,
            sa.or_(sa.not_(statement.c.net_addition), sa.not_(statement.c.no_vacated_post)),
        ),
    )


def filled_covered(
    *, known_at: datetime, as_of: date, department_ids: Sequence[int], covered_ids: Sequence[int]
) -> sa.Subquery:
    """The place ids, types and units (the unit on as_of) of the covered places filled on as_of, as known
    at known_at."""
    return known_intervals(
        known_at,
        lambda t: (t.c.place_id, t.c.type_id, t.c.unit_id),
        lambda t: [
            *scope(t, department_ids=department_ids, type_ids=covered_ids, statuses=["filled"]),
            holds_on(t, as_of),
        ],
        name="filled_covered",
    )


def compliance(
    session: Session, *, as_of: date, known_at: datetime, department_ids: Sequence[int]
) -> Compliance:
    """Every workplace of the departments on as_of as known at known_at, and a summary per department."""
    book = RuleBook(session)
    rule, covered_ids = book.rule(as_of.year), sorted(book.covered_ids(as_of.year))
    departments = session.exec(
        select(Department)
        .where(col(Department.id).in_(list(department_ids)))
        .order_by(col(Department.sort), col(Department.code))
    ).all()
    units = session.exec(
        select(Unit)
        .where(col(Unit.department_id).in_(list(department_ids)))
        .order_by(col(Unit.name), col(Unit.id))
    ).all()
    known = filled_covered(
        known_at=known_at, as_of=as_of, department_ids=department_ids, covered_ids=covered_ids
    )
    wage_id = book.type_ids.get(WAGE_SUBSIDY)
    counts = (
        sa.select(
            known.c.unit_id,
            sa.func.count(),
            sa.func.sum(sa.case((missing_statement(_STATEMENT, known.c.type_id, wage_id), 1), else_=0)),
        )
        .select_from(
            known.join(_PLACE, _PLACE.c.id == known.c.place_id).outerjoin(
                _STATEMENT, _STATEMENT.c.place_id == known.c.place_id
            )
        )
        .group_by(known.c.unit_id)
    )
    occupied = {unit_id: (int(n), int(missing or 0)) for unit_id, n, missing in session.execute(counts)}
    unit_ids = [u.id for u in units]
    known_headcounts = timelines(session, unit_ids=unit_ids, known_at=known_at)
    exempt = exemptions(session, unit_ids=unit_ids, known_at=known_at, ending_from=as_of)
    codes = {d.id: d.code for d in departments}
    rows: list[WorkplaceRow] = []
    for unit in units:
        n, missing = occupied.get(unit.id, (0, 0))
        if not unit.active and n == 0:
            continue
        employees = headcount_on(known_headcounts.get(unit.id, []), as_of)
        limit = None if employees is None else rule.ceiling(employees)
        exemption = covering(exempt.get(unit.id, []), as_of)
        rows.append(
            WorkplaceRow(
                department=codes[unit.department_id],
                unit_id=unit.id,
                unit=unit.name,
                p_number=unit.p_number,
                ordinary_employees=employees,
                ceiling=limit,
                occupied=n,
                free=None if limit is None else max(0, limit - n),
                over=None if limit is None else max(0, n - limit),
                missing_statements=missing,
                exemption=None if exemption is None else exemption.reference,
            )
        )
    order = {d.code: i for i, d in enumerate(departments)}
    rows.sort(key=lambda r: (order[r.department], r.unit.casefold(), r.unit_id))
    targets = _targets(session, year=as_of.year, department_ids=department_ids, covered_ids=covered_ids)
    summaries = [
        _summary(d, [r for r in rows if r.department == d.code], targets.get(d.id, {})) for d in departments
    ]
    return Compliance(as_of=as_of, known_at=known_at, covered=rule.covered, rows=rows, departments=summaries)


def _targets(
    session: Session, *, year: int, department_ids: Sequence[int], covered_ids: Sequence[int]
) -> dict[int, dict[str, int]]:
    statement = (
        sa.select(col(Target.department_id), col(PlacementType.code), col(Target.value))
        .join(PlacementType, col(PlacementType.id) == Target.type_id)
        .where(
            col(Target.year) == year,
            col(Target.department_id).in_(list(department_ids)),
            col(Target.type_id).in_(list(covered_ids)),
        )
    )
    found: dict[int, dict[str, int]] = {}
    for department_id, code, value in session.execute(statement):
        found.setdefault(department_id, {})[code] = value
    return found


def _summary(department: Department, rows: list[WorkplaceRow], targets: dict[str, int]) -> DepartmentSummary:
    return DepartmentSummary(
        code=department.code,
        name=department.name,
        workplaces=len(rows),
        unknown_headcount=sum(1 for r in rows if r.ordinary_employees is None),
        occupied=sum(r.occupied for r in rows),
        free=sum(r.free or 0 for r in rows),
        over=sum(r.over or 0 for r in rows),
        targets=targets,
    )


@dataclass(frozen=True)
class PlaceLine:
    place_id: int
    reference: str
    title: str
    type_code: str
    statement_missing: bool


def places_at(session: Session, *, unit: Unit, as_of: date, known_at: datetime) -> list[PlaceLine]:
    """The covered places filled at a unit on as_of as known at known_at (the drill-down)."""
    book = RuleBook(session)
    covered_ids = sorted(book.covered_ids(as_of.year))
    known = filled_covered(
        known_at=known_at, as_of=as_of, department_ids=[unit.department_id], covered_ids=covered_ids
    )
    wage_id = book.type_ids.get(WAGE_SUBSIDY)
    statement = (
        sa.select(
            _PLACE.c.id,
            _PLACE.c.reference,
            _PLACE.c.title,
            known.c.type_id,
            missing_statement(_STATEMENT, known.c.type_id, wage_id),
        )
        .select_from(
            known.join(_PLACE, _PLACE.c.id == known.c.place_id).outerjoin(
                _STATEMENT, _STATEMENT.c.place_id == known.c.place_id
            )
        )
        .where(known.c.unit_id == unit.id)
        .order_by(_PLACE.c.reference)
    )
    return [
        PlaceLine(place_id, reference, title, book.type_codes.get(type_id, ""), bool(missing))
        for place_id, reference, title, type_id, missing in session.execute(statement)
    ]
