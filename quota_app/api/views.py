"""The JSON API under /api/v1: reference data, targets, places and their events, the reconciliation.

Each operation takes its input as the pydantic models of schemas.py (flask-openapi3 validates them and
puts them in the OpenAPI document), checks the token user's department, calls the services, commits.
"""

from __future__ import annotations

from typing import cast

from ..auth.services import can_see_all_departments
from ..models import STATUSES, Department, User
from ..places import registration, status_events
from ..reconcile.figures import reconcile as run_reconcile
from ..reconcile.figures import reconciliation_to_json
from ..reconcile.types import Method, RuleOverride
from ..targets import services as targets
from ..texts import N_
from ..web import db_session, now
from . import services
from .blueprint import JsonAnswer, api_user, bp, checked_first, department_of
from .document import PLACES, PREFIX, RECONCILE, REFERENCE, TARGETS, errors
from .inputs import fail, missing
from .schemas import (
    DepartmentList,
    EventInput,
    EventJson,
    PlaceInput,
    PlacementTypeList,
    PlacePage,
    PlacePath,
    PlacesQuery,
    PlaceWithEvents,
    ReconcileQuery,
    ReconciliationJson,
    TargetList,
    TargetsInput,
    TargetsQuery,
)

WRITERS_OF_TARGETS = ("bif", "admin")


@bp.get(
    "/departments",
    operation_id="listDepartments",
    summary="Forvaltninger",
    tags=[REFERENCE],
    responses={200: DepartmentList},
)
def departments() -> JsonAnswer:
    return {"departments": services.departments(db_session())}


@bp.get(
    "/types",
    operation_id="listTypes",
    summary="Ordninger",
    tags=[REFERENCE],
    responses={200: PlacementTypeList},
)
def types() -> JsonAnswer:
    return {"types": services.types(db_session())}


@bp.get(
    "/targets",
    operation_id="listTargets",
    summary="Måltal (HR: egen forvaltning)",
    tags=[TARGETS],
    responses={200: TargetList, **errors(403, 404)},
)
def get_targets(query: TargetsQuery) -> JsonAnswer:
    department = department_of(query.department) if query.department else None
    rows = services.targets(db_session(), user=api_user(), year=query.year, department=department)
    return {"targets": rows}


def _writes_targets(user: User) -> None:
    if user.role not in WRITERS_OF_TARGETS:
        fail(403, N_("Kun BIF og administratorer kan ændre måltal."))


@checked_first(_writes_targets)
@bp.put(
    "/targets",
    operation_id="putTargets",
    summary="Sæt måltal (kun BIF og administratorer); alt eller intet",
    tags=[TARGETS],
    responses={200: TargetList, **errors(403, 422)},
)
def put_targets(body: TargetsInput) -> JsonAnswer:
    session = db_session()
    saved = []
    for item in body.targets:
        department = services.department_by_code(session, item.department)
        if department is None:
            fail(422, N_("Ukendt forvaltning '%(code)s'.", code=item.department), "department")
        placement_type = services.type_by_code(session, item.type)
        if placement_type is None:
            fail(422, N_("Ukendt ordning '%(code)s'.", code=item.type), "type")
        target = targets.set_target(
            session,
            year=item.year,
            department_id=department.id,
            type_id=placement_type.id,
            value=item.value,
            decided_on=item.decided_on,
            reference=item.reference or "",
            actor=api_user(),
            now=now(),
        )
        saved.append(services.target_json(target, department.code, placement_type.code))
    session.commit()
    return {"targets": saved}


@bp.get(
    "/places",
    operation_id="listPlaces",
    summary="Pladser (HR: egen forvaltning)",
    tags=[PLACES],
    responses={200: PlacePage, **errors(403, 404)},
)
def list_places(query: PlacesQuery) -> JsonAnswer:
    department = department_of(query.department) if query.department else None
    placement_type = None
    if query.type:
        placement_type = services.type_by_code(db_session(), query.type)
        if placement_type is None:
            fail(404, N_("Ukendt ordning '%(code)s'.", code=query.type), "type")
    total, rows = services.list_places(
        db_session(),
        user=api_user(),
        department=department,
        placement_type=placement_type,
        status=query.status,
        limit=query.limit,
        offset=query.offset,
    )
    return {"total": total, "limit": query.limit, "offset": query.offset, "places": rows}


