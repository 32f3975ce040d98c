"""The consolidated report: all departments side by side, the municipality in total and the ranking."""

from __future__ import annotations

from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from ..data import ConsolidatedReport
from .charts import bar_chart
from .formatting import format_count, format_pct, unbroken
from .pages import TITLE, build
from .style import register_fonts, stylesheet, text
from .tables import consolidated_table, methods_box, type_table


def _municipality_bars(report: ConsolidatedReport, width: float) -> Drawing:
    return bar_chart(report.municipality_rows, width=width, height=65 * mm)


def render_consolidated_report(report: ConsolidatedReport) -> bytes:
    """Return the municipality's half-yearly status (all departments side by side) as PDF bytes."""
    register_fonts()
    styles = stylesheet()
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
        consolidated_table(report, styles, width),
        CondPageBreak(80 * mm),
        text("Kommunen i alt pr. ordning", styles["h2"]),
        type_table(report.municipality_rows, report.municipality_totals, styles),
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
    story += [Spacer(1, 6 * mm), KeepTogether([methods_box(report.methods, styles, width)])]
    return build(
        story,
        pagesize=pagesize,
        title=f"{TITLE} {report.period_text} – Københavns Kommune",
        subject=f"Samlet halvårsstatus {report.period_text} for alle forvaltninger",
        header=f"{TITLE} · samlet · {report.period_text}",
        footer=f"Københavns Kommune · {report.period_text}",
    )
