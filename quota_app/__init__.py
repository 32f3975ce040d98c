"""Quota tracking for supported employment: the Flask application factory."""

from __future__ import annotations

import importlib
from datetime import timedelta

from flask import Flask, current_app, g, has_request_context, request, session
from flask_openapi3 import APIBlueprint, OpenAPI
from werkzeug.middleware.proxy_fix import ProxyFix

from .clock import Clock
from .db import Database
from .extensions import babel, csrf, login_manager
from .http_request import QuotaRequest, refuse_control_characters
from .i18n import LANGUAGES
from .settings import Settings, load_settings
from .texts import translation_directories


def create_app(
    settings: Settings | None = None, *, database: Database | None = None, clock: Clock | None = None
) -> Flask:
    """Configure and register everything; no queries, no migrations, no scheduler."""
    from .api.document import OPENAPI_OPTIONS

    settings = settings or load_settings()
    # A Flask app that also writes the API's OpenAPI document (flask-openapi3; see api/document.py).
    app = OpenAPI(__name__, instance_path=str(settings.instance_path.resolve()), **OPENAPI_OPTIONS)
    app.cli.commands.pop("openapi", None)  # the library's export command: `quota` has docs/cli.md's only
    app.request_class = QuotaRequest
    app.config.update(
        SECRET_KEY=settings.effective_secret_key,
        QUOTA_SETTINGS=settings,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure and settings.env == "production",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.session_cookie_secure and settings.env == "production",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=10),
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        BABEL_TRANSLATION_DIRECTORIES=";".join(str(p) for p in translation_directories()),
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=settings.import_max_bytes,  # a whole request; imported files are checked again
        TESTING=settings.env == "test",
    )
    if settings.trusted_proxies:
        # request.remote_addr (and the scheme) then come from the hop the trusted proxies added.
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]  # Flask's documented way
    app.extensions["quota_db"] = database or Database(
        settings.effective_database_url, lock_timeout_ms=settings.lock_timeout_ms
    )
    app.extensions["quota_clock"] = clock or Clock()

    from .ops import instrument

    instrument.init_app(app)  # first: its clock starts before, and its log line follows, everything else
    babel.init_app(app, locale_selector=_select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)

    from . import contention, url_converters, web

    url_converters.init_app(app)
    app.before_request(refuse_control_characters)
    web.init_app(app)
    contention.register_handlers(app)  # write clashes 409, lock timeouts 503 (contention reads web, not back)
    _register_blueprints(app)
    from .commands import register_commands

    register_commands(app)
    return app


# Each feature's views module exposes `bp`; add one line per feature.
BLUEPRINTS = (
    "quota_app.core.views",
    "quota_app.auth.views",
    "quota_app.auth.oidc.views",
    "quota_app.reports_web.views",
    "quota_app.reports_web.twin",
    "quota_app.dispatch.views",
    "quota_app.targets.views",
    "quota_app.admin.views",
    "quota_app.users.views",
    "quota_app.exports.views",
    "quota_app.tokens.views",
    "quota_app.api.views",
    "quota_app.api.document",
    "quota_app.comments.views",
    "quota_app.compliance.views",
    "quota_app.places.views",
    "quota_app.places.import_jobs",
    "quota_app.monitor.views",
    "quota_app.ops.views",
)


def _register_blueprints(app: OpenAPI) -> None:
    for module in BLUEPRINTS:
        blueprint = importlib.import_module(module).bp
        if isinstance(blueprint, APIBlueprint):
            app.register_api(blueprint)  # its operations go into the OpenAPI document
        else:
            app.register_blueprint(blueprint)


def _select_locale() -> str:
    default = current_app.config["QUOTA_SETTINGS"].default_locale
    if not has_request_context():
        return default
    if request.path.startswith("/api/"):
        # API clients have no session and no language switch: they ask with Accept-Language.
        return request.accept_languages.best_match(LANGUAGES, default=default)
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    user = getattr(g, "_login_user", None)
    if user is not None and getattr(user, "locale", None) in LANGUAGES:
        return user.locale
    return default
