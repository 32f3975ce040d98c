"""The representative's statement: recorded by HR, the PDF checked by its bytes and served as an
attachment only to those who may see the place; missing statements listed, never blocking."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest

from quota_app.compliance import exemptions
from quota_app.compliance.cli import compliance_command
from quota_app.compliance.statements import MAX_PDF_BYTES, save_statement, statement_for
from quota_app.errors import DomainError
from tests.conftest import csrf_from

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_hr_records_a_statement_with_a_pdf(client, login, session, make_user, make_workplace, register_place):
    unit = make_workplace(employees=20)
    place = register_place(
        ("filled", date(2025, 3, 3)), unit=unit, type_code="wage_subsidy", reference="LT-1", commit=True
    )
    login(make_user("hr", "SOF"))
    page = client.get(f"/places/{place.id}").get_data(as_text=True)
    assert "statement-state" in page and "mangler" in page
    url = f"/rimelighedskrav/plads/{place.id}/udtalelse"
    token = csrf_from(client.get(url).get_data(as_text=True))
    form = {"csrf_token": token, "statement_date": "2025-02-20", "representative_role": "Tillidsrepræsentant"}
    fake = client.post(
        url, data={**form, "pdf": (io.BytesIO(b"MZ not a pdf"), "x.pdf")}, content_type="multipart/form-data"
    )
    assert fake.status_code == 422 and "Filen er ikke en PDF." in fake.get_data(as_text=True)
    assert statement_for(session, place_id=place.id) is None
    saved = client.post(
        url,
        data={**form, "net_addition": "y", "pdf": (io.BytesIO(PDF), "../../etc/passwd.pdf")},
        content_type="multipart/form-data",
    )
    assert saved.status_code == 302
    row = statement_for(session, place_id=place.id)
    assert row.net_addition and not row.no_vacated_post and row.pdf_name == f"udtalelse-{place.id}.pdf"
    pdf = client.get(f"/rimelighedskrav/plads/{place.id}/udtalelse.pdf")
    assert pdf.status_code == 200 and pdf.data == PDF and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == f'attachment; filename="udtalelse-{place.id}.pdf"'


def test_another_department_gets_nothing(
    client, login, session, clock, make_user, make_workplace, register_place
):
    unit = make_workplace(employees=20)
    place = register_place(("filled", date(2025, 3, 3)), unit=unit, commit=True)
    save_statement(
        session,
        place_id=place.id,
        statement_date=date(2025, 2, 1),
        representative_role="TR",
        pdf=PDF,
        actor="test",
        now=clock.now(),
    )
    session.commit()
    login(make_user("hr", "ØKF"))
    assert client.get(f"/rimelighedskrav/plads/{place.id}/udtalelse.pdf").status_code == 404
    assert client.get(f"/rimelighedskrav/plads/{place.id}/udtalelse").status_code == 404


def test_the_service_refuses_big_files_cpr_and_uncovered_types(
    session, clock, make_workplace, register_place
):
    unit = make_workplace(employees=20)
    place = register_place(("filled", date(2025, 3, 3)), unit=unit, commit=True)
    other = register_place(("filled", date(2025, 3, 3)), unit=unit, type_code="utility_job", commit=True)
    common = {"statement_date": date(2025, 2, 1), "actor": "test", "now": clock.now()}
    with pytest.raises(DomainError) as big:
        save_statement(
            session, place_id=place.id, representative_role="TR", pdf=PDF + b"0" * MAX_PDF_BYTES, **common
        )
    assert big.value.field == "pdf"
    with pytest.raises(DomainError):
        save_statement(session, place_id=place.id, representative_role="TR 010190-1234", **common)
    with pytest.raises(DomainError):
        save_statement(session, place_id=other.id, representative_role="TR", **common)
    with pytest.raises(DomainError):
        save_statement(
            session,
            place_id=place.id,
            representative_role="TR",
            **{**common, "statement_date": date(2025, 12, 1)},
        )


def test_missing_statements_are_counted(app, session, clock, make_workplace, register_place):
    unit = make_workplace("Sundbo", 50)
    with_statement = register_place(("filled", date(2025, 3, 3)), unit=unit, commit=True)
    register_place(("filled", date(2025, 3, 3)), unit=unit, commit=True)
    half = register_place(("filled", date(2025, 3, 3)), unit=unit, type_code="wage_subsidy", commit=True)
    for place in (with_statement, half):
        save_statement(
            session,
            place_id=place.id,
            statement_date=date(2025, 2, 1),
            representative_role="TR",
            net_addition=True,
            actor="test",
            now=clock.now(),
        )
    session.commit()
    output = (
        app.test_cli_runner().invoke(compliance_command, ["--as-of", "2025-06-30", "--format", "json"]).output
    )
    row = next(r for r in json.loads(output)["rows"] if r["unit"] == "Sundbo")
    assert (row["occupied"], row["missing_statements"]) == (3, 2)  # none, and wage subsidy half confirmed


def test_the_place_page_shows_an_exemption_and_an_unknown_headcount(
    client, login, session, clock, make_user, make_workplace, register_place
):
    unknown = make_workplace("Ukendt", None)
    flagged = register_place(("filled", date(2025, 3, 3)), unit=unknown, commit=True)
    known = make_workplace("Kendt", 3)
    exemptions.record_exemption(
        session,
        unit_id=known.id,
        reference="BIF-7",
        valid_from=date(2025, 1, 1),
        valid_to=date(2025, 12, 31),
        reason="aftale",
        actor="test",
        now=clock.now(),
    )
    session.commit()
    exempt = register_place(("filled", date(2025, 3, 3)), unit=known, commit=True)
    register_place(("filled", date(2025, 3, 3)), unit=known, commit=True)
    login(make_user("hr", "SOF"))
    assert "headcount-unknown" in client.get(f"/places/{flagged.id}").get_data(as_text=True)
    assert "BIF-7" in client.get(f"/places/{exempt.id}").get_data(as_text=True)
