"""The department's report: the answer and the letter to the mayor on page 1, then the status, trend, open
places and standing."""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Spacer

from ..data import DepartmentReport
from .charts import bar_chart, trend_chart
from .early_warning import early_warning_story
from .formatting import format_count, format_date, format_pct, unbroken
from .pages import TITLE, build
from .style import register_fonts, stylesheet, text
from .tables import methods_box, open_places_table, position_table, trend_table, type_table
from .verdict import verdict_box


def _first_page(report: DepartmentReport, styles: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    """The answer first (the verdict and the department's comment), then the letter to the mayor."""
    story: list[Flowable] = [
        text(f"{TITLE}, {unbroken(report.period_text)}", styles["h1"]),
        text(report.department_name, styles["letter_head"]),
        Spacer(1, 3 * mm),
        verdict_box(report, styles, width),
        Spacer(1, 6 * mm),
        text(f"København, {format_date(report.letter_date)}", styles["right"]),
        text(f"Til {report.addressee}", styles["letter_head"]),
        Spacer(1, 4 * mm),
    ]
    for paragraph in [p.strip() for p in report.letter_text.split("\n\n") if p.strip()]:
        story += [text(paragraph, styles["body"]), Spacer(1, 2 * mm)]
    story += [
        Spacer(1, 3 * mm),
        text("Med venlig hilsen", styles["body"]),
        Spacer(1, 6 * mm),
        text(report.sender_name, styles["body"]),
        text(report.sender_title, styles["body"]),
        PageBreak(),
    ]
    return story


def _compliance(report: DepartmentReport, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """A short section: the department's workplaces against the proportionality rule (docs/compliance.md)."""
    section = report.compliance
    if section is None:
        return []
    story: list[Flowable] = [
        CondPageBreak(40 * mm),
        text(f"Rimelighedskravet pr. {format_date(section.as_of)}", styles["h2"]),
        text(
            f"{format_count(section.workplaces)} arbejdssteder, heraf {format_count(section.unknown_headcount)} "
            f"uden kendt antal ordinært ansatte. {format_count(section.occupied)} besatte pladser i de "
            f"ordninger, kravet gælder, og {format_count(section.free)} ledige inden for lofterne; "
            f"{format_count(section.missing_statements)} mangler medarbejderrepræsentantens udtalelse.",
            styles["body"],
        ),
    ]
    for over in section.over:
        workplace = f"{over.unit} (P-nummer {over.p_number})" if over.p_number else over.unit
        story.append(
            text(
                f"Over loftet: {workplace}: {format_count(over.occupied)} besatte pladser, loft "
                f"{format_count(over.ceiling)} ({format_count(over.ordinary_employees)} ordinært ansatte).",
                styles["body"],
            )
        )
    return story


def render_department_report(report: DepartmentReport) -> bytes:
    """Return the department's half-yearly status as PDF bytes."""
    register_fonts()
    styles = stylesheet()
    width = A4[0] - 36 * mm
    story: list[Flowable] = _first_page(report, styles, width)
    story += [
        text(f"{report.department_name} – {unbroken(report.period_text)}", styles["h1"]),
        text(
            f"Kvoteopfyldelse i alt: {format_pct(report.totals.fulfilment_pct)} "
            f"({format_count(report.totals.counted)} talt med "
            f"mod måltal {format_count(report.totals.target)}).",
            styles["body"],
        ),
        text("Status pr. ordning", styles["h2"]),
        type_table(report.rows, report.totals, styles),
        Spacer(1, 4 * mm),
        KeepTogether(
            [text("Måltal og talt med pr. ordning", styles["h2"]), bar_chart(report.rows, width=width)]
        ),
        CondPageBreak(50 * mm),
        text("Udvikling over de seneste fire halvår", styles["h2"]),
        trend_table(report.trend, styles),
    ]
    chart = trend_chart(report.trend, width=width)
    if chart is not None:
        story += [Spacer(1, 2 * mm), KeepTogether([text("Talt med pr. ordning", styles["small"]), chart])]
    story += [CondPageBreak(60 * mm), *early_warning_story(report, styles)]
    story += [
        CondPageBreak(40 * mm),
        text("Pladser, der har været åbne længst", styles["h2"]),
        open_places_table(report, styles),
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
        position_table(report.position, report.department_code, styles),
        *_compliance(report, styles),
        Spacer(1, 6 * mm),
        KeepTogether([methods_box(report.methods, styles, width)]),
    ]
    return build(
        story,
        pagesize=A4,
        title=f"{TITLE} {report.period_text} – {report.department_name}",
        subject=f"Halvårsstatus {report.period_text} for {report.department_name} ({report.department_code})",
        header=f"{TITLE} · {report.period_text}",
        footer=f"{report.department_name} · {report.period_text}",
    )