@bp.get(
    "/places/<id:place_id>",
    operation_id="getPlace",
    summary="En plads med alle hændelser",
    tags=[PLACES],
    responses={200: PlaceWithEvents, **errors(404)},
)
def get_place(path: PlacePath) -> JsonAnswer:
    return services.get_place(db_session(), user=api_user(), place_id=path.place_id)


@bp.post(
    "/places",
    operation_id="createPlace",
    summary="Opret en plads med sin første status",
    tags=[PLACES],
    responses={201: PlaceWithEvents, **errors(403, 404, 409, 422)},
)
def create_place(body: PlaceInput) -> JsonAnswer:
    user = api_user()
    session = db_session()
    if body.department is None:
        if not user.department_id:
            missing("department")
        department_id = user.department_id
    else:
        department = services.department_by_code(session, body.department)
        if department is None:
            fail(422, N_("Ukendt forvaltning '%(code)s'.", code=body.department), "department")
        department_id = department.id
    if not services.may_see(user, department_id):
        fail(403, N_("Du kan kun oprette pladser i din egen forvaltning."), "department")
    if services.type_by_code(session, body.type) is None:
        fail(422, N_("Ukendt ordning '%(code)s'.", code=body.type), "type")
    place = registration.register_place(
        session,
        department_id=department_id,
        type_code=body.type,
        reference=body.reference,
        title=body.title or "",
        unit_id=services.unit_id_for(session, department_id=department_id, name=body.unit),
        fte=body.fte,
        status=body.status,
        effective_date=body.effective_date,
        note=body.note or "",
        actor=user,
        now=now(),
        source="api",
    )
    session.commit()
    return services.get_place(session, user=user, place_id=place.id), 201


def _visible_place(user: User, place_id: int) -> None:
    services.ensure_visible(db_session(), user=user, place_id=place_id)  # 404 unless visible


@checked_first(_visible_place)
@bp.post(
    "/places/<id:place_id>/events",
    operation_id="createEvent",
    summary="Registrér en ny status for en plads",
    tags=[PLACES],
    responses={201: EventJson, **errors(404, 409, 422)},
)
def create_event(path: PlacePath, body: EventInput) -> JsonAnswer:
    session = db_session()
    event = status_events.record_status(
        session,
        place_id=path.place_id,
        status=body.status,
        effective_date=body.effective_date,
        note=body.note or "",
        expected_version=body.expected_version,
        actor=api_user(),
        now=now(),
        source="api",
    )
    session.commit()
    return services.event_json(event), 201


@bp.get(
    "/reconcile",
    operation_id="reconcile",
    summary="Afstemning som 'quota reconcile --format json'",
    tags=[RECONCILE],
    responses={200: ReconciliationJson, **errors(403, 404)},
)
def reconcile(query: ReconcileQuery) -> JsonAnswer:
    user = api_user()
    session = db_session()
    codes = list(query.department)
    for code in codes:
        department_of(code)
    if not codes and not can_see_all_departments(user):
        codes = [session.get_one(Department, user.department_id).code]
    for code in query.type:
        if services.type_by_code(session, code) is None:
            fail(404, N_("Ukendt ordning '%(code)s'.", code=code), "type")
    overrides = []
    for spec in query.count:
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
        as_of=query.as_of,
        period=query.period,
        method=cast(Method, query.method),  # OneOf(METHODS) checked it
        known_at=query.known_at or now(),
        department_codes=codes or None,
        type_codes=query.type or None,
        overrides=overrides,
    )
    return reconciliation_to_json(result)


# The last operation, POST /imports/places, is imports.py's. Then every operation is collected, its path
# relative to the document's server: mount the blueprint there.
from . import compliance, imports  # noqa: E402, F401

bp.url_prefix = PREFIX
