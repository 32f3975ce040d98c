"""Departments and placement types: edit, validate, add, retire, reorder; audited; BIF/admin only."""

from __future__ import annotations

import pytest
from sqlmodel import select

from quota_app.admin import services
from quota_app.errors import DomainError
from quota_app.models import AuditEntry, CountingRule, Department, PlacementType
from tests.conftest import csrf_from


def _department_form(client, department_id):
    html = client.get(f"/admin/departments/{department_id}").get_data(as_text=True)
    return csrf_from(html)


def test_edit_department_with_hr_contacts(client, login, make_user, reference, session):
    login(make_user("bif"))
    sof = reference["departments"]["SOF"]
    token = _department_form(client, sof.id)
    response = client.post(
        f"/admin/departments/{sof.id}",
        data={
            "csrf_token": token,
            "code": "SOF",
            "name": "Socialforvaltningen",
            "mayor_title": "Socialborgmester",
            "mayor_name": "Karina Vestergård Madsen",
            "mayor_email": "Borgmester.SOF@kk.dk",
            "hr_emails": "hr1@kk.dk; hr2@kk.dk\nhr1@kk.dk",
            "active": "y",
        },
    )
    assert response.status_code == 302
    session.expire_all()
    department = session.get(Department, sof.id)
    assert department.mayor_email == "borgmester.sof@kk.dk"
    assert department.hr_addresses == ["hr1@kk.dk", "hr2@kk.dk"]
    assert department.mayor_name == "Karina Vestergård Madsen"
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "department.update")).one()
    assert entry.after["hr_emails"] == "hr1@kk.dk, hr2@kk.dk"
    assert "Karina" in client.get("/admin/departments").get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hr_emails", "hr1@kk.dk, ikke-en-adresse", "ikke en gyldig e-mailadresse"),
        ("mayor_email", "borgmester@", "ikke en gyldig e-mailadresse"),
        ("code", "BUF", "bruges allerede"),
        ("code", "s", "Koden"),
    ],
)
def test_department_validation_saves_nothing(
    client, login, make_user, reference, session, field, value, message
):
    login(make_user("admin"))
    sof = reference["departments"]["SOF"]
    data = {
        "csrf_token": _department_form(client, sof.id),
        "code": "SOF",
        "name": "Socialforvaltningen",
        "mayor_email": "",
        "hr_emails": "",
        "active": "y",
        field: value,
    }
    response = client.post(f"/admin/departments/{sof.id}", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Department, sof.id).code == "SOF"
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "department.update")).all() == []


def test_add_retire_and_reorder_types(client, login, make_user, reference, session, clock):
    login(make_user("bif"))
    html = client.get("/admin/types").get_data(as_text=True)
    token = csrf_from(html)
    response = client.post(
        "/admin/types",
        data={
            "csrf_token": token,
            "code": "mentor",
            "name_da": "Mentorordning",
            "name_en": "Mentoring",
            "measure": "stock",
            "target_unit": "persons",
        },
    )
    assert response.status_code == 302
    mentor = session.exec(select(PlacementType).where(PlacementType.code == "mentor")).one()
    assert mentor.active and mentor.sort == max(t.sort for t in reference["types"].values()) + 1
    rule = session.exec(select(CountingRule).where(CountingRule.type_id == mentor.id)).one()
    assert (rule.year, rule.statuses) == (clock.now().year, ("filled",))
    # The same code twice is refused.
    response = client.post(
        "/admin/types",
        data={
            "csrf_token": token,
            "code": "mentor",
            "name_da": "X",
            "name_en": "X",
            "measure": "stock",
            "target_unit": "places",
        },
    )
    assert "findes allerede" in response.get_data(as_text=True)
    # Move it up one step, then retire it.
    assert (
        client.post(
            f"/admin/types/{mentor.id}/action", data={"csrf_token": token, "action": "up"}
        ).status_code
        == 302
    )
    session.expire_all()
    codes = [t.code for t in services.list_types(session)]
    assert codes[-2:] == ["mentor", "wage_subsidy"]
    client.post(f"/admin/types/{mentor.id}/action", data={"csrf_token": token, "action": "retire"})
    session.expire_all()
    assert session.get(PlacementType, mentor.id).active is False
    actions = {a.action for a in session.exec(select(AuditEntry)).all()}
    assert {"placement_type.create", "placement_type.reorder", "placement_type.retire"} <= actions


def test_edit_type_names(client, login, make_user, reference, session):
    login(make_user("admin"))
    flex = reference["types"]["flex_job"]
    token = csrf_from(client.get(f"/admin/types/{flex.id}").get_data(as_text=True))
    response = client.post(
        f"/admin/types/{flex.id}",
        data={
            "csrf_token": token,
            "name_da": "Fleksjob (ny)",
            "name_en": "Flexible job",
            "target_unit": "persons",
        },
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(PlacementType, flex.id).name_en == "Flexible job"


def test_type_service_refuses_bad_codes(session, reference, clock):
    for code in ("X", "Has Space", "1abc", "internship"):
        with pytest.raises(DomainError):
            services.add_type(
                session,
                code=code,
                name_da="a",
                name_en="b",
                measure="stock",
                target_unit="places",
                actor="t",
                now=clock.now(),
            )
    with pytest.raises(DomainError):
        services.add_type(
            session,
            code="newtype",
            name_da="a",
            name_en="b",
            measure="x",
            target_unit="places",
            actor="t",
            now=clock.now(),
        )


def test_hr_cannot_reach_admin_pages_and_changes_nothing(client, login, make_user, reference, session):
    login(make_user("hr", "SOF"))
    buf = reference["departments"]["BUF"]
    flex = reference["types"]["flex_job"]
    for url in (
        "/admin/departments",
        f"/admin/departments/{buf.id}",
        "/admin/types",
        f"/admin/types/{flex.id}",
    ):
        assert client.get(url).status_code == 403, url
    token = csrf_from(client.get("/tokens/").get_data(as_text=True))
    response = client.post(
        f"/admin/departments/{buf.id}",
        data={"csrf_token": token, "code": "BUF", "name": "Hacked", "active": "y"},
    )
    assert response.status_code == 403
    assert (
        client.post(
            f"/admin/types/{flex.id}/action", data={"csrf_token": token, "action": "retire"}
        ).status_code
        == 403
    )
    session.expire_all()
    assert session.get(Department, buf.id).name != "Hacked"
    assert session.get(PlacementType, flex.id).active is True


def test_unknown_department_and_type_are_404(client, login, make_user, reference):
    login(make_user("admin"))
    assert client.get("/admin/departments/99999").status_code == 404
    assert client.get("/admin/types/99999").status_code == 404
