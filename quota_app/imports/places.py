"""Importing places and their status events from CSV or XLSX: all or nothing (docs/files.md §3)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from .. import converters
from ..audit import services as audit
from ..errors import Conflict, DomainError
from ..models import Department, Place, PlaceEvent, PlacementType, Unit, User
from ..places.rules import (
    FIELD_DA,
    MAX_LENGTH,
    before_first,
    today_in_copenhagen,
    too_long,
    transition_problem,
    unknown_status,
)
from ..reconcile.intervals import refresh_places
from ..texts import N_, Joined
from .files import ImportResult, RowError, looks_like_formula, parse_date, parse_decimal, read_table
from .limits import ImportLimits

__all__ = ["COLUMNS", "ImportResult", "RowError", "import_places"]

COLUMNS = ("reference", "department", "type", "status", "effective_date", "unit", "title", "fte", "note")
REQUIRED = COLUMNS[:5]
HEADER_ALIASES = {
    "reference": "reference",
    "ref": "reference",
    "department": "department",
    "forvaltning": "department",
    "type": "type",
    "ordning": "type",
    "status": "status",
    "effective_date": "effective_date",
    "dato": "effective_date",
    "virkningsdato": "effective_date",
    "unit": "unit",
    "enhed": "unit",
    "title": "title",
    "titel": "title",
    "fte": "fte",
    "årsværk": "fte",
    "note": "note",
    "bemærkning": "note",
}
COLUMN_DA = {
    "reference": N_("reference"),
    "department": N_("forvaltning"),
    "type": N_("ordning"),
    "status": N_("status"),
    "effective_date": N_("dato"),
    "unit": N_("enhed"),
    "title": N_("titel"),
    "fte": N_("årsværk (fte)"),
    "note": N_("bemærkning"),
}
STATUS_WORDS = {
    "open": "open",
    "filled": "filled",
    "paused": "paused",
    "closed": "closed",
    "åben": "open",
    "aaben": "open",
    "besat": "filled",
    "i bero": "paused",
    "nedlagt": "closed",
}
STATUS_CODES = ("open", "filled", "paused", "closed")
CHUNK = 2000
CONFLICT_MESSAGE_IMPORT = N_(
    "Nogle af pladserne blev ændret af en anden under indlæsningen. Prøv igen; intet er gemt."
)
PROGRESS_EVERY = 1000


class _PlaceRows:
    """What the file says about one place, kept small: attributes and (date, status, row, note) events."""

    __slots__ = (
        "department_id",
        "events",
        "first_row",
        "fte",
        "reference",
        "tainted",
        "title",
        "type_id",
        "unit",
    )

    def __init__(self, department_id: int, reference: str, first_row: int) -> None:
        self.department_id = department_id
        self.reference = reference
        self.first_row = first_row
        self.type_id: int | None = None
        self.unit: str | None = None
        self.title: str | None = None
        self.fte: float | None = None
        self.events: list[tuple[int, int, int, str]] = []  # (date ordinal, status index, row, note)
        self.tainted = False  # a row of this place is bad: its history is not checked (it would mislead)


class _Existing:
    __slots__ = ("fte", "history", "id", "title", "type_id", "unit_id", "version")

    def __init__(self, row: Any) -> None:
        self.id, self.type_id, self.unit_id, self.title, self.fte, self.version = (
            row.id,
            row.type_id,
            row.unit_id,
            row.title,
            row.fte,
            row.version,
        )
        self.history: dict[date, tuple[str, int]] = {}  # effective status and event id per date


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _lookups(session: Session) -> tuple[dict[str, Department], dict[str, PlacementType]]:
    departments: dict[str, Department] = {}
    for department in session.execute(sa.select(Department)).scalars():
        departments[_fold(department.code)] = department
        departments.setdefault(_fold(department.name), department)
    types: dict[str, PlacementType] = {}
    for placement_type in session.execute(sa.select(PlacementType)).scalars():
        for name in (placement_type.name_en, placement_type.name_da, placement_type.code):
            types[_fold(name)] = placement_type
    return departments, types


def _map_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
    positions: dict[str, int] = {}
    problems: list[str] = []
    for index, name in enumerate(header):
        if not name:
            continue
        column = HEADER_ALIASES.get(name)
        if column is None:
            problems.append(N_("Ukendt kolonne '%(name)s'.", name=name))
        elif column in positions:
            problems.append(N_("Kolonnen '%(name)s' står der to gange.", name=name))
        else:
            positions[column] = index
    missing = [COLUMN_DA[c] for c in REQUIRED if c not in positions]
    if missing:
        problems.append(N_("Kolonner mangler: %(columns)s.", columns=Joined(missing, ", ")))
    return positions, problems


def import_places(
    session: Session,
    *,
    data: bytes,
    filename: str,
    actor: User | str,
    now: datetime,
    dry_run: bool = False,
    only_department_id: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_saved: Callable[[int, int], None] | None = None,
    limits: ImportLimits | None = None,
) -> ImportResult:
    """Validate every row, then (without errors and unless dry_run) save places and events in bulk.

    progress(rows read so far) is called while reading; on_saved(events written, events to write) while saving.
    """
    table = read_table(data, filename, limits)
    result = ImportResult(dry_run=dry_run)
    positions, header_problems = _map_header(table.header)
    if header_problems:
        result.errors.append(RowError(table.header_row, Joined(header_problems)))
        return result
    departments, types = _lookups(session)
    today = today_in_copenhagen(now)
    places: dict[tuple[int, str], _PlaceRows] = {}
    errors = result.errors
    for row_number, cells in _counted(table.rows, result, progress):
        if isinstance(cells, RowError):  # the reader found the row itself broken
            errors.append(cells)
            continue
        problems = _read_row(
            row_number, cells, positions, departments, types, places, today, only_department_id
        )
        if problems:
            errors.append(RowError(row_number, Joined(problems)))
    if result.rows_read == 0 and not errors:
        raise DomainError(N_("Filen indeholder ingen rækker under overskriften."), field="file")
    existing = _load_existing(session, places)
    plan = _plan(places, existing, result)
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        return result
    units = _ensure_units(session, places, result, create=not dry_run)
    updates = _existing_updates(places, existing, plan, units, result)
    result.places_created = sum(1 for key in plan if key not in existing)
    for planned in plan.values():
        for _day, _status, corrects, _note in planned:
            if corrects is None:
                result.events_created += 1
            else:
                result.corrections += 1
    if not dry_run:
        try:
            _write(
                session,
                places,
                existing,
                plan,
                units,
                updates,
                result,
                actor=actor,
                now=now,
                filename=filename,
                on_saved=on_saved,
            )
        except sa.exc.IntegrityError as exc:  # e.g. the same new place created meanwhile by someone else
            raise Conflict(CONFLICT_MESSAGE_IMPORT) from exc
    return result


def _counted(
    rows: Iterator[tuple[int, list[str]]], result: ImportResult, progress: Callable[[int], None] | None
) -> Iterator[tuple[int, list[str]]]:
    for item in rows:
        result.rows_read += 1
        if progress is not None and result.rows_read % PROGRESS_EVERY == 0:
            progress(result.rows_read)
        yield item
    if progress is not None:
        progress(result.rows_read)


def _read_row(
    row_number: int,
    cells: list[str],
    positions: dict[str, int],
    departments: dict[str, Department],
    types: dict[str, PlacementType],
    places: dict[tuple[int, str], _PlaceRows],
    today: date,
    only_department_id: int | None,
) -> list[str]:
    """Check one row and remember what it says; return its problems (empty when the row is good)."""
    values = {c: (cells[i].strip() if i < len(cells) else "") for c, i in positions.items()}
    problems: list[str] = []
    for column, value in values.items():
        if looks_like_formula(value):
            problems.append(
                N_(
                    "Cellen i kolonnen %(column)s ligner en formel ('%(start)s').",
                    column=COLUMN_DA[column],
                    start=value[:20],
                )
            )
    if problems:
        return problems
    missing = [COLUMN_DA[c] for c in REQUIRED if not values.get(c)]
    if missing:
        problems.append(N_("Mangler %(columns)s.", columns=Joined(missing, ", ")))
    department = departments.get(_fold(values.get("department", ""))) if values.get("department") else None
    if values.get("department") and department is None:
        problems.append(N_("Ukendt forvaltning '%(code)s'.", code=values["department"]))
    if department is not None and only_department_id is not None and department.id != only_department_id:
        problems.append(
            N_("Rækken hører til en anden forvaltning (%(department)s) end din.", department=department.code)
        )
    placement_type = types.get(_fold(values.get("type", ""))) if values.get("type") else None
    if values.get("type") and placement_type is None:
        problems.append(N_("Ukendt ordning '%(code)s'.", code=values["type"]))
    status = STATUS_WORDS.get(_fold(values.get("status", ""))) if values.get("status") else None
    if values.get("status") and status is None:
        problems.append(unknown_status(values["status"]))
    day: date | None = None
    if values.get("effective_date"):
        try:
            day = parse_date(values["effective_date"])
        except DomainError as exc:
            problems.append(exc.message)
        else:
            if day > today:
                problems.append(N_("Datoen %(date)s ligger i fremtiden.", date=day))
    fte: float | None = None
    if values.get("fte"):
        try:
            fte = parse_decimal(values["fte"])
        except DomainError:
            fte = None
        if fte is None or not (0 < fte <= 1):
            problems.append(
                N_("Årsværk (fte) skal være et tal over 0 og højst 1, ikke '%(value)s'.", value=values["fte"])
            )
    for column in ("reference", "title", "note"):
        limit = MAX_LENGTH[column]
        if len(values.get(column, "")) > limit:
            problems.append(too_long(FIELD_DA[column], limit))
    if len(values.get("unit", "")) > 200:
        problems.append(N_("Enhedens navn må højst være 200 tegn."))
    for column in ("reference", "title", "unit", "note"):
        if not values.get(column):
            continue  # most rows leave title, unit and note blank
        try:
            converters.clean_text(
                values[column],
                field=column,
                label=FIELD_DA[column],
                max_length=None,
                multiline=column == "note",
                cpr_guard=True,
            )
        except DomainError as exc:
            problems.append(exc.message)
    key = (department.id, values["reference"]) if department is not None and values.get("reference") else None
    place = places.get(key) if key else None
    if key and place is None:
        place = places[key] = _PlaceRows(department.id, values["reference"], row_number)  # type: ignore[union-attr]
    if problems or place is None or placement_type is None or status is None or day is None:
        if place is not None:
            place.tainted = True
        return problems
    if place.type_id is None:
        place.type_id = placement_type.id
    elif place.type_id != placement_type.id:
        problems.append(
            N_(
                "Pladsen %(reference)s har en anden ordning i række %(row)d.",
                reference=values["reference"],
                row=place.first_row,
            )
        )
    for attribute, value in (("unit", values.get("unit")), ("title", values.get("title")), ("fte", fte)):
        if value in (None, ""):
            continue
        known = getattr(place, attribute)
        if known is None:
            setattr(place, attribute, value)
        elif (known.casefold() if attribute == "unit" else known) != (
            value.casefold() if attribute == "unit" else value
        ):
            problems.append(
                N_(
                    "Pladsen %(reference)s har %(column)s '%(known)s' i en tidligere række og '%(value)s' her.",
                    reference=values["reference"],
                    column=COLUMN_DA[attribute],
                    known=known,
                    value=value,
                )
            )
    if problems:
        place.tainted = True
    else:
        place.events.append((day.toordinal(), STATUS_CODES.index(status), row_number, values.get("note", "")))
    return problems


def _chunks(items: list[Any], size: int = 1000) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _load_existing(
    session: Session, places: dict[tuple[int, str], _PlaceRows]
) -> dict[tuple[int, str], _Existing]:
    """Load the places of the file that already exist, with their effective history as known now."""
    existing: dict[tuple[int, str], _Existing] = {}
    by_department: dict[int, list[str]] = {}
    for department_id, reference in places:
        by_department.setdefault(department_id, []).append(reference)
    columns = (
        Place.id,
        Place.department_id,
        Place.reference,
        Place.type_id,
        Place.unit_id,
        Place.title,
        Place.fte,
        Place.version,
    )
    for department_id, references in by_department.items():
        for chunk in _chunks(references):
            statement = sa.select(*columns).where(
                Place.department_id == department_id,
                Place.reference.in_(chunk),  # type: ignore[attr-defined]
            )
            for row in session.execute(statement):
                existing[(row.department_id, row.reference)] = _Existing(row)
    by_id = {e.id: e for e in existing.values()}
    for chunk in _chunks(list(by_id)):
        statement = (
            sa.select(PlaceEvent.place_id, PlaceEvent.id, PlaceEvent.status, PlaceEvent.effective_date)
            .where(PlaceEvent.place_id.in_(chunk), PlaceEvent.voided_at.is_(None))  # type: ignore[attr-defined]
            .order_by(PlaceEvent.place_id, PlaceEvent.effective_date, PlaceEvent.recorded_at, PlaceEvent.id)
        )
        for place_id, event_id, status, day in session.execute(statement):
            by_id[place_id].history[day] = (status, event_id)  # the latest recorded wins
    return existing


# A planned event: (date, status, corrects event id or None).
Plan = dict[tuple[int, str], list[tuple[date, str, int | None, str]]]


def _plan(
    places: dict[tuple[int, str], _PlaceRows],
    existing: dict[tuple[int, str], _Existing],
    result: ImportResult,
) -> Plan:
    """Check every place's history (existing + file, in date order); return the events to add."""
    plan: Plan = {}
    for key, place in places.items():
        if place.tainted:
            continue
        old = existing.get(key)
        if old is not None and place.type_id is not None and old.type_id != place.type_id:
            result.errors.append(
                RowError(
                    place.first_row,
                    N_(
                        "Pladsen %(reference)s findes allerede med en anden ordning.",
                        reference=place.reference,
                    ),
                )
            )
            continue
        file_rows: dict[int, tuple[int, int, str]] = {}
        for ordinal, status_index, row, note in sorted(place.events, key=lambda e: (e[0], e[2])):
            if ordinal in file_rows:
                other_status, other_row, _ = file_rows[ordinal]
                if other_status == status_index:
                    result.unchanged += 1
                else:
                    result.errors.append(
                        RowError(
                            row,
                            N_(
                                "Række %(other)d og denne række giver pladsen %(reference)s "
                                "to forskellige statusser den %(date)s.",
                                other=other_row,
                                reference=place.reference,
                                date=date.fromordinal(ordinal),
                            ),
                        )
                    )
                continue
            file_rows[ordinal] = (status_index, row, note)
        history = old.history if old is not None else {}
        first_known = min(history) if history else None
        # Merge: date -> (status, row or None for an existing event, corrects id, note).
        merged: dict[date, tuple[str, int | None, int | None, str]] = {
            day: (status, None, None, "") for day, (status, _id) in history.items()
        }
        for ordinal, (status_index, row, note) in file_rows.items():
            day = date.fromordinal(ordinal)
            status = STATUS_CODES[status_index]
            if first_known is not None and day < first_known:
                result.errors.append(RowError(row, before_first(day, first_known)))
                continue
            if day in history:
                if history[day][0] == status:
                    result.unchanged += 1
                    continue
                merged[day] = (status, row, history[day][1], note)
            else:
                merged[day] = (status, row, None, note)
        accepted = _check_history(place.reference, merged, result)
        if accepted:
            plan[key] = accepted
    return plan


