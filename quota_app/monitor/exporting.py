"""Downloads of the monitoring pages, written by the shared export writers (Danish Excel, no formulas)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..exports.services import to_csv, to_xlsx

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render(rows: Sequence[Sequence[Any]], *, fmt: str, sheet: str) -> tuple[bytes, str]:
    """Return (file content, mimetype) for rows (the first is the header)."""
    header, body = rows[0], rows[1:]
    if fmt == "csv":
        return to_csv(header, body), CSV_MIMETYPE
    return to_xlsx(header, body, sheet_title=sheet), XLSX_MIMETYPE
