"""The reports' tables: status per placement type, trend, longest-open places, standings, the side-by-side
table of the consolidated report, and the box that explains the method."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Table, TableStyle

from quota_app.formatting import period_name
from quota_app.vocabulary import MEASURE_NOTES, STATUS_LABELS

from ..data import ConsolidatedReport, DepartmentReport, Methods, Position, Totals, TypeRow, TypeTrend
from .formatting import format_change, format_count, format_date, format_number, format_pct, format_timestamp
from .style import FONT, FONT_BOLD, KK_BLUE, data_table, head_row, text


def type_table(rows: Sequence[TypeRow], totals: Totals | None, styles: dict[str, ParagraphStyle]) -> Table:
    head = [
        "Ordning",
        "Måltal",
        STATUS_LABELS["filled"],
        STATUS_LABELS["open"],
        STATUS_LABELS["paused"],
        "Talt med",
        "Opfyldelse",
        "Ændring (pp)",
        "Ændring (antal)",
    ]
    data: list[list] = [head_row(head, styles)]
    for row in rows:
        name = row.type_name + (f" ({MEASURE_NOTES[row.measure]})" if row.measure in MEASURE_NOTES else "")
        if row.target_pro_rata is not None:
            name += (
                f"; halvårets andel af måltallet: {format_count(row.target_pro_rata)}, "
                f"opfyldelse af andelen: {format_pct(row.fulfilment_pro_rata_pct)}"
            )
        data.append(
            [
                text(name, styles["cell"]),
                format_count(row.target),
                format_count(row.filled),
                format_count(row.open),
                format_count(row.paused),
                format_count(row.counted),
                format_pct(row.fulfilment_pct),
                format_change(row.change_pct_points),
                format_change(row.change_counted, decimals=0 if _whole(row.change_counted) else 1),
            ]
        )
    if totals is not None:
        data.append(
            [
                "I alt",
                format_count(totals.target),
                "",
                "",
                "",
                format_count(totals.counted),
                format_pct(totals.fulfilment_pct),
                "",
                "",
            ]
        )
    widths = [39 * mm, 15 * mm, 14 * mm, 14 * mm, 14 * mm, 16 * mm, 22 * mm, 19 * mm, 19 * mm]
    return data_table(data, widths, total_row=totals is not None)


def _whole(value: float | None) -> bool:
    return value is None or float(value).is_integer()


def trend_table(trend: Sequence[TypeTrend], styles: dict[str, ParagraphStyle]) -> Table | Paragraph:
    if not trend or not trend[0].points:
        return text("Ingen udvikling at vise.", styles["body"])
    periods = [p.period for p in trend[0].points]
    head = [Paragraph("Ordning", styles["head"])] + [
        Paragraph(f"{escape(period_name(period))}<br/>talt med / måltal", styles["head_right"])
        for period in periods
    ]
    data: list[list] = [head]
    for line in trend:
        data.append(
            [text(line.type_name, styles["cell"])]
            + [f"{format_count(p.counted)} / {format_count(p.target)}" for p in line.points]
        )
    column = (174 * mm - 44 * mm) / max(len(periods), 1)
    return data_table(data, [44 * mm] + [column] * len(periods))


def open_places_table(report: DepartmentReport, styles: dict[str, ParagraphStyle]) -> Table | Paragraph:
    if not report.open_longest:
        return text("Ingen åbne pladser på skæringsdatoen.", styles["body"])
    head = ["Reference", "Enhed", "Ordning", "Betegnelse", "Åben siden", "Dage åben"]
    data: list[list] = [
        [Paragraph(h, styles["head_right"] if i >= 4 else styles["head"]) for i, h in enumerate(head)]
    ]
    for place in report.open_longest:
        data.append(
            [
                text(place.reference, styles["cell"]),
                text(place.unit, styles["cell"]),
                text(place.type_name, styles["cell"]),
                text(place.title, styles["cell"]),
                format_date(place.open_since),
                format_number(place.days_open),
            ]
        )
    widths = [22 * mm, 34 * mm, 33 * mm, 47 * mm, 21 * mm, 17 * mm]
    return data_table(data, widths, numeric_from=4)


def position_table(position: Position, own_code: str, styles: dict[str, ParagraphStyle]) -> Table:
    head = ["Placering", "Forvaltning", "Måltal", "Talt med", "Opfyldelse"]
    data: list[list] = [
        [Paragraph(h, styles["head"] if i in (0, 1) else styles["head_right"]) for i, h in enumerate(head)]
    ]
    own_index = None
    for index, standing in enumerate(position.standings, start=1):
        if standing.department_code == own_code:
            own_index = index
        data.append(
            [
                "–" if standing.rank is None else f"{standing.rank}.",
                text(f"{standing.department_name} ({standing.department_code})", styles["cell"]),
                format_count(standing.target),
                format_count(standing.counted),
                format_pct(standing.fulfilment_pct),
            ]
        )
    table = data_table(data, [22 * mm, 82 * mm, 22 * mm, 22 * mm, 26 * mm], numeric_from=2)
    if own_index is not None:
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, own_index), (-1, own_index), colors.HexColor("#fff2cc")),
                    ("FONT", (0, own_index), (-1, own_index), FONT_BOLD, 8),
                ]
            )
        )
    return table


def consolidated_table(report: ConsolidatedReport, styles: dict[str, ParagraphStyle], width: float) -> Table:
    small_head = ParagraphStyle("small_head", parent=styles["head_right"], fontSize=7, leading=9)
    head = [Paragraph("Forvaltning", styles["head"])]
    head += [Paragraph(escape(name), small_head) for _code, name in report.type_names]
    head.append(Paragraph("I alt", small_head))
    data: list[list] = [head]

    def cell(target: int | None, counted: float, pct: float | None) -> Paragraph:
        return Paragraph(
            f"{format_count(counted)} / {format_count(target)}<br/>{escape(format_pct(pct))}",
            styles["cell_right"],
        )

    for column in report.departments:
        data.append(
            [text(f"{column.department_name} ({column.department_code})", styles["cell"])]
            + [cell(r.target, r.counted, r.fulfilment_pct) for r in column.rows]
            + [cell(column.totals.target, column.totals.counted, column.totals.fulfilment_pct)]
        )
    data.append(
        [Paragraph("<b>Kommunen i alt</b>", styles["cell"])]
        + [cell(r.target, r.counted, r.fulfilment_pct) for r in report.municipality_rows]
        + [
            cell(
                report.municipality_totals.target,
                report.municipality_totals.counted,
                report.municipality_totals.fulfilment_pct,
            )
        ]
    )
    first = 44 * mm
    rest = (width - first) / (len(report.type_names) + 1)
    table = data_table(data, [first] + [rest] * (len(report.type_names) + 1), total_row=True)
    table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4)]))
    return table


def methods_box(methods: Methods, styles: dict[str, ParagraphStyle], width: float) -> Table:
    lines = [
        Paragraph("<b>Metode</b>", styles["small"]),
        text(
            f"Periode {format_date(methods.period_start)}–{format_date(methods.period_end)}. "
            f"{methods.method} Skæringsdato: {format_date(methods.measuring_date)}. "
            f"Tal som kendt pr. {format_timestamp(methods.known_at)} (dansk tid); "
            "en ny udskrift med samme tidspunkt giver de samme tal.",
            styles["small"],
        ),
        Paragraph("<b>Tælleregler</b>", styles["small"]),
    ]
    lines += [text(f"{rule.type_name}: {rule.description}", styles["small"]) for rule in methods.rules]
    lines.append(
        text(
            "Opfyldelse = talt med / måltal × 100 (én decimal); uden måltal vises ingen opfyldelse. "
            "Ændring er i forhold til forrige halvår (pp = procentpoint), regnet af de uafrundede tal.",
            styles["small"],
        )
    )
    if methods.pro_rata_rule:
        lines.append(text(methods.pro_rata_rule, styles["small"]))
    box = Table([[lines]], colWidths=[width])
    box.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),
                ("BOX", (0, 0), (-1, -1), 0.8, KK_BLUE),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f4f7fa")),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return box
