"""The one CSV writer: every CSV the app writes goes through `write_csv` (the downloads of places, targets
and the monitoring pages, the import template, `quota reconcile --format csv`).

For Danish Excel: UTF-8 with BOM (so Excel detects the encoding), ';' (the Danish list separator), CRLF
line ends. No cell starts a formula: defusedcsv puts an apostrophe before a text that starts with
= + - @ | % (a number such as -3 or 12,5 stays as it is), and `escape_text` does the same for a tab or
a carriage return at the start, which defusedcsv leaves alone. XLSX cells use `escape_text` too.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from defusedcsv import csv as safe_csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "|", "%")
BOM = "\ufeff"


def escape_text(text: str) -> str:
    """Return text that a spreadsheet shows as text: a leading apostrophe before any formula start."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value: object) -> object:
    # defusedcsv leaves numeric-looking text alone and escapes the rest; tab/CR starts are ours.
    if isinstance(value, str) and value.startswith(("\t", "\r")):
        return escape_text(value)
    return value


def write_csv(header: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    """Return the CSV text, BOM first: the header, then the rows (cells as given; None is empty)."""
    buffer = io.StringIO(newline="")
    writer = safe_csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=safe_csv.QUOTE_MINIMAL)
    writer.writerow([_cell(value) for value in header])
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return BOM + buffer.getvalue()
