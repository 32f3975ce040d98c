"""Bounds on an uploaded table, checked before (and while) it is parsed, so no file can exhaust the server.

An XLSX file is a zip archive: its central directory is inspected first (declared sizes, compression
ratio, number of entries), then the workbook's XML parts are decompressed in small chunks and streamed
through expat, counting the bytes really produced (a declared size can lie), the rows, the columns and
the length of every cell. Only a file that passes is handed to openpyxl.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from ..errors import DomainError
from ..formatting import number
from ..texts import N_

MB = 1024 * 1024
CHUNK = 64 * 1024
MAX_ZIP_ENTRIES = 1000
MAX_COMPRESSION_RATIO = 200  # legitimate sheets compress 5-30x; repeated-cell bombs 1000x and more


@dataclass(frozen=True)
class ImportLimits:
    """How big an imported file may be; defaults match the settings' defaults."""

    max_bytes: int = 64 * MB
    max_uncompressed_bytes: int = 512 * MB
    max_rows: int = 500_000
    max_columns: int = 50
    max_cell_chars: int = 10_000

    @classmethod
    def from_settings(cls, settings: Any) -> ImportLimits:
        return cls(
            max_bytes=settings.import_max_bytes,
            max_uncompressed_bytes=settings.import_max_uncompressed_bytes,
            max_rows=settings.import_max_rows,
            max_columns=settings.import_max_columns,
            max_cell_chars=settings.import_max_cell_chars,
        )


def human_size(size: int) -> str:
    return f"{number(size / MB, digits=0)} MB" if size >= MB else f"{number(size / 1024, digits=0)} KB"


def too_big(size: int, limits: ImportLimits) -> DomainError:
    shown, limit = human_size(size), human_size(limits.max_bytes)
    if shown == limit:  # just over: show the difference
        shown, limit = f"{size} byte", f"{limits.max_bytes} byte"
    return DomainError(
        N_(
            "Filen fylder %(size)s; højst %(limit)s kan indlæses. Del den i flere filer.",
            size=shown,
            limit=limit,
        ),
        field="file",
    )


def check_size(size: int, limits: ImportLimits) -> None:
    """Refuse a file over the byte limit before anything reads it."""
    if size > limits.max_bytes:
        raise too_big(size, limits)


def too_many_rows(limits: ImportLimits) -> DomainError:
    return DomainError(
        N_("Filen har mere end %(limit)d rækker. Del den i flere filer.", limit=limits.max_rows), field="file"
    )


def too_many_columns(line: int, count: int, limits: ImportLimits) -> DomainError:
    return DomainError(
        N_(
            "Række %(row)d har %(count)d kolonner; højst %(limit)d er tilladt.",
            row=line,
            count=count,
            limit=limits.max_columns,
        ),
        field="file",
    )


def cell_too_long(line: int, limits: ImportLimits) -> DomainError:
    return DomainError(
        N_("Række %(row)d har en celle med mere end %(limit)d tegn.", row=line, limit=limits.max_cell_chars),
        field="file",
    )


def expands_too_much(limits: ImportLimits) -> DomainError:
    return DomainError(
        N_(
            "Regnearket fylder over %(limit)s, når det pakkes ud, og indlæses ikke "
            "(det kan være en såkaldt zip-bombe). Gem det igen i Excel, eller del det i flere filer.",
            limit=human_size(limits.max_uncompressed_bytes),
        ),
        field="file",
    )


def not_a_spreadsheet() -> DomainError:
    return DomainError(N_("Filen kunne ikke læses som XLSX-regneark."), field="file")


def inspect_zip(archive: zipfile.ZipFile, limits: ImportLimits) -> None:
    """Refuse an archive by its central directory: too many entries, too large or too compressed parts."""
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise not_a_spreadsheet()
    total = 0
    for entry in entries:
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if total > limits.max_uncompressed_bytes:
            raise expands_too_much(limits)
        if entry.file_size > MB and ratio > MAX_COMPRESSION_RATIO:
            raise DomainError(
                N_(
                    "En del af regnearket pakkes ud til over %(ratio)d gange sin størrelse og indlæses ikke "
                    "(det kan være en såkaldt zip-bombe). Gem det igen i Excel.",
                    ratio=MAX_COMPRESSION_RATIO,
                ),
                field="file",
            )
        if entry.flag_bits & 0x1:  # encrypted
            raise not_a_spreadsheet()


