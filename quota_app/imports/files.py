"""Reading the tables people bring: CSV in Danish encodings and separators, or XLSX (docs/files.md §1)."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from openpyxl.utils import get_column_letter

from ..errors import DomainError
from ..texts import N_
from .limits import (
    ImportLimits,
    cell_too_long,
    check_size,
    not_a_spreadsheet,
    scan_xlsx,
    too_many_columns,
    too_many_rows,
)

_XLSX_MAGIC = b"PK\x03\x04"
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")


@dataclass(frozen=True)
class RowError:
    """A bad row: its number as a person counts rows in the file (the header is row 1) and why."""

    row: int
    message: str  # the Danish text; a Text (N_) is shown in the reader's language by the web layer


@dataclass
class TableResult:
    """What reading a table found: how many rows, and the bad ones (any bad row: nothing is written)."""

    rows_read: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportResult(TableResult):
    """What an import did (or, with errors or a dry run, would have done)."""

    places_created: int = 0
    events_created: int = 0
    corrections: int = 0
    unchanged: int = 0
    places_updated: int = 0
    units_created: int = 0
    dry_run: bool = False
    # What saving writes, for a preview to list (place_plan.planned_changes; at most MAX_LISTED).
    changes: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """What was (or would be) saved, as the CLI's summary, the audit, the API and import jobs give it."""
        return {
            "rows_read": self.rows_read,
            "places_created": self.places_created,
            "places_updated": self.places_updated,
            "units_created": self.units_created,
            "events_created": self.events_created,
            "corrections": self.corrections,
            "unchanged": self.unchanged,
        }


@dataclass
class Table:
    """A table read from a file: lower-cased header names and (row number, cells) pairs.

    The row number is the line a person sees in a text editor (CSV) or the sheet's row (XLSX). A row the
    reader itself finds broken (a quote left open, a cell count unlike the header's, a formula) comes as
    (row number, RowError) instead of cells: the importer reports it and the file is not saved.
    """

    header: list[str]
    rows: Iterator[tuple[int, list[str] | RowError]]
    header_row: int = 1


def column_index(
    header: list[str], columns: tuple[str, ...], required: tuple[str, ...], *, field: str | None = None
) -> dict[str, int]:
    """Each known column's position in a header: DomainError for a column named twice or unknown (it would
    be silently ignored) or a required one missing."""
    named = [c for c in header if c]
    doubled = sorted({c for c in named if named.count(c) > 1})
    unknown = [c for c in named if c not in columns]
    if doubled or unknown:
        raise DomainError(
            N_(
                "Overskriften har kolonner, der står der to gange eller er ukendte: %(columns)s.",
                columns=", ".join(doubled + unknown),
            ),
            field=field,
        )
    missing = [c for c in required if c not in header]
    if missing:
        raise DomainError(
            N_("Filen mangler kolonnen/kolonnerne: %(columns)s.", columns=", ".join(missing)), field=field
        )
    return {name: header.index(name) for name in columns if name in header}


def read_table(data: bytes, filename: str, limits: ImportLimits | None = None) -> Table:
    """Read a CSV (UTF-8 with or without BOM, UTF-16 with BOM, or Windows-1252; ';', ',' or tab) or XLSX
    file within the limits (DomainError, before parsing, when the file exceeds one)."""
    limits = limits or ImportLimits()
    check_size(len(data), limits)
    if not data or data.isspace():
        raise DomainError(N_("Filen er tom."), field="file")
    if filename.lower().endswith((".xlsx", ".xlsm")) or data.startswith(_XLSX_MAGIC):
        return _read_xlsx(data, limits)
    return _read_csv(data, limits)


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16")
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _UTF8_SEQUENCE.search(data):
            # Partly UTF-8, partly not: read as Windows-1252 it would turn æøå into mojibake.
            raise DomainError(
                N_(
                    "Række %(row)d er ikke gyldig UTF-8, men andre rækker er: filen blander tegnsæt. "
                    "Gem den igen som CSV (UTF-8).",
                    row=data.count(b"\n", 0, exc.start) + 1,
                ),
                field="file",
            ) from exc
    return _strict(data, "cp1252")


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DomainError(
            N_("Filen kunne ikke læses: gem den som CSV (UTF-8 eller Windows-1252) eller XLSX."), field="file"
        ) from exc


def _read_csv(data: bytes, limits: ImportLimits) -> Table:
    text = _decode(data)
    if "\x00" in text:
        raise DomainError(N_("Filen kunne ikke læses: den ligner ikke en CSV-fil."), field="file")
    first_line = next((line for line in _lines(text) if line.strip()), "")
    delimiter = max(";,\t", key=first_line.count)
    _count_rows(text, delimiter, limits)
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    records = _records(reader, limits)
    header: list[str] | None = None
    number = 0
    for line, record in records:
        number = line
        if isinstance(record, RowError):
            raise DomainError(
                N_("Overskriften kunne ikke læses: %(problem)s", problem=record.message), field="file"
            )
        if any(c.strip() for c in record[0]):
            header = [normalise_header(c) for c in record[0]]
            break
    if header is None:
        raise DomainError(N_("Filen er tom."), field="file")
    width = len(header)

    def rows() -> Iterator[tuple[int, list[str] | RowError]]:
        count = 0
        for row_number, record in records:
            if isinstance(record, RowError):
                count += 1
                yield row_number, record
                continue
            cells, last = record
            stripped = [c.strip() for c in cells]
            if not any(stripped):
                continue
            count += 1
            if count > limits.max_rows:
                raise too_many_rows(limits)
            if last > row_number and _swallowed(cells, delimiter, width):
                yield row_number, RowError(row_number, _open_quote(row_number, last))
            elif len(stripped) != width:
                yield row_number, RowError(row_number, _wrong_width(len(stripped), width, delimiter))
            else:
                yield row_number, stripped

    return Table(header=header, rows=rows(), header_row=number)


