"""Saving a planned place import in bulk: new places, their events, changed places and units, the audit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from ..audit import services as audit
from ..errors import Conflict
from ..models import ORIGIN, Place, PlaceAttribute, PlaceEvent, Unit, User
from ..reconcile.intervals import refresh_places
from ..texts import N_
from .files import ImportResult
from .place_plan import Existing, Plan, chunks
from .place_rows import PlaceRows

CHUNK = 2000
CONFLICT_MESSAGE_IMPORT = N_(
    "Nogle af pladserne blev ændret af en anden under indlæsningen. Prøv igen; intet er gemt."
)


def write_import(
    session: Session,
    places: dict[tuple[int, str], PlaceRows],
    existing: dict[tuple[int, str], Existing],
    plan: Plan,
    units: dict[tuple[int, str], int],
    updates: list[dict[str, Any]],
    result: ImportResult,
    *,
    actor: User | str,
    now: datetime,
    filename: str,
    on_saved: Callable[[int, int], None] | None = None,
) -> None:
    actor_id = actor.id if isinstance(actor, User) else None
    to_save, saved = result.events_created + result.corrections, 0
    new_keys = [key for key in plan if key not in existing]
    place_ids: dict[tuple[int, str], int] = {key: e.id for key, e in existing.items()}
    place_table = Place.__table__
    for chunk in chunks(new_keys, CHUNK):
        rows = []
        for key in chunk:
            place = places[key]
            last_day, last_status, _c, _n = plan[key][-1]
            rows.append(
                {
                    "department_id": place.department_id,
                    "unit_id": units.get((place.department_id, place.unit.casefold()))
                    if place.unit
                    else None,
                    "type_id": place.type_id,
                    "reference": place.reference,
                    "title": place.title or "",
                    "fte": place.fte if place.fte is not None else 1.0,
                    "version": 1,
                    "current_status": last_status,
                    "current_since": last_day,
                    "created_at": now,
                    "created_by_id": actor_id,
                }
            )
        returned = session.execute(
            sa.insert(place_table).returning(
                place_table.c.id,
                place_table.c.department_id,
                place_table.c.reference,
                sort_by_parameter_order=True,
            ),
            rows,
        )
        for place_id, department_id, reference in returned:
            place_ids[(department_id, reference)] = place_id
    events: list[dict[str, Any]] = []
    event_table = PlaceEvent.__table__
    for key, planned in plan.items():
        for day, status, corrects, note in planned:
            events.append(
                {
                    "place_id": place_ids[key],
                    "status": status,
                    "effective_date": day,
                    "recorded_at": now,
                    "recorded_by_id": actor_id,
                    "note": note,
                    "corrects_event_id": corrects,
                    "source": "import",
                }
            )
        if len(events) >= CHUNK:
            session.execute(sa.insert(event_table), events)
            saved += len(events)
            events = []
            if on_saved is not None:
                on_saved(saved, to_save)
    if events:
        session.execute(sa.insert(event_table), events)
    if on_saved is not None:
        on_saved(to_save, to_save)
    _update_existing(session, updates)
    _write_attributes(session, places, place_ids, new_keys, units, updates, actor_id=actor_id, now=now)
    session.flush()
    # Bulk writes bypass the ORM's flush hook: rebuild the counted intervals of every place written to.
    refresh_places(session.connection(), [place_ids[key] for key in plan] + [u["pid"] for u in updates])
    changed = result.places_created + result.events_created + result.corrections + result.places_updated
    if changed:
        audit.record(
            session,
            actor=actor,
            action="place.import",
            entity_type="import",
            entity_id=filename[:60],
            after={"filename": filename, **result.counts()},
            at=now,
        )


def ensure_units(
    session: Session, places: dict[tuple[int, str], PlaceRows], result: ImportResult, *, create: bool
) -> dict[tuple[int, str], int]:
    """Return unit ids by (department, folded name); create the units the file names (dry run: count them)."""
    wanted: dict[tuple[int, str], str] = {}
    for place in places.values():
        if place.unit:
            wanted.setdefault((place.department_id, place.unit.casefold()), place.unit)
    units: dict[tuple[int, str], int] = {}
    department_ids = {department_id for department_id, _ in wanted}
    if department_ids:
        statement = sa.select(col(Unit.id), col(Unit.department_id), col(Unit.name)).where(
            col(Unit.department_id).in_(department_ids)
        )
        for unit_id, department_id, name in session.execute(statement):
            units.setdefault((department_id, name.casefold()), unit_id)
    for key, name in wanted.items():
        if key not in units:
            result.units_created += 1
            if not create:
                units[key] = -result.units_created  # stands for the unit a real run would create
                continue
            unit = Unit(department_id=key[0], name=name)
            session.add(unit)
            session.flush()
            units[key] = unit.id
    return units


def _write_attributes(
    session: Session,
    places: dict[tuple[int, str], PlaceRows],
    place_ids: dict[tuple[int, str], int],
    new_keys: list[tuple[int, str]],
    units: dict[tuple[int, str], int],
    updates: list[dict[str, Any]],
    *,
    actor_id: int | None,
    now: datetime,
) -> None:
    """The dated unit and fte rows (PlaceAttribute) the import writes: each new place's first ones, and
    each existing place's change from the date of its latest row (with its first ones if it had none)."""
    base = {"recorded_at": now, "recorded_by_id": actor_id, "note": "", "source": "import"}
    rows = []
    for key in new_keys:
        place = places[key]
        rows.append(
            {
                **base,
                "place_id": place_ids[key],
                "effective_date": ORIGIN,
                "unit_id": units.get((place.department_id, place.unit.casefold())) if place.unit else None,
                "fte": place.fte if place.fte is not None else 1.0,
            }
        )
    for update in updates:
        if update["dated"] is None:
            continue
        if update["origin"] is not None:
            unit_id, fte = update["origin"]
            rows.append(
                {**base, "place_id": update["pid"], "effective_date": ORIGIN, "unit_id": unit_id, "fte": fte}
            )
        day, unit_id, fte = update["dated"]
        rows.append(
            {**base, "place_id": update["pid"], "effective_date": day, "unit_id": unit_id, "fte": fte}
        )
    for chunk in chunks(rows, CHUNK):
        session.execute(sa.insert(PlaceAttribute.__table__), chunk)


BOUND = ("pid", "b_version", "b_status", "b_since", "b_title", "b_fte", "b_unit")


def _update_existing(session: Session, updates: list[dict[str, Any]]) -> None:
    """Write the new status cache and attributes of existing places, bumping their version."""
    table = Place.__table__
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("pid"), table.c.version == sa.bindparam("b_version"))
        .values(
            current_status=sa.bindparam("b_status"),
            current_since=sa.bindparam("b_since"),
            title=sa.bindparam("b_title"),
            fte=sa.bindparam("b_fte"),
            unit_id=sa.bindparam("b_unit"),
            version=table.c.version + 1,
        )
    )
    for chunk in chunks([{name: u[name] for name in BOUND} for u in updates], CHUNK):
        updated = session.exec(statement, params=chunk)
        if session.get_bind().dialect.supports_sane_multi_rowcount and updated.rowcount != len(chunk):
            # Someone changed one of these places between our reading and writing it.
            raise Conflict(CONFLICT_MESSAGE_IMPORT)
    changed = {u["pid"] for u in updates}
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Place) and obj.id in changed:
            session.expire(obj)  # the ORM may hold these places: make it read the new versions
