"""The reports' charts: target against counted per placement type, and counted over the half-years."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.units import mm

from ..data import TypeRow, TypeTrend
from .formatting import format_number
from .style import FONT

TARGET_COLOUR = colors.HexColor("#9aa7b4")
COUNTED_COLOUR = colors.HexColor("#1f4e79")
LINE_COLOURS = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#00a0b0", "#7f7f7f", "#c00000")


def bar_chart(rows: Sequence[TypeRow], *, width: float, height: float = 70 * mm) -> Drawing:
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
    chart.width, chart.height = width - 190, height - 60  # type: ignore[assignment]  # reportlab takes any number; its stubs say int
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
    legend.x, legend.y = width - 105, height - 20  # type: ignore[assignment]  # reportlab takes any number; its stubs say int
    legend.fontName = FONT
    legend.fontSize = 8
    legend.alignment = "right"
    legend.colorNamePairs = [(TARGET_COLOUR, "Måltal"), (COUNTED_COLOUR, "Talt med")]
    drawing.add(legend)
    return drawing


def trend_chart(trend: Sequence[TypeTrend], *, width: float, height: float = 60 * mm) -> Drawing | None:
    """Counted per placement type over the half-years, one line each."""
    if not trend or not trend[0].points:
        return None
    drawing = Drawing(width, height, initialFontName=FONT)
    chart = HorizontalLineChart()
    chart.x, chart.y = 40, 25
    chart.width, chart.height = width - 190, height - 40  # type: ignore[assignment]  # reportlab takes any number; its stubs say int
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
    legend.x, legend.y = width - 135, height - 10  # type: ignore[assignment]  # reportlab takes any number; its stubs say int
    legend.fontName = FONT
    legend.fontSize = 7
    legend.alignment = "right"
    legend.columnMaximum = 8
    legend.colorNamePairs = [
        (colors.HexColor(LINE_COLOURS[i % len(LINE_COLOURS)]), line.type_name) for i, line in enumerate(trend)
    ]
    drawing.add(legend)
    return drawing
