"""Sign-in links: only a hash stored, time-limited, single use, ended by a newer link or a deactivation;
`quota users create` and `send-link` mail them; the last administrator stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from quota_app.auth import services as auth
from quota_app.errors import DomainError
from quota_app.models import AuditEntry, SignInLink, User
from quota_app.users import links, services
from tests.conftest import csrf_from
from tests.users.conftest import mailed_link

LIFETIME = timedelta(hours=72)
PASSWORD = "another long passphrase"


def _issue(session, user, clock):  # type: ignore[no-untyped-def]
    link, token = links.issue_link(session, user=user, lifetime=LIFETIME, actor="test", now=clock.now())
    session.flush()
    return link, token


def test_only_the_hash_is_stored_and_the_link_works_once(session, make_user, clock):
    user = make_user("bif")
    link, token = _issue(session, user, clock)
    assert len(token) >= 43 and link.token_hash == links.hash_token(token) != token
    stored = session.exec(select(SignInLink)).all()
    assert all(token not in (row.token_hash or "") for row in stored)
    assert links.usable_link(session, token=token, now=clock.now()) is not None
    with pytest.raises(DomainError, match="mindst 12 tegn"):
        links.use_link(session, token=token, password="short", now=clock.now())
    assert links.usable_link(session, token=token, now=clock.now()) is not None  # a refusal uses nothing
    version = user.session_version
    assert links.use_link(session, token=token, password=PASSWORD, now=clock.now()).id == user.id
    assert auth.verify_password(user, PASSWORD) and user.session_version == version + 1
    with pytest.raises(DomainError, match="Linket kan ikke bruges"):
        links.use_link(session, token=token, password=PASSWORD, now=clock.now())


def test_a_link_expires(session, make_user, clock):
    user = make_user("bif")
    _link, token = _issue(session, user, clock)
    assert links.usable_link(session, token=token, now=clock.now() + LIFETIME - timedelta(seconds=1))
    assert links.usable_link(session, token=token, now=clock.now() + LIFETIME) is None


def test_a_newer_link_or_a_deactivation_ends_a_link(session, make_user, clock):
    user = make_user("hr", "SOF")
    _first, old = _issue(session, user, clock)
    _second, new = _issue(session, user, clock)
    assert links.usable_link(session, token=old, now=clock.now()) is None
    assert links.usable_link(session, token=new, now=clock.now()) is not None
    services.set_active(session, user=user, active=False, actor="test", now=clock.now())
    assert links.usable_link(session, token=new, now=clock.now()) is None
    services.set_active(session, user=user, active=True, actor="test", now=clock.now())
    assert links.usable_link(session, token=new, now=clock.now()) is None
    services.set_active(session, user=user, active=False, actor="test", now=clock.now())
    with pytest.raises(DomainError, match="deaktiveret"):
        links.issue_link(session, user=user, lifetime=LIFETIME, actor="test", now=clock.now())


@pytest.mark.parametrize("token", ["", "x", "a" * 101, "æøå" * 10, "0" * 43])
def test_unknown_or_odd_tokens_find_nothing(session, make_user, clock, token):
    _issue(session, make_user("bif"), clock)
    assert links.usable_link(session, token=token, now=clock.now()) is None


def test_a_bad_link_page_says_so_without_telling_what_is_wrong(client, session, make_user, clock):
    user = make_user("bif")
    _link, token = _issue(session, user, clock)
    session.commit()
    for path in ("/sign-in/nonsense", "/sign-in/" + "a" * 300):
        response = client.get(path)
        assert response.status_code == 404 and "Linket kan ikke bruges" in response.get_data(as_text=True)
    page = client.get(f"/sign-in/{token}").get_data(as_text=True)
    # Without the form's CSRF token nothing is used.
    response = client.post(f"/sign-in/{token}", data={"password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 400
    assert links.usable_link(session, token=token, now=clock.now()) is not None
    csrf = csrf_from(page)
    assert (
        client.post(
            f"/sign-in/{token}", data={"csrf_token": csrf, "password": PASSWORD, "confirm": PASSWORD}
        ).status_code
        == 302
    )


def test_the_last_administrator_cannot_be_deactivated_or_demoted(session, make_user, clock):
    admin = make_user("admin")
    with pytest.raises(DomainError, match="sidste aktive administrator"):
        services.set_active(session, user=admin, active=False, actor="test", now=clock.now())
    with pytest.raises(DomainError, match="sidste aktive administrator"):
        services.update_user(
            session, user_id=admin.id, name="", role="bif", department_id=None, actor="test", now=clock.now()
        )
    other = make_user("admin")
    services.set_active(session, user=other, active=False, actor="test", now=clock.now())
    with pytest.raises(DomainError, match="sidste aktive administrator"):
        services.set_active(session, user=admin, active=False, actor="test", now=clock.now())
    services.set_active(session, user=other, active=True, actor="test", now=clock.now())
    services.set_active(session, user=admin, active=False, actor="test", now=clock.now())
    assert not admin.active and other.active


def test_quota_users_create_mails_the_link(app, session, reference, smtp):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "--email", "Ny@KK.dk", "--role", "hr", "--department", "SOF", "--name", "Ny"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "Created hr user ny@kk.dk." in result.output
        and "sign-in link was mailed to ny@kk.dk" in result.output
    )
    assert "03.10.2025 at 12:00" in result.output
    path = mailed_link(smtp, "ny@kk.dk")
    user = session.exec(select(User).where(User.email == "ny@kk.dk")).one()
    assert links.usable_link(session, token=path.rsplit("/", 1)[1], now=app.extensions["quota_clock"].now())
    again = runner.invoke(args=["users", "send-link", "--email", "ny@kk.dk"])
    assert again.exit_code == 0, again.output
    assert mailed_link(smtp, "ny@kk.dk") != path
    actions = session.exec(select(AuditEntry.action).where(AuditEntry.entity_id == str(user.id))).all()
    assert list(actions) == ["user.create", "user.sign_in_link", "user.sign_in_link"]
    assert {a.actor_label for a in session.exec(select(AuditEntry)).all()} == {"cli"}
    for args, message in [
        (["--email", "ny@kk.dk", "--role", "hr", "--department", "SOF"], "findes allerede"),
        (["--email", "x@kk.dk", "--role", "hr"], "skal høre til en forvaltning"),
        (["--email", "x@kk.dk", "--role", "hr", "--department", "NOPE"], "Ukendt forvaltning"),
        (["--email", "x@", "--role", "bif"], "ikke en gyldig e-mailadresse"),
    ]:
        bad = runner.invoke(args=["users", "create", *args])
        assert bad.exit_code == 1 and message in bad.output, bad.output
    assert runner.invoke(args=["users", "create", "--email", "x@kk.dk", "--role", "boss"]).exit_code == 2


def test_quota_users_create_says_when_the_mail_fails_or_links_cannot_be_made(
    app, session, reference, smtp, settings
):
    smtp.stop()
    runner = app.test_cli_runner()
    failed = runner.invoke(args=["users", "create", "--email", "a@kk.dk", "--role", "bif"])
    assert failed.exit_code == 1 and "kunne ikke sendes" in failed.output
    user = session.exec(select(User).where(User.email == "a@kk.dk")).one()  # created; a new link may follow
    link = session.exec(select(SignInLink).where(SignInLink.user_id == user.id)).one()
    assert link.revoked_at is not None
    app.config["QUOTA_SETTINGS"] = settings.model_copy(update={"base_url": None})
    missing = runner.invoke(args=["users", "create", "--email", "b@kk.dk", "--role", "bif"])
    assert missing.exit_code == 1 and "QUOTA_BASE_URL" in missing.output
    assert session.exec(select(User).where(User.email == "b@kk.dk")).first() is None


def test_the_break_glass_password_and_the_last_administrator_on_the_command_line(app, session, make_user):
    admin = make_user("admin")
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["users", "deactivate", "--email", admin.email])
    assert refused.exit_code == 1 and "sidste aktive administrator" in refused.output
    generated = runner.invoke(args=["users", "set-password", "--email", admin.email])
    assert generated.exit_code == 0 and "Password (shown once): " in generated.output
