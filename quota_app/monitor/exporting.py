"""Downloads of the monitoring pages: the overview and the places behind a figure as rows, written by the
shared export writers (Danish Excel, no formulas)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response

from ..exports.services import to_csv, to_xlsx
from ..i18n import _
from ..reconcile.types import ReconciliationRow, Totals
from .overview import Overview
from .place_lists import PlaceBehindFigure
from .presenters import LEVEL_TEXT, STATUS_TEXT, fulfilment_level, has_pro_rata

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def overview_labels() -> dict[str, str]:
    """The overview export's headings and words, in the reader's language."""
    return {
        key: str(value)
        for key, value in {
            "department": _("Forvaltning"),
            "type": _("Ordning"),
            "rule": _("Tæller"),
            "target": _("Måltal"),
            "counted": _("Optalt"),
            "fulfilment": _("Opfyldelse (%)"),
            "gap": _("Mangler"),
            "level": _("Status"),
            "what_if_counted": _("Hvad nu hvis: optalt"),
            "what_if_fulfilment": _("Hvad nu hvis: opfyldelse (%)"),
            "what_if_gap": _("Hvad nu hvis: mangler"),
            "pro_rata": _("Halvårets andel af måltallet"),
            "pro_rata_fulfilment": _("Opfyldelse af halvårets andel (%)"),
            "total": _("I alt"),
            "municipality": _("Kommunen"),
            **{f"level_{level}": text for level, text in LEVEL_TEXT.items()},
        }.items()
    }


def _cell_values(row: ReconciliationRow | Totals | None) -> list[Any]:
    if row is None:
        return [None, None, None, None]
    return [row.target, row.counted, row.fulfilment_pct, row.gap]


def overview_rows(overview: Overview, *, locale: str, labels: dict[str, str]) -> list[list[Any]]:
    """Return the overview as a header row and one row per department and type (plus totals)."""
    header = [
        labels["department"],
        labels["type"],
        labels["rule"],
        labels["target"],
        labels["counted"],
        labels["fulfilment"],
        labels["gap"],
        labels["level"],
    ]
    if overview.what_if is not None:
        header += [labels["what_if_counted"], labels["what_if_fulfilment"], labels["what_if_gap"]]
    pro_rata = has_pro_rata(overview.adopted)
    if pro_rata:
        header += [labels["pro_rata"], labels["pro_rata_fulfilment"]]
    rows: list[list[Any]] = [header]
    type_names = {t.code: t.name(locale) for t in overview.types}

    def line(department: str, type_name: str, rule: str, adopted: Any, what_if: Any) -> list[Any]:
        values = _cell_values(adopted)
        result = [department, type_name, rule, *values, labels[f"level_{fulfilment_level(values[2])}"]]
        if overview.what_if is not None:
            result += _cell_values(what_if)[1:]
        if pro_rata:
            result += [
                getattr(adopted, "target_pro_rata", None),
                getattr(adopted, "fulfilment_pro_rata_pct", None),
            ]
        return result

    for d in overview.departments:
        for t in overview.types:
            rule = ", ".join(overview.adopted.rules.get(t.code, ((), ""))[0])
            rows.append(
                line(
                    d.code,
                    type_names[t.code],
                    rule,
                    overview.cell(d.code, t.code),
                    overview.what_if_cell(d.code, t.code),
                )
            )
        rows.append(
            line(
                d.code,
                labels["total"],
                "",
                overview.adopted.by_department.get(d.code),
                overview.what_if.by_department.get(d.code) if overview.what_if else None,
            )
        )
    for t in overview.types:
        rows.append(
            line(
                labels["municipality"],
                type_names[t.code],
                "",
                overview.adopted.by_type.get(t.code),
                overview.what_if.by_type.get(t.code) if overview.what_if else None,
            )
        )
    rows.append(
        line(
            labels["municipality"],
            labels["total"],
            "",
            overview.adopted.municipality,
            overview.what_if.municipality if overview.what_if else None,
        )
    )
    return rows


def place_rows(lines: Sequence[PlaceBehindFigure], *, type_names: dict[str, str]) -> list[list[Any]]:
    """Return the places as a header row and one row per place, with its status on the measuring date."""
    header = [
        str(_("Reference")),
        str(_("Titel")),
        str(_("Forvaltning")),
        str(_("Enhed")),
        str(_("Ordning")),
        str(_("Årsværk")),
        str(_("Status på datoen")),
    ]
    return [header] + [
        [
            line.reference,
            line.title,
            line.department,
            line.unit or "",
            type_names.get(line.type, line.type),
            line.fte,
            str(STATUS_TEXT[line.status]) if line.status else "",
        ]
        for line in lines
    ]


def render(rows: Sequence[Sequence[Any]], *, fmt: str, sheet: str) -> tuple[bytes, str]:
    """Return (file content, mimetype) for rows (the first is the header)."""
    header, body = rows[0], rows[1:]
    if fmt == "csv":
        return to_csv(header, body), CSV_MIMETYPE
    return to_xlsx(header, body, sheet_title=sheet), XLSX_MIMETYPE


def download(rows: list[list[Any]], *, fmt: str, filename: str, sheet: str) -> Response:
    """Return rows as a CSV or XLSX attachment named filename."""
    data, mimetype = render(rows, fmt=fmt, sheet=sheet)
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
