"""Request plumbing shared by every feature: the request's database session, the clock, errors, headers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import TypeGuard
from zoneinfo import ZoneInfo

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    has_request_context,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlmodel import Session
from werkzeug.exceptions import HTTPException
from wtforms import Form

from . import formatting, vocabulary
from .clock import Clock
from .db import Database
from .errors import DomainError
from .texts import N_, from_data, render

log = logging.getLogger("quota.web")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"

# The error page's heading and explanation per status code (the API's JSON says the heading).
ERROR_HEADINGS = {
    400: N_("Forespørgslen kunne ikke forstås"),
    401: N_("Du skal logge ind for at se siden"),
    403: N_("Du har ikke adgang til siden"),
    404: N_("Siden findes ikke"),
    405: N_("Siden kan ikke bruges på den måde"),
    406: N_("Siden kan ikke vises i det ønskede format"),
    408: N_("Forespørgslen tog for lang tid"),
    409: N_("Siden er ændret af en anden"),
    410: N_("Siden findes ikke længere"),
    413: N_("Filen er for stor"),
    414: N_("Adressen er for lang"),
    415: N_("Filtypen kan ikke bruges"),
    422: N_("Oplysningerne kunne ikke behandles"),
    429: N_("For mange forsøg – vent lidt, og prøv igen"),
    431: N_("Forespørgslen har for store felter i hovedet"),
    500: N_("Der opstod en fejl hos os"),
    501: N_("Funktionen findes ikke"),
    502: N_("Tjenesten svarer ikke lige nu"),
    503: N_("Tjenesten er midlertidigt utilgængelig"),
    504: N_("Tjenesten svarer ikke lige nu"),
}
CLIENT_ERROR = N_("Forespørgslen kunne ikke gennemføres")
SERVER_ERROR = N_("Der opstod en fejl hos os")
ERROR_EXPLANATIONS = {
    400: N_("Gå tilbage, og prøv igen. Sker det igen, så hent siden på ny."),
    403: N_("Siden hører til en anden forvaltning eller en anden rolle end din."),
    404: N_("Adressen er forkert, eller det du leder efter, er flyttet eller slettet."),
    409: N_("Hent siden igen for at se de nyeste oplysninger."),
    413: N_("Vælg en mindre fil, eller del den op."),
    500: N_("Fejlen er registreret. Prøv igen om lidt; sker det igen, så kontakt BIF."),
    502: N_("Prøv igen om lidt."),
    503: N_("Prøv igen om lidt."),
    504: N_("Prøv igen om lidt."),
}


def error_heading(code: int) -> str:
    """The error page's heading for a status code, in Danish (a Text: localized() translates it)."""
    return ERROR_HEADINGS.get(code) or (SERVER_ERROR if code >= 500 else CLIENT_ERROR)


# When even the error page cannot be rendered (no template, no database for the menu): Danish, static.
PLAIN_ERROR_PAGE = (
    '<!doctype html><html lang="da"><head><meta charset="utf-8">'
    "<title>Fejl – Støttet beskæftigelse – Københavns Kommune</title></head><body>"
    "<h1>Forespørgslen kunne ikke gennemføres</h1>"
    "<p>Der opstod en fejl hos os. Prøv igen om lidt.</p><p>Fejlkode {code}.</p>"
    '<p><a href="/">Til forsiden</a></p></body></html>'
)


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


def local_zone() -> ZoneInfo:
    """The app's time zone (its settings' QUOTA_TIMEZONE): shown times and the local date."""
    return current_app.config["QUOTA_SETTINGS"].zone


def today() -> date:
    """Today in the app's time zone, by the app's clock."""
    return now().astimezone(local_zone()).date()


def localized(message: object) -> str:
    """Return a message from a service in the reader's language.

    message: a DomainError, a Text (N_), a Text kept with texts.to_data, or plain text (shown as it is).
    """
    if isinstance(message, DomainError):
        message = message.message
    message = from_data(message)
    return render(message, gettext, language=str(get_locale() or "da"))


def show_error(form: Form, error: DomainError) -> None:
    """Show a service's refusal beside the form field it names, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    (field.errors if field is not None else form.form_errors).append(localized(error))


def saved(session: Session, form: Form, change: Callable[[], object], done: str | None = None) -> bool:
    """Run `change` and commit, flashing `done`; on a refusal roll back and show it on the form (False)."""
    try:
        change()
    except DomainError as error:
        session.rollback()
        show_error(form, error)
        return False
    session.commit()
    if done is not None:
        flash(done, "success")
    return True


def saved_change(form: FlaskForm, service: Callable[..., object], done: str, **arguments: object) -> bool:
    """A submitted form's one change: when the form validates, service(session, **arguments) by the signed-in
    user at the clock's now, committed with `done` flashed; False when the form is not submitted, not
    valid, or the service refused (the refusal shown on the form, nothing changed)."""
    if not form.validate_on_submit():
        return False
    session = db_session()
    return saved(session, form, lambda: service(session, **arguments, actor=current_user, now=now()), done)


def all_or_nothing(session: Session, *, refused: bool, done: str) -> bool:
    """A form of several changes: when one was refused roll them all back (False, the form shows why), else
    commit them and flash `done` (True)."""
    if refused:
        session.rollback()
        return False
    session.commit()
    flash(done, "success")
    return True


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def _security_headers(response: Response) -> Response:
    """On every response (pages, error pages, static files, the API): no sniffing, no framing, no inline
    scripts or styles, no referrer outside the site; HSTS in production (always served over HTTPS)."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if current_app.config["QUOTA_SETTINGS"].env == "production":
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _error_page(code: int) -> Callable[[Exception], ResponseReturnValue]:
    """A handler answering with the app's own error page for code (JSON under /api/)."""

    def handler(error: Exception) -> ResponseReturnValue:
        return render_error(code, error)

    return handler


