"""Recording a status change of a place (docs/counting.md §2), and the steps every change of its history takes.

A change locks the place, reads its live events, checks the history it would make, adds or voids an event,
then refreshes the place's status cache and version and audits both (`_touch_audited`); corrections.py
takes the same steps. record_status serves the pages, the API and the imports' history.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from ..audit import services as audit
from ..compliance.check import check_place
from ..errors import Conflict, DomainError, NotFound
from ..models import STATUSES, Place, PlaceEvent, User
from ..texts import N_
from .rules import (
    CONFLICT_MESSAGE,
    _actor_id,
    _check_text,
    before_first,
    check_not_future,
    effective_by_date,
    history_problem,
    status_da,
    unknown_status,
)


def _get_place(session: Session, place_id: int, expected_version: int | None) -> Place:
    """The place about to change, locked until the commit (PostgreSQL: FOR UPDATE; SQLite's write
    transaction holds the whole database): what the change checks cannot move on before it is saved."""
    place = session.get(Place, place_id, populate_existing=True, with_for_update=True)
    if place is None:
        raise NotFound(N_("Pladsen findes ikke."))
    if expected_version is not None and place.version != expected_version:
        raise Conflict(CONFLICT_MESSAGE)
    return place


class LiveEvent(NamedTuple):
    """What a change checks of the place's events (read as rows: a change never edits them)."""

    id: int
    status: str
    effective_date: date


_EVENT = PlaceEvent.__table__
_LIVE_EVENTS = (
    sa.select(_EVENT.c.id, _EVENT.c.status, _EVENT.c.effective_date)
    .where(_EVENT.c.place_id == sa.bindparam("place_id"), _EVENT.c.voided_at.is_(None))
    .order_by(_EVENT.c.effective_date, _EVENT.c.recorded_at, _EVENT.c.id)
)


def _live_events(session: Session, place_id: int) -> list[LiveEvent]:
    """Every event of the place not voided, in (effective_date, recorded_at, id) order."""
    return [LiveEvent(*row) for row in session.execute(_LIVE_EVENTS, {"place_id": place_id})]


def _touch(session: Session, place: Place, history: dict[date, str]) -> None:
    """Refresh the status cache and bump the place's version, also when the cache does not change."""
    if history:
        last_day = max(history)
        place.current_status, place.current_since = history[last_day], last_day
    else:
        place.current_status, place.current_since = None, None
    flag_modified(place, "current_status")
    session.add(place)
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(CONFLICT_MESSAGE) from exc


def _add_event(
    session: Session,
    place: Place,
    status: str,
    effective_date: date,
    *,
    note: str,
    source: str,
    actor: User | str,
    now: datetime,
    corrects_event_id: int | None = None,
) -> PlaceEvent:
    """A new status event of a place, recorded now by actor (registration, a new status, a correction)."""
    event = PlaceEvent(
        place_id=place.id,
        status=status,
        effective_date=effective_date,
        recorded_at=now,
        recorded_by_id=_actor_id(actor),
        note=note,
        corrects_event_id=corrects_event_id,
        source=source,
    )
    session.add(event)
    return event


def _touch_audited(
    session: Session,
    place: Place,
    history: dict[date, str],
    *,
    actor: User | str,
    now: datetime,
    action: str,
    event: PlaceEvent,
    event_before: dict[str, Any] | None = None,
) -> None:
    """_touch the place, then audit the event's change (`action`) and the place's update, in that order."""
    before = audit.snapshot(place)
    _touch(session, place, history)
    _audit_with_place(
        session, place, before, actor=actor, now=now, action=action, row=event, row_before=event_before
    )


def _audit_with_place(
    session: Session,
    place: Place,
    place_before: dict[str, Any],
    *,
    actor: User | str,
    now: datetime,
    action: str,
    row: Any,
    row_before: dict[str, Any] | None = None,
) -> None:
    """Audit a change of one of the place's rows (`action`), then the place's update, in that order."""
    audit.record_change(session, row, action=action, before=row_before, actor=actor, now=now)
    audit.record_change(session, place, action="place.update", before=place_before, actor=actor, now=now)


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise DomainError(unknown_status(status), field="status")


def _history_with(current: dict[date, LiveEvent], day: date, status: str) -> dict[date, str]:
    """The status history with `status` on `day`; DomainError if that history breaks the transition rules."""
    history = {d: event.status for d, event in current.items()}
    history[day] = status
    problem = history_problem(sorted(history.items()), changed=day)
    if problem:
        raise DomainError(problem, field="status")
    return history


def record_status(
    session: Session,
    *,
    place_id: int,
    status: str,
    effective_date: date,
    note: str = "",
    expected_version: int | None = None,
    actor: User | str,
    now: datetime,
    source: str = "web",
) -> PlaceEvent:
    """Record that a place changed status on a date (back-dated allowed, never into the future)."""
    place = _get_place(session, place_id, expected_version)
    note = _check_text(note, "note")
    _check_status(status)
    check_not_future(effective_date, now=now)
    current = effective_by_date(_live_events(session, place.id))
    if current and effective_date < min(current):
        raise DomainError(before_first(effective_date, min(current)), field="effective_date")
    if effective_date in current:
        existing = current[effective_date].status
        if existing == status:
            raise DomainError(
                N_(
                    "Pladsen er allerede registreret som %(status)s %(date)s.",
                    status=status_da(status),
                    date=effective_date,
                ),
                field="status",
            )
        raise DomainError(
            N_(
                "Der er allerede registreret en status (%(status)s) %(date)s. "
                "Ret den registrering i stedet for at tilføje en ny.",
                status=status_da(existing),
                date=effective_date,
            ),
            field="effective_date",
        )
    history = _history_with(current, effective_date, status)
    if status == "filled":
        check_place(session, place, history, changed_from=effective_date, now=now)
    event = _add_event(session, place, status, effective_date, note=note, source=source, actor=actor, now=now)
    _touch_audited(session, place, history, actor=actor, now=now, action="place.status", event=event)
    return event
