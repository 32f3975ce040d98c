"""The life of a place: registration, status events, corrections and voids (docs/counting.md §1-2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from .. import converters, cpr
from ..audit import services as audit
from ..clock import local_date
from ..errors import Conflict, DomainError, NotFound
from ..models import STATUSES, Department, Place, PlaceEvent, PlacementType, Unit, User
from ..texts import N_, ByLanguage, Joined, Text

STATUS_DA = {"open": N_("åben"), "filled": N_("besat"), "paused": N_("i bero"), "closed": N_("nedlagt")}
ALLOWED_NEXT: dict[str, tuple[str, ...]] = {
    "open": ("filled", "paused", "closed"),
    "filled": ("open", "closed"),
    "paused": ("open", "closed"),
    "closed": (),
}
FIRST_STATUSES = ("open", "filled")
FIELD_DA = {
    "title": N_("Titlen"),
    "note": N_("Bemærkningen"),
    "reason": N_("Begrundelsen"),
    "reference": N_("Referencen"),
    "unit": N_("Enheden"),
}
MAX_LENGTH = {"reference": 100, "title": 300, "note": 2000, "reason": 2000}

CONFLICT_MESSAGE = N_(
    "Pladsen er blevet ændret af en anden, siden du hentede den. Hent den igen og prøv på ny."
)


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


def status_da(status: str | None) -> str:
    """Return the word for a status code (Danish; a Text, so it is translated where it is shown)."""
    return STATUS_DA.get(status or "", status or "")


def type_name(placement_type: PlacementType) -> Text:
    """Return a placement type's name in each language it is stored in."""
    return ByLanguage(da=placement_type.name_da, en=placement_type.name_en)


def _words(statuses: Sequence[str]) -> str:
    names = [status_da(s) for s in statuses]
    if len(names) == 1:
        return names[0]
    return N_("%(first)s eller %(last)s", first=Joined(names[:-1], ", "), last=names[-1])


def unknown_status(status: str) -> Text:
    return N_("Ukendt status '%(status)s': brug åben, besat, i bero eller nedlagt.", status=status)


def transition_problem(previous: str | None, status: str, day: date) -> Text | None:
    """Return why a place may not go from previous (None: it has no status yet) to status on day."""
    if status not in STATUSES:
        return unknown_status(status)
    if previous is None:
        if status in FIRST_STATUSES:
            return None
        return N_(
            "En plads skal begynde som åben eller besat, ikke som %(status)s (%(date)s).",
            status=status_da(status),
            date=day,
        )
    if previous == status:
        return N_(
            "Pladsen er allerede %(status)s (%(date)s): det er ikke en ændring.",
            status=status_da(status),
            date=day,
        )
    if previous == "closed":
        return N_(
            "En nedlagt plads kan ikke blive %(status)s (%(date)s): nedlagt er endeligt. "
            "En fejlagtig nedlæggelse rettes med en rettelse.",
            status=status_da(status),
            date=day,
        )
    if status not in ALLOWED_NEXT[previous]:
        return N_(
            "En plads kan ikke gå fra %(previous)s til %(status)s (%(date)s). "
            "En %(previous)s plads kan kun blive %(allowed)s.",
            previous=status_da(previous),
            status=status_da(status),
            date=day,
            allowed=_words(ALLOWED_NEXT[previous]),
        )
    return None


def history_problem(history: Sequence[tuple[date, str]], *, changed: date | None = None) -> Text | None:
    """Return the first refused transition in a date-ordered history, worded around the changed date."""
    previous: str | None = None
    previous_day: date | None = None
    for day, status in history:
        problem = transition_problem(previous, status, day)
        if problem:
            if changed is not None and previous_day == changed and day != changed:
                return N_(
                    "Det passer ikke med den senere registrering %(date)s: %(problem)s",
                    date=day,
                    problem=problem,
                )
            return problem
        previous, previous_day = status, day
    return None


def check_personal_data(text: str, *, field: str) -> None:
    """Refuse text that contains something shaped like a CPR number (see quota_app.cpr)."""
    cpr.check(text, field=field, label=FIELD_DA.get(field, field.capitalize()))


def check_not_future(day: date, *, now: datetime) -> None:
    if day > local_date(now):
        raise DomainError(
            N_("Datoen %(date)s ligger i fremtiden. Registrér ændringen, når den er sket.", date=day),
            field="effective_date",
        )


