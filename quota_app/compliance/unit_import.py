"""Importing workplaces (docs/files.md §6: department;unit;p_number;effective_date;ordinary_employees).

All or nothing: every row is checked first; with any error nothing is written and every bad row is
reported with its line. Idempotent: a P-number a unit already has and a headcount already recorded for
its date change nothing. A unit the file names that does not exist is created.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from .. import converters
from ..audit import services as audit
from ..errors import DomainError
from ..imports.files import RowError, TableResult, column_index, read_table
from ..imports.limits import ImportLimits
from ..models import Department, Unit, User
from ..texts import N_
from .headcounts import MAX_EMPLOYEES, known_headcount, record_headcount, set_p_number

COLUMNS = ("department", "unit", "p_number", "effective_date", "ordinary_employees", "source")
REQUIRED_COLUMNS = ("department", "unit", "effective_date", "ordinary_employees")


@dataclass
class UnitImportResult(TableResult):
    units_created: int = 0
    p_numbers_set: int = 0
    headcounts_recorded: int = 0
    unchanged: int = 0
    dry_run: bool = False

    def counts(self) -> dict[str, int]:
        return {
            "rows_read": self.rows_read,
            "units_created": self.units_created,
            "p_numbers_set": self.p_numbers_set,
            "headcounts_recorded": self.headcounts_recorded,
            "unchanged": self.unchanged,
        }


def _employees(text: str) -> int:
    """A whole number as written here: 1234, 1.234 or 1 234."""
    cleaned = text.replace("\u00a0", "").replace(" ", "")
    if "." in cleaned and all(len(part) == 3 for part in cleaned.split(".")[1:]):
        cleaned = cleaned.replace(".", "")
    return converters.parse_int(cleaned, field="ordinary_employees", low=0, high=MAX_EMPLOYEES)


@dataclass
class _Row:
    row: int
    department_id: int
    unit_name: str
    p_number: str | None
    effective_date: date
    employees: int
    source: str


def _read(
    cells: list[str],
    index: dict[str, int],
    row_number: int,
    departments: dict[str, Department],
    only_department_id: int | None,
) -> tuple[_Row | None, list[str]]:
    def cell(name: str) -> str:
        position = index.get(name)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    problems: list[str] = []
    department = departments.get(cell("department").casefold())
    if department is None or (only_department_id is not None and department.id != only_department_id):
        problems.append(N_("Ukendt forvaltning '%(code)s'.", code=cell("department")))
    values: dict[str, Any] = {}
    checks: dict[str, Callable[[], object]] = {
        "unit_name": lambda: converters.clean_text(
            cell("unit"), field="unit", label=N_("Enheden"), max_length=200, required=True, cpr_guard=True
        ),
        "p_number": lambda: converters.optional_p_number(cell("p_number")),
        "effective_date": lambda: converters.parse_date(cell("effective_date"), field="effective_date"),
        "employees": lambda: _employees(cell("ordinary_employees")),
        "source": lambda: converters.clean_text(
            cell("source"), field="source", label=N_("Kilden"), max_length=200, cpr_guard=True
        ),
    }
    for name, check in checks.items():
        try:
            values[name] = check()
        except DomainError as exc:
            problems.append(exc.message)
    if problems or department is None:
        return None, problems
    return _Row(row=row_number, department_id=department.id, **values), []


def import_units(
    session: Session,
    *,
    data: bytes,
    filename: str,
    actor: User | str,
    now: datetime,
    dry_run: bool = False,
    limits: ImportLimits | None = None,
    only_department_id: int | None = None,
) -> UnitImportResult:
    """Import units' P-numbers and headcounts: all or nothing, idempotent (see the module)."""
    table = read_table(data, filename, limits)
    index = column_index(table.header, COLUMNS, REQUIRED_COLUMNS, field="file")
    departments = {d.code.casefold(): d for d in session.exec(select(Department)).all()}
    units = {(u.department_id, u.name.casefold()): u for u in session.exec(select(Unit)).all()}
    holders = {u.p_number: u for u in units.values() if u.p_number}
    result = UnitImportResult(dry_run=dry_run)
    rows: list[_Row] = []
    p_numbers: dict[tuple[int, str], tuple[int, str]] = {}  # unit -> (row, P-number) in the file
    p_units: dict[str, tuple[int, tuple[int, str]]] = {}  # P-number -> (row, unit) in the file
    headcounts: dict[tuple[int, str, date], tuple[int, int]] = {}  # (unit, date) -> (row, employees)
    for row_number, cells in table.rows:
        result.rows_read += 1
        if isinstance(cells, RowError):
            result.errors.append(cells)
            continue
        row, problems = _read(cells, index, row_number, departments, only_department_id)
        if row is not None:
            key = (row.department_id, row.unit_name.casefold())
            if row.p_number is not None:
                problems += _p_number_problems(row, key, units, holders, p_numbers, p_units)
            earlier = headcounts.setdefault((*key, row.effective_date), (row.row, row.employees))
            if earlier[1] != row.employees:
                problems.append(
                    N_(
                        "Rækken modsiger række %(row)d (%(unit)s, %(date)s).",
                        row=earlier[0],
                        unit=row.unit_name,
                        date=row.effective_date,
                    )
                )
        result.errors.extend(RowError(row_number, message) for message in problems)
        if row is not None and not problems:
            rows.append(row)
    if result.rows_read == 0:
        raise DomainError(N_("Filen indeholder ingen rækker under overskriften."), field="file")
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        return result
    _apply(session, rows, units, result, actor=actor, now=now)
    if not dry_run:
        audit.record(
            session,
            actor=actor,
            action="unit.import",
            entity_type="unit",
            after={"filename": filename, **result.counts()},
            at=now,
        )
    return result


