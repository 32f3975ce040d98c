"""A report's data as JSON, kept with its archived PDF (`ReportArchive.report_data`), and back: the HTML twin shows
what the PDF shows, and the mail says the verdict the PDF opens with, without counting again."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from quota_app.models import MUNICIPALITY_SCOPE, ReportArchive

from .data import ConsolidatedReport, DepartmentReport

Report = DepartmentReport | ConsolidatedReport


@cache
def _adapter(kind: type) -> TypeAdapter:
    return TypeAdapter(kind)


def to_json(report: Report) -> dict[str, Any]:
    """The report's data as JSON-able values (dates and times as ISO 8601 with their offsets)."""
    return _adapter(type(report)).dump_python(  # type: ignore[arg-type]  # a class is hashable: mypy checks its instances' __hash__
        report, mode="json"
    )


def from_archive(entry: ReportArchive) -> Report | None:
    """The data the archived PDF was rendered from; None when it was not kept (archived before 0009) or
    no longer reads as today's report data."""
    if not entry.report_data:
        return None
    kind = ConsolidatedReport if entry.scope == MUNICIPALITY_SCOPE else DepartmentReport
    try:
        return _adapter(kind).validate_python(entry.report_data)
    except ValidationError:
        return None
