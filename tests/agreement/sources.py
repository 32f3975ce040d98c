"""Every place a figure is shown, read back into one shape: {(department, type): {figure: value}}.

A key's department or type is None for a total: (department, None) a department's total, (None, type) the
municipality's per type, (None, None) the municipality's. Figures: target, counted, pct, gap, pro_rata,
pro_rata_pct, open, filled, paused (each source gives those it shows). Numbers are read as people read
them: Danish text parsed back, so a figure that is rounded or formatted differently somewhere shows up.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from openpyxl import load_workbook

from .pages import NUMBER, Node, cell_number, danish, parse_html, table_by_caption, table_rows

Figures = dict[str, float | None]
Key = tuple[str | None, str | None]
# How many decimals each source shows at most: a figure agrees when it is the reference so rounded.
DECIMALS = {"api": 2, "page": 2, "csv": 2, "xlsx": 9, "pdf": 1}

PAGE_COLUMNS = {
    "Måltal": "target",
    "Optalt": "counted",
    "Opfyldelse": "pct",
    "Mangler": "gap",
    "Halvårets andel af måltallet": "pro_rata",
    "Opfyldelse af andelen": "pro_rata_pct",
    "Åbne": "open",
    "Besatte": "filled",
    "I bero": "paused",
}
API_NAMES = {
    "target": "target",
    "counted": "counted",
    "fulfilment_pct": "pct",
    "gap": "gap",
    "target_pro_rata": "pro_rata",
    "fulfilment_pro_rata_pct": "pro_rata_pct",
    "open": "open",
    "filled": "filled",
    "paused": "paused",
}
PRO_RATA_TEXT = re.compile(
    rf"måltallet: ({NUMBER}), opfyldelse af andelen: ({NUMBER}) ?%|måltallet: ({NUMBER}), opfyldelse af andelen: –"
)


# --- the API: the reference ------------------------------------------------------------------------------


def from_api(data: dict[str, Any]) -> dict[Key, Figures]:
    def figures(item: dict[str, Any]) -> Figures:
        return {ours: item[theirs] for theirs, ours in API_NAMES.items() if theirs in item}

    found: dict[Key, Figures] = {(r["department"], r["type"]): figures(r) for r in data["rows"]}
    for code, totals in data["totals"]["by_department"].items():
        found[(code, None)] = figures(totals)
    for code, totals in data["totals"]["by_type"].items():
        found[(None, code)] = figures(totals)
    found[(None, None)] = figures(data["totals"]["municipality"])
    return found


# --- the overview -----------------------------------------------------------------------------------------


def _overview_cell(cell: Node) -> Figures | None:
    block = cell.first(cls="mon-block")
    if block is None:
        return None
    figures: Figures = {
        "counted": danish(block.first(cls="mon-figure").first("a").text()),  # type: ignore[union-attr]
        "target": danish(block.first(cls="mon-of").text().lstrip("/ ")),  # type: ignore[union-attr]
        "pct": danish(block.first(cls="mon-pct").text()),  # type: ignore[union-attr]
    }
    gap = block.first(cls="mon-gap")
    if gap is not None:
        text = gap.text()
        figures["gap"] = (
            danish(text.removeprefix("mangler "))
            if text.startswith("mangler")
            else -danish(text.removesuffix(" over"))
        )  # type: ignore[operator]
    elif figures["target"] is not None:
        figures["gap"] = 0.0
    pro_rata = block.first(cls="mon-pro-rata")
    if pro_rata is not None:
        match = PRO_RATA_TEXT.search(pro_rata.text())
        assert match, pro_rata.text()
        figures["pro_rata"] = danish(match.group(1) or match.group(3))
        figures["pro_rata_pct"] = danish(match.group(2)) if match.group(2) else None
    return figures


def from_overview(html: str, type_codes: dict[str, str]) -> tuple[dict[Key, Figures], list[str]]:
    """The overview's matrix (adopted figures), and the references of the places open longest."""
    page = parse_html(html)
    table = page.first("table", cls="mon-matrix")
    assert table is not None
    heads, rows = table_rows(table)
    columns = [type_codes[h] for h in heads[1:-1]] + [None]
    found: dict[Key, Figures] = {}
    for cells in rows:
        label = cells[0].text()
        match = re.search(r"\(([^()]+)\)$", label)
        department = match.group(1) if match and label != "Kommunen i alt" else None
        for column, cell in zip(columns, cells[1:], strict=True):
            figures = _overview_cell(cell)
            if figures is not None:
                found[(department, column)] = figures
    longest = table_by_caption(page, "De pladser i alle forvaltninger der har været åbne længst")
    references = [r.cells()[0].text() for r in longest.all("tbody")[0].all("tr") if r.first("a") is not None]
    return found, references


# --- a department's page, and its units' pages ------------------------------------------------------------


def from_department(
    html: str, code: str, type_codes: dict[str, str]
) -> tuple[dict[Key, Figures], list[dict]]:
    """The department's figures per type (and its total from the unit table's total line), and its units:
    [{"name", "href", "figures": {type or None: Figures}}] with the total line last (href None)."""
    page = parse_html(html)
    heads, rows = table_rows(table_by_caption(page, f"Ordninger i {code}"))
    found: dict[Key, Figures] = {}
    for cells in rows:
        type_code = type_codes[cells[0].text()]
        found[(code, type_code)] = {
            PAGE_COLUMNS[head]: danish(cell.text())
            for head, cell in zip(heads, cells, strict=True)
            if head in PAGE_COLUMNS and head != "Ordning"
        }
    heads, rows = table_rows(table_by_caption(page, "Talt med pr. enhed og ordning"))
    units = []
    for cells in rows:
        if len(cells) != len(heads):
            continue  # "no units"
        figures: dict[str | None, Figures] = {}
        for head, cell in zip(heads[1:], cells[1:], strict=True):
            value = danish(cell.text())
            if head in type_codes:
                figures.setdefault(type_codes[head], {})["counted"] = value
            else:
                key = {"Talt med i alt": "counted", "Åbne": "open", "Besatte": "filled", "I bero": "paused"}[
                    head
                ]
                figures.setdefault(None, {})[key] = value
        link = cells[0].first("a")
        units.append(
            {"name": cells[0].text(), "href": link.attrs["href"] if link else None, "figures": figures}
        )
    if units:  # the total line closes the table whenever it lists units
        total = units[-1]
        assert total["href"] is None and total["name"] == "Forvaltningen i alt", total
        found[(code, None)] = total["figures"][None]
    return found, units


