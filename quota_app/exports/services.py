"""CSV and XLSX downloads for Danish Excel, and the rows of the place-list and target exports.

CSV: the cells as Danish Excel reads them (decimal comma, dates dd-mm-yyyy), written by the app's one CSV
writer (quota_app.csv_writer: UTF-8 with BOM, ';', CRLF). Text that could start a formula is escaped with
a leading apostrophe, in both formats, so no cell ever starts a formula.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlmodel import Session, col, select

from .. import formatting
from ..auth.services import scope_to_user
from ..csv_writer import escape_text, write_csv
from ..models import Department, MunicipalityTarget, Place, PlacementType, Target, Unit, User
from ..reconcile.places import place_listing
from ..settings import local_zone
from ..vocabulary import STATUS_NAMES

STATUS_DA = {code: str.__str__(word) for code, word in STATUS_NAMES.items()}  # files are Danish


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return formatting.excel_number(value)
    if isinstance(value, datetime):
        return formatting.excel_timestamp(value, local_zone())
    if isinstance(value, date):
        return formatting.excel_date(value)
    return str(value)  # write_csv keeps it from starting a formula


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """Write a CSV for Danish Excel (UTF-8 BOM, ';', decimal comma, dd-mm-yyyy, CRLF)."""
    cells = ([_csv_cell(value) for value in row] for row in rows)
    return write_csv([_csv_cell(h) for h in header], cells).encode("utf-8")


def _xlsx_cell(value: object) -> object:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime):
        return value.astimezone(local_zone()).replace(tzinfo=None)
    if isinstance(value, date):
        return value
    # Control characters are not allowed in XLSX; drop them, then escape what is left.
    return escape_text(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[object]], sheet_title: str = "Data") -> bytes:
    """Write an XLSX: typed numbers and dates, bold frozen header, column widths, no formula cells."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]  # the sheet a new workbook starts with
    sheet.title = escape_text(sheet_title)[:31].replace("'", "") or "Data"
    sheet.append([_xlsx_cell(str(h)) for h in header])
    widths = [len(str(h)) for h in header]
    for row in rows:
        values = [_xlsx_cell(v) for v in row]
        sheet.append(values)
        cells = sheet[sheet.max_row]
        for position, (cell, value) in enumerate(zip(cells, values, strict=False)):
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever openpyxl guessed
            elif isinstance(value, datetime):
                cell.number_format = "DD-MM-YYYY HH:MM"
            elif isinstance(value, date):
                cell.number_format = "DD-MM-YYYY"
            if position < len(widths):
                widths[position] = max(widths[position], len(str(value)) if value is not None else 0)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = min(max(width + 2, 8), 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


PLACE_HEADER = (
    "Reference",
    "Forvaltning",
    "Enhed",
    "Ordning",
    "Titel",
    "Årsværk",
    "Status",
    "Status siden",
    "Oprettet",
)


def place_list_rows(
    session: Session,
    *,
    user: User,
    department_code: str | None = None,
    type_code: str | None = None,
    status: str | None = None,
) -> list[tuple[Any, ...]]:
    """Return the place list the user may see (HR: own department), optionally filtered."""
    statement = place_listing(
        Place.reference,
        Department.code,
        Unit.name,
        PlacementType.name_da,
        Place.title,
        Place.fte,
        Place.current_status,
        Place.current_since,
        Place.created_at,
    )
    statement = scope_to_user(statement, Place.department_id, user)
    if department_code:
        statement = statement.where(Department.code == department_code)
    if type_code:
        statement = statement.where(PlacementType.code == type_code)
    if status:
        statement = statement.where(Place.current_status == status)
    statement = statement.order_by(Department.sort, Department.code, Place.reference)
    return [
        (ref, dept, unit or "", type_name, title, fte, STATUS_DA.get(st or "", st or ""), since, created)
        for ref, dept, unit, type_name, title, fte, st, since, created in session.exec(statement).all()
    ]


TARGET_HEADER = ("year", "department", "type", "value", "decided_on", "reference")


def target_rows(session: Session, *, year: int) -> list[tuple[Any, ...]]:
    """Return a year's targets in the import format (year;department;type;value;decided_on;reference)."""
    statement = (  # six columns: SQLAlchemy's select, typed for more than sqlmodel's four
        sa.select(
            col(Target.year),
            col(Department.code),
            col(PlacementType.code),
            col(Target.value),
            col(Target.decided_on),
            col(Target.reference),
        )
        .join(Department, col(Department.id) == Target.department_id)
        .join(PlacementType, col(PlacementType.id) == Target.type_id)
        .where(col(Target.year) == year)
        .order_by(
            col(Department.sort), col(Department.code), col(PlacementType.sort), col(PlacementType.code)
        )
    )
    return [tuple(row) for row in session.execute(statement).all()]


def municipality_rows(session: Session, *, year: int) -> list[tuple[Any, ...]]:
    statement = (
        select(PlacementType.code, MunicipalityTarget.value, MunicipalityTarget.result)
        .join(PlacementType, col(PlacementType.id) == col(MunicipalityTarget.type_id))
        .where(MunicipalityTarget.year == year)
        .order_by(col(PlacementType.sort))
    )
    return [tuple(r) for r in session.exec(statement).all()]


def count_places(session: Session, *, user: User) -> int:
    statement = scope_to_user(select(sa.func.count()).select_from(Place), Place.department_id, user)
    return int(session.exec(statement).one())
