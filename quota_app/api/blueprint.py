"""The API blueprint: Bearer tokens only, scoped by the token's user; errors always JSON.

Its operations are in views.py and imports.py; flask-openapi3 collects them into the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from flask import Response, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_openapi3 import APIBlueprint, OpenAPI
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from .. import contention
from ..errors import Conflict, DomainError, NotFound
from ..extensions import csrf
from ..models import Department, User
from ..texts import N_
from ..tokens.services import find_token, note_use, use_due
from ..web import READ_METHODS, database, db_session, localized, now
from . import services
from .document import SECURITY, errors
from .inputs import ERROR_NAMES, ApiError, check_text, fail

# What an operation returns: its JSON body, with the status when not 200. flask-openapi3 reads the
# operations' annotations at run time, so this is a type it can evaluate (flask.typing's are not).
JsonAnswer = dict[str, Any] | tuple[dict[str, Any], int]

# Mounted under document.PREFIX by views.py once every operation is collected: the document's paths are
# relative to its server.
bp = APIBlueprint("api", __name__, abp_security=SECURITY, abp_responses=errors(400, 401))
csrf.exempt(bp)

PUBLIC_ENDPOINTS = {"api.openapi"}
View = TypeVar("View", bound=Callable[..., Any])


def api_user() -> User:
    """The user of the request's token."""
    return g.api_user


def _error_response(status: int, error: str, message: str, field: str | None = None) -> Response:
    """The JSON error body; the message in the language the client asked for (Accept-Language, else Danish)."""
    response = jsonify({"error": error, "message": localized(message), "field": field})
    response.status_code = status
    response.headers["Content-Language"] = str(get_locale() or "da")
    response.vary.add("Accept-Language")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="quota"'
    return response


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> Response:
    db_session().rollback()
    return _error_response(exc.status, exc.error, exc.message, exc.field)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError) -> Response:
    db_session().rollback()
    if isinstance(exc, NotFound):
        return _error_response(404, "not_found", exc.message, exc.field)
    if isinstance(exc, Conflict):
        return _error_response(409, "conflict", exc.message, exc.field)
    return _error_response(422, "unprocessable", exc.message, exc.field)


@bp.errorhandler(StaleDataError)
@bp.errorhandler(sa.exc.DBAPIError)
def _clash(exc: Exception) -> ResponseReturnValue:
    """A save that met another (409) or a lock not had in time (503, Retry-After); else a 500."""
    return contention.answer(exc)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    code = exc.code or 500
    return _error_response(code, ERROR_NAMES.get(code, (exc.name or "error").lower()), exc.description or "")


# Checks an operation makes before its input is read, by endpoint (see checked_first).
FIRST_CHECKS: dict[str, Callable[..., None]] = {}


def checked_first(check: Callable[..., None]) -> Callable[[View], View]:
    """Run check(user, **path arguments) for the operation right after the token is known, before the
    library validates the operation's input: who may not call it hears 403 (or 404), whatever they sent."""

    def register(view: View) -> View:
        FIRST_CHECKS[f"{bp.name}.{view.__name__}"] = check
        return view

    return register


@bp.before_request
def _authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        fail(401, N_("Mangler API-nøgle: send 'Authorization: Bearer NØGLE'."))
    session = db_session()
    if request.method not in READ_METHODS and database().one_writer_at_a_time:
        # The token is read in a short transaction of its own, so that the request's write transaction
        # (the database's one write lock) begins with its own first statement, not with the lookup.
        with database().begin(write=False) as reader:
            found = find_token(reader, secret=secret.strip())
    else:
        found = find_token(session, secret=secret.strip())
    if found is None:
        session.rollback()
        fail(401, N_("API-nøglen er ugyldig eller tilbagekaldt."))
    token, token_user = found
    token_id, at = token.id, now()
    if use_due(token, now=at):
        if request.method in READ_METHODS:
            # A read keeps its deferred transaction: note the use in a short write of its own, after
            # ending the read (an open read would hold an older snapshot than the write, and in tests
            # its savepoint would enclose the write's).
            session.rollback()
            with database().begin() as writer:
                note_use(writer, token_id=token_id, now=at)
        else:
            note_use(session, token_id=token_id, now=at)  # saved with the request's own changes
    g.api_user = token_user
    for name, value in request.args.items(multi=True):
        check_text(value, name, status=400)
    check = FIRST_CHECKS.get(request.endpoint or "")
    if check is not None:
        check(token_user, **(request.view_args or {}))


@bp.route("/openapi.json")
def openapi() -> Response:
    """The OpenAPI document flask-openapi3 wrote (once per app) from the operations and their schemas."""
    return jsonify(cast(OpenAPI, current_app).api_doc)


NO_ACCESS = N_("Du har ikke adgang til denne forvaltnings data.")


def department_of(code: str, field: str = "department") -> Department:
    """The department of a code in a query (every operation that takes one): 404 if unknown, 403 if not the
    token user's to see."""
    department = services.department_by_code(db_session(), code)
    if department is None:
        fail(404, N_("Ukendt forvaltning '%(code)s'.", code=code), field)
    if not services.may_see(api_user(), department.id):
        fail(403, NO_ACCESS, field)
    return department
