"""Sign-in with the organisation's OpenID provider, against a real one (provider.py): each role, the
refusals (unknown group, tampered, wrong audience, expired, replayed state), key rotation, sign-out."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlmodel import select

from quota_app.auth import services as auth
from quota_app.models import AuditEntry, User
from quota_app.users import services as users
from tests.auth.oidc.provider import (
    APP,
    CLIENT_ID,
    ID_TOKEN_SECONDS,
    Browser,
    claims_of,
    new_key,
    running_provider,
    signed_again,
    token_rewriter,
    with_claims_keeping_signature,
)
from tests.conftest import csrf_from, department


def _user(session, email: str) -> User | None:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(select(User).where(User.email == email)).first()


def _audit(session, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def _signed_in_as(client) -> str | None:  # type: ignore[no-untyped-def]
    page = client.get("/")
    if page.status_code != 200:
        return None
    return page.get_data(as_text=True)


def _refusal(session, reason: str) -> AuditEntry:  # type: ignore[no-untyped-def]
    refusals = [entry for entry in _audit(session, "user.login_refused") if entry.after["reason"] == reason]
    assert len(refusals) == 1, [entry.after for entry in _audit(session, "user.login_refused")]
    return refusals[0]


@pytest.mark.parametrize(
    ("groups", "role", "code"),
    [
        (["kvote-bif"], "bif", None),
        (["kvote-admin"], "admin", None),
        (["kvote-hr-sof"], "hr", "SOF"),
        (["Kvote-HR-ØKF", "some-other-group"], "hr", "ØKF"),  # groups compare case-insensitively
    ],
)
def test_a_first_sign_in_creates_the_user_with_the_role_of_their_groups(
    browser, provider, session, groups, role, code
):
    subject = provider.add_account(groups=groups, name="Hanne  Hansen")
    email = provider.account(subject)["email"]
    answer = browser.sign_in(subject)
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    user = _user(session, email)
    assert (user.role, user.name, user.oidc_subject, user.oidc_issuer) == (
        role,
        "Hanne Hansen",
        subject,
        provider.issuer,
    )
    assert user.department_id == (department(session, code).id if code else None)
    assert not auth.verify_password(user, "")  # no password: only the provider signs them in
    assert _signed_in_as(browser.client) is not None
    created = _audit(session, "user.create")[-1]
    assert (created.actor_label, created.entity_id, created.after["role"]) == ("oidc", str(user.id), role)
    assert _audit(session, "user.login")[-1].actor_id == user.id


def test_the_authorization_request_has_state_nonce_and_pkce(browser, provider):
    answer = browser.client.get("/login/oidc")
    location = answer.headers["Location"]
    assert location.startswith(provider.metadata()["authorization_endpoint"] + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["response_type"] == ["code"] and query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [f"{APP}/login/oidc/callback"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert "code_verifier" not in query and "openid" in query["scope"][0].split()


def test_every_sign_in_updates_role_and_department_from_the_groups(browser, provider, session):
    subject = provider.add_account(groups=["kvote-hr-sof"])
    email = provider.account(subject)["email"]
    assert browser.sign_in(subject).status_code == 302
    provider.set_account(
        subject, {**provider.account(subject), "groups": ["kvote-hr-økf"], "name": "Ny Navn"}
    )
    other = Browser(browser.client.application.test_client(), provider)
    assert other.sign_in(subject).status_code == 302
    user = _user(session, email)
    assert (user.role, user.department_id, user.name) == ("hr", department(session, "ØKF").id, "Ny Navn")
    change = _audit(session, "user.role_change")[-1]
    assert change.before == {"role": "hr", "department_id": department(session, "SOF").id}
    assert change.after == {"role": "hr", "department_id": department(session, "ØKF").id}
    assert len(_audit(session, "user.create")) == 1


def test_an_existing_user_is_linked_by_email_and_gets_the_role_of_their_groups(
    browser, provider, session, make_user
):
    existing = make_user("hr", "SOF", email="linda.larsen@kk.dk")
    subject = provider.add_account(groups=["kvote-bif"], email="Linda.Larsen@kk.dk")
    assert browser.sign_in(subject).status_code == 302
    user = _user(session, "linda.larsen@kk.dk")
    assert (user.id, user.role, user.department_id, user.oidc_subject) == (existing.id, "bif", None, subject)
    assert _audit(session, "user.update")[-1].after["oidc_subject"] == subject
    assert _audit(session, "user.role_change")[-1].after == {"role": "bif", "department_id": None}


@pytest.mark.parametrize(
    ("groups", "reason"),
    [
        (["some-other-group"], "unknown_group"),
        (None, "unknown_group"),
        (["kvote-hr-sof", "kvote-hr-økf"], "several_departments"),
    ],
)
def test_groups_that_give_no_role_are_refused_and_nothing_is_created(
    browser, provider, session, groups, reason
):
    subject = provider.add_account(groups=groups)
    email = provider.account(subject)["email"]
    answer = browser.sign_in(subject)
    assert answer.status_code == 403
    page = answer.get_data(as_text=True)
    assert "Du kan ikke logge ind" in page and "den rigtige gruppe" in page
    assert _user(session, email) is None
    refusal = _refusal(session, reason)
    assert refusal.after["subject"] == subject and refusal.after["email"] == email
    assert refusal.after["groups"] == (groups or [])
    assert _signed_in_as(browser.client) is None


def test_a_deactivated_user_is_refused_and_keeps_their_role(browser, provider, session):
    subject = provider.add_account(groups=["kvote-bif"])
    email = provider.account(subject)["email"]
    assert browser.sign_in(subject).status_code == 302
    user = _user(session, email)
    users.set_active(session, user=user, active=False, actor="test", now=user.created_at)
    session.commit()
    provider.set_account(subject, {**provider.account(subject), "groups": ["kvote-admin"]})
    again = Browser(browser.client.application.test_client(), provider)
    answer = again.sign_in(subject)
    assert answer.status_code == 403 and "deaktiveret" in answer.get_data(as_text=True)
    assert _user(session, email).role == "bif"
    assert _refusal(session, "deactivated").entity_id == str(user.id)
    assert _signed_in_as(again.client) is None


def test_a_tampered_id_token_is_refused(browser, provider, session, monkeypatch):
    """Claims changed after the provider signed them (a man in the middle makes himself admin)."""
    subject = provider.add_account(groups=["kvote-hr-sof"])
    token_rewriter(
        monkeypatch,
        provider.metadata()["token_endpoint"],
        lambda token: with_claims_keeping_signature(token, groups=["kvote-admin"]),
    )
    answer = browser.sign_in(subject)
    assert answer.status_code == 400 and "kunne ikke bekræftes" in answer.get_data(as_text=True)
    assert _refusal(session, "signature").after["method"] == "oidc"
    assert _user(session, provider.account(subject)["email"]) is None
    assert _signed_in_as(browser.client) is None


@pytest.mark.parametrize(
    "audience",
    [{"aud": "another-app"}, {"aud": ["another-app"], "azp": CLIENT_ID}],
    ids=["aud", "aud-list-with-our-azp"],
)
def test_a_token_for_another_client_is_refused(browser, provider, session, monkeypatch, audience):
    """Signed by the provider's own key, but its audience is another client."""
    subject = provider.add_account(groups=["kvote-bif"])
    token_endpoint = provider.metadata()["token_endpoint"]
    token_rewriter(
        monkeypatch, token_endpoint, lambda token: signed_again(token, provider.keys[0], **audience)
    )
    assert browser.sign_in(subject).status_code == 400
    _refusal(session, "audience")
    assert _user(session, provider.account(subject)["email"]) is None


