"""Turn report data into PDF bytes with ReportLab: no database, no Flask, same data gives the same bytes."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from .data import ConsolidatedReport, DepartmentReport, Methods, Position, Totals, TypeRow, TypeTrend

FONT = "Vera"
FONT_BOLD = "Vera-Bold"
FONT_ITALIC = "Vera-Italic"
FONT_BOLD_ITALIC = "Vera-BoldItalic"
AUTHOR = "Københavns Kommune, Beskæftigelses- og Integrationsforvaltningen"
TITLE = "Halvårsstatus for støttet beskæftigelse"
LANGUAGE = "da-DK"

KK_BLUE = colors.HexColor("#1f4e79")
HEADER_BG = colors.HexColor("#dce6f0")
GRID = colors.HexColor("#9aa7b4")
TARGET_COLOUR = colors.HexColor("#9aa7b4")
COUNTED_COLOUR = colors.HexColor("#1f4e79")


def register_fonts() -> None:
    """Register Bitstream Vera (shipped with ReportLab; carries æ, ø and å) once."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(reportlab.__file__).resolve().parent / "fonts"
    for name, filename in (
        (FONT, "Vera.ttf"),
        (FONT_BOLD, "VeraBd.ttf"),
        (FONT_ITALIC, "VeraIt.ttf"),
        (FONT_BOLD_ITALIC, "VeraBI.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC
    )


# --- Danish formatting ---


def format_number(value: float | int | None, decimals: int = 0) -> str:
    """1234.5 -> '1.234,5' (thousands dot, decimal comma); None -> '–'."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_count(value: float | None) -> str:
    """Whole numbers without decimals, fte-weighted figures with one."""
    if value is None:
        return "–"
    return format_number(value, 0 if float(value).is_integer() else 1)


def format_pct(value: float | None) -> str:
    return "–" if value is None else f"{format_number(value, 1)} %"


def format_change(value: float | None, *, suffix: str = "", decimals: int = 1) -> str:
    if value is None:
        return "–"
    if round(value, decimals) == 0:
        return f"0{suffix}"
    sign = "+" if value > 0 else "-"
    return f"{sign}{format_number(abs(value), decimals)}{suffix}"


def format_date(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def format_timestamp(value: datetime) -> str:
    return value.strftime("%d.%m.%Y kl. %H.%M")


def unbroken(period_text: str) -> str:
    """'1. halvår 2025' with no line break inside it (a heading must not end on '1.')."""
    return period_text.replace(" ", "\u00a0")


# --- Styles ---


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10),
        "cell_right": ParagraphStyle("cell_right", parent=base, fontSize=8, leading=10, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=base, fontName=FONT_BOLD, fontSize=8, leading=10),
        "head_right": ParagraphStyle(
            "head_right", parent=base, fontName=FONT_BOLD, fontSize=8, leading=10, alignment=TA_RIGHT
        ),
        "h1": ParagraphStyle(
            "h1", parent=base, fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=6, textColor=KK_BLUE
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=12,
            leading=15,
            spaceBefore=10,
            spaceAfter=4,
            textColor=KK_BLUE,
        ),
        "letter_head": ParagraphStyle("letter_head", parent=base, fontSize=10, leading=14),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
    }


def text(value: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: anything from users is escaped so it can never become markup."""
    return Paragraph(escape(value).replace("\n", "<br/>"), style)


def _table(
    data: list[list], widths: Sequence[float], *, numeric_from: int = 1, total_row: bool = False
) -> Table:
    table = Table(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    commands = [
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, KK_BLUE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if total_row:
        commands += [
            ("FONT", (0, -1), (-1, -1), FONT_BOLD, 8),
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, KK_BLUE),
        ]
    table.setStyle(TableStyle(commands))
    return table


# --- Pages: header, footer and "side X af Y" ---


def _numbered_canvas(footer_left: str) -> type[pdfcanvas.Canvas]:
    """A canvas that holds its pages until the end so every footer can say 'side X af Y'."""

    class NumberedCanvas(pdfcanvas.Canvas):
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                width, _height = self._pagesize
                self.setFont(FONT, 7.5)
                self.setFillColor(colors.black)
                self.drawString(18 * mm, 10 * mm, footer_left)
                self.drawRightString(width - 18 * mm, 10 * mm, f"side {number} af {total}")
                super().showPage()
            super().save()

    return NumberedCanvas


def _page_decoration(header: str) -> Callable[[pdfcanvas.Canvas, BaseDocTemplate], None]:
    def draw(canvas: pdfcanvas.Canvas, doc: BaseDocTemplate) -> None:
        width, height = doc.pagesize
        canvas.saveState()
        canvas.setFillColor(KK_BLUE)
        canvas.setFont(FONT_BOLD, 8)
        canvas.drawString(18 * mm, height - 11 * mm, "Københavns Kommune")
        canvas.setFont(FONT, 8)
        canvas.drawRightString(width - 18 * mm, height - 11 * mm, header)
        canvas.setStrokeColor(KK_BLUE)
        canvas.setLineWidth(0.6)
        canvas.line(18 * mm, height - 13 * mm, width - 18 * mm, height - 13 * mm)
        canvas.line(18 * mm, 14 * mm, width - 18 * mm, 14 * mm)
        canvas.restoreState()

    return draw


def _build(
    story: list[Flowable],
    *,
    pagesize: tuple[float, float],
    title: str,
    subject: str,
    header: str,
    footer: str,
) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=title,
        author=AUTHOR,
        subject=subject,
        creator="Kvoteopfølgning, Københavns Kommune",
        lang=LANGUAGE,
        invariant=1,
        initialFontName=FONT,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_page_decoration(header))])
    doc.build(story, canvasmaker=_numbered_canvas(footer))
    return buffer.getvalue()


