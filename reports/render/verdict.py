"""Page 1 opens with the answer: the verdict box (the verdict's three lines from `quota_app.verdicts`, and
the department's comment in full), with the level's colour as a bar beside words that say it."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle

from quota_app.verdicts import lines

from ..data import DepartmentReport
from .style import FONT, FONT_BOLD, LEVEL_COLOURS, text

HEADING = "Resultatet kort"
COMMENT_HEADING = "Forvaltningens kommentar"
NO_COMMENT = "Forvaltningen har ikke skrevet en kommentar til perioden."


def verdict_box(report: DepartmentReport, styles: dict[str, ParagraphStyle], width: float) -> Flowable:
    """The answer in a box with the level's colour bar; every line is text, the colour only repeats it."""
    background, bar = LEVEL_COLOURS[report.verdict.level]
    result, behind, ask = lines(report.verdict)
    headline = ParagraphStyle("verdict", parent=styles["body"], fontName=FONT_BOLD, fontSize=11, leading=15)
    story = [
        text(HEADING, styles["h2"]),
        text(str(result), headline),
        text(str(behind), styles["body"]),
        text(str(ask), styles["body"]),
    ]
    if report.comment.strip():
        story += [text(COMMENT_HEADING, styles["h3"]), text(report.comment, styles["body"])]
    else:
        story.append(text(NO_COMMENT, styles["body"]))
    box = Table([[story]], colWidths=[width])
    box.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),  # else the table starts in Helvetica
                ("BACKGROUND", (0, 0), (-1, -1), background),
                ("LINEBEFORE", (0, 0), (0, -1), 5, bar),
                ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    return box
