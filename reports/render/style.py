"""The reports' look: the fonts, the municipality's colours, the paragraph styles and the house table."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, Table, TableStyle

FONT = "Vera"
FONT_BOLD = "Vera-Bold"
FONT_ITALIC = "Vera-Italic"
FONT_BOLD_ITALIC = "Vera-BoldItalic"

KK_BLUE = colors.HexColor("#1f4e79")
HEADER_BG = colors.HexColor("#dce6f0")
GRID = colors.HexColor("#9aa7b4")
# The app's fulfilment colours (quota_app/monitor/static/monitor.css): (background, bar) per level of
# quota_app.levels. Colour only repeats the level's word, which is always written beside it.
LEVEL_COLOURS = {
    "below": (colors.HexColor("#fde2e1"), colors.HexColor("#b00020")),
    "near": (colors.HexColor("#fff4cc"), colors.HexColor("#8a6d00")),
    "at": (colors.HexColor("#ddf1e1"), colors.HexColor("#1e6b30")),
    "none": (colors.HexColor("#efefef"), colors.HexColor("#6b6b6b")),
}


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


def stylesheet() -> dict[str, ParagraphStyle]:
    """The paragraph styles by name: body text, table cells and heads, headings, the letter."""
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
        "h3": ParagraphStyle(
            "h3", parent=base, fontName=FONT_BOLD, fontSize=10, leading=13, spaceBefore=6, spaceAfter=2
        ),
        "letter_head": ParagraphStyle("letter_head", parent=base, fontSize=10, leading=14),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
    }


def text(value: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: anything from users is escaped so it can never become markup."""
    return Paragraph(escape(value).replace("\n", "<br/>"), style)


def head_row(head: Sequence[str], styles: dict[str, ParagraphStyle]) -> list[Paragraph]:
    """A table's head row: the first column's heading left-aligned, the figures' right-aligned."""
    return [Paragraph(h, styles["head"] if i == 0 else styles["head_right"]) for i, h in enumerate(head)]


def data_table(
    data: list[list], widths: Sequence[float], *, numeric_from: int = 1, total_row: bool = False
) -> Table:
    """A table in the house style: a head row repeated on every page, figures right-aligned from a column."""
    table = Table(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [  # reportlab's (name, start cell, end cell, values...)
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