# --- Department report ---


def _letter(report: DepartmentReport, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    story: list[Flowable] = [
        text(f"København, {format_date(report.letter_date)}", styles["right"]),
        Spacer(1, 8 * mm),
        text(f"Til {report.mayor_title} {report.mayor_name}".strip(), styles["letter_head"]),
        text(report.department_name, styles["letter_head"]),
        Spacer(1, 10 * mm),
        text(f"{TITLE}, {unbroken(report.period_text)}", styles["h1"]),
        Spacer(1, 2 * mm),
    ]
    for paragraph in [p.strip() for p in report.letter_text.split("\n\n") if p.strip()]:
        story += [text(paragraph, styles["body"]), Spacer(1, 3 * mm)]
    story += [
        Spacer(1, 6 * mm),
        text("Med venlig hilsen", styles["body"]),
        Spacer(1, 10 * mm),
        text(report.sender_name, styles["body"]),
        text(report.sender_title, styles["body"]),
        PageBreak(),
    ]
    return story


def _type_table(rows: Sequence[TypeRow], totals: Totals | None, styles: dict[str, ParagraphStyle]) -> Table:
    head = [
        "Ordning",
        "Måltal",
        "Besat",
        "Åben",
        "I bero",
        "Talt med",
        "Opfyldelse",
        "Ændring (pp)",
        "Ændring (antal)",
    ]
    data: list[list] = [
        [Paragraph(h, styles["head"] if i == 0 else styles["head_right"]) for i, h in enumerate(head)]
    ]
    for row in rows:
        name = row.type_name + (" (forløb)" if row.measure == "flow" else "")
        if row.target_pro_rata is not None:
            name += f"; halvårets andel af måltallet: {format_count(row.target_pro_rata)}"
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
    return _table(data, widths, total_row=totals is not None)


def _whole(value: float | None) -> bool:
    return value is None or float(value).is_integer()


def _bar_chart(rows: Sequence[TypeRow], *, width: float, height: float = 70 * mm) -> Drawing:
    """Target against counted per placement type."""
    # initialFontName: without it every drawing starts in Helvetica, which the PDF then references.
    drawing = Drawing(width, height, initialFontName=FONT)
    if not rows:
        drawing.add(
            String(width / 2, height / 2, "Ingen ordninger", fontName=FONT, fontSize=9, textAnchor="middle")
        )
        return drawing
    chart = VerticalBarChart()
    chart.x, chart.y = 75, 45
    chart.width, chart.height = width - 190, height - 60
    chart.data = [
        [float(r.target or 0) for r in rows],
        [float(r.counted) for r in rows],
    ]
    chart.bars[0].fillColor = TARGET_COLOUR
    chart.bars[1].fillColor = COUNTED_COLOUR
    chart.bars.strokeColor = None
    chart.barSpacing = 1
    chart.groupSpacing = 8
    chart.valueAxis.valueMin = 0
    if max(max(series) for series in chart.data) <= 0:
        chart.valueAxis.valueMax = 1  # an all-zero chart still needs a scale
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: format_number(v, 0)
    chart.categoryAxis.categoryNames = [r.type_name for r in rows]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 25
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.dy = -2
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 105, height - 20
    legend.fontName = FONT
    legend.fontSize = 8
    legend.alignment = "right"
    legend.colorNamePairs = [(TARGET_COLOUR, "Måltal"), (COUNTED_COLOUR, "Talt med")]
    drawing.add(legend)
    return drawing


def _trend_table(trend: Sequence[TypeTrend], styles: dict[str, ParagraphStyle]) -> Table | Paragraph:
    if not trend or not trend[0].points:
        return text("Ingen udvikling at vise.", styles["body"])
    periods = [p.period for p in trend[0].points]
    head = [Paragraph("Ordning", styles["head"])] + [
        Paragraph(f"{escape(period)}<br/>talt med / måltal", styles["head_right"]) for period in periods
    ]
    data: list[list] = [head]
    for line in trend:
        data.append(
            [text(line.type_name, styles["cell"])]
            + [f"{format_count(p.counted)} / {format_count(p.target)}" for p in line.points]
        )
    column = (174 * mm - 44 * mm) / max(len(periods), 1)
    return _table(data, [44 * mm] + [column] * len(periods))


LINE_COLOURS = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#00a0b0", "#7f7f7f", "#c00000")


def _trend_chart(trend: Sequence[TypeTrend], *, width: float, height: float = 60 * mm) -> Drawing | None:
    """Counted per placement type over the half-years, one line each."""
    if not trend or not trend[0].points:
        return None
    drawing = Drawing(width, height, initialFontName=FONT)
    chart = HorizontalLineChart()
    chart.x, chart.y = 40, 25
    chart.width, chart.height = width - 190, height - 40
    chart.data = [[float(p.counted) for p in line.points] for line in trend]
    chart.categoryAxis.categoryNames = [p.period for p in trend[0].points]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    if max(max(series) for series in chart.data) <= 0:
        chart.valueAxis.valueMax = 1
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: format_number(v, 0)
    for index in range(len(trend)):
        colour = colors.HexColor(LINE_COLOURS[index % len(LINE_COLOURS)])
        chart.lines[index].strokeColor = colour
        chart.lines[index].strokeWidth = 1.5
        chart.lines[index].symbol = makeMarker("FilledCircle", size=3, fillColor=colour, strokeColor=colour)
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 135, height - 10
    legend.fontName = FONT
    legend.fontSize = 7
    legend.alignment = "right"
    legend.columnMaximum = 8
    legend.colorNamePairs = [
        (colors.HexColor(LINE_COLOURS[i % len(LINE_COLOURS)]), line.type_name) for i, line in enumerate(trend)
    ]
    drawing.add(legend)
    return drawing


def _open_table(report: DepartmentReport, styles: dict[str, ParagraphStyle]) -> Table | Paragraph:
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
    return _table(data, widths, numeric_from=4)


def _position_table(position: Position, own_code: str, styles: dict[str, ParagraphStyle]) -> Table:
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
    table = _table(data, [22 * mm, 82 * mm, 22 * mm, 22 * mm, 26 * mm], numeric_from=2)
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


def _methods_box(methods: Methods, styles: dict[str, ParagraphStyle], width: float) -> Table:
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
            "Ændring er i forhold til forrige halvår (pp = procentpoint).",
            styles["small"],
        )
    )
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