def test_a_token_signed_with_a_key_the_provider_never_published_is_refused(
    browser, provider, session, monkeypatch
):
    subject = provider.add_account(groups=["kvote-bif"])
    stranger = new_key("not-the-providers")
    token_rewriter(
        monkeypatch, provider.metadata()["token_endpoint"], lambda token: signed_again(token, stranger)
    )
    assert browser.sign_in(subject).status_code == 400
    assert "not-the-providers" in _refusal(session, "signature").after["detail"]
    assert _user(session, provider.account(subject)["email"]) is None


def test_an_expired_id_token_is_refused(browser, provider, session, clock):
    """The app's clock (not the wall clock) says the token has expired when it arrives."""
    subject = provider.add_account(groups=["kvote-bif"])
    callback = browser.to_callback(subject)
    clock.advance(timedelta(seconds=ID_TOKEN_SECONDS + 180))  # past expiry and the 120 s leeway
    assert browser.open(callback).status_code == 400
    _refusal(session, "expired")
    assert _user(session, provider.account(subject)["email"]) is None


def test_a_sign_in_that_takes_too_long_is_refused(browser, provider, session, clock):
    subject = provider.add_account(groups=["kvote-bif"])
    callback = browser.to_callback(subject)
    clock.advance(timedelta(minutes=11))
    answer = browser.open(callback)
    assert answer.status_code == 400 and "for lang tid" in answer.get_data(as_text=True)
    _refusal(session, "flow_expired")


