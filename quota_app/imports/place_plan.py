"""Planning a place import: the places the file names as they are now, and what each row will change.

Every place's history (what is registered, then the file's rows, in date order) is checked as a whole;
a row that gives a refused transition is a row error. Nothing is written here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from ..models import Place, PlaceEvent
from ..places.rules import before_first, transition_problem
from ..texts import N_
from .files import ImportResult, RowError
from .place_rows import STATUS_CODES, PlaceRows


class Existing:
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


def chunks(items: list[Any], size: int = 1000) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_existing(
    session: Session, places: dict[tuple[int, str], PlaceRows]
) -> dict[tuple[int, str], Existing]:
    """Load the places of the file that already exist, with their effective history as known now."""
    existing: dict[tuple[int, str], Existing] = {}
    by_department: dict[int, list[str]] = {}
    for department_id, reference in places:
        by_department.setdefault(department_id, []).append(reference)
    columns = (
        col(Place.id),
        col(Place.department_id),
        col(Place.reference),
        col(Place.type_id),
        col(Place.unit_id),
        col(Place.title),
        col(Place.fte),
        col(Place.version),
    )
    for department_id, references in by_department.items():
        for chunk in chunks(references):
            statement = sa.select(*columns).where(
                col(Place.department_id) == department_id,
                col(Place.reference).in_(chunk),
            )
            for row in session.execute(statement):
                existing[(row.department_id, row.reference)] = Existing(row)
    by_id = {e.id: e for e in existing.values()}
    for chunk in chunks(list(by_id)):
        events = (
            sa.select(
                col(PlaceEvent.place_id),
                col(PlaceEvent.id),
                col(PlaceEvent.status),
                col(PlaceEvent.effective_date),
            )
            .where(col(PlaceEvent.place_id).in_(chunk), col(PlaceEvent.voided_at).is_(None))
            .order_by(
                col(PlaceEvent.place_id),
                col(PlaceEvent.effective_date),
                col(PlaceEvent.recorded_at),
                col(PlaceEvent.id),
            )
        )
        for place_id, event_id, status, day in session.execute(events):
            by_id[place_id].history[day] = (status, event_id)  # the latest recorded wins
    return existing


# A planned event: (date, status, corrects event id or None).
Plan = dict[tuple[int, str], list[tuple[date, str, int | None, str]]]


def plan_events(
    places: dict[tuple[int, str], PlaceRows],
    existing: dict[tuple[int, str], Existing],
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
        while problem and kept and (bad_row := kept[-1][2]) is not None:
            # An existing later event no longer fits after a file row: that file row is the bad one.
            kept.pop()
            result.errors.append(
                RowError(
                    bad_row,
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


def existing_updates(
    places: dict[tuple[int, str], PlaceRows],
    existing: dict[tuple[int, str], Existing],
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
