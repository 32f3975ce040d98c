"""The pages around the story: the header line, the footer with "side X af Y", and the PDF document."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from .style import FONT, FONT_BOLD, KK_BLUE, register_fonts

AUTHOR = "Københavns Kommune, Beskæftigelses- og Integrationsforvaltningen"
TITLE = "Halvårsstatus for støttet beskæftigelse"
LANGUAGE = "da-DK"


def _numbered_canvas(footer_left: str) -> type[pdfcanvas.Canvas]:
    """A canvas that holds its pages until the end so every footer can say 'side X af Y'."""

    class NumberedCanvas(pdfcanvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # reportlab's own, not in its stubs

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                width, _height = self._pagesize  # type: ignore[attr-defined]  # reportlab's own, not in its stubs
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


def build(
    story: list[Flowable],
    *,
    pagesize: tuple[float, float],
    title: str,
    subject: str,
    header: str,
    footer: str,
) -> bytes:
    """Lay the story out on decorated, numbered pages and return the PDF (invariant: same story, same bytes)."""
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
