"""Reading CSV and XLSX in the shapes Danish users bring them."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from quota_app.errors import DomainError
from quota_app.imports.cells import looks_like_formula, parse_date, parse_decimal
from quota_app.imports.files import read_table


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-30", date(2025, 6, 30)),
        ("30-06-2025", date(2025, 6, 30)),
        ("30.06.2025", date(2025, 6, 30)),
        (" 1.7.2025 ", date(2025, 7, 1)),
        (date(2025, 1, 2), date(2025, 1, 2)),
        (datetime(2025, 1, 2, 13, 0), date(2025, 1, 2)),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("30/06/2025", "'30/06/2025' er ikke en dato: brug 2025-06-30, 30-06-2025 eller 30.06.2025."),
        ("2025-02-30", "'2025-02-30' er ikke en gyldig dato."),
        ("31.04.2025", "'31.04.2025' er ikke en gyldig dato."),
        ("30-06.2025", "'30-06.2025' er ikke en dato: brug 2025-06-30, 30-06-2025 eller 30.06.2025."),
        ("", "'' er ikke en dato: brug 2025-06-30, 30-06-2025 eller 30.06.2025."),
    ],
)
def test_parse_date_refuses(text, message):
    with pytest.raises(DomainError) as info:
        parse_date(text)
    assert info.value.message == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0,5", 0.5),
        ("0.5", 0.5),
        ("1", 1.0),
        (" 0,75 ", 0.75),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        (0.8, 0.8),
    ],
)
def test_parse_decimal(text, expected):
    assert parse_decimal(text) == expected


@pytest.mark.parametrize("text", ["", "halv", "0,5,5", "nan", "1e3", "--1"])
def test_parse_decimal_refuses(text):
    with pytest.raises(DomainError) as info:
        parse_decimal(text)
    assert info.value.message == f"'{text}' er ikke et tal."


@pytest.mark.parametrize(
    ("value", "formula"),
    [
        ("=SUM(A1:A2)", True),
        ("+A1", True),
        ("-2+3", True),
        ("@SUM(A1)", True),
        ("\tx", True),
        ("-0,5", False),
        ("+1", False),
        ("ØKF", False),
        ("", False),
        ("a=b", False),
    ],
)
def test_looks_like_formula(value, formula):
    assert looks_like_formula(value) is formula


def test_csv_encodings_and_separators():
    expected_header = ["reference", "forvaltning", "titel"]
    for data in (
        "Reference;Forvaltning;Titel\r\nA;ØKF;Køkken\r\n".encode("cp1252"),
        "\ufeffreference,forvaltning,titel\nA,ØKF,Køkken\n".encode(),
        "REFERENCE ; Forvaltning ; Titel\nA;ØKF;Køkken\n".encode(),
    ):
        table = read_table(data, "x.csv")
        assert table.header == expected_header
        assert list(table.rows) == [(2, ["A", "ØKF", "Køkken"])]


def test_row_numbers_are_the_lines_a_text_editor_shows():
    data = b'a;b\n1;"two\nlines"\n\n3;4\n'
    table = read_table(data, "x.csv")
    assert list(table.rows) == [(2, ["1", "two\nlines"]), (5, ["3", "4"])]
    table = read_table(b"\n\na;b\n1;2\n", "x.csv")
    assert (table.header_row, list(table.rows)) == (3, [(4, ["1", "2"])])


def test_xlsx_is_read_with_typed_cells():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Reference", "Dato", "FTE", "Antal"])
    sheet.append(["A-1", datetime(2025, 6, 30), 0.5, 3])
    sheet.append([None, None, None, None])
    sheet.append(["A-2", "30.06.2025", "0,5", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), "places.xlsx")
    assert table.header == ["reference", "dato", "fte", "antal"]
    assert list(table.rows) == [(2, ["A-1", "2025-06-30", "0.5", "3"]), (4, ["A-2", "30.06.2025", "0,5", ""])]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "x.csv", "Filen er tom."),
        (b"\n\n  \n", "x.csv", "Filen er tom."),
        (b"PK\x03\x04 not really a zip", "x.xlsx", "Filen kunne ikke læses som XLSX-regneark."),
        (b"a;b\x00c\n", "x.csv", "Filen kunne ikke læses: den ligner ikke en CSV-fil."),
    ],
)
def test_unreadable_files(data, filename, message):
    with pytest.raises(DomainError) as info:
        read_table(data, filename)
    assert info.value.message == message


def test_an_over_long_cell_refuses_the_file_with_its_line():
    table = read_table(b'a;b\n1;2\n3;"' + b"x" * 200_000 + b'"\n', "x.csv")
    rows = table.rows
    assert next(rows) == (2, ["1", "2"])
    with pytest.raises(DomainError) as info:
        next(rows)
    assert info.value.message == "Række 3 har en celle med mere end 10000 tegn."
