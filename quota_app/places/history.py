"""Reading a place's history: its timeline, and its status on a day as known at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ..errors import NotFound
from ..models import Place, PlaceEvent
from ..texts import N_
from .rules import effective_by_date, status_da


@dataclass(frozen=True)
class TimelineEntry:
    """One event of a place as shown in its history; `effective` tells whether it counts today."""

    event_id: int
    status: str
    status_da: str
    effective_date: date
    recorded_at: datetime
    recorded_by_id: int | None
    note: str
    source: str
    corrects_event_id: int | None
    voided_at: datetime | None
    voided_by_id: int | None
    void_reason: str | None
    effective: bool


def place_timeline(session: Session, *, place_id: int) -> list[TimelineEntry]:
    """Every event of a place, voided ones and corrections included, in date and recording order."""
    if session.get(Place, place_id) is None:
        raise NotFound(N_("Pladsen findes ikke."))
    events = list(
        session.exec(
            select(PlaceEvent)
            .where(PlaceEvent.place_id == place_id)
            .order_by(col(PlaceEvent.effective_date), col(PlaceEvent.recorded_at), col(PlaceEvent.id))
        ).all()
    )
    effective_ids = {e.id for e in effective_by_date([e for e in events if e.voided_at is None]).values()}
    return [
        TimelineEntry(
            event_id=e.id,
            status=e.status,
            status_da=status_da(e.status),
            effective_date=e.effective_date,
            recorded_at=e.recorded_at,
            recorded_by_id=e.recorded_by_id,
            note=e.note,
            source=e.source,
            corrects_event_id=e.corrects_event_id,
            voided_at=e.voided_at,
            voided_by_id=e.voided_by_id,
            void_reason=e.void_reason,
            effective=e.id in effective_ids,
        )
        for e in events
    ]


def status_on(session: Session, *, place_id: int, day: date, known_at: datetime) -> str | None:
    """Return the status of a place on a date as known at a time (None: the place did not exist yet)."""
    statement = (
        sa.select(col(PlaceEvent.status))
        .where(
            col(PlaceEvent.place_id) == place_id,
            col(PlaceEvent.effective_date) <= day,
            col(PlaceEvent.recorded_at) <= known_at,
            sa.or_(col(PlaceEvent.voided_at).is_(None), col(PlaceEvent.voided_at) > known_at),
        )
        .order_by(
            col(PlaceEvent.effective_date).desc(),
            col(PlaceEvent.recorded_at).desc(),
            col(PlaceEvent.id).desc(),
        )
        .limit(1)
    )
    return session.execute(statement).scalar()
