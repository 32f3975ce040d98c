"""Municipality-wide targets, departments' headcounts, and splitting the one over the departments by the
other (with the warning when the departments' targets do not add up)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sqlmodel import Session, select

from ..audit import services as audit
from ..audit.services import flush_audited
from ..errors import DomainError
from ..models import DepartmentHeadcount, MunicipalityTarget, PlacementType, User
from ..texts import N_
from .checks import check_reference, check_value, check_year, require_department, require_type
from .services import active_departments, set_target, targets_for_year

K = TypeVar("K")


def largest_remainder(total: int, weights: Mapping[K, float], /) -> dict[K, int]:
    """Split total in proportion to weights so the integer parts add up exactly (ties by key)."""
    weight_sum = sum(weights.values())
    if total == 0 or weight_sum == 0:
        return dict.fromkeys(weights, 0)
    exact = {k: total * w / weight_sum for k, w in weights.items()}
    parts = {k: int(v) for k, v in exact.items()}
    left = total - sum(parts.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - parts[k]), str(k)))[:left]:
        parts[k] += 1
    return parts


def set_municipality_target(
    session: Session,
    *,
    year: int,
    type_id: int,
    value: int,
    decided_on: date | None,
    reference: str,
    actor: User | str,
    now: datetime,
) -> MunicipalityTarget:
    """Create or change the municipality-wide target of a year and type (audited)."""
    check_year(year)
    check_value(value)
    reference = check_reference(reference)
    require_type(session, type_id)
    row = session.exec(
        select(MunicipalityTarget).where(
            MunicipalityTarget.year == year, MunicipalityTarget.type_id == type_id
        )
    ).first()
    if row is not None and (row.value, row.decided_on, row.reference) == (value, decided_on, reference):
        return row
    before = audit.snapshot(row) if row is not None else None
    if row is None:
        row = MunicipalityTarget(year=year, type_id=type_id, value=value)
        session.add(row)
    row.value, row.decided_on, row.reference = value, decided_on, reference
    flush_audited(session, row, action="municipality_target.set", before=before, actor=actor, now=now)
    return row


def municipality_targets(session: Session, *, year: int) -> dict[int, MunicipalityTarget]:
    rows = session.exec(select(MunicipalityTarget).where(MunicipalityTarget.year == year)).all()
    return {r.type_id: r for r in rows}


def set_headcount(
    session: Session, *, year: int, department_id: int, employees: int, actor: User | str, now: datetime
) -> DepartmentHeadcount:
    """Create or change a department's number of employees in a year (audited)."""
    check_year(year)
    if isinstance(employees, bool) or not isinstance(employees, int) or employees < 0:
        raise DomainError(N_("Antal ansatte skal være et helt tal, 0 eller større."), field="employees")
    require_department(session, department_id)
    row = session.exec(
        select(DepartmentHeadcount).where(
            DepartmentHeadcount.year == year, DepartmentHeadcount.department_id == department_id
        )
    ).first()
    before = audit.snapshot(row) if row is not None else None
    if row is None:
        row = DepartmentHeadcount(year=year, department_id=department_id, employees=employees)
        session.add(row)
    row.employees = employees
    flush_audited(session, row, action="headcount.set", before=before, actor=actor, now=now)
    return row


def headcounts(session: Session, *, year: int) -> dict[int, int]:
    rows = session.exec(select(DepartmentHeadcount).where(DepartmentHeadcount.year == year)).all()
    return {r.department_id: r.employees for r in rows}


def derive_department_targets(
    session: Session,
    *,
    year: int,
    type_id: int,
    decided_on: date | None = None,
    reference: str = "",
    actor: User | str,
    now: datetime,
) -> dict[int, int]:
    """Split the municipality figure over the active departments by headcount (largest remainder)."""
    municipal = municipality_targets(session, year=year).get(type_id)
    if municipal is None:
        raise DomainError(
            N_("Der er intet kommunalt måltal for %(year)d for denne ordning.", year=year), field="type"
        )
    counts = headcounts(session, year=year)
    weights = {d.id: counts.get(d.id, 0) for d in active_departments(session)}
    if not weights or sum(weights.values()) == 0:
        raise DomainError(
            N_("Der er ingen antal ansatte for %(year)d: indtast dem først.", year=year), field="headcount"
        )
    parts = largest_remainder(municipal.value, weights)
    reference = reference or municipal.reference or f"Fordelt efter antal ansatte {year}"
    for department_id, value in sorted(parts.items()):
        set_target(
            session,
            year=year,
            department_id=department_id,
            type_id=type_id,
            value=value,
            decided_on=decided_on or municipal.decided_on,
            reference=reference,
            actor=actor,
            now=now,
        )
    return parts


@dataclass(frozen=True)
class SumWarning:
    type_id: int
    type_code: str
    municipality_value: int
    department_sum: int

    @property
    def difference(self) -> int:
        return self.department_sum - self.municipality_value


def sum_warnings(session: Session, *, year: int) -> list[SumWarning]:
    """Return the types whose department targets do not add up to the municipality-wide figure."""
    municipal = municipality_targets(session, year=year)
    if not municipal:
        return []
    sums: dict[int, int] = {}
    for target in targets_for_year(session, year=year).values():
        sums[target.type_id] = sums.get(target.type_id, 0) + target.value
    warnings = []
    for type_id, row in sorted(municipal.items()):
        if sums.get(type_id, 0) != row.value:
            placement_type = session.get_one(PlacementType, type_id)
            warnings.append(SumWarning(type_id, placement_type.code, row.value, sums.get(type_id, 0)))
    return warnings
