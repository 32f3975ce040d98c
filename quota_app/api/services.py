"""Queries and JSON shapes of the API; scoping by the token's user happens here, without Flask."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ..auth.services import can_see_all_departments, scope_to_user
from ..errors import DomainError, NotFound
from ..models import Department, Place, PlaceEvent, PlacementType, Target, Unit, User
from ..reconcile.places import place_listing
from ..texts import N_

MAX_ID = 2**31 - 1


def iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def department_json(d: Department) -> dict[str, Any]:
    return {
        "code": d.code,
        "name": d.name,
        "mayor_title": d.mayor_title,
        "mayor_name": d.mayor_name,
        "active": d.active,
    }


def type_json(t: PlacementType) -> dict[str, Any]:
    return {
        "code": t.code,
        "name_da": t.name_da,
        "name_en": t.name_en,
        "measure": t.measure,
        "target_unit": t.target_unit,
        "active": t.active,
    }


def departments(session: Session) -> list[dict[str, Any]]:
    rows = session.exec(select(Department).order_by(col(Department.sort), col(Department.code))).all()
    return [department_json(d) for d in rows]


def types(session: Session) -> list[dict[str, Any]]:
    rows = session.exec(
        select(PlacementType).order_by(col(PlacementType.sort), col(PlacementType.code))
    ).all()
    return [type_json(t) for t in rows]


def department_by_code(session: Session, code: str) -> Department | None:
    return session.exec(select(Department).where(Department.code == code)).first()


def type_by_code(session: Session, code: str) -> PlacementType | None:
    return session.exec(select(PlacementType).where(PlacementType.code == code)).first()


def may_see(user: User, department_id: int) -> bool:
    return can_see_all_departments(user) or user.department_id == department_id


def targets(
    session: Session, *, user: User, year: int | None, department: Department | None
) -> list[dict[str, Any]]:
    statement = (
        select(Target, Department.code, PlacementType.code)
        .join(Department, col(Department.id) == col(Target.department_id))
        .join(PlacementType, col(PlacementType.id) == col(Target.type_id))
    )
    statement = scope_to_user(statement, Target.department_id, user)
    if year is not None:
        statement = statement.where(Target.year == year)
    if department is not None:
        statement = statement.where(Target.department_id == department.id)
    statement = statement.order_by(Target.year, Department.sort, Department.code, PlacementType.sort)
    return [target_json(t, d, ty) for t, d, ty in session.exec(statement).all()]


def target_json(t: Target, department_code: str, type_code: str) -> dict[str, Any]:
    return {
        "year": t.year,
        "department": department_code,
        "type": type_code,
        "value": t.value,
        "decided_on": iso(t.decided_on),
        "reference": t.reference,
    }


def _place_columns() -> Any:  # rows of (place, department code, type code, unit name)
    return place_listing(Place, Department.code, PlacementType.code, Unit.name)


def place_json(place: Place, department_code: str, type_code: str, unit_name: str | None) -> dict[str, Any]:
    return {
        "id": place.id,
        "reference": place.reference,
        "department": department_code,
        "type": type_code,
        "unit": unit_name,
        "title": place.title,
        "fte": place.fte,
        "status": place.current_status,
        "status_since": iso(place.current_since),
        "version": place.version,
    }


def list_places(
    session: Session,
    *,
    user: User,
    department: Department | None,
    placement_type: PlacementType | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[int, list[dict[str, Any]]]:
    """Return (total, one page of places) that the user may see."""
    statement = scope_to_user(_place_columns(), Place.department_id, user)
    count = scope_to_user(select(sa.func.count()).select_from(Place), Place.department_id, user)
    filters = []
    if department is not None:
        filters.append(Place.department_id == department.id)
    if placement_type is not None:
        filters.append(Place.type_id == placement_type.id)
    if status is not None:
        filters.append(Place.current_status == status)
    for condition in filters:
        statement, count = statement.where(condition), count.where(condition)
    total = int(session.exec(count).one())
    rows = session.exec(statement.order_by(Place.id).limit(limit).offset(offset)).all()
    return total, [place_json(*row) for row in rows]


def ensure_visible(session: Session, *, user: User, place_id: int) -> None:
    """NotFound unless the place exists and the user may see it."""
    department_id = None
    if 0 < place_id <= MAX_ID:
        department_id = session.exec(select(Place.department_id).where(Place.id == place_id)).first()
    if department_id is None or not may_see(user, department_id):
        raise NotFound(N_("Pladsen findes ikke."))


def get_place(session: Session, *, user: User, place_id: int) -> dict[str, Any]:
    """Return a place with every event (voided ones and corrections included); NotFound if not visible."""
    if not 0 < place_id <= MAX_ID:
        raise NotFound(N_("Pladsen findes ikke."))
    row = session.exec(_place_columns().where(Place.id == place_id)).first()
    if row is None or not may_see(user, row[0].department_id):
        raise NotFound(N_("Pladsen findes ikke."))
    result = place_json(*row)
    events = session.exec(
        select(PlaceEvent)
        .where(PlaceEvent.place_id == place_id)
        .order_by(col(PlaceEvent.effective_date), col(PlaceEvent.recorded_at), col(PlaceEvent.id))
    ).all()
    result["events"] = [event_json(e) for e in events]
    return result


def event_json(e: PlaceEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "status": e.status,
        "effective_date": e.effective_date.isoformat(),
        "recorded_at": e.recorded_at.isoformat().replace("+00:00", "Z"),
        "note": e.note,
        "corrects_event_id": e.corrects_event_id,
        "source": e.source,
        "voided_at": e.voided_at.isoformat().replace("+00:00", "Z") if e.voided_at else None,
        "void_reason": e.void_reason,
    }


def unit_id_for(session: Session, *, department_id: int, name: str | None) -> int | None:
    if not name:
        return None
    unit = session.exec(select(Unit).where(Unit.department_id == department_id, Unit.name == name)).first()
    if unit is None:
        raise DomainError(N_("Ukendt enhed '%(name)s' i forvaltningen.", name=name), field="unit")
    return unit.id