def from_unit(html: str, type_codes: dict[str, str]) -> dict[str | None, Figures]:
    heads, rows = table_rows(table_by_caption(parse_html(html), "Enhedens tal pr. ordning"))
    found: dict[str | None, Figures] = {}
    for cells in rows:
        label = cells[0].text()
        key = None if label == "I alt" else type_codes[label]
        found[key] = {PAGE_COLUMNS[h]: danish(c.text()) for h, c in zip(heads[1:], cells[1:], strict=True)}
    return found


# --- the overview's downloads -----------------------------------------------------------------------------

EXPORT_COLUMNS = {
    "Måltal": "target",
    "Optalt": "counted",
    "Opfyldelse (%)": "pct",
    "Mangler": "gap",
    "Halvårets andel af måltallet": "pro_rata",
    "Opfyldelse af halvårets andel (%)": "pro_rata_pct",
}


def _export(rows: list[list[Any]], type_codes: dict[str, str]) -> dict[Key, Figures]:
    header, body = rows[0], rows[1:]
    found: dict[Key, Figures] = {}
    for row in body:
        department = None if row[0] == "Kommunen" else row[0]
        type_code = None if row[1] == "I alt" else type_codes[row[1]]
        found[(department, type_code)] = {
            EXPORT_COLUMNS[h]: cell_number(v) for h, v in zip(header, row, strict=True) if h in EXPORT_COLUMNS
        }
    return found


def from_csv(data: bytes, type_codes: dict[str, str]) -> dict[Key, Figures]:
    text = data.decode("utf-8-sig")
    return _export(list(csv.reader(io.StringIO(text), delimiter=";")), type_codes)


def from_xlsx(data: bytes, type_codes: dict[str, str]) -> dict[Key, Figures]:
    sheet = load_workbook(io.BytesIO(data)).active
    return _export([list(r) for r in sheet.iter_rows(values_only=True)], type_codes)


# --- the PDFs ---------------------------------------------------------------------------------------------

CHANGE = rf"[+-]?{NUMBER}|–"
COUNT = rf"{NUMBER}|–"
PCT = rf"{NUMBER} %|–"


def _signed(text: str) -> float | None:
    return danish(text.lstrip("+"))


def from_department_pdf(
    text: str, code: str, type_names: dict[str, str]
) -> tuple[dict[Key, Figures], dict[str, Figures]]:
    """A department report's status table per type, its total line, and per type the changes since the
    previous half-year: {type: {"pct_points", "counted"}}."""
    section = text[text.index("Status pr. ordning") : text.index("Måltal og talt med pr. ordning")]
    found: dict[Key, Figures] = {}
    changes: dict[str, Figures] = {}
    for type_code, name in type_names.items():
        pattern = (
            rf"{re.escape(name)}(?: \(forløb\))?"
            rf"(?:; halvårets andel af måltallet: ({NUMBER}), opfyldelse af andelen: ({PCT}))? "
            rf"({COUNT}) ({NUMBER}) ({NUMBER}) ({NUMBER}) ({NUMBER}) ({PCT}) ({CHANGE}) ({CHANGE})"
        )
        match = re.search(pattern, section)
        assert match, (name, section)
        pro_rata, pro_rata_pct, target, filled, opened, paused, counted, pct, pp, more = match.groups()
        figures: Figures = {
            "target": danish(target),
            "filled": danish(filled),
            "open": danish(opened),
            "paused": danish(paused),
            "counted": danish(counted),
            "pct": danish(pct),
        }
        if pro_rata is not None:
            figures |= {"pro_rata": danish(pro_rata), "pro_rata_pct": danish(pro_rata_pct)}
        found[(code, type_code)] = figures
        changes[type_code] = {"pct_points": _signed(pp), "counted": _signed(more)}
    total = re.search(rf"I alt ({COUNT}) ({NUMBER}) ({PCT})", section)
    assert total, section
    found[(code, None)] = {
        "target": danish(total.group(1)),
        "counted": danish(total.group(2)),
        "pct": danish(total.group(3)),
    }
    return found, changes


def from_consolidated_pdf(
    text: str, departments: dict[str, str], type_codes: list[str]
) -> dict[Key, Figures]:
    """The consolidated report's side-by-side table: counted / target and fulfilment per department and
    type, each department's total, and the municipality's."""
    cell = rf"({NUMBER}) / ({COUNT}) ({PCT})"
    cells = " ".join([cell] * (len(type_codes) + 1))
    found: dict[Key, Figures] = {}
    for code, label in [*departments.items(), (None, "Kommunen i alt")]:
        name = label if code is None else f"{label} ({code})"
        match = re.search(rf"{re.escape(name)} {cells}", text)
        assert match, (name, text)
        values = match.groups()
        for index, type_code in enumerate([*type_codes, None]):
            counted, target, pct = values[3 * index : 3 * index + 3]
            found[(code, type_code)] = {
                "counted": danish(counted),
                "target": danish(target),
                "pct": danish(pct),
            }
    return found
