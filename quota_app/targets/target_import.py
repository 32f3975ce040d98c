"""Importing targets from CSV or XLSX (docs/files.md §4: year;department;type;value;decided_on;reference)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from ..audit import services as audit
from ..errors import DomainError
from ..imports.cells import parse_date
from ..imports.files import RowError, TableResult, column_index, read_table
from ..imports.limits import ImportLimits
from ..models import Department, PlacementType, User
from ..texts import N_
from .checks import REFERENCE_TOO_LONG, check_value, check_year
from .services import get_target, set_target

# The columns of docs/files.md §4, in their order.
TARGET_COLUMNS = ("year", "department", "type", "value", "decided_on", "reference")
REQUIRED_COLUMNS = ("year", "department", "type", "value")


@dataclass
class TargetImportResult(TableResult):
    created: int = 0
    changed: int = 0
    unchanged: int = 0


def _parse_int(text: str, what: str) -> int:
    cleaned = text.strip().replace(".", "").replace(" ", "")
    if not cleaned.lstrip("-").isdigit():
        raise DomainError(N_("%(what)s '%(text)s' er ikke et helt tal.", what=what, text=text))
    return int(cleaned)


def import_targets(
    session: Session,
    *,
    data: bytes,
    filename: str,
    actor: User | str,
    now: datetime,
    dry_run: bool = False,
    limits: ImportLimits | None = None,
) -> TargetImportResult:
    """Import targets (year;department;type;value;decided_on;reference): all or nothing, idempotent.

    Every row is validated before anything is written; with any error nothing is written and every bad
    row is reported. Rows equal to the current target change nothing.
    """
    table = read_table(data, filename, limits)
    index = column_index(table.header, TARGET_COLUMNS, REQUIRED_COLUMNS)
    departments = {d.code.casefold(): d for d in session.exec(select(Department)).all()}
    types: dict[str, PlacementType] = {}
    for t in session.exec(select(PlacementType)).all():
        for name in (t.code, t.name_da, t.name_en):
            types[name.casefold()] = t
    result = TargetImportResult()
    planned: dict[tuple[int, int, int], tuple[int, int, date | None, str]] = {}
    for row_number, cells in table.rows:
        result.rows_read += 1
        if isinstance(cells, RowError):  # the reader found the row itself broken
            result.errors.append(cells)
            continue

        def cell(name: str, cells: list[str] = cells) -> str:
            position = index.get(name)
            return cells[position].strip() if position is not None and position < len(cells) else ""

        problems: list[str] = []
        year = value = None
        decided_on = None
        try:
            year = _parse_int(cell("year"), N_("Året"))
            check_year(year)
        except DomainError as exc:
            problems.append(exc.message)
        department = departments.get(cell("department").casefold())
        if department is None:
            problems.append(N_("Ukendt forvaltning '%(code)s'.", code=cell("department")))
        placement_type = types.get(cell("type").casefold())
        if placement_type is None:
            problems.append(N_("Ukendt ordning '%(code)s'.", code=cell("type")))
        try:
            value = _parse_int(cell("value"), N_("Måltallet"))
            check_value(value)
        except DomainError as exc:
            problems.append(exc.message)
        if cell("decided_on"):
            try:
                decided_on = parse_date(cell("decided_on"))
            except DomainError as exc:
                problems.append(exc.message)
        reference = cell("reference")
        if len(reference) > 300:
            problems.append(REFERENCE_TOO_LONG)
        if not problems:
            # No problem: every cell was read.
            assert department and placement_type and year is not None and value is not None
            key = (year, department.id, placement_type.id)
            if key in planned and planned[key][1:] != (value, decided_on, reference):
                problems.append(
                    N_(
                        "Rækken modsiger række %(row)d (%(department)s, %(type)s, %(year)d).",
                        row=planned[key][0],
                        department=department.code,
                        type=placement_type.code,
                        year=year,
                    )
                )
            planned.setdefault(key, (row_number, value, decided_on, reference))
        for message in problems:
            result.errors.append(RowError(row_number, message))
    if result.rows_read == 0:
        raise DomainError(N_("Filen indeholder ingen rækker med måltal."))
    if result.errors:
        return result
    for (year, department_id, type_id), (_row, value, decided_on, reference) in planned.items():
        existing = get_target(session, year=year, department_id=department_id, type_id=type_id)
        if existing is not None and (existing.value, existing.decided_on, existing.reference) == (
            value,
            decided_on,
            reference,
        ):
            result.unchanged += 1
            continue
        if existing is None:
            result.created += 1
        else:
            result.changed += 1
        if not dry_run:
            set_target(
                session,
                year=year,
                department_id=department_id,
                type_id=type_id,
                value=value,
                decided_on=decided_on,
                reference=reference,
                actor=actor,
                now=now,
            )
    result.unchanged += result.rows_read - len(planned)  # repeated identical rows
    if not dry_run:
        audit.record(
            session,
            actor=actor,
            action="target.import",
            entity_type="target",
            after={
                "filename": filename,
                "rows": result.rows_read,
                "created": result.created,
                "changed": result.changed,
            },
            at=now,
        )
    return result