def test_a_replayed_state_is_refused(browser, provider, session, app):
    subject = provider.add_account(groups=["kvote-bif"])
    callback = browser.to_callback(subject)
    cookie_before = browser.client.get_cookie("session").value
    assert browser.open(callback).status_code == 302
    # The same answer again in the same browser: its sign-in was answered once and is gone.
    assert browser.open(callback).status_code == 400
    _refusal(session, "state")
    # Replayed with a copy of the cookie from before: the provider does not take its code twice.
    thief = Browser(app.test_client(), provider)
    thief.client.set_cookie("session", cookie_before)
    assert thief.open(callback).status_code == 400
    assert _refusal(session, "token_endpoint").after["method"] == "oidc"
    assert _signed_in_as(thief.client) is None


def test_an_answer_meant_for_another_browser_is_refused(browser, provider, session, app):
    """Login CSRF: a victim made to open the attacker's callback address is not signed in as the attacker."""
    attacker_subject = provider.add_account(groups=["kvote-admin"])
    callback = browser.to_callback(attacker_subject)
    victim = Browser(app.test_client(), provider)
    victim.client.get("/login/oidc")  # the victim has a sign-in of their own under way, or none
    assert victim.open(callback).status_code == 400
    _refusal(session, "state")
    assert _signed_in_as(victim.client) is None


def test_the_app_fetches_the_keys_again_when_the_provider_rotates_them(tmp_path, app, reference, session):
    with running_provider(tmp_path / "rotating") as provider:
        app.config["QUOTA_SETTINGS"] = app.config["QUOTA_SETTINGS"].model_copy(
            update={"oidc_issuer": provider.issuer}
        )
        app.extensions["quota_clock"].set(provider.now())
        first = provider.add_account(groups=["kvote-bif"])
        assert Browser(app.test_client(), provider).sign_in(first).status_code == 302
        provider.rotate(new_key("key-2"))
        second = provider.add_account(groups=["kvote-admin"])
        browser = Browser(app.test_client(), provider)
        callback = browser.to_callback(second)
        answer = browser.open(callback)
        assert answer.status_code == 302, answer.get_data(as_text=True)
        assert _user(session, provider.account(second)["email"]).role == "admin"


def test_claims_the_id_token_lacks_are_read_from_userinfo(tmp_path, app, reference, session):
    with running_provider(tmp_path / "conforming", conform=True) as provider:
        app.config["QUOTA_SETTINGS"] = app.config["QUOTA_SETTINGS"].model_copy(
            update={"oidc_issuer": provider.issuer}
        )
        app.extensions["quota_clock"].set(provider.now())
        subject = provider.add_account(groups=["kvote-hr-sof"], name="Ulla Userinfo")
        browser = Browser(app.test_client(), provider)
        tokens = []
        original = requests.adapters.HTTPAdapter.send
        token_endpoint = provider.metadata()["token_endpoint"]

        def watch(adapter, request, **kwargs):  # type: ignore[no-untyped-def]
            response = original(adapter, request, **kwargs)
            if request.url == token_endpoint:
                tokens.append(response.json()["id_token"])
            return response

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(requests.adapters.HTTPAdapter, "send", watch)
            assert browser.sign_in(subject).status_code == 302
        assert "groups" not in claims_of(tokens[0]) and "email" not in claims_of(tokens[0])
        user = _user(session, provider.account(subject)["email"])
        assert (user.role, user.name, user.department_id) == (
            "hr",
            "Ulla Userinfo",
            department(session, "SOF").id,
        )