def render_department_report(report: DepartmentReport) -> bytes:
    """Return the department's half-yearly status as PDF bytes."""
    register_fonts()
    styles = _styles()
    width = A4[0] - 36 * mm
    story: list[Flowable] = _letter(report, styles)
    story += [
        text(f"{report.department_name} – {unbroken(report.period_text)}", styles["h1"]),
        text(
            f"Kvoteopfyldelse i alt: {format_pct(report.totals.fulfilment_pct)} "
            f"({format_count(report.totals.counted)} talt med "
            f"mod måltal {format_count(report.totals.target)}).",
            styles["body"],
        ),
        text("Status pr. ordning", styles["h2"]),
        _type_table(report.rows, report.totals, styles),
        Spacer(1, 4 * mm),
        KeepTogether(
            [text("Måltal og talt med pr. ordning", styles["h2"]), _bar_chart(report.rows, width=width)]
        ),
        CondPageBreak(50 * mm),
        text("Udvikling over de seneste fire halvår", styles["h2"]),
        _trend_table(report.trend, styles),
    ]
    chart = _trend_chart(report.trend, width=width)
    if chart is not None:
        story += [Spacer(1, 2 * mm), KeepTogether([text("Talt med pr. ordning", styles["small"]), chart])]
    story += [
        text("Forvaltningens kommentar", styles["h2"]),
        text(report.comment, styles["body"])
        if report.comment.strip()
        else text("Forvaltningen har ikke skrevet en kommentar til perioden.", styles["body"]),
        CondPageBreak(40 * mm),
        text("Pladser, der har været åbne længst", styles["h2"]),
        _open_table(report, styles),
        CondPageBreak(60 * mm),
        text("Placering blandt forvaltningerne", styles["h2"]),
        text(
            f"{report.department_name} er nr. {report.position.rank} af {report.position.of} "
            "målt på samlet kvoteopfyldelse."
            if report.position.rank is not None
            else f"{report.department_name} har ingen samlet kvoteopfyldelse (intet måltal) og indgår ikke "
            "i placeringen.",
            styles["body"],
        ),
        Spacer(1, 2 * mm),
        _position_table(report.position, report.department_code, styles),
        Spacer(1, 6 * mm),
        KeepTogether([_methods_box(report.methods, styles, width)]),
    ]
    return _build(
        story,
        pagesize=A4,
        title=f"{TITLE} {report.period_text} – {report.department_name}",
        subject=f"Halvårsstatus {report.period} for {report.department_name} ({report.department_code})",
        header=f"{TITLE} · {report.period_text}",
        footer=f"{report.department_name} · {report.period}",
    )


