"""User administration in the browser's pages: list, create (the user gets a mailed link), change, deactivate."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from quota_app.models import AuditEntry, SignInLink, User
from tests.conftest import TEST_PASSWORD, csrf_from, department
from tests.users.conftest import mailed_link

NEW_PASSWORD = "a long and private passphrase"


def _sign_in(client, email: str, password: str = TEST_PASSWORD):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def _signed_in(client) -> bool:  # type: ignore[no-untyped-def]
    return client.get("/").status_code == 200


def _token(client, url: str) -> str:  # type: ignore[no-untyped-def]
    return csrf_from(client.get(url).get_data(as_text=True))


def _actions(session, user_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(
        session.exec(
            select(AuditEntry.action)
            .where(AuditEntry.entity_type == "user", AuditEntry.entity_id == str(user_id))
            .order_by(AuditEntry.id)
        ).all()
    )


def _create(client, session, **fields):  # type: ignore[no-untyped-def]
    data = {"csrf_token": _token(client, "/admin/users/new"), "role": "hr", **fields}
    return client.post("/admin/users/new", data=data)


def test_a_new_user_chooses_a_password_with_the_mailed_link_and_signs_in(
    app, client, login, make_user, session, smtp
):
    admin = make_user("admin")
    login(admin)
    sof = department(session, "SOF")
    response = _create(client, session, email=" Ny.Bruger@KK.dk ", name="Ny Bruger", department=str(sof.id))
    assert response.status_code == 302, re.findall(
        r"form-error-message.*|<li>.*</li>", response.get_data(as_text=True)
    )
    user = session.exec(select(User).where(User.email == "ny.bruger@kk.dk")).one()
    assert (user.name, user.role, user.department_id, user.active) == ("Ny Bruger", "hr", sof.id, True)
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ny.bruger@kk.dk er oprettet og har fået et link" in page
    assert "kan bruges indtil" in page

    (mail,) = smtp.to("ny.bruger@kk.dk")
    assert mail.message["Subject"] == "Vælg din adgangskode til kvoteopfølgningen"
    assert mail.message["Content-Language"] == "da"
    path = mailed_link(smtp, "ny.bruger@kk.dk")
    token = path.rsplit("/", 1)[1]
    html = mail.message.get_body(preferencelist=("html",)).get_content()
    assert f'href="https://kvoter.kk.test{path}"' in html
    text = mail.message.get_body(preferencelist=("plain",)).get_content()
    assert "Hej Ny Bruger" in text and "3. oktober 2025 kl. 12.00" in text  # 72 h after 30.09 12:00
    # Only the secret's hash is stored, and no page shows the secret.
    link = session.exec(select(SignInLink).where(SignInLink.user_id == user.id)).one()
    assert token not in link.token_hash and len(link.token_hash) == 64
    assert token not in page

    # The new user, in another browser, follows the link.
    browser = app.test_client()
    form = browser.get(path)
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    assert "ny.bruger@kk.dk" in form.get_data(as_text=True)
    csrf = csrf_from(form.get_data(as_text=True))
    mismatch = browser.post(
        path, data={"csrf_token": csrf, "password": NEW_PASSWORD, "confirm": "something else"}
    )
    assert mismatch.status_code == 422 and "ikke ens" in mismatch.get_data(as_text=True)
    short = browser.post(path, data={"csrf_token": csrf, "password": "too short", "confirm": "too short"})
    assert short.status_code == 422 and "mindst 12 tegn" in short.get_data(as_text=True)
    saved = browser.post(path, data={"csrf_token": csrf, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert saved.status_code == 302 and saved.headers["Location"] == "/login"
    assert "Din adgangskode er gemt" in browser.get("/login").get_data(as_text=True)
    assert _sign_in(browser, "ny.bruger@kk.dk", NEW_PASSWORD).status_code == 302
    assert _signed_in(browser)
    # The link is used up.
    assert app.test_client().get(path).status_code == 404
    assert _actions(session, user.id) == [
        "user.create",
        "user.sign_in_link",
        "user.set_password_by_link",
        "user.login",
    ]
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "user.create", AuditEntry.entity_id == str(user.id))
    ).one()
    assert entry.actor_label == admin.email


def test_the_list_searches_filters_and_pages(client, login, make_user, session):
    login(make_user("admin", email="chef@kk.dk"))
    for number in range(30):
        make_user("hr", "SOF" if number % 2 else "BUF", email=f"person{number:02d}@kk.dk")
    make_user("bif", email="bif.person@kk.dk")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "32 brugere fundet" in page
    assert 'class="pagination"' in page and 'aria-label="Side 2"' in page
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert 'aria-current="page" aria-label="Side 2"' in second
    assert "person29@kk.dk" in second or "person00@kk.dk" in second
    assert "1 bruger fundet" in client.get("/admin/users?q=BIF.PERSON").get_data(as_text=True)
    assert "1 bruger fundet" in client.get("/admin/users?role=bif").get_data(as_text=True)
    sof = department(session, "SOF")
    assert "15 brugere fundet" in client.get(f"/admin/users?department={sof.id}").get_data(as_text=True)
    user = session.exec(select(User).where(User.email == "person01@kk.dk")).one()
    user.active = False
    session.commit()
    assert "1 bruger fundet" in client.get("/admin/users?active=no").get_data(as_text=True)
    # Filters keep their values, and the page links keep the filters.
    filtered = client.get(f"/admin/users?role=hr&department={sof.id}").get_data(as_text=True)
    assert re.search(r'<option selected value="hr">|<option value="hr" selected>', filtered)
    # Unknown filter values are ignored rather than refused.
    assert "32 brugere fundet" in client.get(
        "/admin/users?role=boss&active=maybe&department=x&page=-1"
    ).get_data(as_text=True)


def test_a_new_role_or_department_ends_the_users_sessions_and_is_audited(
    app, client, login, make_user, session
):
    login(make_user("admin"))
    hr = make_user("hr", "SOF")
    other = app.test_client()
    assert _sign_in(other, hr.email).status_code == 302 and _signed_in(other)
    url = f"/admin/users/{hr.id}"
    response = client.post(
        url, data={"csrf_token": _token(client, url), "name": "Hanne HR", "role": "bif", "department": ""}
    )
    assert response.status_code == 302
    assert "Brugeren er gemt." in client.get(url).get_data(as_text=True)
    session.expire_all()
    changed = session.get(User, hr.id)
    assert (changed.role, changed.department_id, changed.name) == ("bif", None, "Hanne HR")
    assert not _signed_in(other)
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "user.update")).one()
    assert (entry.before["role"], entry.after["role"]) == ("hr", "bif")
    page = client.get(url).get_data(as_text=True)
    assert "rolle HR → BIF" in page
    # Only the name: the sessions go on.
    assert _sign_in(other, hr.email).status_code == 302
    client.post(
        url, data={"csrf_token": _token(client, url), "name": "Hanne B.", "role": "bif", "department": ""}
    )
    assert _signed_in(other)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", "gyldig e-mailadresse"),
        ({"email": "hr1@test.kk.dk"}, "email", "findes allerede"),
        ({"department": ""}, "department", "skal høre til en forvaltning"),
        ({"department": "99999"}, "department", "skal høre til en forvaltning"),
        ({"department": "x"}, "department", "ikke et helt tal"),
        ({"name": "Anna 010203-1234"}, "name", "CPR"),
        ({"role": "boss"}, "role", "Vælg en rolle."),
    ],
)
def test_a_new_user_that_cannot_be_created_saves_nothing(
    client, login, make_user, session, smtp, fields, field, message
):
    make_user("hr", "SOF")  # hr1@test.kk.dk
    login(make_user("admin"))
    count = len(session.exec(select(User)).all())
    data = {"email": "ny@kk.dk", "name": "Ny", "department": str(department(session, "SOF").id), **fields}
    response = _create(client, session, **data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page, re.findall(r"<li>.*</li>", page)
    assert f'id="{field}-error"' in page
    session.expire_all()
    assert len(session.exec(select(User)).all()) == count
    assert smtp.messages == []


def test_deactivation_ends_sessions_and_links_and_reactivation_lets_the_user_back(
    app, client, login, make_user, session, smtp
):
    login(make_user("admin"))
    hr = make_user("hr", "SOF")
    url = f"/admin/users/{hr.id}"
    other = app.test_client()
    assert _sign_in(other, hr.email).status_code == 302
    assert (
        client.post(f"{url}/action", data={"csrf_token": _token(client, url), "action": "link"}).status_code
        == 302
    )
    path = mailed_link(smtp, hr.email)
    response = client.post(f"{url}/action", data={"csrf_token": _token(client, url), "action": "deactivate"})
    assert response.status_code == 302
    assert "Brugeren er deaktiveret." in client.get(url).get_data(as_text=True)
    assert not _signed_in(other)
    assert _sign_in(other, hr.email).status_code == 200  # refused
    assert app.test_client().get(path).status_code == 404  # the open link ended with the deactivation
    # A deactivated user gets no link.
    client.post(f"{url}/action", data={"csrf_token": _token(client, url), "action": "link"})
    assert "genaktivér brugeren først" in client.get(url).get_data(as_text=True)
    assert len(smtp.to(hr.email)) == 1
    client.post(f"{url}/action", data={"csrf_token": _token(client, url), "action": "activate"})
    assert _sign_in(other, hr.email).status_code == 302
    assert app.test_client().get(path).status_code == 404  # and does not come back with the reactivation
    assert _actions(session, hr.id)[-4:] == [
        "user.sign_in_link",
        "user.deactivate",
        "user.activate",
        "user.login",
    ]
    session.expire_all()
    assert session.get(User, hr.id) is not None  # never deleted


def test_an_administrator_cannot_lock_themselves_out(client, login, make_user, session):
    admin = make_user("admin")
    login(admin)
    url = f"/admin/users/{admin.id}"
    client.post(f"{url}/action", data={"csrf_token": _token(client, url), "action": "deactivate"})
    assert "Du kan ikke deaktivere dig selv." in client.get(url).get_data(as_text=True)
    response = client.post(
        url, data={"csrf_token": _token(client, url), "name": "Chef", "role": "bif", "department": ""}
    )
    assert response.status_code == 422 and "Du kan ikke ændre din egen rolle." in response.get_data(
        as_text=True
    )
    session.expire_all()
    assert (session.get(User, admin.id).role, session.get(User, admin.id).active) == ("admin", True)
    assert _signed_in(client)


def test_another_administrator_can_be_demoted_while_one_remains(client, login, make_user, session):
    login(make_user("admin"))
    other = make_user("admin")
    url = f"/admin/users/{other.id}"
    response = client.post(
        url, data={"csrf_token": _token(client, url), "name": "B", "role": "bif", "department": ""}
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(User, other.id).role == "bif"


def test_a_link_that_cannot_be_mailed_does_not_work(app, client, login, make_user, session, smtp):
    login(make_user("admin"))
    hr = make_user("hr", "SOF")
    url = f"/admin/users/{hr.id}"
    token = _token(client, url)
    smtp.stop()
    response = client.post(f"{url}/action", data={"csrf_token": token, "action": "link"})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Mailen kunne ikke sendes, så linket virker ikke" in page
    assert "virker ikke længere" in page
    session.expire_all()
    link = session.exec(select(SignInLink).where(SignInLink.user_id == hr.id)).one()
    assert link.revoked_at is not None
    assert _actions(session, hr.id)[-2:] == ["user.sign_in_link", "user.sign_in_link_failed"]


def test_only_administrators_reach_the_user_pages(app, client, login, make_user, session):
    target = make_user("hr", "SOF")
    urls = ["/admin/users", "/admin/users/new", f"/admin/users/{target.id}"]
    anonymous = app.test_client()
    for url in urls:
        assert anonymous.get(url).status_code == 302
    for role in ("hr", "bif"):
        browser = app.test_client()
        assert _sign_in(browser, make_user(role).email).status_code == 302
        for url in urls:
            assert browser.get(url).status_code == 403, (role, url)
        token = _token(browser, "/tokens/")
        response = browser.post(
            f"/admin/users/{target.id}/action", data={"csrf_token": token, "action": "deactivate"}
        )
        assert response.status_code == 403
    session.expire_all()
    assert session.get(User, target.id).active
    login(make_user("admin"))
    assert client.get("/admin/users/99999").status_code == 404
    assert (
        client.post(
            "/admin/users/99999/action", data={"csrf_token": _token(client, "/admin/users"), "action": "link"}
        ).status_code
        == 404
    )


def test_the_pages_in_english(client, login, make_user, smtp):
    from tests.foundation.test_translations import choose_english

    admin = make_user("admin")
    login(admin)
    choose_english(client, "/admin/users")
    for url in ("/admin/users", "/admin/users/new", f"/admin/users/{admin.id}"):
        page = client.get(url).get_data(as_text=True)
        assert '<html lang="en">' in page
        for danish in ("Brugere", "Opret bruger", "Rolle", "Forvaltning", "Historik", "Deaktivér"):
            assert f">{danish}<" not in page, (url, danish)
    assert "Users" in client.get("/admin/users").get_data(as_text=True)
