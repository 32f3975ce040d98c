"""Personal API tokens: shown once, stored hashed, revoked in the browser; token auth of the API."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlmodel import select

from quota_app.models import ApiToken, AuditEntry
from tests.conftest import csrf_from


def test_create_shows_secret_once_and_stores_only_its_hash(client, login, make_user, session):
    user = make_user("hr", "SOF")
    login(user)
    token = csrf_from(client.get("/tokens/").get_data(as_text=True))
    page = client.post("/tokens/", data={"csrf_token": token, "name": "Lønsystem"}).get_data(as_text=True)
    secret = re.search(r"<code[^>]*>(qk_[A-Za-z0-9_\-]+)</code>", page).group(1)
    stored = session.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in stored.token_hash and stored.prefix == secret[:10]
    assert len(secret) > 40
    again = client.get("/tokens/").get_data(as_text=True)
    assert secret not in again and "Lønsystem" in again
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "api_token.create")).one()


def test_api_requires_a_valid_unrevoked_token(client, login, make_user, make_token, session, clock):
    user = make_user("bif")
    secret = make_token(user)
    missing = client.get("/api/v1/departments")
    assert missing.status_code == 401 and missing.is_json
    assert missing.json["error"] == "unauthorized" and missing.headers["WWW-Authenticate"].startswith(
        "Bearer"
    )
    for header in ("Bearer qk_wrong", "Basic abc", "Bearer ", secret):
        response = client.get("/api/v1/departments", headers={"Authorization": header})
        assert response.status_code == 401 and response.is_json, header
    clock.advance(timedelta(minutes=3))
    ok = client.get("/api/v1/departments", headers={"Authorization": f"Bearer {secret}"})
    assert ok.status_code == 200
    session.expire_all()
    stored = session.exec(select(ApiToken)).one()
    assert stored.last_used_at == clock.now()
    # Revoke in the browser: the token stops working at once.
    login(user)
    csrf = csrf_from(client.get("/tokens/").get_data(as_text=True))
    assert client.post(f"/tokens/{stored.id}/revoke", data={"csrf_token": csrf}).status_code == 302
    response = client.get("/api/v1/departments", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401 and response.json["message"]


def test_inactive_user_token_is_refused(client, make_user, make_token, session):
    user = make_user("bif")
    secret = make_token(user)
    user.active = False
    session.commit()
    assert client.get("/api/v1/types", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_user_cannot_revoke_another_users_token(client, login, make_user, make_token, session):
    other = make_user("hr", "BUF")
    make_token(other)
    stored = session.exec(select(ApiToken)).one()
    login(make_user("hr", "SOF"))
    csrf = csrf_from(client.get("/tokens/").get_data(as_text=True))
    assert client.post(f"/tokens/{stored.id}/revoke", data={"csrf_token": csrf}).status_code == 404
    session.expire_all()
    assert session.get(ApiToken, stored.id).revoked_at is None
    assert "test" not in client.get("/tokens/").get_data(as_text=True).split("<tbody>")[1]
