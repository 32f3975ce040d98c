"""Hostile and broken import files, built in the test (no binary fixtures), and what each must answer.

The limits are small (SMALL_LIMITS) so every class is cheap to build; the 1 MB -> 1 GiB bomb at the
default limits is measured in benchmarks/bench_import_limits.py.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from xml.sax.saxutils import escape

from quota_app.imports.limits import ImportLimits

HEADER = "reference;department;type;status;effective_date;unit;title;fte;note"
COLUMNS = HEADER.split(";")
GOOD = "SOF-{n};SOF;internship;open;2025-01-06;;Praktik;1;"
MB = 1024 * 1024
SMALL_LIMITS = ImportLimits(
    max_bytes=256 * 1024,
    max_uncompressed_bytes=MB,
    max_rows=20,
    max_columns=12,
    max_cell_chars=2000,
)
SMALL_SETTINGS = {
    "import_max_bytes": SMALL_LIMITS.max_bytes,
    "import_max_uncompressed_bytes": SMALL_LIMITS.max_uncompressed_bytes,
    "import_max_rows": SMALL_LIMITS.max_rows,
    "import_max_columns": SMALL_LIMITS.max_columns,
    "import_max_cell_chars": SMALL_LIMITS.max_cell_chars,
}


def csv_file(*rows: str, newline: str = "\n") -> bytes:
    return newline.join((HEADER, *rows)).encode("utf-8") + newline.encode()


def good_rows(count: int) -> list[str]:
    return [GOOD.format(n=n) for n in range(count)]


def _cell(reference: str, value: object) -> str:
    if isinstance(value, Formula):
        cached = "" if value.cached is None else f"<v>{escape(value.cached)}</v>"
        return f'<c r="{reference}"><f>{escape(value.text)}</f>{cached}</c>'
    if isinstance(value, SharedString):
        return f'<c r="{reference}" t="s"><v>{value.index}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


@dataclass(frozen=True)
class Formula:
    text: str
    cached: str | None = None


@dataclass(frozen=True)
class SharedString:
    index: int


def _column(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_xml(rows: list[list[object]]) -> bytes:
    body = "".join(
        f'<row r="{r}">'
        + "".join(_cell(f"{_column(c)}{r}", v) for c, v in enumerate(row, 1) if v not in (None, ""))
        + "</row>"
        for r, row in enumerate(rows, 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()


def shared_strings_xml(strings: list[str]) -> bytes:
    items = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    ).encode()


def _parts(sheet: bytes, shared: bytes | None) -> dict[str, bytes]:
    main = "http://schemas.openxmlformats.org"
    types = (
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
        'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    )
    relations = (
        f'<Relationship Id="rId1" Type="{main}/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
    )
    if shared is not None:
        types += (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
        relations += (
            f'<Relationship Id="rId2" Type="{main}/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
    parts = {
        "[Content_Types].xml": (
            f'<Types xmlns="{main}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{types}</Types>'
        ).encode(),
        "_rels/.rels": (
            f'<Relationships xmlns="{main}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{main}/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}/spreadsheetml/2006/main" '
            f'xmlns:r="{main}/officeDocument/2006/relationships">'
            '<sheets><sheet name="Pladser" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{main}/package/2006/relationships">{relations}</Relationships>'
        ).encode(),
        "xl/worksheets/sheet1.xml": sheet,
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    return parts


def xlsx_file(rows: list[list[object]], shared: list[str] | None = None) -> bytes:
    """A minimal workbook: one sheet of the rows (inline strings), with a shared-string table if given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in _parts(
            sheet_xml(rows), None if shared is None else shared_strings_xml(shared)
        ).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _repeated(prefix: bytes, unit: bytes, size: int, suffix: bytes) -> tuple[bytes, int, int]:
    """Deflate prefix + unit * n + suffix (about size bytes) in chunks; return (raw deflate, crc, size)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = unit * max(1, MB // len(unit))
    out = [compressor.compress(prefix)]
    crc = zlib.crc32(prefix)
    total = len(prefix)
    while total < size - len(suffix):
        piece = block if total + len(block) <= size else unit * max(1, (size - total) // len(unit))
        out.append(compressor.compress(piece))
        crc = zlib.crc32(piece, crc)
        total += len(piece)
    out.append(compressor.compress(suffix))
    crc = zlib.crc32(suffix, crc)
    total += len(suffix)
    out.append(compressor.flush())
    return b"".join(out), crc, total


def bomb(part: str, size: int, *, declared: int | None = None) -> bytes:
    """A workbook whose part ('shared' or 'sheet') inflates to about size bytes, written chunk by chunk.

    shared: one shared string of size 'A's; sheet: size bytes of repeated cells. declared: the
    uncompressed size the zip headers claim (a lie) instead of the true one.
    """
    if part == "shared":
        prefix = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
        name, unit, suffix = "xl/sharedStrings.xml", b"A" * 1024, b"</t></si></sst>"
        sheet, shared = sheet_xml([[*COLUMNS], [SharedString(0)]]), b""
    else:
        prefix = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
        name, unit, suffix = (
            "xl/worksheets/sheet1.xml",
            b'<c t="inlineStr"><is><t>x</t></is></c>',
            b"</row></sheetData></worksheet>",
        )
        sheet, shared = b"", None
    raw, crc, true_size = _repeated(prefix, unit, size, suffix)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for other, content in _parts(sheet, shared).items():
            if other != name:
                archive.writestr(other, content)
        info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED  # the raw deflate stream is written by hand below
        archive.writestr(info, b"")
    data = buffer.getvalue()
    return _splice(data, name, raw, crc, true_size if declared is None else declared)


def _splice(data: bytes, name: str, raw: bytes, crc: int, size: int) -> bytes:
    """Rebuild the archive with `name` holding the raw deflate stream and the given (maybe false) size."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = bytearray()
    central = bytearray()
    for info in source.infolist():
        content = source.read(info.filename)
        encoded = info.filename.encode()
        if info.filename == name:
            method, body, entry_crc, usize = zipfile.ZIP_DEFLATED, raw, crc, size
        else:
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            body = compressor.compress(content) + compressor.flush()
            method, entry_crc, usize = zipfile.ZIP_DEFLATED, zlib.crc32(content), len(content)
        offset = len(out)
        out += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x5A21, entry_crc, len(body), usize, len(encoded), 0
        )
        out += encoded + body
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            method,
            0,
            0x5A21,
            entry_crc,
            len(body),
            usize,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += encoded
    count = len(source.infolist())
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(out), 0)
    return bytes(out + central + end)
