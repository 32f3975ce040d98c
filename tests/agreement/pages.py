"""Read figures back the way people see them: Danish numbers, HTML tables, CSV/XLSX rows and PDF text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

NUMBER = r"-?\d{1,3}(?:\.\d{3})*(?:,\d+)?|-?\d+(?:,\d+)?"
DASH = "–"


def danish(text: str | None) -> float | None:
    """'1.234,5' -> 1234.5, '75,0 %' -> 75.0, '–' or '' -> None (the way every source writes numbers)."""
    text = (text or "").replace("\u00a0", " ").replace("%", "").strip()
    if text in ("", DASH, "-"):
        return None
    if not re.fullmatch(NUMBER, text):
        raise ValueError(f"not a Danish number: {text!r}")
    return float(text.replace(".", "").replace(",", "."))


def cell_number(value: object) -> float | None:
    """A CSV cell (Danish text) or an XLSX cell (a number, or None) as a number."""
    if value is None or isinstance(value, int | float):
        return None if value is None else float(value)
    return danish(str(value))


# --- a small DOM from html.parser -----------------------------------------------------------------------

VOID = {"br", "input", "img", "meta", "link", "hr", "use", "col", "source", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        """Every element below this one (depth first) with the tag and/or class."""
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and (cls is None or cls in child.classes):
                    found.append(child)
                found += child.all(tag, cls)
        return found

    def first(self, tag: str | None = None, cls: str | None = None) -> Node | None:
        found = self.all(tag, cls)
        return found[0] if found else None

    def rows(self) -> list[Node]:
        """A table's rows, its own only (not those of a table inside it)."""
        return [r for r in self.all("tr")]

    def cells(self) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node) and c.tag in ("th", "td")]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    return builder.root


def table_by_caption(page: Node, caption_start: str) -> Node:
    for table in page.all("table"):
        caption = table.first("caption")
        if caption is not None and caption.text().startswith(caption_start):
            return table
    raise AssertionError(f"no table captioned {caption_start!r}")


def table_rows(table: Node) -> tuple[list[str], list[list[Node]]]:
    """A table's column headings (the first row) and its other rows as lists of cells."""
    rows = [r.cells() for r in table.rows()]
    return [c.text() for c in rows[0]], rows[1:]
