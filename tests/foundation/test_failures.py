"""Failures say what is wrong: /healthz on a dead database, the app's own error page for every 4xx/5xx
(JSON under /api/), and the security headers on every kind of response."""

from __future__ import annotations

import logging
import re
import socket
from pathlib import Path

import pytest
from flask import Flask, abort
from werkzeug.exceptions import default_exceptions

from quota_app import create_app, web
from quota_app.settings import Settings
from tests.factories import bare_settings

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A loopback port where nothing listens (bound and released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dead_database_urls(tmp_path: Path) -> dict[str, str]:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    return {
        "postgresql": f"postgresql://postgres@127.0.0.1:{free_port()}/quota",
        # a folder inside a regular file: it does not exist and cannot be made, not even by root
        "sqlite": f"sqlite:///{blocker / 'instance' / 'quota.db'}",
    }


# --- /healthz ---


def test_healthz_is_200_when_the_database_answers(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("engine_name", ["postgresql", "sqlite"])
def test_healthz_is_503_json_when_the_database_cannot_be_reached(tmp_path, engine_name, caplog) -> None:
    url = dead_database_urls(tmp_path)[engine_name]
    app = create_app(Settings(env="test", secret_key="s", instance_path=tmp_path, database_url=url))
    with caplog.at_level(logging.WARNING, logger="quota.health"):
        response = app.test_client().get("/healthz")  # nobody signed in
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}
    assert "127.0.0.1" not in response.get_data(as_text=True)  # details go to the log only
    assert "cannot connect to the database" in caplog.text
    assert not (tmp_path / "a-file" / "instance").exists()


# --- The app's own error page for every 4xx/5xx ---


@pytest.fixture
def bare_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """A database-free app with routes that fail on purpose."""
    monkeypatch.setattr("quota_app.BLUEPRINTS", ("quota_app.core.views", "quota_app.auth.views"))
    application = create_app(bare_settings(tmp_path))
    application.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: an unhandled error is a 500

    @application.route("/fail/<int:code>")
    @application.route("/api/fail/<int:code>")
    def fail(code: int):  # type: ignore[no-untyped-def]
        abort(code)

    @application.route("/boom")
    @application.route("/api/boom")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals: password=hunter2")

    return application


ERROR_CODES = sorted(code for code in default_exceptions if code >= 400)


def test_every_http_error_gets_the_danish_error_page(bare_app) -> None:
    client = bare_app.test_client()
    assert len(ERROR_CODES) > 30
    for code in ERROR_CODES:
        response = client.get(f"/fail/{code}")
        page = response.get_data(as_text=True)
        assert response.status_code == code
        assert response.mimetype == "text/html", code
        assert f"<h1>{web.error_heading(code)}</h1>" in page, code
        assert f"Fejlkode {code}." in page and 'lang="da"' in page, code
        assert "Werkzeug" not in page and "<title>" + str(code) not in page, code


def test_routing_errors_get_it_too_and_keep_their_headers(bare_app) -> None:
    client = bare_app.test_client()
    missing = client.get("/findes-ikke")
    assert missing.status_code == 404 and "<h1>Siden findes ikke</h1>" in missing.get_data(as_text=True)
    wrong_method = client.delete("/login")
    assert wrong_method.status_code == 405 and "GET" in wrong_method.headers["Allow"]
    assert "Siden kan ikke bruges på den måde" in wrong_method.get_data(as_text=True)


def test_api_paths_answer_json_in_the_api_format(bare_app) -> None:
    client = bare_app.test_client()
    for code in ERROR_CODES:
        response = client.get(f"/api/fail/{code}")
        body = response.get_json()
        assert response.status_code == code and set(body) == {"error", "message", "field"}, code
        assert body["message"] == web.error_heading(code), code
    english = client.get("/api/findes-ikke", headers={"Accept-Language": "en"})
    assert english.get_json() == {"error": "not_found", "message": "Page not found", "field": None}
    assert english.headers["Content-Language"] == "en"


def test_an_unhandled_exception_is_a_500_page_without_internals_and_logged(bare_app, caplog) -> None:
    client = bare_app.test_client()
    with caplog.at_level(logging.ERROR):
        page = client.get("/boom")
        api = client.get("/api/boom")
    assert page.status_code == 500 and api.status_code == 500
    text = page.get_data(as_text=True)
    assert "<h1>Der opstod en fejl hos os</h1>" in text and "Fejlkode 500." in text
    for body in (text, api.get_data(as_text=True)):
        assert "hunter2" not in body and "RuntimeError" not in body and "Traceback" not in body
    assert api.get_json()["error"] == "internal_server_error"
    assert "Traceback" in caplog.text and "hunter2" in caplog.text  # the server's log has it all


def test_the_error_page_survives_a_dead_database(tmp_path, monkeypatch) -> None:
    """Rendering the page asks who is signed in; with the database gone it falls back to a plain page."""
    url = dead_database_urls(tmp_path)["sqlite"]
    app = create_app(Settings(env="test", secret_key="s", instance_path=tmp_path, database_url=url))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    monkeypatch.setattr(app.login_manager, "session_protection", None)  # a signed-in user's cookie
    with client.session_transaction() as session:
        session["_user_id"] = "1:1"  # id:session_version
    response = client.get("/findes-ikke")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert text == web.PLAIN_ERROR_PAGE.format(code=404)  # Danish, static, nothing of the failure


# --- Security headers ---


def _production_app(tmp_path: Path) -> Flask:
    return create_app(
        Settings(
            env="production",
            secret_key="production-secret",
            instance_path=tmp_path,
            database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        )
    )


RESPONSES = {
    "page": ("/login", 200),
    "error page": ("/findes-ikke", 404),
    "static file": ("/static/css/app.css", 200),
    "API": ("/api/v1/departments", 401),
}


@pytest.mark.parametrize("kind", RESPONSES)
def test_production_responses_carry_the_security_headers(tmp_path, kind) -> None:
    path, status = RESPONSES[kind]
    response = _production_app(tmp_path).test_client().get(path, base_url="https://kvoter.kk.dk")
    response.close()  # the static file's handle
    assert response.status_code == status
    headers = response.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    policy = dict(
        (part.split()[0], part.split()[1:]) for part in headers["Content-Security-Policy"].split("; ")
    )
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]


def test_hsts_only_in_production(tmp_path) -> None:
    response = create_app(bare_settings(tmp_path)).test_client().get("/login")
    assert "Strict-Transport-Security" not in response.headers
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


INLINE = {
    "inline <script> block": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "inline event handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.I),
    "<style> block": re.compile(r"<style\b", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def test_no_template_needs_unsafe_inline() -> None:
    """The CSP allows no inline scripts or styles: every template keeps them in static files."""
    templates = sorted(ROOT.glob("quota_app/**/templates/**/*.html"))
    assert len(templates) > 40
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in templates
        for what, pattern in INLINE.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