def test_sign_in_starts_a_new_session_and_sign_out_ends_the_providers_too(browser, provider, session, app):
    subject = provider.add_account(groups=["kvote-bif"])
    anonymous_token = csrf_from(browser.client.get("/login").get_data(as_text=True))
    assert browser.sign_in(subject).status_code == 302
    page = _signed_in_as(browser.client)
    token = csrf_from(page)
    assert token != anonymous_token
    copy = app.test_client()
    copy.set_cookie("session", browser.client.get_cookie("session").value)
    assert _signed_in_as(copy) is not None

    answer = browser.client.post("/logout", data={"csrf_token": token})
    assert answer.status_code == 302
    end_session = answer.headers["Location"]
    assert end_session.startswith(provider.metadata()["end_session_endpoint"] + "?")
    query = parse_qs(urlsplit(end_session).query)
    assert query["post_logout_redirect_uri"] == [f"{APP}/login"] and query["client_id"] == [CLIENT_ID]
    assert claims_of(query["id_token_hint"][0])["sub"] == subject
    assert _signed_in_as(browser.client) is None and _signed_in_as(copy) is None
    assert _audit(session, "user.logout")[-1].entity_id == str(
        _user(session, provider.account(subject)["email"]).id
    )
    # The provider ends its session and sends the browser back to the sign-in page ...
    assert browser.at_provider(end_session).startswith(f"{APP}/login")
    # ... so the next sign-in asks who signs in again.
    start = browser.client.get("/login/oidc").headers["Location"]
    with pytest.raises(AssertionError, match="asks who signs in"):
        browser.at_provider(start)


def test_the_sign_in_page_offers_the_organisations_login(browser):
    page = browser.client.get("/login?next=/places").get_data(as_text=True)
    assert "Log ind med organisationens login" in page
    assert 'href="/login/oidc?next=/places"' in page
    assert 'name="password"' in page  # QUOTA_LOCAL_LOGIN=all (the default): passwords too


def test_after_sign_in_the_browser_goes_where_it_was_going(browser, provider):
    subject = provider.add_account(groups=["kvote-bif"])
    callback = browser.to_callback(subject, start="/login/oidc?next=/places")
    assert browser.open(callback).headers["Location"] == "/places"


def test_a_provider_that_cannot_be_reached_is_503(app, reference, provider):
    app.config["QUOTA_SETTINGS"] = app.config["QUOTA_SETTINGS"].model_copy(
        update={"oidc_issuer": provider.issuer.replace("127.0.0.1", "localhost")}  # not what it calls itself
    )
    answer = app.test_client().get("/login/oidc")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "30"
    assert "Organisationens login svarer ikke" in answer.get_data(as_text=True)


def test_the_routes_are_404_when_the_provider_is_not_configured(app):
    app.config["QUOTA_SETTINGS"] = app.config["QUOTA_SETTINGS"].model_copy(update={"oidc_issuer": None})
    client = app.test_client()
    assert client.get("/login/oidc").status_code == 404
    assert client.get("/login/oidc/callback?state=x&code=y").status_code == 404
    assert "organisationens login" not in client.get("/login").get_data(as_text=True)


def test_the_refusal_page_speaks_english_when_asked(browser, provider):
    token = csrf_from(browser.client.get("/login").get_data(as_text=True))
    browser.client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": token})
    page = browser.client.get("/login").get_data(as_text=True)
    assert "Sign in with the organisation's login" in page
    subject = provider.add_account(groups=["nobody-here"])
    refused = browser.sign_in(subject).get_data(as_text=True)
    assert "You cannot sign in" in refused and "none of the groups that give access" in refused
    assert "Du kan ikke logge ind" not in refused
