"""The open places the reminder and the alert mails list, with their department, unit and type."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ..models import Department, Place, PlaceEvent, PlacementType, Unit
from ..reconcile.places import place_listing
from ..texts import ByLanguage


@dataclass(frozen=True)
class OpenPlaceForMail:
    """An open place as one line of a reminder or alert mail."""

    department: str
    unit: str
    type_name: ByLanguage  # Danish as a str, English when rendered in English
    reference: str
    title: str
    since: date | None


def opened_places(session: Session, *, since: datetime, until: datetime) -> list[OpenPlaceForMail]:
    """Places still open whose opening was recorded in (since, until]."""
    opened = (
        select(PlaceEvent.place_id)
        .where(
            PlaceEvent.status == "open",
            col(PlaceEvent.voided_at).is_(None),
            PlaceEvent.recorded_at > since,
            PlaceEvent.recorded_at <= until,
        )
        .distinct()
    )
    return _place_lines(session, sa.and_(col(Place.id).in_(opened), col(Place.current_status) == "open"))


def open_places_of(session: Session, department_id: int) -> list[OpenPlaceForMail]:
    return _place_lines(
        session, sa.and_(col(Place.department_id) == department_id, col(Place.current_status) == "open")
    )


def _place_lines(session: Session, condition: Any) -> list[OpenPlaceForMail]:
    rows = session.exec(
        place_listing(
            Department.code,
            Unit.name,
            PlacementType.name_da,
            PlacementType.name_en,
            Place.reference,
            Place.title,
            Place.current_since,
        )
        .where(condition)
        .order_by(Department.code, Place.current_since, Place.reference)
    ).all()
    return [
        OpenPlaceForMail(d, u or "", ByLanguage(da=da, en=en), r, title, s)
        for d, u, da, en, r, title, s in rows
    ]