def _check_history(
    reference: str,
    merged: dict[date, tuple[str, int | None, int | None, str]],
    result: ImportResult,
) -> list[tuple[date, str, int | None, str]]:
    """Walk a place's merged history; report every file row that gives a refused transition."""
    kept: list[tuple[date, str, int | None, int | None, str]] = []  # (date, status, row, corrects, note)
    for day in sorted(merged):
        status, row, corrects, note = merged[day]
        previous = kept[-1][1] if kept else None
        problem = transition_problem(previous, status, day)
        if problem and row is not None:
            result.errors.append(
                RowError(row, N_("Pladsen %(reference)s: %(problem)s", reference=reference, problem=problem))
            )
            continue
        while problem and kept and kept[-1][2] is not None:
            # An existing later event no longer fits after a file row: that file row is the bad one.
            bad = kept.pop()
            result.errors.append(
                RowError(
                    bad[2],  # type: ignore[arg-type]
                    N_(
                        "Pladsen %(reference)s: det passer ikke med den senere registrering %(date)s: "
                        "%(problem)s",
                        reference=reference,
                        date=day,
                        problem=problem,
                    ),
                )
            )
            previous = kept[-1][1] if kept else None
            problem = transition_problem(previous, status, day)
        kept.append((day, status, row, corrects, note))
    return [(day, status, corrects, note) for day, status, row, corrects, note in kept if row is not None]