class _Budget:
    """Uncompressed bytes left for the whole archive, counted as they are really produced.

    Each member is inflated here from its raw bytes, in chunks of at most CHUNK output bytes, so a member
    that produces more than its declared size (a lying header) or than the budget is refused mid-stream.
    """

    def __init__(self, data: bytes, limits: ImportLimits) -> None:
        self.data = data
        self.left = limits.max_uncompressed_bytes
        self.limits = limits

    def stream(self, info: zipfile.ZipInfo, parser: Any) -> None:
        produced = 0
        for chunk in self._inflate(info):
            produced += len(chunk)
            self.left -= len(chunk)
            if produced > info.file_size or self.left < 0:
                raise expands_too_much(self.limits)
            parser.Parse(chunk, False)
        if produced != info.file_size:
            raise not_a_spreadsheet()
        parser.Parse(b"", True)

    def _inflate(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        offset = info.header_offset
        header = self.data[offset : offset + 30]
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise not_a_spreadsheet()
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        start = offset + 30 + name_length + extra_length
        raw = memoryview(self.data)[start : start + info.compress_size]
        if info.compress_type == zipfile.ZIP_STORED:
            for position in range(0, len(raw), CHUNK):
                yield bytes(raw[position : position + CHUNK])
            return
        if info.compress_type != zipfile.ZIP_DEFLATED:
            raise not_a_spreadsheet()
        inflater = zlib.decompressobj(-15)
        for position in range(0, len(raw), CHUNK):
            pending = bytes(raw[position : position + CHUNK])
            while pending:
                chunk = inflater.decompress(pending, CHUNK)
                pending = inflater.unconsumed_tail
                if chunk:
                    yield chunk
        if tail := inflater.flush():
            yield tail


class _SheetScan:
    """Expat handlers counting rows and columns and measuring every cell's text in a sheet or string table."""

    def __init__(self, limits: ImportLimits, *, strings: bool) -> None:
        self.limits = limits
        self.strings = strings
        self.rows = 0
        self.row = 0  # the row number the sheet gives (r=), else counted
        self.columns = 0
        self.text = 0
        self.in_text = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        # No end handler (a third fewer calls): text counts from a v, t or f start to the next start.
        local = name[name.rfind("}") + 1 :]
        self.in_text = local in ("v", "t", "f")
        if local == "c":
            self.columns += 1
            letters = attributes.get("r", "").rstrip("0123456789")
            column = ord(letters) - 64 if len(letters) == 1 else _column_number(letters) or self.columns
            if column > self.limits.max_columns or self.columns > self.limits.max_columns:
                raise too_many_columns(self.row, max(column, self.columns), self.limits)
            self.text = 0
        elif local == "row":
            self.rows += 1
            if self.rows > self.limits.max_rows + 1:  # the header row is not a data row
                raise too_many_rows(self.limits)
            self.row = _int(attributes.get("r")) or self.row + 1
            self.columns = 0
        elif local == "si":
            self.text = 0

    def data(self, text: str) -> None:
        if self.in_text:
            self.text += len(text)
            if self.text > self.limits.max_cell_chars:
                if self.strings:
                    raise DomainError(
                        N_(
                            "Regnearket har en tekst med mere end %(limit)d tegn.",
                            limit=self.limits.max_cell_chars,
                        ),
                        field="file",
                    )
                raise cell_too_long(self.row, self.limits)


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 10 else None


def _column_number(letters: str) -> int:
    """A1-style column letters as a number (0 when they are not letters)."""
    if not letters.isalpha() or not letters.isascii() or len(letters) > 3:
        return 0
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _parser(scan: _SheetScan | None = None) -> Any:
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    if scan is not None:
        parser.StartElementHandler = scan.start
        parser.CharacterDataHandler = scan.data
    return parser


def scan_xlsx(data: bytes, limits: ImportLimits) -> None:
    """Stream every XML part of the workbook within the limits; DomainError at the first one exceeded."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inspect_zip(archive, limits)
            entries = archive.infolist()
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise not_a_spreadsheet() from exc
    budget = _Budget(data, limits)
    try:
        for info in entries:
            name = info.filename.lower()
            if not name.endswith((".xml", ".rels")):
                continue
            if name.startswith("xl/worksheets/") and "/_rels/" not in name:
                budget.stream(info, _parser(_SheetScan(limits, strings=False)))
            elif name == "xl/sharedstrings.xml":
                budget.stream(info, _parser(_SheetScan(limits, strings=True)))
            else:
                budget.stream(info, _parser())  # well-formed and within the budget
    except (expat.ExpatError, zlib.error, struct.error, ValueError) as exc:
        raise not_a_spreadsheet() from exc
