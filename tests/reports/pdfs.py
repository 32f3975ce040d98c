"""Read PDFs back for assertions."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def all_text(pdf: bytes) -> str:
    """Every page's text with runs of whitespace (line breaks from wrapping) as one space."""
    return re.sub(r"\s+", " ", " ".join(pages_text(pdf)))


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))
