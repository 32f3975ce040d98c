"""The compliance pages: BIF sees every department, HR its own and nothing of another's; the forms."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from quota_app.models import ComplianceExemption, UnitHeadcount
from tests.conftest import csrf_from


def test_bif_sees_every_workplace_with_its_figures(
    client, login, session, make_user, make_workplace, register_place, make_target
):
    sof = make_workplace("Plejecenter Sundbo", 10, p_number="1234567890")
    make_workplace("Rådhuskantinen", 24, department="ØKF", p_number="1234567891")
    register_place(("filled", date(2025, 3, 3)), unit=sof, reference="VP-1", commit=True)
    make_target(2025, "SOF", "internship", 5)
    session.commit()
    login(make_user("bif", None))
    page = client.get("/rimelighedskrav/?as_of=2025-06-30").get_data(as_text=True)
    assert "Plejecenter Sundbo" in page and "Rådhuskantinen" in page and "1234567890" in page
    export = client.get("/rimelighedskrav/export.csv?as_of=2025-06-30")
    assert export.status_code == 200 and "attachment" in export.headers["Content-Disposition"]
    assert "Plejecenter Sundbo;1234567890;10;2;1;1;0;1" in export.get_data(as_text=True)
    assert client.get("/rimelighedskrav/export.xlsx?as_of=2025-06-30").status_code == 200
    drill = client.get(f"/rimelighedskrav/arbejdssted/{sof.id}?as_of=2025-06-30").get_data(as_text=True)
    assert "VP-1" in drill
    assert client.get("/rimelighedskrav/?as_of=2025-13-01").status_code == 400


def test_hr_of_another_department_sees_nothing(
    client, login, session, make_user, make_workplace, register_place
):
    sof = make_workplace("Plejecenter Sundbo", 10, p_number="1234567890")
    register_place(("filled", date(2025, 3, 3)), unit=sof, reference="VP-HEMMELIG", commit=True)
    login(make_user("hr", "ØKF"))
    page = client.get("/rimelighedskrav/?as_of=2025-06-30").get_data(as_text=True)
    assert "Plejecenter Sundbo" not in page and "1234567890" not in page
    assert client.get("/rimelighedskrav/?department=SOF").status_code == 404
    assert "Plejecenter Sundbo" not in client.get("/rimelighedskrav/export.csv").get_data(as_text=True)
    assert client.get(f"/rimelighedskrav/arbejdssted/{sof.id}").status_code == 404
    token = (
        csrf_from(client.get("/rimelighedskrav/").get_data(as_text=True)) if "csrf_token" in page else None
    )
    form = {"effective_date": "2025-01-01", "ordinary_employees": "1", "csrf_token": token or ""}
    assert client.post(f"/rimelighedskrav/arbejdssted/{sof.id}/ansatte", data=form).status_code in (400, 404)
    assert client.get("/rimelighedskrav/regler/2025").status_code == 403
    assert len(session.exec(select(UnitHeadcount).where(UnitHeadcount.unit_id == sof.id)).all()) == 1


def test_hr_records_a_headcount_and_bif_an_exemption(client, login, session, make_user, make_workplace):
    unit = make_workplace("Plejecenter Sundbo", 10)
    login(make_user("hr", "SOF"))
    page = client.get(f"/rimelighedskrav/arbejdssted/{unit.id}").get_data(as_text=True)
    token = csrf_from(page)
    assert "exemption-form" not in page
    url = f"/rimelighedskrav/arbejdssted/{unit.id}/ansatte"
    bad = client.post(
        url, data={"csrf_token": token, "effective_date": "2025-07-01", "ordinary_employees": "-3"}
    )
    assert bad.status_code == 422
    done = client.post(
        url, data={"csrf_token": token, "effective_date": "2025-07-01", "ordinary_employees": "4"}
    )
    assert done.status_code == 302
    assert sorted(
        h.ordinary_employees
        for h in session.exec(select(UnitHeadcount).where(UnitHeadcount.unit_id == unit.id))
    ) == [4, 10]
    form = {
        "csrf_token": token,
        "reference": "X",
        "valid_from": "2025-01-01",
        "valid_to": "2025-12-31",
        "reason": "y",
    }
    assert client.post(f"/rimelighedskrav/arbejdssted/{unit.id}/dispensation", data=form).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    login(make_user("bif", None))
    token = csrf_from(client.get(f"/rimelighedskrav/arbejdssted/{unit.id}").get_data(as_text=True))
    form["csrf_token"] = token
    assert client.post(f"/rimelighedskrav/arbejdssted/{unit.id}/dispensation", data=form).status_code == 302
    assert session.exec(select(ComplianceExemption)).one().reference == "X"
    rule = client.post(
        "/rimelighedskrav/regler/2026",
        data={
            "csrf_token": token,
            "covered_types": ["wage_subsidy"],
            "per_place_low": "5",
            "low_limit": "50",
            "per_place_high": "10",
            "minimum": "1",
        },
    )
    assert rule.status_code == 302