def _check_text(value: str, field: str, *, required: bool = False) -> str:
    """Stripped, bounded text without control characters or CPR numbers (quota_app.converters)."""
    return converters.clean_text(
        value,
        field=field,
        label=FIELD_DA.get(field, field),
        max_length=MAX_LENGTH.get(field),
        required=required,
        multiline=field in ("note", "reason"),
        cpr_guard=True,
    )


def too_long(label: str, limit: int) -> Text:
    return N_("%(field)s må højst være %(max)d tegn.", field=label, max=limit)


def _actor_id(actor: User | str) -> int | None:
    return actor.id if isinstance(actor, User) else None


def _get_place(session: Session, place_id: int, expected_version: int | None) -> Place:
    """The place about to change, locked until the commit (PostgreSQL: FOR UPDATE; SQLite's write
    transaction holds the whole database): what the change checks cannot move on before it is saved."""
    place = session.get(Place, place_id, populate_existing=True, with_for_update=True)
    if place is None:
        raise NotFound(N_("Pladsen findes ikke."))
    if expected_version is not None and place.version != expected_version:
        raise Conflict(CONFLICT_MESSAGE)
    return place


def _get_event(session: Session, event_id: int) -> PlaceEvent:
    event = session.get(PlaceEvent, event_id, populate_existing=True)
    if event is None:
        raise NotFound(N_("Hændelsen findes ikke."))
    return event


def _live_events(session: Session, place_id: int) -> list[PlaceEvent]:
    """Every event of the place not voided, in (effective_date, recorded_at, id) order."""
    return list(
        session.exec(
            select(PlaceEvent)
            .where(PlaceEvent.place_id == place_id, PlaceEvent.voided_at.is_(None))  # type: ignore[union-attr]
            .order_by(PlaceEvent.effective_date, PlaceEvent.recorded_at, PlaceEvent.id)
        ).all()
    )


def effective_by_date(events: Sequence[PlaceEvent]) -> dict[date, PlaceEvent]:
    """The event that holds on each date: the latest recorded one (events given in recorded order)."""
    result: dict[date, PlaceEvent] = {}
    for event in events:
        result[event.effective_date] = event
    return dict(sorted(result.items()))


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


def _touch_audited(
    session: Session,
    place: Place,
    history: dict[date, str],
    *,
    actor: User | str,
    now: datetime,
    action: str,
    event: PlaceEvent,
    event_before: dict | None = None,
) -> None:
    """_touch the place, then audit the event's change (`action`) and the place's update, in that order."""
    before = audit.snapshot(place)
    _touch(session, place, history)
    audit.record(
        session,
        actor=actor,
        action=action,
        entity=event,
        before=event_before,
        after=audit.snapshot(event),
        at=now,
    )
    audit.record(
        session,
        actor=actor,
        action="place.update",
        entity=place,
        before=before,
        after=audit.snapshot(place),
        at=now,
    )


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise DomainError(unknown_status(status), field="status")


def _history_with(current: dict[date, PlaceEvent], day: date, status: str) -> dict[date, str]:
    """The status history with `status` on `day`; DomainError if that history breaks the transition rules."""
    history = {d: event.status for d, event in current.items()}
    history[day] = status
    problem = history_problem(sorted(history.items()), changed=day)
    if problem:
        raise DomainError(problem, field="status")
    return history


def register_place(
    session: Session,
    *,
    department_id: int,
    type_code: str,
    reference: str,
    title: str = "",
    unit_id: int | None = None,
    fte: float = 1.0,
    status: str,
    effective_date: date,
    note: str = "",
    actor: User | str,
    now: datetime,
    source: str = "web",
) -> Place:
    """Create a place with its first status event."""
    department = session.get(Department, department_id)
    if department is None:
        raise NotFound(N_("Forvaltningen findes ikke."))
    placement_type = session.exec(select(PlacementType).where(PlacementType.code == type_code)).first()
    if placement_type is None:
        raise DomainError(N_("Ukendt ordning '%(code)s'.", code=type_code), field="type")
    if not placement_type.active:
        raise DomainError(
            N_("Ordningen %(name)s er ikke længere i brug.", name=type_name(placement_type)), field="type"
        )
    reference = _check_text(reference, "reference", required=True)
    title = _check_text(title, "title")
    note = _check_text(note, "note")
    if unit_id is not None:
        unit = session.get(Unit, unit_id)
        if unit is None or unit.department_id != department.id:
            raise DomainError(N_("Enheden hører ikke til forvaltningen."), field="unit")
    if not (0 < fte <= 1):
        raise DomainError(N_("Årsværk (fte) skal være over 0 og højst 1."), field="fte")
    problem = transition_problem(None, status, effective_date)
    if problem:
        raise DomainError(problem, field="status")
    check_not_future(effective_date, now=now)
    duplicate = session.exec(
        select(Place.id).where(Place.department_id == department.id, Place.reference == reference)
    ).first()
    if duplicate is not None:
        raise DomainError(
            N_(
                "Der findes allerede en plads med referencen '%(reference)s' i %(department)s.",
                reference=reference,
                department=department.code,
            ),
            field="reference",
        )
    place = Place(
        department_id=department.id,
        unit_id=unit_id,
        type_id=placement_type.id,
        reference=reference,
        title=title,
        fte=fte,
        current_status=status,
        current_since=effective_date,
        created_at=now,
        created_by_id=_actor_id(actor),
    )
    session.add(place)
    session.flush()
    event = PlaceEvent(
        place_id=place.id,
        status=status,
        effective_date=effective_date,
        recorded_at=now,
        recorded_by_id=_actor_id(actor),
        note=note,
        source=source,
    )
    session.add(event)
    session.flush()
    audit.record(
        session, actor=actor, action="place.create", entity=place, after=audit.snapshot(place), at=now
    )
    audit.record(
        session, actor=actor, action="place.status", entity=event, after=audit.snapshot(event), at=now
    )
    return place


