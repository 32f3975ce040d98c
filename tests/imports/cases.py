"""Every class of hostile or broken import file, with the answer it must get (shared by the service, CLI,
browser and API tests). A case refuses either the whole file (FILE, its message) or some rows (ROWS,
{line: part of the message}); either way nothing is saved."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .hostile import COLUMNS, MB, Formula, SharedString, bomb, csv_file, good_rows, xlsx_file

EXPANDS = (
    "Regnearket fylder over 1 MB, når det pakkes ud, og indlæses ikke (det kan være en såkaldt zip-bombe). "
    "Gem det igen i Excel, eller del det i flere filer."
)
QUOTE = 'Et anførselstegn (") er ikke afsluttet eller står forkert'
FORMULA = "Cellen G{row} indeholder en formel (=1+2); formler beregnes ikke. Skriv værdien i cellen i stedet."


def _row(n: int, **changes: object) -> list[object]:
    values: dict[str, object] = dict(
        zip(
            COLUMNS,
            [f"SOF-{n}", "SOF", "internship", "open", "2025-01-06", "", "Praktik", "1", ""],
            strict=True,
        )
    )
    values.update(changes)
    return list(values.values())


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    build: Callable[[], bytes]
    file_message: str | None = None  # the whole file is refused with this message
    rows: dict[int, str] | None = None  # or these lines are errors (message contains the text)


GOOD = good_rows(3)
CASES = [
    Case("bomb declared size", "bomb.xlsx", lambda: bomb("shared", 8 * MB), EXPANDS),
    Case("bomb lying sizes", "bomb.xlsx", lambda: bomb("sheet", 8 * MB, declared=1000), EXPANDS),
    Case("bomb lying shared string", "bomb.xlsx", lambda: bomb("shared", 8 * MB, declared=900), EXPANDS),
    Case(
        "too many rows csv",
        "rows.csv",
        lambda: csv_file(*good_rows(21)),
        "Filen har mere end 20 rækker. Del den i flere filer.",
    ),
    Case(
        "too many rows xlsx",
        "rows.xlsx",
        lambda: xlsx_file([COLUMNS, *(_row(n) for n in range(21))]),
        "Filen har mere end 20 rækker. Del den i flere filer.",
    ),
    Case(
        "too many columns csv",
        "columns.csv",
        lambda: csv_file(*(row + ";;;;" for row in GOOD)).replace(b"note", b"note;a;b;c;d", 1),
        "Række 1 har 13 kolonner; højst 12 er tilladt.",
    ),
    Case(
        "too many columns xlsx",
        "columns.xlsx",
        lambda: xlsx_file([COLUMNS, _row(1), [*_row(2), "", "", "", "x"]]),
        "Række 3 har 13 kolonner; højst 12 er tilladt.",
    ),
    Case(
        "too long cell csv",
        "long.csv",
        lambda: csv_file(GOOD[0], GOOD[1].replace("Praktik", "P" * 2001)),
        "Række 3 har en celle med mere end 2000 tegn.",
    ),
    Case(
        "too long cell xlsx",
        "long.xlsx",
        lambda: xlsx_file([COLUMNS, _row(1), _row(2, title="P" * 2001)]),
        "Række 3 har en celle med mere end 2000 tegn.",
    ),
    Case(
        "too long shared string",
        "long.xlsx",
        lambda: xlsx_file([COLUMNS, _row(1, title=SharedString(0))], shared=["P" * 2001]),
        "Regnearket har en tekst med mere end 2000 tegn.",
    ),
    Case(
        "oversized file",
        "big.csv",
        lambda: csv_file(*good_rows(3)) + b"\n" * (300 * 1024),
        "Filen fylder 300 KB; højst 256 KB kan indlæses. Del den i flere filer.",
    ),
    Case(
        "unterminated quote",
        "quote.csv",
        lambda: csv_file(GOOD[0], 'SOF-9;SOF;internship;open;2025-01-06;;"Praktik;1;', GOOD[1], GOOD[2]),
        rows={3: QUOTE},
    ),
    Case(
        "quote closed rows later",
        "quote.csv",
        lambda: csv_file(
            GOOD[0],
            'SOF-9;SOF;internship;open;2025-01-06;;"Praktik;1;',
            GOOD[1],
            GOOD[2] + '"',
            "SOF-8" + GOOD[0][5:],
        ),
        rows={3: QUOTE},
    ),
    Case(
        "short row",
        "short.csv",
        lambda: csv_file(GOOD[0], "SOF-9;SOF;internship;open;2025-01-06;;Praktik;1", GOOD[1]),
        rows={3: "Rækken har 8 celler, men overskriften har 9."},
    ),
    Case(
        "long row",
        "long-row.csv",
        lambda: csv_file(GOOD[0], GOOD[1], GOOD[2] + ";ekstra"),
        rows={4: "Rækken har 10 celler, men overskriften har 9."},
    ),
    Case(
        "stray separator",
        "stray.csv",
        lambda: csv_file(GOOD[0], "SOF-9;SOF;internship;open;2025-01-06;;Prak;tik;1;", GOOD[1]),
        rows={3: "Rækken har 10 celler, men overskriften har 9."},
    ),
    Case(
        "formula with cached value",
        "formula.xlsx",
        lambda: xlsx_file([COLUMNS, _row(1), _row(2, title=Formula("1+2", "3"))]),
        rows={3: FORMULA.format(row=3)},
    ),
    Case(
        "formula without cached value",
        "formula.xlsx",
        lambda: xlsx_file([COLUMNS, _row(1, title=Formula("1+2")), _row(2)]),
        rows={2: FORMULA.format(row=2)},
    ),
]
IDS = [case.name for case in CASES]
