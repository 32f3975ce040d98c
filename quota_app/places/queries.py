"""Read-only queries behind the places pages: the filtered, sorted, paginated list, a place's histories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ..db import danish_contains, danish_order
from ..models import (
    ORIGIN,
    STATUSES,
    Department,
    Place,
    PlaceAttribute,
    PlaceEvent,
    PlacementType,
    Unit,
    User,
)
from ..reconcile.places import place_listing

PER_PAGE = 25
SORTS = ("reference", "title", "type", "unit", "status", "since", "-since")
AGE_THRESHOLDS = (90, 60, 30)


@dataclass(frozen=True)
class PlaceRow:
    id: int
    reference: str
    title: str
    type_code: str
    type_name_da: str
    type_name_en: str
    unit: str | None
    status: str | None
    since: date | None
    days: int | None  # days the place has had its current status on the measuring day
    age_over: int | None  # 30, 60 or 90 when an open place has been open longer than that


@dataclass(frozen=True)
class PlacePage:
    rows: list[PlaceRow]
    total: int
    page: int
    pages: int
    per_page: int


def age_over(status: str | None, days: int | None) -> int | None:
    """Return the largest of 30/60/90 an open place has been open longer than, else None."""
    if status != "open" or days is None:
        return None
    return next((limit for limit in AGE_THRESHOLDS if days > limit), None)


def list_places(
    session: Session,
    *,
    department_id: int,
    today: date,
    type_code: str | None = None,
    status: str | None = None,
    unit_id: int | None = None,
    text: str | None = None,
    open_over: int | None = None,
    sort: str = "reference",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> PlacePage:
    """Return one page of a department's places with their current status and its age."""
    statement = place_listing(Place, PlacementType, Unit).where(Place.department_id == department_id)
    if type_code:
        statement = statement.where(PlacementType.code == type_code)
    if status in STATUSES:
        statement = statement.where(Place.current_status == status)
    if unit_id:
        statement = statement.where(Place.unit_id == unit_id)
    if text and text.strip():
        term = text.strip()
        statement = statement.where(
            sa.or_(
                danish_contains(Place.reference, term),
                danish_contains(Place.title, term),
                danish_contains(Unit.name, term),
            )
        )
    if open_over:
        statement = statement.where(
            col(Place.current_status) == "open",
            col(Place.current_since) < date.fromordinal(today.toordinal() - open_over),
        )
    total = session.exec(select(sa.func.count()).select_from(statement.subquery())).one()
    order = {
        "reference": [danish_order(Place.reference)],
        "title": [danish_order(Place.title), danish_order(Place.reference)],
        "type": [PlacementType.sort, danish_order(Place.reference)],
        "unit": [danish_order(sa.func.coalesce(Unit.name, "")), danish_order(Place.reference)],
        "status": [Place.current_status, danish_order(Place.reference)],
        "since": [col(Place.current_since).asc(), col(Place.id)],
        "-since": [col(Place.current_since).desc(), col(Place.id)],
    }[sort if sort in SORTS else "reference"]
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    results = session.exec(statement.order_by(*order, Place.id).offset((page - 1) * per_page).limit(per_page))
    rows = []
    for place, placement_type, unit in results.all():
        days = (today - place.current_since).days if place.current_since else None
        rows.append(
            PlaceRow(
                id=place.id,
                reference=place.reference,
                title=place.title,
                type_code=placement_type.code,
                type_name_da=placement_type.name_da,
                type_name_en=placement_type.name_en,
                unit=unit.name if unit else None,
                status=place.current_status,
                since=place.current_since,
                days=days,
                age_over=age_over(place.current_status, days),
            )
        )
    return PlacePage(rows=rows, total=total, page=page, pages=pages, per_page=per_page)


def department_units(session: Session, department_id: int) -> list[Unit]:
    return list(
        session.exec(
            select(Unit).where(Unit.department_id == department_id).order_by(danish_order(Unit.name))
        ).all()
    )


def active_types(session: Session) -> list[PlacementType]:
    return list(
        session.exec(
            select(PlacementType).where(col(PlacementType.active)).order_by(col(PlacementType.sort))
        ).all()
    )


def departments(session: Session) -> list[Department]:
    return list(session.exec(select(Department).order_by(col(Department.sort), col(Department.code))).all())


@dataclass(frozen=True)
class HistoryItem:
    """A dated row of a place's history: who recorded it when, and whether (and why) it was voided."""

    id: int
    effective_date: date
    recorded_at: object  # aware UTC datetime
    recorded_by: str
    note: str
    voided_at: object | None
    voided_by: str | None
    void_reason: str | None

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


@dataclass(frozen=True)
class TimelineItem(HistoryItem):
    status: str
    source: str
    corrects_event_id: int | None


def timeline(session: Session, *, place_id: int) -> list[TimelineItem]:
    """Every event of a place, newest effective date first; corrections and voided events included."""
    recorder = sa.orm.aliased(User)
    voider = sa.orm.aliased(User)
    rows = session.exec(
        select(PlaceEvent, recorder, voider)
        .join(recorder, col(recorder.id) == col(PlaceEvent.recorded_by_id), isouter=True)
        .join(voider, col(voider.id) == col(PlaceEvent.voided_by_id), isouter=True)
        .where(PlaceEvent.place_id == place_id)
        .order_by(
            col(PlaceEvent.effective_date).desc(),
            col(PlaceEvent.recorded_at).desc(),
            col(PlaceEvent.id).desc(),
        )
    ).all()
    return [
        TimelineItem(
            id=event.id,
            status=event.status,
            effective_date=event.effective_date,
            recorded_at=event.recorded_at,
            recorded_by=(who.name or who.email) if who else event.source,
            note=event.note,
            source=event.source,
            corrects_event_id=event.corrects_event_id,
            voided_at=event.voided_at,
            voided_by=((by.name or by.email) if by else None),
            void_reason=event.void_reason,
        )
        for event, who, by in rows
    ]


@dataclass(frozen=True)
class AttributeItem(HistoryItem):
    """A dated unit and fte of a place as shown in its history (from_start: its first attributes)."""

    from_start: bool
    unit: str | None
    fte: float


def attribute_history(session: Session, *, place_id: int) -> list[AttributeItem]:
    """Every dated unit and fte of a place, newest date first; voided ones included."""
    recorder, voider = sa.orm.aliased(User), sa.orm.aliased(User)
    rows = session.exec(
        select(PlaceAttribute, Unit.name, recorder, voider)
        .join(Unit, col(Unit.id) == col(PlaceAttribute.unit_id), isouter=True)
        .join(recorder, col(recorder.id) == col(PlaceAttribute.recorded_by_id), isouter=True)
        .join(voider, col(voider.id) == col(PlaceAttribute.voided_by_id), isouter=True)
        .where(col(PlaceAttribute.place_id) == place_id)
        .order_by(
            col(PlaceAttribute.effective_date).desc(),
            col(PlaceAttribute.recorded_at).desc(),
            col(PlaceAttribute.id).desc(),
        )
    ).all()
    return [
        AttributeItem(
            id=row.id,
            from_start=row.effective_date == ORIGIN,
            effective_date=row.effective_date,
            unit=unit,
            fte=row.fte,
            recorded_at=row.recorded_at,
            recorded_by=(who.name or who.email) if who else row.source,
            note=row.note,
            voided_at=row.voided_at,
            voided_by=(by.name or by.email) if by else None,
            void_reason=row.void_reason,
        )
        for row, unit, who, by in rows
    ]
