"""QUOTA_LOCAL_LOGIN: passwords for everyone, for the break-glass administrators only, or for nobody."""

from __future__ import annotations

import pytest
from sqlmodel import select

from quota_app.models import AuditEntry
from tests.conftest import TEST_PASSWORD, csrf_from


@pytest.fixture
def setting_changes(request) -> dict:  # type: ignore[no-untyped-def]
    return {"local_login": request.param}


def _password_sign_in(client, email: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": TEST_PASSWORD, "csrf_token": token})


@pytest.mark.parametrize("setting_changes", ["admins"], indirect=True)
def test_admins_only_lets_administrators_use_a_password(app, make_user, session):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "Log ind med organisationens login" in page and "Kun for administratorer" in page
    bif = make_user("bif")
    answer = _password_sign_in(client, bif.email)
    assert answer.status_code == 200 and "Forkert e-mail eller adgangskode." in answer.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not signed in
    refused = session.exec(select(AuditEntry).where(AuditEntry.action == "user.login_refused")).one()
    assert (refused.entity_id, refused.after["reason"], refused.after["method"]) == (
        str(bif.id),
        "password_off",
        "password",
    )
    admin = make_user("admin")
    assert _password_sign_in(app.test_client(), admin.email).status_code == 302


@pytest.mark.parametrize("setting_changes", ["none"], indirect=True)
def test_none_offers_only_the_organisations_login(app, make_user):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "Log ind med organisationens login" in page and 'name="password"' not in page
    admin = make_user("admin")
    token = csrf_from(page)  # the language switch's form has one
    answer = client.post(
        "/login", data={"email": admin.email, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 403
    assert client.get("/").status_code == 302
