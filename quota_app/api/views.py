"""The JSON API under /api/v1: Bearer tokens only, scoped by the token's user; errors always JSON."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, g, jsonify, request
from flask_babel import get_locale
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from .. import contention, converters
from ..auth.services import can_see_all_departments
from ..errors import Conflict, DomainError, NotFound
from ..extensions import csrf
from ..models import STATUSES, User
from ..targets import checks as target_checks
from ..targets import services as targets
from ..texts import N_
from ..tokens.services import find_token, note_use, use_due
from ..web import READ_METHODS, database, db_session, localized, now
from . import imports, services
from .inputs import (
    ERROR_NAMES,
    ApiError,
    arg_int,
    check_text,
    date_field,
    fail,
    int_field,
    json_body,
    text_field,
)
from .openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
bp.add_url_rule("/imports/places", "import_places", imports.import_places_view, methods=["POST"])

MAX_PAGE = 1000
WRITERS_OF_TARGETS = ("bif", "admin")
PUBLIC_ENDPOINTS = {"api.openapi"}


NO_ACCESS = N_("Du har ikke adgang til denne forvaltnings data.")


def _error_response(status: int, error: str, message: str, field: str | None = None):  # type: ignore[no-untyped-def]
    """The JSON error body; the message in the language the client asked for (Accept-Language, else Danish)."""
    response = jsonify({"error": error, "message": localized(message), "field": field})
    response.status_code = status
    response.headers["Content-Language"] = str(get_locale() or "da")
    response.vary.add("Accept-Language")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="quota"'
    return response


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):  # type: ignore[no-untyped-def]
    db_session().rollback()
    return _error_response(exc.status, exc.error, exc.message, exc.field)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):  # type: ignore[no-untyped-def]
    db_session().rollback()
    if isinstance(exc, NotFound):
        return _error_response(404, "not_found", exc.message, exc.field)
    if isinstance(exc, Conflict):
        return _error_response(409, "conflict", exc.message, exc.field)
    return _error_response(422, "unprocessable", exc.message, exc.field)


@bp.errorhandler(StaleDataError)
@bp.errorhandler(sa.exc.DBAPIError)
def _clash(exc: Exception):  # type: ignore[no-untyped-def]
    """A save that met another (409) or a lock not had in time (503, Retry-After); else a 500."""
    return contention.answer(exc)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
    code = exc.code or 500
    return _error_response(code, ERROR_NAMES.get(code, (exc.name or "error").lower()), exc.description or "")


@bp.before_request
def _authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        fail(401, N_("Mangler API-nøgle: send 'Authorization: Bearer NØGLE'."))
    # The token is read in a short transaction of its own: a write request's transaction (on SQLite the
    # database's one write lock) begins with the request's first own statement, not with the lookup.
    with database().begin(write=False) as reader:
        found = find_token(reader, secret=secret.strip())
    if found is None:
        fail(401, N_("API-nøglen er ugyldig eller tilbagekaldt."))
    token, user = found
    token_id, at = token.id, now()
    if use_due(token, now=at):
        if request.method in READ_METHODS:
            with database().begin() as writer:  # a short write of its own: a read stays deferred
                note_use(writer, token_id=token_id, now=at)
        else:
            note_use(db_session(), token_id=token_id, now=at)  # saved with the request's own changes
    g.api_user = user
    for name, value in request.args.items(multi=True):
        check_text(value, name, status=400)


def _user() -> User:
    return g.api_user


def _arg_department(name: str = "department"):  # type: ignore[no-untyped-def]
    code = request.args.get(name)
    if not code:
        return None
    department = services.department_by_code(db_session(), code)
    if department is None:
        fail(404, N_("Ukendt forvaltning '%(code)s'.", code=code), name)
    if not services.may_see(_user(), department.id):
        fail(403, NO_ACCESS, name)
    return department


# --- body (400 when not JSON, 422 when a field is wrong) ---


# --- endpoints ---


@bp.route("/openapi.json")
def openapi():  # type: ignore[no-untyped-def]
    return jsonify(openapi_document())


@bp.route("/departments")
def departments():  # type: ignore[no-untyped-def]
    return jsonify({"departments": services.departments(db_session())})


@bp.route("/types")
def types():  # type: ignore[no-untyped-def]
    return jsonify({"types": services.types(db_session())})


@bp.route("/targets", methods=["GET"])
def get_targets():  # type: ignore[no-untyped-def]
    year = arg_int("year", default=None, low=target_checks.MIN_YEAR, high=target_checks.MAX_YEAR)
    department = _arg_department()
    rows = services.targets(db_session(), user=_user(), year=year, department=department)
    return jsonify({"targets": rows})


@bp.route("/targets", methods=["PUT"])
def put_targets():  # type: ignore[no-untyped-def]
    if _user().role not in WRITERS_OF_TARGETS:
        fail(403, N_("Kun BIF og administratorer kan ændre måltal."))
    body = json_body()
    items = body.get("targets")
    if not isinstance(items, list) or not items or len(items) > 1000:
        fail(422, N_("Feltet 'targets' skal være en liste med 1-1000 måltal."), "targets")
    session = db_session()
    saved = []
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            fail(422, N_("Måltal nr. %(number)d skal være et JSON-objekt.", number=position + 1), "targets")
        year = int_field(item, "year", low=target_checks.MIN_YEAR, high=target_checks.MAX_YEAR)
        value = int_field(item, "value", low=0, high=target_checks.MAX_VALUE)
        department_code = text_field(item, "department", max_length=10)
        type_code = text_field(item, "type", max_length=40)
        decided_on = date_field(item, "decided_on", required=False)
        reference = text_field(item, "reference", required=False) or ""
        department = services.department_by_code(session, department_code)
        if department is None:
            fail(422, N_("Ukendt forvaltning '%(code)s'.", code=department_code), "department")
        placement_type = services.type_by_code(session, type_code)
        if placement_type is None:
            fail(422, N_("Ukendt ordning '%(code)s'.", code=type_code), "type")
        target = targets.set_target(
            session,
            year=year,
            department_id=department.id,
            type_id=placement_type.id,
            value=value,
            decided_on=decided_on,
            reference=reference,
            actor=_user(),
            now=now(),
        )
        saved.append(services.target_json(target, department.code, placement_type.code))
    session.commit()
    return jsonify({"targets": saved})


@bp.route("/places", methods=["GET"])
def list_places():  # type: ignore[no-untyped-def]
    department = _arg_department()
    type_code = request.args.get("type")
    placement_type = None
    if type_code:
        placement_type = services.type_by_code(db_session(), type_code)
        if placement_type is None:
            fail(404, N_("Ukendt ordning '%(code)s'.", code=type_code), "type")
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        fail(
            400,
            N_("Ukendt status '%(status)s': brug %(known)s.", status=status, known=", ".join(STATUSES)),
            "status",
        )
    limit = arg_int("limit", default=100, low=1, high=MAX_PAGE)
    offset = arg_int("offset", default=0, low=0, high=10_000_000)
    total, rows = services.list_places(
        db_session(),
        user=_user(),
        department=department,
        placement_type=placement_type,
        status=status,
        limit=limit,
        offset=offset,
    )
    return jsonify({"total": total, "limit": limit, "offset": offset, "places": rows})


@bp.route("/places/<id:place_id>", methods=["GET"])
def get_place(place_id: int):  # type: ignore[no-untyped-def]
    return jsonify(services.get_place(db_session(), user=_user(), place_id=place_id))


@bp.route("/places", methods=["POST"])
def create_place():  # type: ignore[no-untyped-def]
    from ..places.registration import register_place

    user = _user()
    body = json_body()
    session = db_session()
    department_code = text_field(body, "department", required=not user.department_id, max_length=10)
    if department_code is None:
        department_id = user.department_id
    else:
        department = services.department_by_code(session, department_code)
        if department is None:
            fail(422, N_("Ukendt forvaltning '%(code)s'.", code=department_code), "department")
        department_id = department.id
    if not services.may_see(user, department_id):
        fail(403, N_("Du kan kun oprette pladser i din egen forvaltning."), "department")
    type_code = text_field(body, "type", max_length=40)
    if services.type_by_code(session, type_code) is None:
        fail(422, N_("Ukendt ordning '%(code)s'.", code=type_code), "type")
    fte = body.get("fte", 1.0)
    if isinstance(fte, bool) or not isinstance(fte, int | float) or not 0 < fte <= 1:
        fail(422, N_("Feltet 'fte' skal være et tal større end 0 og højst 1."), "fte")
    status = text_field(body, "status", max_length=10)
    if status not in STATUSES:
        fail(422, N_("Ukendt status '%(status)s'.", status=status), "status")
    place = register_place(
        session,
        department_id=department_id,
        type_code=type_code,
        reference=text_field(body, "reference", max_length=100),
        title=text_field(body, "title", required=False) or "",
        unit_id=services.unit_id_for(
            session,
            department_id=department_id,
            name=text_field(body, "unit", required=False, max_length=200),
        ),
        fte=float(fte),
        status=status,
        effective_date=date_field(body, "effective_date"),
        note=text_field(body, "note", required=False, max_length=2000, multiline=True) or "",
        actor=user,
        now=now(),
        source="api",
    )
    session.commit()
    return jsonify(services.get_place(session, user=user, place_id=place.id)), 201


@bp.route("/places/<id:place_id>/events", methods=["POST"])
def create_event(place_id: int):  # type: ignore[no-untyped-def]
    from ..places.status_events import record_status

    user = _user()
    session = db_session()
    services.ensure_visible(session, user=user, place_id=place_id)  # 404 unless visible
    body = json_body()
    status = text_field(body, "status", max_length=10)
    if status not in STATUSES:
        fail(422, N_("Ukendt status '%(status)s'.", status=status), "status")
    event = record_status(
        session,
        place_id=place_id,
        status=status,
        effective_date=date_field(body, "effective_date"),
        note=text_field(body, "note", required=False, max_length=2000, multiline=True) or "",
        expected_version=int_field(body, "expected_version", low=0, high=services.MAX_ID, required=False),
        actor=user,
        now=now(),
        source="api",
    )
    session.commit()
    return jsonify(services.event_json(event)), 201


@bp.route("/reconcile")
def reconcile():  # type: ignore[no-untyped-def]
    from ..reconcile.figures import reconcile as run_reconcile
    from ..reconcile.figures import reconciliation_to_json
    from ..reconcile.types import RuleOverride

    user = _user()
    args = request.args
    as_of_text, period_text = args.get("as_of"), args.get("period")
    if bool(as_of_text) == bool(period_text):
        fail(400, N_("Angiv enten 'as_of' eller 'period'."), "as_of")
    as_of = period = None
    try:
        if as_of_text:
            as_of = converters.parse_date(as_of_text, field="as_of")
        else:
            period = converters.parse_period(period_text)
        known_at = converters.parse_timestamp(args["known_at"]) if args.get("known_at") else now()
    except DomainError as exc:
        fail(400, exc.message, exc.field)
    method = args.get("method") or "point"
    if method not in ("point", "average"):
        fail(400, N_("Parameteren 'method' skal være 'point' eller 'average'."), "method")
    session = db_session()
    codes = args.getlist("department")
    for code in codes:
        department = services.department_by_code(session, code)
        if department is None:
            fail(404, N_("Ukendt forvaltning '%(code)s'.", code=code), "department")
        if not services.may_see(user, department.id):
            fail(403, NO_ACCESS, "department")
    if not codes and not can_see_all_departments(user):
        codes = [session.get(services.Department, user.department_id).code]
    type_codes = args.getlist("type")
    for code in type_codes:
        if services.type_by_code(session, code) is None:
            fail(404, N_("Ukendt ordning '%(code)s'.", code=code), "type")
    overrides = []
    for spec in args.getlist("count"):
        type_code, sep, statuses = spec.partition("=")
        chosen = tuple(s.strip() for s in statuses.split(",") if s.strip())
        if (
            not sep
            or services.type_by_code(session, type_code) is None
            or any(s not in STATUSES for s in chosen)
        ):
            fail(400, N_("Ugyldig 'count' '%(spec)s': brug TYPE=STATUS,STATUS.", spec=spec), "count")
        overrides.append(RuleOverride(type_code=type_code, counted_statuses=chosen))
    result = run_reconcile(
        session,
        as_of=as_of,
        period=period,
        method=method,
        known_at=known_at,
        department_codes=codes or None,
        type_codes=type_codes or None,
        overrides=overrides,
    )
    return jsonify(reconciliation_to_json(result))
