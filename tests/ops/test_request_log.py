"""Every response carries a request id (the client's X-Request-ID when well formed, else a new one), the error
pages show it, and each log line written during the request names it: one JSON object per line in production."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re
from collections.abc import Iterator

import pytest
from flask import abort

from quota_app import create_app
from quota_app.ops.logs import dict_config
from quota_app.settings import Settings
from tests.factories import bare_settings

HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def logs(settings: Settings) -> Iterator:  # type: ignore[type-arg]
    """configure(settings) sets the process's logging up as the entry points do, into a buffer; the
    logging set-up of the test run is put back afterwards. Yields configure."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    touched = ("gunicorn.error", "gunicorn.access", "alembic", "quota.request")
    saved_loggers = {
        name: (logging.getLogger(name).level, logging.getLogger(name).propagate) for name in touched
    }
    buffer = io.StringIO()

    def configure(chosen: Settings) -> io.StringIO:
        config = dict_config(chosen)
        config["handlers"]["stderr"]["stream"] = buffer
        logging.config.dictConfig(config)
        return buffer

    yield configure
    root.handlers[:], root.level = saved
    for name, (level, propagate) in saved_loggers.items():
        logging.getLogger(name).setLevel(level)
        logging.getLogger(name).propagate = propagate


def lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


@pytest.fixture
def failing_app(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("quota_app.BLUEPRINTS", ("quota_app.core.views", "quota_app.auth.views"))
    application = create_app(bare_settings(tmp_path))
    application.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: an unhandled error is a 500

    @application.route("/boom")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("failing on purpose")

    @application.route("/refused")
    def refused():  # type: ignore[no-untyped-def]
        abort(403)

    return application


@pytest.mark.parametrize("path", ["/login", "/static/css/app.css", "/api/v1/departments", "/findes-ikke"])
def test_every_response_has_a_request_id(client, path) -> None:
    first, second = client.get(path), client.get(path)
    first.close(), second.close()  # the static file's handle
    assert HEX_ID.fullmatch(first.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("0f8fad5b-d9cb-469f-a165-70867728950e", True),
        ("nginx.b7c1f2e3a4d5", True),
        ("short", False),
        ("x" * 129, False),
        ("two words here", False),
        ("evil\u2028line-break", False),
        ("<script>alert(1)</script>", False),
    ],
)
def test_a_well_formed_request_id_is_kept_any_other_replaced(client, given, kept) -> None:
    answered = client.get("/login", headers={"X-Request-ID": given}).headers["X-Request-ID"]
    assert (answered == given) is kept
    if not kept:
        assert HEX_ID.fullmatch(answered)


@pytest.mark.parametrize(("path", "code"), [("/findes-ikke", 404), ("/refused", 403), ("/boom", 500)])
def test_error_pages_show_the_request_id_to_quote(failing_app, path, code) -> None:
    response = failing_app.test_client().get(path, headers={"X-Request-ID": "support-case-4711"})
    page = response.get_data(as_text=True)
    assert response.status_code == code
    assert response.headers["X-Request-ID"] == "support-case-4711"
    assert "Fejl-id: support-case-4711. Oplys det, hvis du kontakter support." in page
    english = failing_app.test_client()
    with english.session_transaction() as session:
        session["lang"] = "en"
    page = english.get(path).get_data(as_text=True)
    assert re.search(r"Error ID: [0-9a-f]{32}\. Please quote it if you contact support\.", page)


def test_json_log_lines_name_the_request_and_the_user(logs, client, login, make_user, settings) -> None:
    buffer = logs(settings.model_copy(update={"log_format": "json"}))
    user = make_user("hr", "SOF")
    login(user)
    client.get("/places/", headers={"X-Request-ID": "trace-places-0001"})
    logging.getLogger("quota.scheduler").info("outside any request")
    found = lines(buffer)
    request_line = next(line for line in found if line.get("request_id") == "trace-places-0001")
    assert set(request_line) == {
        "time",
        "level",
        "logger",
        "message",
        "process",
        "request_id",
        "method",
        "path",
        "status",
        "duration_ms",
        "user_id",
    }
    assert request_line["logger"] == "quota.request" and request_line["level"] == "INFO"
    assert (request_line["method"], request_line["path"], request_line["status"]) == ("GET", "/places/", 200)
    assert request_line["user_id"] == user.id
    assert isinstance(request_line["duration_ms"], float) and request_line["duration_ms"] >= 0
    assert request_line["message"].startswith("GET /places/ 200 ")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", request_line["time"])
    sign_in = next(line for line in found if line.get("path") == "/login" and line.get("method") == "GET")
    assert "user_id" not in sign_in  # nobody signed in yet
    outside = found[-1]
    assert outside["message"] == "outside any request" and "request_id" not in outside


def test_lines_logged_inside_a_view_carry_its_id(logs, failing_app, settings) -> None:
    buffer = logs(settings.model_copy(update={"log_format": "json"}))
    failing_app.test_client().get("/boom", headers={"X-Request-ID": "trace-boom-000001"})
    found = [line for line in lines(buffer) if line.get("request_id") == "trace-boom-000001"]
    error = next(line for line in found if line["level"] == "ERROR")
    assert "RuntimeError: failing on purpose" in error["exc_info"]  # the traceback, in the same object
    assert found[-1]["logger"] == "quota.request" and found[-1]["status"] == 500


def test_text_logs_in_development_json_in_production(logs, client, settings) -> None:
    assert Settings(env="production", secret_key="s").effective_log_format == "json"
    assert Settings(env="development").effective_log_format == "text"
    assert Settings(env="production", secret_key="s", log_format="text").effective_log_format == "text"
    buffer = logs(settings.model_copy(update={"env": "development"}))
    client.get("/login", headers={"X-Request-ID": "trace-text-000001"})
    logging.getLogger("quota.scheduler").warning("plain")
    text = buffer.getvalue().splitlines()
    assert re.search(r" INFO quota\.request \[trace-text-000001\] GET /login 200 [\d.]+ ms$", text[-2])
    assert text[-1].endswith(" WARNING quota.scheduler [-] plain")


def test_a_control_character_in_the_path_cannot_forge_a_text_line(logs, client, settings) -> None:
    buffer = logs(settings.model_copy(update={"log_format": "text"}))
    client.get("/x%0a2026-01-01%20INFO%20forged")
    assert "\\n2026-01-01 INFO forged" in buffer.getvalue().splitlines()[-1]