def before_first(day: date, first: date) -> Text:
    return N_("Datoen %(date)s ligger før pladsens første registrering (%(first)s).", date=day, first=first)


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
    event = PlaceEvent(
        place_id=place.id,
        status=status,
        effective_date=effective_date,
        recorded_at=now,
        recorded_by_id=_actor_id(actor),
        note=note,
        source=source,
    )
    session.add(event)
    _touch_audited(session, place, history, actor=actor, now=now, action="place.status", event=event)
    return event


def correct_event(
    session: Session,
    *,
    event_id: int,
    status: str,
    reason: str,
    expected_version: int | None = None,
    actor: User | str,
    now: datetime,
) -> PlaceEvent:
    """Correct the status that holds on an event's date with a newer event for the same date."""
    original = _get_event(session, event_id)
    place = _get_place(session, original.place_id, expected_version)
    reason = _check_text(reason, "reason", required=True)
    _check_status(status)
    if original.voided_at is not None:
        raise DomainError(N_("Hændelsen er annulleret og kan ikke rettes."), field="event")
    current = effective_by_date(_live_events(session, place.id))
    if current.get(original.effective_date) is not original:
        raise DomainError(
            N_("Hændelsen er allerede rettet af en nyere registrering; ret den nyeste i stedet."),
            field="event",
        )
    if original.status == status:
        raise DomainError(
            N_("Hændelsen er allerede %(status)s: en rettelse skal ændre status.", status=status_da(status)),
            field="status",
        )
    history = _history_with(current, original.effective_date, status)
    correction = PlaceEvent(
        place_id=place.id,
        status=status,
        effective_date=original.effective_date,
        recorded_at=now,
        recorded_by_id=_actor_id(actor),
        note=reason,
        corrects_event_id=original.id,
        source="correction",
    )
    session.add(correction)
    _touch_audited(
        session,
        place,
        history,
        actor=actor,
        now=now,
        action="place.correct",
        event=correction,
        event_before=audit.snapshot(original),
    )
    return correction


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
    event = _get_event(session, event_id)
    place = _get_place(session, event.place_id, expected_version)
    reason = _check_text(reason, "reason", required=True)
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


def place_timeline(session: Session, *, place_id: int) -> list[TimelineEntry]:
    """Every event of a place, voided ones and corrections included, in date and recording order."""
    if session.get(Place, place_id) is None:
        raise NotFound(N_("Pladsen findes ikke."))
    events = list(
        session.exec(
            select(PlaceEvent)
            .where(PlaceEvent.place_id == place_id)
            .order_by(PlaceEvent.effective_date, PlaceEvent.recorded_at, PlaceEvent.id)
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
        sa.select(PlaceEvent.status)
        .where(
            PlaceEvent.place_id == place_id,
            PlaceEvent.effective_date <= day,
            PlaceEvent.recorded_at <= known_at,
            sa.or_(PlaceEvent.voided_at.is_(None), PlaceEvent.voided_at > known_at),  # type: ignore[union-attr]
        )
        .order_by(PlaceEvent.effective_date.desc(), PlaceEvent.recorded_at.desc(), PlaceEvent.id.desc())
        .limit(1)
    )
    return session.execute(statement).scalar()