def _write(
    session: Session,
    places: dict[tuple[int, str], _PlaceRows],
    existing: dict[tuple[int, str], _Existing],
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
    for chunk in _chunks(new_keys, CHUNK):
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


def _ensure_units(
    session: Session, places: dict[tuple[int, str], _PlaceRows], result: ImportResult, *, create: bool
) -> dict[tuple[int, str], int]:
    """Return unit ids by (department, folded name); create the units the file names (dry run: count them)."""
    wanted: dict[tuple[int, str], str] = {}
    for place in places.values():
        if place.unit:
            wanted.setdefault((place.department_id, place.unit.casefold()), place.unit)
    units: dict[tuple[int, str], int] = {}
    department_ids = {department_id for department_id, _ in wanted}
    if department_ids:
        statement = sa.select(Unit.id, Unit.department_id, Unit.name).where(
            Unit.department_id.in_(department_ids)  # type: ignore[attr-defined]
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
            units[key] = unit.id  # type: ignore[assignment]
    return units


def _existing_updates(
    places: dict[tuple[int, str], _PlaceRows],
    existing: dict[tuple[int, str], _Existing],
    plan: Plan,
    units: dict[tuple[int, str], int],
    result: ImportResult,
) -> list[dict[str, Any]]:
    """Return the new status cache and attributes of each existing place the import changes."""
    updates: list[dict[str, Any]] = []
    for key, old in existing.items():
        place = places[key]
        attributes: dict[str, Any] = {}
        if place.title is not None and place.title != old.title:
            attributes["title"] = place.title
        if place.fte is not None and place.fte != old.fte:
            attributes["fte"] = place.fte
        if place.unit:
            unit_id = units[(place.department_id, place.unit.casefold())]
            if unit_id != old.unit_id:
                attributes["unit_id"] = unit_id
        if key not in plan and not attributes:
            continue
        if attributes:
            result.places_updated += 1
        history = {day: status for day, (status, _id) in old.history.items()}
        for day, status, _corrects, _note in plan.get(key, ()):
            history[day] = status
        last_day = max(history)
        updates.append(
            {
                "pid": old.id,
                "b_version": old.version,
                "b_status": history[last_day],
                "b_since": last_day,
                "b_title": attributes.get("title", old.title),
                "b_fte": attributes.get("fte", old.fte),
                "b_unit": attributes.get("unit_id", old.unit_id),
            }
        )
    return updates


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
    for chunk in _chunks(updates, CHUNK):
        updated = session.execute(statement, chunk)
        if session.get_bind().dialect.supports_sane_multi_rowcount and updated.rowcount != len(chunk):
            # Someone changed one of these places between our reading and writing it.
            raise Conflict(CONFLICT_MESSAGE_IMPORT)
    changed = {u["pid"] for u in updates}
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Place) and obj.id in changed:
            session.expire(obj)  # the ORM may hold these places: make it read the new versions
