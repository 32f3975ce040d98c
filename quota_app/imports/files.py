"""Reading the tables people bring: CSV in Danish encodings and separators, or XLSX (DESIGN.md §7)."""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from .. import converters
from ..errors import DomainError
from ..texts import N_

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DANISH_DATE = re.compile(r"(\d{1,2})([-.])(\d{1,2})\2(\d{4})")
_NUMBER = re.compile(r"[+-]?\d+([.,]\d+)?")
_XLSX_MAGIC = b"PK\x03\x04"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class RowError:
    """A bad row: its number as a person counts rows in the file (the header is row 1) and why."""

    row: int
    message: str  # the Danish text; a Text (N_) is shown in the reader's language by the web layer


@dataclass
class ImportResult:
    """What an import did (or, with errors or a dry run, would have done)."""

    rows_read: int = 0
    errors: list[RowError] = field(default_factory=list)
    places_created: int = 0
    events_created: int = 0
    corrections: int = 0
    unchanged: int = 0
    places_updated: int = 0
    units_created: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Table:
    """A table read from a file: lower-cased header names and (row number, cells) pairs."""

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    header_row: int = 1


def read_table(data: bytes, filename: str) -> Table:
    """Read a CSV (UTF-8 with or without BOM, or Windows-1252; ';' or ',') or XLSX file."""
    if not data or not data.strip():
        raise DomainError(N_("Filen er tom."), field="file")
    if filename.lower().endswith((".xlsx", ".xlsm")) or data.startswith(_XLSX_MAGIC):
        return _read_xlsx(data)
    return _read_csv(data)


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise DomainError(
            N_("Filen kunne ikke læses: gem den som CSV (UTF-8 eller Windows-1252) eller XLSX."), field="file"
        ) from exc


def _read_csv(data: bytes) -> Table:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    if "\x00" in text:
        raise DomainError(N_("Filen kunne ikke læses: den ligner ikke en CSV-fil."), field="file")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    number = 0
    for cells in reader:
        number += 1
        if any(c.strip() for c in cells):
            header = [normalise_header(c) for c in cells]
            break
    if header is None:
        raise DomainError(N_("Filen er tom."), field="file")

    def rows() -> Iterator[tuple[int, list[str]]]:
        row_number = number
        try:
            for cells in reader:
                row_number += 1
                stripped = [c.strip() for c in cells]
                if any(stripped):
                    yield row_number, stripped
        except csv.Error as exc:
            raise DomainError(
                N_("Række %(row)d kunne ikke læses: %(problem)s.", row=row_number + 1, problem=str(exc)),
                field="file",
            ) from exc

    return Table(header=header, rows=rows(), header_row=number)


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DomainError(N_("Filen kunne ikke læses som XLSX-regneark."), field="file") from exc
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        raise DomainError(N_("Regnearket har ingen ark."), field="file")
    values = sheet.iter_rows(values_only=True)
    header: list[str] | None = None
    number = 0
    for cells in values:
        number += 1
        texts = [cell_text(c) for c in cells]
        if any(texts):
            header = [normalise_header(t) for t in texts]
            break
    if header is None:
        workbook.close()
        raise DomainError(N_("Filen er tom."), field="file")

    def rows() -> Iterator[tuple[int, list[str]]]:
        row_number = number
        try:
            for cells in values:
                row_number += 1
                texts = [cell_text(c) for c in cells]
                if any(texts):
                    yield row_number, texts
        finally:
            workbook.close()

    return Table(header=header, rows=rows(), header_row=number)


def normalise_header(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().lower().split())


def cell_text(value: Any) -> str:
    """Return a spreadsheet cell as the text a person would have typed."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def parse_date(text: Any) -> date:
    """Parse 2025-06-30, 30-06-2025 or 30.06.2025 (2000-2100, ASCII digits); DomainError otherwise."""
    return converters.parse_date(text)


def parse_decimal(text: Any) -> float:
    """Parse a number with a decimal comma or point; DomainError otherwise."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        value = float(text)
    else:
        raw = str(text or "").strip().replace("\u00a0", "").replace(" ", "")
        if "," in raw and "." in raw:
            # The last separator is the decimal one; the other groups thousands.
            thousands = "." if raw.rfind(",") > raw.rfind(".") else ","
            raw = raw.replace(thousands, "")
        raw = raw.replace(",", ".")
        if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", raw):
            raise DomainError(not_a_number(str(text or "").strip()), field="number")
        value = float(raw)
    if math.isnan(value) or math.isinf(value):
        raise DomainError(not_a_number(text), field="number")
    return value


def not_a_number(text: Any) -> str:
    return N_("'%(value)s' er ikke et tal.", value=text)


def looks_like_formula(value: str) -> bool:
    """Whether a cell would start a formula in a spreadsheet (a plain signed number does not)."""
    if not value or not value.startswith(FORMULA_STARTS):
        return False
    return not (value[0] in "+-" and _NUMBER.fullmatch(value))
