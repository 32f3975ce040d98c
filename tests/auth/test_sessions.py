"""Sessions end on the server: a copied cookie stops working after sign-out, a new password or deactivation."""

from __future__ import annotations

import pytest
from flask_login.utils import encode_cookie
from sqlmodel import select

from quota_app.models import AuditEntry, User
from tests.conftest import TEST_PASSWORD, csrf_from


def _sign_in(client, email: str, password: str = TEST_PASSWORD):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def _sign_out(client) -> None:  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def _copy_of(client, app):  # type: ignore[no-untyped-def]
    """A second browser holding a copy of the first one's session cookie."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def _signed_in(client) -> bool:  # type: ignore[no-untyped-def]
    response = client.get("/")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
        return False
    assert response.status_code == 200
    return True


def test_a_copied_session_cookie_stops_working_after_sign_out(app, client, make_user):
    user = make_user("bif")
    assert _sign_in(client, user.email).status_code == 302
    copy = _copy_of(client, app)
    assert _signed_in(copy)  # the copy works while the session lives: it is the same cookie
    _sign_out(client)
    assert not _signed_in(copy)
    assert not _signed_in(client)
    # Signing in again gives a new session; the old copy stays dead.
    assert _sign_in(client, user.email).status_code == 302
    assert _signed_in(client) and not _signed_in(copy)


@pytest.mark.parametrize(
    ("command", "still_signs_in_with_old_password"),
    [
        (["users", "set-password", "--password", "a brand new passphrase"], False),
        (["users", "deactivate"], False),
    ],
)
def test_a_new_password_or_deactivation_ends_every_session(
    app, make_user, session, command, still_signs_in_with_old_password
):
    user = make_user("hr")
    browsers = [app.test_client() for _ in range(2)]
    for browser in browsers:
        assert _sign_in(browser, user.email).status_code == 302
        assert _signed_in(browser)
    result = app.test_cli_runner().invoke(args=[*command, "--email", user.email.upper()])
    assert result.exit_code == 0, result.output
    assert "sessions have ended" in result.output
    for browser in browsers:
        assert not _signed_in(browser)
    fresh = app.test_client()
    assert (_sign_in(fresh, user.email).status_code == 302) is still_signs_in_with_old_password
    session.expire_all()
    actions = session.exec(select(AuditEntry.action).where(AuditEntry.entity_id == str(user.id))).all()
    assert {"user.set_password", "user.deactivate"} & set(actions)


def test_the_new_password_works_and_a_reactivated_user_signs_in_again(app, client, make_user):
    user = make_user("hr")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "set-password", "--email", user.email]).exit_code == 0
    assert runner.invoke(args=["users", "deactivate", "--email", user.email]).exit_code == 0
    assert runner.invoke(args=["users", "activate", "--email", user.email]).exit_code == 0
    generated = runner.invoke(args=["users", "set-password", "--email", user.email])
    password = generated.output.split("Password (shown once): ")[1].strip()
    assert _sign_in(client, user.email).status_code == 200  # the old password no longer works
    assert _sign_in(client, user.email, password).status_code == 302
    unknown = runner.invoke(args=["users", "deactivate", "--email", "nobody@kk.dk"])
    assert unknown.exit_code == 1 and "Der findes ingen bruger" in unknown.output
    short = runner.invoke(args=["users", "set-password", "--email", user.email, "--password", "short"])
    assert short.exit_code == 1 and "mindst 12 tegn" in short.output


def test_a_remember_me_cookie_is_ended_too(app, client, make_user, session):
    user = make_user("bif")

    def remembered(user_id: str):  # type: ignore[no-untyped-def]
        browser = app.test_client()
        browser.set_cookie("remember_token", encode_cookie(user_id, key=app.secret_key))
        return browser

    cookie = user.get_id()
    assert _signed_in(remembered(cookie))  # Flask-Login signs the user in from the remember-me cookie
    assert _sign_in(client, user.email).status_code == 302
    _sign_out(client)
    assert not _signed_in(remembered(cookie))
    # A cookie of the user id alone (the format before session versions) is refused as well.
    assert not _signed_in(remembered(str(user.id)))
    session.expire_all()
    assert session.get(User, user.id).session_version == 2
    assert _signed_in(remembered(f"{user.id}:2"))


def test_sign_in_starts_a_new_session_with_a_new_csrf_token(client, make_user):
    user = make_user("bif")
    page_token = csrf_from(client.get("/login").get_data(as_text=True))
    with client.session_transaction() as before:
        anonymous_token = before["csrf_token"]
        before["planted"] = "by an attacker"  # fixation: nothing of the anonymous session survives
    response = client.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": page_token}
    )
    assert response.status_code == 302
    assert _signed_in(client)
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after["csrf_token"] != anonymous_token
    # A token from the page before sign-in is no good afterwards.
    assert client.post("/logout", data={"csrf_token": page_token}).status_code == 400
    assert _signed_in(client)
    _sign_out(client)


def test_sign_in_and_out_are_audited_and_the_language_is_kept(client, make_user, session):
    user = make_user("bif")
    with client.session_transaction() as anonymous:
        anonymous["lang"] = "en"
    assert _sign_in(client, user.email).status_code == 302
    with client.session_transaction() as signed_in:
        assert signed_in["lang"] == "en"
    _sign_out(client)
    with client.session_transaction() as signed_out:
        assert signed_out["lang"] == "en"
    session.expire_all()
    actions = session.exec(
        select(AuditEntry.action).where(AuditEntry.entity_id == str(user.id)).order_by(AuditEntry.id)
    ).all()
    assert actions[-2:] == ["user.login", "user.logout"]