def _lines(text: str) -> Iterator[str]:
    """The lines of the text with their ends (CR, LF or CRLF), one at a time: no copy of the whole text."""
    for match in _LINE.finditer(text):
        yield match.group()


def _count_rows(text: str, delimiter: str, limits: ImportLimits) -> None:
    """Refuse a file of too many rows before any row is read (a quick pass that keeps nothing)."""
    if text.count("\n") + text.count("\r") <= limits.max_rows:
        return  # fewer line ends than rows allowed (a CRLF counts twice): too few lines to be too many rows
    reader = csv.reader(_lines(text), delimiter=delimiter)
    count = -1  # the header
    try:
        for cells in reader:
            if any(cells):
                count += 1
                if count > limits.max_rows:
                    raise too_many_rows(limits)
    except csv.Error:
        return  # the reading pass reports it with its line


def _records(reader: Any, limits: ImportLimits) -> Iterator[tuple[int, tuple[list[str], int] | RowError]]:
    """Each CSV record with the lines it starts and ends on; a RowError where the parser gave up on a quote."""
    while True:
        first = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger" in str(exc):
                raise cell_too_long(first, limits) from exc
            yield first, RowError(first, _open_quote(first, max(reader.line_num, first)))
            continue
        if len(cells) > limits.max_columns:
            raise too_many_columns(first, len(cells), limits)
        if cells and max(map(len, cells)) > limits.max_cell_chars:
            raise cell_too_long(first, limits)
        yield first, (cells, reader.line_num)


def _swallowed(cells: list[str], delimiter: str, width: int) -> bool:
    """Whether a cell with line breaks holds what looks like further rows (a quote left open)."""
    for cell in cells:
        for line in cell.splitlines()[1:]:
            if line.count(delimiter) >= max(2, (width - 1) // 2):
                return True
    return False


def _open_quote(first: int, last: int) -> str:
    return N_(
        'Et anførselstegn (") er ikke afsluttet eller står forkert, så linje %(first)d-%(last)d '
        "ikke kan læses som rækker. Ret anførselstegnet.",
        first=first,
        last=last,
    )


def _wrong_width(count: int, width: int, delimiter: str) -> str:
    return N_(
        "Rækken har %(count)d celler, men overskriften har %(width)d. "
        "Se efter et manglende eller ekstra skilletegn ('%(separator)s').",
        count=count,
        width=width,
        separator="tab" if delimiter == "\t" else delimiter,
    )


def _read_xlsx(data: bytes, limits: ImportLimits) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        scan_xlsx(data, limits)  # bounded before openpyxl sees it
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, InvalidFileException) as exc:
        raise not_a_spreadsheet() from exc
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        raise DomainError(N_("Regnearket har ingen ark."), field="file")
    sheet.reset_dimensions()  # a wrong <dimension> must not cut columns off: read what is there
    rows_of_cells = sheet.iter_rows()
    header: list[str] | None = None
    number = 0
    for cells in rows_of_cells:
        number += 1
        texts = _cell_texts(number, cells)
        if isinstance(texts, RowError):
            workbook.close()
            raise DomainError(
                N_("Overskriften kunne ikke læses: %(problem)s", problem=texts.message), field="file"
            )
        if any(texts):
            header = [normalise_header(t) for t in texts]
            break
    if header is None:
        workbook.close()
        raise DomainError(N_("Filen er tom."), field="file")

    width = len(header)

    def rows() -> Iterator[tuple[int, list[str] | RowError]]:
        row_number = number
        try:
            for cells in rows_of_cells:
                row_number += 1
                texts = _cell_texts(row_number, cells)
                if isinstance(texts, RowError) or not any(texts):
                    if texts:
                        yield row_number, texts
                elif any(texts[width:]):
                    yield row_number, RowError(row_number, _beyond_header(row_number, width, texts))
                else:
                    yield row_number, texts + [""] * (width - len(texts))
        finally:
            workbook.close()

    return Table(header=header, rows=rows(), header_row=number)


def _beyond_header(row_number: int, width: int, texts: list[str]) -> str:
    column = width + next(i for i, t in enumerate(texts[width:]) if t)
    return N_(
        "Cellen %(cell)s står i en kolonne uden overskrift.",
        cell=f"{get_column_letter(column + 1)}{row_number}",
    )


def _cell_texts(row_number: int, cells: Any) -> list[str] | RowError:
    """The row's cells as text; a RowError when one holds a formula (we never evaluate, nor trust a cache)."""
    for cell in cells:
        if getattr(cell, "data_type", None) == "f":
            return RowError(
                row_number,
                N_(
                    "Cellen %(cell)s indeholder en formel (%(formula)s); formler beregnes ikke. "
                    "Skriv værdien i cellen i stedet.",
                    cell=cell.coordinate,
                    formula=str(cell.value)[:40],
                ),
            )
    return [cell_text(cell.value) for cell in cells]


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
