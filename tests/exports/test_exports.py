"""Exports: Danish Excel CSV (BOM, ';', decimal comma, CRLF) and XLSX; no cell ever starts a formula."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from quota_app.csv_writer import FORMULA_STARTS
from quota_app.exports.services import to_csv, to_xlsx
from quota_app.models import Place, Unit

DANGEROUS = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", '=HYPERLINK("http://x")', "\t=1", "\r=1", "|calc", "%0A"]


def _read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def _assert_no_formula_text(value: object) -> None:
    if isinstance(value, str):
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r", "|", "%")), repr(value)


def test_csv_is_danish_excel_friendly():
    data = to_csv(
        ["Navn", "Antal", "Andel", "Dato"], [["Økonomi", 3, 2.5, date(2025, 6, 30)], ["-5", -5, -0.25, None]]
    )
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines(keepends=True)[0].endswith("\r\n")
    rows = _read_csv(data)
    assert rows[0] == ["Navn", "Antal", "Andel", "Dato"]
    assert rows[1] == ["Økonomi", "3", "2,5", "30-06-2025"]
    assert rows[2] == ["-5", "-5", "-0,25", ""]  # numbers stay numbers


def test_csv_escapes_every_formula_start():
    rows = _read_csv(to_csv(["x"], [[text] for text in DANGEROUS]))
    for (cell,) in rows[1:]:
        assert cell.startswith("'"), cell


def test_xlsx_types_header_and_no_formula():
    data = to_xlsx(
        ["Navn", "Antal", "Andel", "Dato"],
        [["=1+1", 3, 2.5, date(2025, 6, 30)], *[[t, 1, 1.0, None] for t in DANGEROUS]],
        "Pladser",
    )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Pladser"
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["A"].width >= 8
    assert sheet["B2"].value == 3 and sheet["B2"].data_type == "n"
    assert sheet["C2"].value == 2.5
    assert sheet["D2"].is_date
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
            _assert_no_formula_text(cell.value)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(min_size=1, max_size=20).filter(lambda s: s.isprintable() or s[0] in FORMULA_STARTS),
        min_size=1,
        max_size=5,
    )
)
def test_no_text_ever_starts_a_formula(texts):
    sheet = load_workbook(io.BytesIO(to_xlsx(["h"], [[t] for t in texts]))).active
    for (cell,) in sheet.iter_rows(min_row=2):
        assert cell.data_type != "f"
        _assert_no_formula_text(cell.value)
    for (cell,) in _read_csv(to_csv(["h"], [[t] for t in texts]))[1:]:
        if not cell.startswith("'"):
            _assert_no_formula_text(cell)


@pytest.fixture
def places(session, reference, clock):
    def add(code, reference_text, title, status="open"):
        department = reference["departments"][code]
        unit = Unit(department_id=department.id, name=f"Enhed {reference_text}")
        session.add(unit)
        session.flush()
        place = Place(
            department_id=department.id,
            unit_id=unit.id,
            type_id=reference["types"]["flex_job"].id,
            reference=reference_text,
            title=title,
            fte=0.5,
            current_status=status,
            current_since=date(2025, 3, 1),
            created_at=clock.now(),
        )
        session.add(place)
        session.commit()
        return place

    add("SOF", "SOF-1", '=HYPERLINK("http://evil")')
    add("SOF", "SOF-2", "Kontorassistent", "filled")
    add("BUF", "BUF-1", "Hemmelig BUF-plads")


def test_place_list_export_hr_sees_own_department_only(client, login, make_user, places):
    login(make_user("hr", "SOF"))
    response = client.get("/exports/places.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _read_csv(response.data)
    assert [r[0] for r in rows[1:]] == ["SOF-1", "SOF-2"]
    assert rows[1][4].startswith("'=")
    assert rows[1][5] == "0,5"
    assert "BUF" not in response.data.decode("utf-8-sig")
    assert client.get("/exports/places.xlsx?department=BUF").status_code == 404
    assert client.get("/exports/places.csv?department=SOF").status_code == 200
    sheet = load_workbook(io.BytesIO(client.get("/exports/places.xlsx").data)).active
    assert [c.value for c in sheet["A"]][1:] == ["SOF-1", "SOF-2"]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
            _assert_no_formula_text(cell.value)


def test_place_list_export_bif_sees_all_and_filters(client, login, make_user, places):
    login(make_user("bif"))
    rows = _read_csv(client.get("/exports/places.csv").data)
    assert sorted(r[0] for r in rows[1:]) == ["BUF-1", "SOF-1", "SOF-2"]
    rows = _read_csv(client.get("/exports/places.csv?status=filled").data)
    assert [r[0] for r in rows[1:]] == ["SOF-2"]
    assert client.get("/exports/places.csv?status=nonsense").status_code == 400
    assert client.get("/exports/places.pdf").status_code == 404


def test_targets_export_round_trips_the_import_format(client, login, make_user, reference, session, clock):
    from quota_app.targets.services import set_target

    set_target(
        session,
        year=2026,
        department_id=reference["departments"]["ØKF"].id,
        type_id=reference["types"]["internship"].id,
        value=7,
        decided_on=date(2025, 12, 10),
        reference="+BR",
        actor="t",
        now=clock.now(),
    )
    session.commit()
    login(make_user("bif"))
    rows = _read_csv(client.get("/exports/targets-2026.csv").data)
    assert rows == [
        ["year", "department", "type", "value", "decided_on", "reference"],
        ["2026", "ØKF", "internship", "7", "10-12-2025", "'+BR"],
    ]
    sheet = load_workbook(io.BytesIO(client.get("/exports/targets-2026.xlsx").data)).active
    assert [c.value for c in sheet[2]][:4] == [2026, "ØKF", "internship", 7]
