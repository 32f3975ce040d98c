"""Request plumbing shared by every feature: the request's database session, the clock, errors, headers."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, g, has_request_context, render_template, request
from flask_babel import format_datetime, get_locale, gettext
from sqlmodel import Session

from .clock import Clock
from .db import Database
from .errors import DomainError
from .texts import from_data, render


def database() -> Database:
    """Return the app's Database."""
    return current_app.extensions["quota_db"]


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def db_session() -> Session:
    """Return this request's session, opened on first use and closed on teardown.

    A request that may write (POST, PUT, PATCH, DELETE; and anything outside a request) gets a write
    session: on SQLite it takes the write lock when its transaction begins, so concurrent writers queue
    for it instead of failing. Reads stay deferred, so they never wait for writers.
    """
    if "db_session" not in g:
        write = not has_request_context() or request.method not in READ_METHODS
        g.db_session = database().session(write=write)
    return g.db_session


def clock() -> Clock:
    return current_app.extensions["quota_clock"]


def now() -> datetime:
    """Return the app clock's aware UTC now."""
    return clock().now()


def localized(message) -> str:  # type: ignore[no-untyped-def]
    """Return a message from a service in the reader's language.

    message: a DomainError, a Text (N_), a Text kept with texts.to_data, or plain text (shown as it is).
    """
    if isinstance(message, DomainError):
        message = message.message
    message = from_data(message)
    return render(message, gettext, language=str(get_locale() or "da"))


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def _security_headers(response):  # type: ignore[no-untyped-def]
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "font-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    )
    return response


def _error_page(code: int):  # type: ignore[no-untyped-def]
    def handler(error):  # type: ignore[no-untyped-def]
        if request.path.startswith("/api/"):
            from flask import jsonify

            return jsonify(
                error=getattr(error, "name", "error"), message=getattr(error, "description", "")
            ), code
        return render_template("error.html", code=code, error=error), code

    return handler


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_close_session)
    from .contention import register_handlers

    register_handlers(app)
    app.after_request(_security_headers)
    for code in (400, 403, 404, 405, 409, 413, 429):
        app.register_error_handler(code, _error_page(code))

    @app.context_processor
    def _template_globals() -> dict:
        return {"current_locale": lambda: str(get_locale() or "da")}

    app.add_template_filter(localized, "localized")

    @app.template_filter("localtime")
    def localtime(value: datetime | None, fmt: str = "dd.MM.yyyy HH:mm") -> str:
        return "" if value is None else format_datetime(value, fmt)

    @app.template_filter("dkdate")
    def dkdate(value) -> str:  # type: ignore[no-untyped-def]
        return "" if value is None else value.strftime("%d.%m.%Y")