# --- Consolidated report ---


def _consolidated_table(report: ConsolidatedReport, styles: dict[str, ParagraphStyle], width: float) -> Table:
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
    table = _table(data, [first] + [rest] * (len(report.type_names) + 1), total_row=True)
    table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4)]))
    return table


def _municipality_bars(report: ConsolidatedReport, width: float) -> Drawing:
    return _bar_chart(report.municipality_rows, width=width, height=65 * mm)


def render_consolidated_report(report: ConsolidatedReport) -> bytes:
    """Return the municipality's half-yearly status (all departments side by side) as PDF bytes."""
    register_fonts()
    styles = _styles()
    pagesize = landscape(A4)
    width = pagesize[0] - 36 * mm
    ranking = sorted(
        (c for c in report.departments if c.rank is not None), key=lambda c: (c.rank, c.department_code)
    )
    story: list[Flowable] = [
        text(f"{TITLE} – Københavns Kommune, {unbroken(report.period_text)}", styles["h1"]),
        text(
            f"Kommunen i alt: {format_count(report.municipality_totals.counted)} talt med mod måltal "
            f"{format_count(report.municipality_totals.target)} "
            f"({format_pct(report.municipality_totals.fulfilment_pct)}).",
            styles["body"],
        ),
        text("Forvaltningerne side om side (talt med / måltal og opfyldelse)", styles["h2"]),
        _consolidated_table(report, styles, width),
        CondPageBreak(80 * mm),
        text("Kommunen i alt pr. ordning", styles["h2"]),
        _type_table(report.municipality_rows, report.municipality_totals, styles),
        Spacer(1, 4 * mm),
        KeepTogether(
            [text("Måltal og talt med for hele kommunen", styles["h2"]), _municipality_bars(report, width)]
        ),
    ]
    if ranking:
        story += [
            CondPageBreak(40 * mm),
            text("Rækkefølge efter samlet kvoteopfyldelse", styles["h2"]),
            text(
                ", ".join(
                    f"{c.rank}. {c.department_name} ({format_pct(c.totals.fulfilment_pct)})" for c in ranking
                ),
                styles["body"],
            ),
        ]
    story += [Spacer(1, 6 * mm), KeepTogether([_methods_box(report.methods, styles, width)])]
    return _build(
        story,
        pagesize=pagesize,
        title=f"{TITLE} {report.period_text} – Københavns Kommune",
        subject=f"Samlet halvårsstatus {report.period} for alle forvaltninger",
        header=f"{TITLE} · samlet · {report.period_text}",
        footer=f"Københavns Kommune · {report.period}",
    )
