import pytest
import sqlalchemy as sa
from flask import Blueprint
from sqlmodel import select

from quota_app.auth import services as auth
from quota_app.auth.views import roles_required, safe_next
from quota_app.errors import DomainError, NotFound
from quota_app.models import AuditEntry, Department, Unit, User
from tests.conftest import TEST_PASSWORD, csrf_from, department


def _post_login(client, email, password, next_url=None):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password, "csrf_token": token})


def test_passwords_are_hashed_with_argon2(make_user):
    user = make_user("bif")
    assert user.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in user.password_hash


def test_sign_in_and_out(client, make_user):
    user = make_user("bif")
    response = _post_login(client, user.email.upper(), TEST_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302  # back to the sign-in page


def test_wrong_password_is_refused_with_a_message(client, make_user):
    user = make_user("bif")
    response = _post_login(client, user.email, "wrong password!")
    assert response.status_code == 200
    assert "Forkert e-mail eller adgangskode" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_inactive_user_cannot_sign_in(client, make_user, session):
    user = make_user("bif")
    user.active = False
    session.commit()
    assert _post_login(client, user.email, TEST_PASSWORD).status_code == 200


def test_ten_wrong_passwords_in_a_row_are_slowed_down(client, make_user):
    user = make_user("hr")
    codes = [_post_login(client, user.email, f"wrong-{i}").status_code for i in range(10)]
    assert codes[:5] == [200] * 5
    assert set(codes[5:]) == {429}
    # even the right password waits until the window has passed
    assert _post_login(client, user.email, TEST_PASSWORD).status_code == 429


def test_successful_sign_ins_are_not_counted_against_the_limit(client, make_user):
    user = make_user("hr")
    for _ in range(7):
        assert _post_login(client, user.email, TEST_PASSWORD).status_code == 302
        token = csrf_from(client.get("/").get_data(as_text=True))
        client.post("/logout", data={"csrf_token": token})


def test_form_without_csrf_token_is_refused(client, make_user):
    user = make_user("bif")
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/places?type=flex_job", "/places?type=flex_job"),
        ("https://evil.example/", None),
        ("//evil.example/", None),
        ("/\\evil.example", None),
        ("javascript:alert(1)", None),
        ("", None),
    ],
)
def test_next_cannot_redirect_off_site(target, expected):
    assert safe_next(target) == expected


def test_next_parameter_is_followed_only_on_site(client, make_user):
    user = make_user("bif")
    assert _post_login(client, user.email, TEST_PASSWORD, "https://evil.example/").headers["Location"] == "/"
    token = csrf_from(client.get("/").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})
    assert _post_login(client, user.email, TEST_PASSWORD, "/healthz").headers["Location"] == "/healthz"


def test_session_cookie_is_httponly_samesite_and_secure_in_production(app, client, make_user):
    user = make_user("bif")
    response = _post_login(client, user.email, TEST_PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    from quota_app import create_app
    from quota_app.settings import Settings

    production = create_app(Settings(env="production", secret_key="x" * 32))
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True


def test_roles_required_gives_403_to_other_roles(app, client, make_user, login):
    bp = Blueprint("probe", __name__)

    @bp.route("/probe-bif")
    @roles_required("bif", "admin")
    def probe():
        return "ok"

    app.register_blueprint(bp)
    assert client.get("/probe-bif").status_code == 302  # not signed in: to the sign-in page
    login(make_user("hr"))
    assert client.get("/probe-bif").status_code == 403


def test_start_page_per_role(client, make_user, login):
    for role, text in [
        ("hr", "Du registrerer støttede pladser for Socialforvaltningen"),
        ("bif", "alle forvaltninger"),
        ("admin", "administrerer"),
    ]:
        login(make_user(role))
        page = client.get("/").get_data(as_text=True)
        assert text in page
        client.post("/logout", data={"csrf_token": csrf_from(page)})


def test_create_user_validates_and_audits(session, reference, clock):
    user = auth.create_user(
        session,
        email=" New.User@KK.dk ",
        role="hr",
        password="long enough pw",
        department_code="ØKF",
        actor="cli",
        now=clock.now(),
    )
    assert user.email == "new.user@kk.dk"
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "user.create")).one()
    assert entry.actor_label == "cli" and entry.after["email"] == "new.user@kk.dk"
    assert "password_hash" not in entry.after
    for kwargs, field in [
        ({"email": "new.user@kk.dk"}, "email"),
        ({"email": "no-at-sign"}, "email"),
        ({"role": "boss"}, "role"),
        ({"password": "short"}, "password"),
        ({"department_code": None}, "department"),
        ({"department_code": "XXX"}, "department"),
    ]:
        args = {"email": "other@kk.dk", "role": "hr", "password": "long enough pw", "department_code": "SOF"}
        with pytest.raises(DomainError) as error:
            auth.create_user(session, **{**args, **kwargs}, actor="cli", now=clock.now())
        assert error.value.field == field
    assert session.exec(select(sa.func.count()).select_from(User)).one() == 1


def test_scoping_helpers_limit_hr_to_their_department(session, make_user):
    hr = make_user("hr", "SOF")
    bif = make_user("bif")
    sof, okf = department(session, "SOF"), department(session, "ØKF")
    session.add_all([Unit(department_id=sof.id, name="A"), Unit(department_id=okf.id, name="B")])
    session.flush()
    query = select(Unit.name).order_by(Unit.name)
    assert session.exec(auth.scope_to_user(query, Unit.department_id, hr)).all() == ["A"]
    assert session.exec(auth.scope_to_user(query, Unit.department_id, bif)).all() == ["A", "B"]
    assert auth.visible_department_ids(session, hr) == [sof.id]
    assert (
        len(auth.visible_department_ids(session, bif))
        == session.exec(select(sa.func.count()).select_from(Department)).one()
    )
    auth.ensure_department_access(hr, sof.id)
    auth.ensure_department_access(bif, okf.id)
    with pytest.raises(NotFound):
        auth.ensure_department_access(hr, okf.id)
    with pytest.raises(NotFound):
        auth.get_department_for(session, hr, "ØKF")
    assert auth.get_department_for(session, bif, "ØKF").id == okf.id
