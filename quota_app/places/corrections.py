"""Correcting and voiding a place's status events (docs/counting.md §2): history is never rewritten in place."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from ..audit import services as audit
from ..compliance.check import check_place
from ..errors import DomainError, NotFound
from ..models import Place, PlaceEvent, User
from ..texts import N_
from .rules import _actor_id, _check_text, check_not_future, effective_by_date, history_problem, status_da
from .status_events import (
    LiveEvent,
    _add_event,
    _check_status,
    _get_place,
    _history_with,
    _live_events,
    _touch_audited,
)


def _get_event(session: Session, event_id: int) -> PlaceEvent:
    event = session.get(PlaceEvent, event_id, populate_existing=True)
    if event is None:
        raise NotFound(N_("Hændelsen findes ikke."))
    return event


def _event_to_change(
    session: Session, event_id: int, expected_version: int | None, reason: str
) -> tuple[PlaceEvent, Place, str]:
    """What a correction and a void start with: the event, its place locked and checked against the
    version the form was made from (a clash otherwise), and the reason they both require."""
    event = _get_event(session, event_id)
    place = _get_place(session, event.place_id, expected_version)
    return event, place, _check_text(reason, "reason", required=True)


def correct_event(
    session: Session,
    *,
    event_id: int,
    status: str,
    reason: str,
    effective_date: date | None = None,
    expected_version: int | None = None,
    actor: User | str,
    now: datetime,
) -> PlaceEvent:
    """Correct an event: its status with a newer event for the same date; with another effective_date
    (a wrong date), void it and record the status on the right date, in one step with one reason."""
    original, place, reason = _event_to_change(session, event_id, expected_version, reason)
    _check_status(status)
    if original.voided_at is not None:
        raise DomainError(N_("Hændelsen er annulleret og kan ikke rettes."), field="event")
    current = effective_by_date(_live_events(session, place.id))
    holding = current.get(original.effective_date)
    if holding is None or holding.id != original.id:
        raise DomainError(
            N_("Hændelsen er allerede rettet af en nyere registrering; ret den nyeste i stedet."),
            field="event",
        )
    if effective_date is not None and effective_date != original.effective_date:
        return _move_event(
            session,
            place,
            original,
            current,
            status=status,
            day=effective_date,
            reason=reason,
            actor=actor,
            now=now,
        )
    if original.status == status:
        raise DomainError(
            N_("Hændelsen er allerede %(status)s: en rettelse skal ændre status.", status=status_da(status)),
            field="status",
        )
    history = _history_with(current, original.effective_date, status)
    if status == "filled":
        check_place(session, place, history, changed_from=original.effective_date, now=now)
    return _add_correction(
        session,
        place,
        original,
        history,
        status=status,
        day=original.effective_date,
        reason=reason,
        original_before=audit.snapshot(original),
        actor=actor,
        now=now,
    )


def _add_correction(
    session: Session,
    place: Place,
    original: PlaceEvent,
    history: dict[date, str],
    *,
    status: str,
    day: date,
    reason: str,
    original_before: dict[str, Any],
    actor: User | str,
    now: datetime,
) -> PlaceEvent:
    """Record the status on day as a correction of the original event, audited as place.correct."""
    correction = _add_event(
        session,
        place,
        status,
        day,
        note=reason,
        source="correction",
        actor=actor,
        now=now,
        corrects_event_id=original.id,
    )
    _touch_audited(
        session,
        place,
        history,
        actor=actor,
        now=now,
        action="place.correct",
        event=correction,
        event_before=original_before,
    )
    return correction


def _move_event(
    session: Session,
    place: Place,
    original: PlaceEvent,
    current: dict[date, LiveEvent],
    *,
    status: str,
    day: date,
    reason: str,
    actor: User | str,
    now: datetime,
) -> PlaceEvent:
    """Void an event registered on a wrong date and record the status on the right day (one reason)."""
    check_not_future(day, now=now)
    if day in current:
        raise DomainError(
            N_(
                "Der er allerede en registrering (%(status)s) %(date)s. Ret den registrering i stedet.",
                status=status_da(current[day].status),
                date=day,
            ),
            field="effective_date",
        )
    remaining = {d: e for d, e in current.items() if e.id != original.id}
    history = _history_with(remaining, day, status)
    # Filled from another day, or the status before the old day lasting longer: the ceiling decides.
    check_place(session, place, history, changed_from=min(day, original.effective_date), now=now)
    before_event = audit.snapshot(original)
    original.voided_at, original.voided_by_id, original.void_reason = now, _actor_id(actor), reason
    session.add(original)
    return _add_correction(
        session,
        place,
        original,
        history,
        status=status,
        day=day,
        reason=reason,
        original_before=before_event,
        actor=actor,
        now=now,
    )


def void_event(
    session: Session,
    *,
    event_id: int,
    reason: str,
    expected_version: int | None = None,
    actor: User | str,
    now: datetime,
) -> PlaceEvent:
    """Void an event: it stays in the history but no longer counts from now on."""
    event, place, reason = _event_to_change(session, event_id, expected_version, reason)
    if event.voided_at is not None:
        raise DomainError(N_("Hændelsen er allerede annulleret."), field="event")
    remaining = [e for e in _live_events(session, place.id) if e.id != event.id]
    if not remaining:
        raise DomainError(
            N_(
                "Pladsens eneste registrering kan ikke annulleres; "
                "ret den, eller registrér at pladsen er nedlagt."
            ),
            field="event",
        )
    history = {day: e.status for day, e in effective_by_date(remaining).items()}
    problem = history_problem(sorted(history.items()))
    if problem:
        raise DomainError(
            N_("Annulleringen ville give en ugyldig historik: %(problem)s", problem=problem), field="event"
        )
    if event.status != "filled":  # the status before it may now last longer
        check_place(session, place, history, changed_from=event.effective_date, now=now)
    before_event = audit.snapshot(event)
    event.voided_at = now
    event.voided_by_id = _actor_id(actor)
    event.void_reason = reason
    session.add(event)
    _touch_audited(
        session,
        place,
        history,
        actor=actor,
        now=now,
        action="place.void",
        event=event,
        event_before=before_event,
    )
    return event
