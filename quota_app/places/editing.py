"""Editing a place (docs/counting.md §9): its title and reference directly, its unit and fte from a date.

Title and reference name the place and are not counted: they are changed on the place and audited. Unit
and fte are counted: a change holds from a date, is recorded as a PlaceAttribute row (dated, known-at,
never deleted, voided when a mistake) and the counted intervals follow it, so that a figure counted as
known at an earlier moment stays as it was. Place.unit_id and Place.fte cache the latest-dated live row.
Imports (quota_app.imports.place_writes) write the same rows in bulk.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col

from ..audit import services as audit
from ..compliance.check import check_place
from ..errors import DomainError, NotFound
from ..models import ORIGIN, Place, PlaceAttribute, Unit, User
from ..texts import N_
from .rules import _actor_id, _check_text, check_not_future
from .status_events import _audit_with_place, _get_place, _live_events, _touch

_ATTRIBUTE = PlaceAttribute.__table__


class AttributeRow(NamedTuple):
    id: int
    effective_date: date
    recorded_at: datetime
    unit_id: int | None
    fte: float


_LIVE = (
    sa.select(
        _ATTRIBUTE.c.id,
        _ATTRIBUTE.c.effective_date,
        _ATTRIBUTE.c.recorded_at,
        _ATTRIBUTE.c.unit_id,
        _ATTRIBUTE.c.fte,
    )
    .where(_ATTRIBUTE.c.place_id == sa.bindparam("place_id"), _ATTRIBUTE.c.voided_at.is_(None))
    .order_by(_ATTRIBUTE.c.effective_date, _ATTRIBUTE.c.recorded_at, _ATTRIBUTE.c.id)
)


def live_attributes(session: Session, place_id: int) -> list[AttributeRow]:
    """The place's attribute rows not voided, in (effective_date, recorded_at, id) order."""
    return [AttributeRow(*row) for row in session.execute(_LIVE, {"place_id": place_id})]


def attributes_on(rows: list[AttributeRow], day: date) -> tuple[int | None, float] | None:
    """The unit and fte on day of these live rows (ordered as live_attributes gives them)."""
    found = None
    for row in rows:
        if row.effective_date <= day:
            found = (row.unit_id, row.fte)
    return found


def origin_row(place: Place, *, source: str = "web") -> PlaceAttribute:
    """The row of a place's first attributes (dated ORIGIN: from the start, known always)."""
    return PlaceAttribute(
        place_id=place.id,
        effective_date=ORIGIN,
        unit_id=place.unit_id,
        fte=place.fte,
        recorded_at=place.created_at,
        recorded_by_id=place.created_by_id,
        source=source,
    )


def _ensure_origin(session: Session, place: Place, rows: list[AttributeRow]) -> list[AttributeRow]:
    """A place registered before its attributes were dated (or loaded in bulk) gets its ORIGIN row first."""
    if rows:
        return rows
    session.add(origin_row(place))
    session.flush()
    return live_attributes(session, place.id)


def _refresh_cache(session: Session, place: Place) -> None:
    """Place.unit_id and fte from the latest-dated live row; bump the version (_touch)."""
    rows = live_attributes(session, place.id)
    if rows:
        place.unit_id, place.fte = rows[-1].unit_id, rows[-1].fte
    history = {place.current_since: place.current_status} if place.current_since else {}
    _touch(session, place, history)  # type: ignore[arg-type]  # a current_since has its current_status


def check_unit(session: Session, place: Place, unit_id: int | None) -> None:
    if unit_id is not None:
        unit = session.get(Unit, unit_id)
        if unit is None or unit.department_id != place.department_id:
            raise DomainError(N_("Enheden hører ikke til forvaltningen."), field="unit")


def check_fte(fte: float) -> None:
    if not (0 < fte <= 1):
        raise DomainError(N_("Årsværk (fte) skal være over 0 og højst 1."), field="fte")


