"""The early warning in a department's report: what it takes to reach the year's targets (the pace
lines, in words) and how late the period's status changes were registered (docs/forecast.md)."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from ..data import DepartmentReport
from .formatting import format_count, format_date, format_number, format_pct
from .style import data_table, head_row, text


def _share(value: float | None) -> str:
    return format_pct(value * 100 if value is not None else None)


def lag_table(report: DepartmentReport, styles: dict[str, ParagraphStyle]) -> Table | Paragraph:
    if not report.lag:
        return text("Ingen statusændringer dateret i perioden.", styles["body"])
    head = ["Ordning", "Ændringer", "Median dage", "90 % dage", "Over 7 dage", "Åbninger", "Median dage",
            "90 % dage", "Over 7 dage"]  # fmt: skip
    data: list[list] = [head_row(head, styles)]
    for line in report.lag:
        data.append(
            [
                text(line.type_name, styles["cell"]),
                format_number(line.events),
                format_count(line.median_days),
                format_count(line.p90_days),
                _share(line.share_late),
                format_number(line.openings_events),
                format_count(line.openings_median_days),
                format_count(line.openings_p90_days),
                _share(line.openings_share_late),
            ]
        )
    widths = [38 * mm, 17 * mm, 17 * mm, 15 * mm, 17 * mm, 17 * mm, 17 * mm, 15 * mm, 17 * mm]
    return data_table(data, widths)


def pace_table(report: DepartmentReport, styles: dict[str, ParagraphStyle]) -> Table:
    head = ["Ordning", "Måltal", "Fremskrevet", "Interval", "Mangler", "Sidste frist for opslag"]
    data: list[list] = [head_row(head, styles)]
    for line in report.pace:
        data.append(
            [
                text(line.type_name, styles["cell"]),
                format_count(line.target),
                format_count(line.projected),
                f"{format_count(line.low)}–{format_count(line.high)}",
                format_number(line.needed),
                format_date(line.post_by) if line.post_by else "–",
            ]
        )
    widths = [44 * mm, 17 * mm, 22 * mm, 26 * mm, 18 * mm, 40 * mm]
    return data_table(data, widths)


def early_warning_story(report: DepartmentReport, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """The pace needed (when the year is not over) and the registration lag, with their headings."""
    story: list[Flowable] = []
    if report.pace_year_end is not None:
        end = format_date(report.pace_year_end)
        part: list[Flowable] = [text(f"Det skal der til inden {end}", styles["h2"])]
        if report.pace:
            part.append(
                text(
                    "Fremskrevet fra periodens sidste dag ud fra kommunens egen historik (tid til besættelse, "
                    "hvor længe pladser er besat, nye pladser); intervallet er et 90 %-interval.",
                    styles["small"],
                )
            )
            part += [text(line.sentence, styles["body"]) for line in report.pace]
            part += [Spacer(1, 2 * mm), pace_table(report, styles)]
        else:
            part.append(text(f"Alle ordninger med et måltal når det efter fremskrivningen til {end}.",
                             styles["body"]))  # fmt: skip
        story += [KeepTogether(part), Spacer(1, 4 * mm)]
    story += [
        KeepTogether(
            [
                text("Hvor sent registreres ændringerne?", styles["h2"]),
                text(
                    "Dage fra en statusændring skete, til den blev registreret, for ændringer dateret i "
                    "perioden; åbninger for sig, da en sent registreret åbning er en plads, BIF først sent "
                    "hører om.",
                    styles["small"],
                ),
                lag_table(report, styles),
            ]
        )
    ]
    return story
