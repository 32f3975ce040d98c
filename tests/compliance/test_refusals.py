"""Refusals by the ceiling in the web, the API and the place import: the message, and nothing saved."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import select

from quota_app.imports.places import import_places
from quota_app.models import AuditEntry, Place, PlaceEvent
from tests.conftest import csrf_from


def counts(session) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    return tuple(
        session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Place, PlaceEvent, AuditEntry)
    )  # type: ignore[return-value]


def test_the_place_page_refuses_with_the_message(
    client, login, session, make_user, make_workplace, register_place
):
    unit = make_workplace("Plejecenter Sundbo", 9, p_number="1234567890")
    register_place(("filled", date(2025, 3, 3)), unit=unit, reference="VP-1", commit=True)
    waiting = register_place(("open", date(2025, 3, 3)), unit=unit, reference="VP-2", commit=True)
    login(make_user("hr", "SOF"))
    token = csrf_from(client.get(f"/places/{waiting.id}").get_data(as_text=True))
    before = counts(session)
    response = client.post(
        f"/places/{waiting.id}/status",
        data={
            "csrf_token": token,
            "version": str(waiting.version),
            "status": "filled",
            "effective_date": "2025-09-01",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Rimelighedskravet" in page and "Plejecenter Sundbo" in page and "VP-1, VP-2" in page
    assert counts(session) == before


def test_the_api_refuses_with_422(client, session, make_user, make_token, make_workplace, register_place):
    unit = make_workplace("Plejecenter Sundbo", 9, p_number="1234567890")
    register_place(("filled", date(2025, 3, 3)), unit=unit, reference="VP-1", commit=True)
    waiting = register_place(("open", date(2025, 3, 3)), unit=unit, reference="VP-2", commit=True)
    headers = {"Authorization": f"Bearer {make_token(make_user('hr', 'SOF'))}"}
    before = counts(session)
    response = client.post(
        f"/api/v1/places/{waiting.id}/events",
        json={"status": "filled", "effective_date": "2025-09-01"},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json["field"] == "status"
    assert "1234567890" in response.json["message"] and "højst have 1" in response.json["message"]
    assert counts(session) == before


def test_the_import_reports_a_row_error(session, clock, make_workplace, register_place):
    unit = make_workplace("Plejecenter Sundbo", 9, p_number="1234567890")
    register_place(("filled", date(2025, 3, 3)), unit=unit, reference="VP-1", commit=True)
    data = (
        b"reference;department;type;status;effective_date;unit\n"
        b"VP-3;SOF;internship;open;01.02.2025;Plejecenter Sundbo\n"
        b"VP-3;SOF;internship;filled;01.04.2025;Plejecenter Sundbo\n"
        b"AND-1;SOF;internship;filled;01.04.2025;Et andet sted\n"
    )
    before = counts(session)
    result = import_places(session, data=data, filename="pladser.csv", actor="cli", now=clock.now())
    assert [e.row for e in result.errors] == [3]
    assert "Plejecenter Sundbo" in result.errors[0].message and "VP-1, VP-3" in result.errors[0].message
    session.rollback()
    assert counts(session) == before
    assert session.exec(select(Place).where(Place.reference == "VP-3")).first() is None


def test_the_api_imports_units_for_its_own_department_only(client, session, make_user, make_token):
    headers = {"Authorization": f"Bearer {make_token(make_user('hr', 'SOF'))}"}
    body = "department;unit;p_number;effective_date;ordinary_employees\nSOF;Sundbo;1234567890;01.01.2025;12\n"
    response = client.post("/api/v1/imports/units?filename=u.csv", data=body.encode(), headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["units_created"] == 1 and response.json["headcounts_recorded"] == 1
    other = body.replace("SOF;Sundbo", "ØKF;Kantine").replace("1234567890", "1234567899")
    refused = client.post("/api/v1/imports/units?filename=u.csv", data=other.encode(), headers=headers)
    assert refused.status_code == 422 and refused.json["errors"][0]["row"] == 2


def test_the_api_gives_compliance_for_the_tokens_departments(
    client, session, make_user, make_token, make_workplace
):
    make_workplace("Sundbo", 10, p_number="1234567890")
    make_workplace("Kantine", 10, department="ØKF", p_number="1234567899")
    headers = {"Authorization": f"Bearer {make_token(make_user('hr', 'SOF'))}"}
    response = client.get("/api/v1/compliance?as_of=2025-06-30", headers=headers)
    assert response.status_code == 200
    assert [(r["unit"], r["ceiling"]) for r in response.json["rows"]] == [("Sundbo", 2)]
    assert (
        client.get("/api/v1/compliance?as_of=2025-06-30&department=ØKF", headers=headers).status_code == 403
    )
    assert client.get("/api/v1/compliance?as_of=30-13-2025", headers=headers).status_code == 400
