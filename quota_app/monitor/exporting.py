"""Write the overview as CSV or XLSX that opens cleanly in Danish Excel (no cell starts a formula)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from defusedcsv import csv
from openpyxl import Workbook

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")
    return str(value)


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render(rows: Sequence[Sequence[Any]], *, fmt: str, sheet: str) -> tuple[bytes, str]:
    """Return (file content, mimetype) for rows (the first is the header)."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        for row in rows:
            writer.writerow([_csv_value(v) for v in row])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8"), CSV_MIMETYPE
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet[:31]
    for row in rows:
        worksheet.append([_xlsx_value(v) for v in row])
    worksheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), XLSX_MIMETYPE