def _p_number_problems(
    row: _Row,
    key: tuple[int, str],
    units: dict[tuple[int, str], Unit],
    holders: dict[str, Unit],
    p_numbers: dict[tuple[int, str], tuple[int, str]],
    p_units: dict[str, tuple[int, tuple[int, str]]],
) -> list[str]:
    problems: list[str] = []
    p_number = row.p_number
    assert p_number is not None  # called for the rows that give one
    earlier = p_numbers.setdefault(key, (row.row, p_number))
    if earlier[1] != row.p_number:
        problems.append(N_("Rækken giver enheden et andet P-nummer end række %(row)d.", row=earlier[0]))
    other = p_units.setdefault(p_number, (row.row, key))
    if other[1] != key:
        problems.append(
            N_(
                "P-nummeret %(p_number)s står ved en anden enhed i række %(row)d.",
                p_number=row.p_number,
                row=other[0],
            )
        )
    holder = holders.get(p_number)
    unit = units.get(key)
    if holder is not None and (unit is None or holder.id != unit.id):
        problems.append(
            N_("P-nummeret %(p_number)s tilhører allerede %(unit)s.", p_number=row.p_number, unit=holder.name)
        )
    return problems


def _apply(
    session: Session,
    rows: list[_Row],
    units: dict[tuple[int, str], Unit],
    result: UnitImportResult,
    *,
    actor: User | str,
    now: datetime,
) -> None:
    """Count (dry run) or write what the checked rows change."""
    seen: set[tuple[int, str, date]] = set()
    assigned: dict[tuple[int, str], str | None] = {}
    for row in rows:
        key = (row.department_id, row.unit_name.casefold())
        unit = units.get(key)
        changed = False
        if unit is None:
            result.units_created += 1
            changed = True
            unit = Unit(department_id=row.department_id, name=row.unit_name)
            units[key] = unit
            if not result.dry_run:
                session.add(unit)
                audit.flush_audited(session, unit, action="unit.create", before=None, actor=actor, now=now)
        if row.p_number is not None and assigned.setdefault(key, unit.p_number) != row.p_number:
            assigned[key] = row.p_number
            result.p_numbers_set += 1
            changed = True
            if not result.dry_run:
                set_p_number(session, unit_id=unit.id, p_number=row.p_number, actor=actor, now=now)
        if (*key, row.effective_date) not in seen:
            seen.add((*key, row.effective_date))
            recorded = (
                None
                if unit.id is None
                else known_headcount(
                    session, unit_id=unit.id, effective_date=row.effective_date, known_at=now
                )
            )
            if recorded != row.employees:
                result.headcounts_recorded += 1
                changed = True
                if not result.dry_run:
                    record_headcount(
                        session,
                        unit_id=unit.id,
                        effective_date=row.effective_date,
                        ordinary_employees=row.employees,
                        source=row.source,
                        actor=actor,
                        now=now,
                    )
        if not changed:
            result.unchanged += 1