def _http_error(error: HTTPException) -> ResponseReturnValue:
    """Every HTTP error no more specific handler answers (any 4xx/5xx werkzeug knows)."""
    return render_error(error.code or 500, error)


def render_error(
    code: int, error: object, *, explanation: str | None = None, headers: dict[str, str] | None = None
) -> ResponseReturnValue:
    """The app's error page for code (JSON under /api/); explanation replaces the code's own text."""
    # Headers the error carries (Allow on 405, WWW-Authenticate, Retry-After) stay on the answer.
    headers = {**_error_headers(error), **(headers or {})}
    if explanation is None and _own_description(error):
        explanation = error.description
    if request.path.startswith("/api/"):
        return _api_error(code, error), code, headers
    try:
        return (
            render_template(
                "error.html",
                code=code,
                request_id=g.get("request_id"),  # ops.instrument's: for the user to quote to support
                heading=localized(error_heading(code)),
                explanation=explanation
                if explanation is not None
                else localized(ERROR_EXPLANATIONS[code])
                if code in ERROR_EXPLANATIONS
                else "",
            ),
            code,
            headers,
        )
    except Exception:  # e.g. the database is down while the page asks who is signed in
        log.exception("the error page for %s could not be rendered; answering with the plain one", code)
        return (
            PLAIN_ERROR_PAGE.format(code=code),
            code,
            {**headers, "Content-Type": "text/html; charset=utf-8"},
        )


def _own_description(error: object) -> TypeGuard[HTTPException]:
    """True when the app gave the error a description of its own (abort(400, description=...)), which
    then says what was wrong; Werkzeug's default descriptions are English and say nothing more."""
    return (
        isinstance(error, HTTPException)
        and bool(error.description)
        and (error.description != type(error).description)
    )


def _error_headers(error: object) -> dict[str, str]:
    if not isinstance(error, HTTPException):
        return {}
    skip = {"content-type", "content-length"}
    return {k: v for k, v in error.get_response().headers.items() if k.lower() not in skip}


def _api_error(code: int, error: object) -> Response:
    """The API's own error body (quota_app.api.views._error_response) for /api/ paths no API route owns."""
    from flask import jsonify

    name = getattr(error, "name", "") or "error"
    response = jsonify(
        {"error": name.lower().replace(" ", "_"), "message": localized(error_heading(code)), "field": None}
    )
    response.headers["Content-Language"] = str(get_locale() or "da")
    return response


def _register_error_pages(app: Flask) -> None:
    """The app's own page for every 4xx/5xx. An unhandled exception is a 500: Flask logs it with its
    traceback (app.logger) and the page shows nothing of it."""
    for code in (400, 403, 404, 405, 409, 413, 429):
        app.register_error_handler(code, _error_page(code))
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(500, _error_page(500))


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_close_session)
    app.after_request(_security_headers)
    _register_error_pages(app)

    @app.context_processor
    def _template_globals() -> dict:
        statement = app.config["QUOTA_SETTINGS"].accessibility_statement_url
        return {
            "current_locale": lambda: str(get_locale() or "da"),
            "accessibility_statement_url": lambda: statement or url_for("core.accessibility"),
        }

    app.add_template_filter(localized, "localized")
    app.jinja_env.filters.update(FILTERS)


def reader_language() -> str:
    """The reader's language, 'da' or 'en' (Danish outside a request)."""
    return formatting.language_of(str(get_locale() or "da") if has_request_context() else "da")


def localtime(value: datetime | None) -> str:
    """A moment in the app's time zone, the reader's way: 30.09.2025 kl. 12.00 / 30.09.2025 at 12:00."""
    return "" if value is None else formatting.timestamp(value, reader_language(), local_zone())


def dkdate(value: date | None) -> str:
    """A date as 30.06.2025 (every language); empty for None."""
    return "" if value is None else formatting.date_text(value)


# The Jinja filters of the shared formatting (quota_app.formatting) and vocabulary (quota_app.vocabulary),
# in the reader's language; every page writes numbers, dates, periods and statuses through these.
FILTERS: dict[str, Callable] = {
    "localtime": localtime,
    "dkdate": dkdate,
    "num": lambda value, digits=1: formatting.number(value, reader_language(), digits=digits),
    "figure": lambda value: formatting.count(value, reader_language()),
    "pct": lambda value: formatting.percent(value, reader_language()),
    "signed": lambda value, digits=1: formatting.change(value, reader_language(), digits=digits),
    "period_name": lambda period: formatting.period_name(period, reader_language()),
    "status_label": lambda status: localized(vocabulary.status_label(status)),
    "status_name": lambda status: localized(vocabulary.status_name(status)),
    "measure_name": lambda measure: localized(vocabulary.measure_name(measure)),
    "measure_note": lambda measure: localized(vocabulary.measure_note(measure)),
    "type_name": lambda placement_type: localized(vocabulary.type_name(placement_type)),
}