def rename_place(
    session: Session,
    *,
    place_id: int,
    reference: str,
    title: str,
    expected_version: int | None = None,
    actor: User | str,
    now: datetime,
) -> Place:
    """Change a place's reference and title (not counted: they hold as changed, audited)."""
    place = _get_place(session, place_id, expected_version)
    reference = _check_text(reference, "reference", required=True)
    title = _check_text(title, "title")
    if reference == place.reference and title == place.title:
        raise DomainError(N_("Der er ikke ændret noget."), field="reference")
    if reference != place.reference:
        duplicate = session.execute(
            sa.select(col(Place.id)).where(
                col(Place.department_id) == place.department_id,
                col(Place.reference) == reference,
                col(Place.id) != place.id,
            )
        ).first()
        if duplicate is not None:
            raise DomainError(
                N_("Der findes allerede en plads med referencen '%(reference)s'.", reference=reference),
                field="reference",
            )
    before = audit.snapshot(place)
    place.reference, place.title = reference, title
    history = {place.current_since: place.current_status} if place.current_since else {}
    _touch(session, place, history)  # type: ignore[arg-type]  # a current_since has its current_status
    audit.record_change(session, place, action="place.edit", before=before, actor=actor, now=now)
    return place


def change_attributes(
    session: Session,
    *,
    place_id: int,
    effective_date: date,
    unit_id: int | None,
    fte: float,
    note: str = "",
    expected_version: int | None = None,
    actor: User | str,
    now: datetime,
    source: str = "web",
) -> PlaceAttribute:
    """Record that a place's unit and fte are these from effective_date on (back-dated allowed, not into
    the future); counting on dates before keeps the old ones, and so does counting as known before now."""
    place = _get_place(session, place_id, expected_version)
    note = _check_text(note, "note")
    check_unit(session, place, unit_id)
    check_fte(fte)
    check_not_future(effective_date, now=now)
    rows = _ensure_origin(session, place, live_attributes(session, place.id))
    if attributes_on(rows, effective_date) == (unit_id, fte) and not any(
        r.effective_date > effective_date for r in rows
    ):
        raise DomainError(
            N_("Pladsen har allerede den enhed og det årsværk %(date)s.", date=effective_date), field="fte"
        )
    row = PlaceAttribute(
        place_id=place.id,
        effective_date=effective_date,
        unit_id=unit_id,
        fte=fte,
        recorded_at=now,
        recorded_by_id=_actor_id(actor),
        note=note,
        source=source,
    )
    session.add(row)
    session.flush()
    before = audit.snapshot(place)
    _refresh_cache(session, place)
    if unit_id is not None and unit_id != attributes_on(rows, effective_date)[0]:  # type: ignore[index]  # the place has live rows
        # A place moved into a unit counts against that workplace's ceiling from the date on.
        history = {e.effective_date: e.status for e in _live_events(session, place.id)}
        check_place(session, place, history, changed_from=effective_date, now=now)
    _audit_with_place(session, place, before, actor=actor, now=now, action="place.attributes", row=row)
    return row


def void_attributes(
    session: Session,
    *,
    attribute_id: int,
    reason: str,
    expected_version: int | None = None,
    actor: User | str,
    now: datetime,
) -> PlaceAttribute:
    """Void a dated change of unit and fte: it stays in the history but no longer counts from now on."""
    row = session.get(PlaceAttribute, attribute_id, populate_existing=True)
    if row is None:
        raise NotFound(N_("Ændringen findes ikke."))
    place = _get_place(session, row.place_id, expected_version)
    reason = _check_text(reason, "reason", required=True)
    if row.voided_at is not None:
        raise DomainError(N_("Ændringen er allerede annulleret."), field="event")
    if row.effective_date == ORIGIN:
        raise DomainError(
            N_("Pladsens første enhed og årsværk kan ikke annulleres; registrér en ændring fra en dato."),
            field="event",
        )
    before_row = audit.snapshot(row)
    row.voided_at, row.voided_by_id, row.void_reason = now, _actor_id(actor), reason
    session.add(row)
    session.flush()
    before = audit.snapshot(place)
    _refresh_cache(session, place)
    _audit_with_place(
        session,
        place,
        before,
        actor=actor,
        now=now,
        action="place.attributes_void",
        row=row,
        row_before=before_row,
    )
    return row
