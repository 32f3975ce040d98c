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

from ..models import Place, PlaceAttribute, PlaceEvent
from ..places.rules import before_first, transition_problem
from ..texts import N_
from .files import ImportResult, RowError
from .place_rows import STATUS_CODES, PlaceRows


class Existing:
    __slots__ = ("attributes", "fte", "history", "id", "title", "type_id", "unchanged", "unit_id", "version")

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
        # The live dated attributes (PlaceAttribute) in (effective_date, recorded_at, id) order.
        self.attributes: list[tuple[date, int | None, float]] = []
        self.unchanged = 0  # the file's rows that repeat what is registered


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
        attributes = (
            sa.select(
                col(PlaceAttribute.place_id),
                col(PlaceAttribute.effective_date),
                col(PlaceAttribute.unit_id),
                col(PlaceAttribute.fte),
            )
            .where(col(PlaceAttribute.place_id).in_(chunk), col(PlaceAttribute.voided_at).is_(None))
            .order_by(
                col(PlaceAttribute.place_id),
                col(PlaceAttribute.effective_date),
                col(PlaceAttribute.recorded_at),
                col(PlaceAttribute.id),
            )
        )
        for place_id, day, unit_id, fte in session.execute(attributes):
            by_id[place_id].attributes.append((day, unit_id, fte))
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
                    if old is not None:
                        old.unchanged += 1
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
                    old.unchanged += 1  # type: ignore[union-attr]  # a known date: an existing place
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


def _on(existing: Existing, day: date) -> tuple[int | None, float]:
    """The unit and fte of an existing place on day (its own while it has no dated attributes)."""
    found = (existing.unit_id, existing.fte)
    for effective, unit_id, fte in existing.attributes:
        if effective <= day:
            found = (unit_id, fte)
    return found


def existing_updates(
    places: dict[tuple[int, str], PlaceRows],
    existing: dict[tuple[int, str], Existing],
    plan: Plan,
    units: dict[tuple[int, str], int],
    result: ImportResult,
) -> list[dict[str, Any]]:
    """Return the new status cache and attributes of each existing place the import changes.

    A title changes as it is; a unit or fte that differs from the place's on the date of its latest row in
    the file is a dated change from that date ("b_from"; docs/files.md §3). The rows of a place whose
    attributes change are changes, not unchanged rows.
    """
    updates: list[dict[str, Any]] = []
    for key, old in existing.items():
        place = places[key]
        attributes: dict[str, Any] = {}
        if place.title is not None and place.title != old.title:
            attributes["title"] = place.title
        day = date.fromordinal(max(e[0] for e in place.events)) if place.events else None
        on_day = _on(old, day) if day is not None else (old.unit_id, old.fte)
        unit_id = units[(place.department_id, place.unit.casefold())] if place.unit else on_day[0]
        fte = place.fte if place.fte is not None else on_day[1]
        dated = (unit_id, fte) != on_day
        if key not in plan and not attributes and not dated:
            continue
        if attributes or dated:
            result.places_updated += 1
            result.unchanged -= old.unchanged
        later = [a for a in old.attributes if day is not None and a[0] > day]
        cache = (later[-1][1], later[-1][2]) if later else (unit_id, fte)
        history = {d: status for d, (status, _id) in old.history.items()}
        for d, status, _corrects, _note in plan.get(key, ()):
            history[d] = status
        last_day = max(history)
        updates.append(
            {
                "pid": old.id,
                "b_version": old.version,
                "b_status": history[last_day],
                "b_since": last_day,
                "b_title": attributes.get("title", old.title),
                "b_fte": cache[1],
                "b_unit": cache[0],
                # Not bound by the update: the dated change to write (None: none) and the place's own
                # attributes for its ORIGIN row if it has no dated ones yet.
                "dated": (day, unit_id, fte) if dated else None,
                "origin": None if old.attributes else (old.unit_id, old.fte),
                "reference": place.reference,
                "key": key,
            }
        )
    return updates


MAX_LISTED = 10_000  # the changes a preview lists (the counts are always complete)


def planned_changes(
    places: dict[tuple[int, str], PlaceRows],
    existing: dict[tuple[int, str], Existing],
    plan: Plan,
    updates: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """What saving will write, one entry per change, for the preview: new places (with their first
    status), status changes, corrections and changed attributes; by reference, then date."""
    changes: list[dict[str, Any]] = []
    for key, planned in plan.items():
        place = places[key]
        for index, (day, status, corrects, _note) in enumerate(planned):
            if key not in existing and index == 0:
                kind = "place"
            else:
                kind = "status" if corrects is None else "correction"
            entry: dict[str, Any] = {
                "kind": kind,
                "reference": place.reference,
                "date": day.isoformat(),
                "status": status,
            }
            if kind == "place":
                entry.update(
                    unit=place.unit or None,
                    fte=place.fte if place.fte is not None else 1.0,
                    title=place.title,
                )
            changes.append(entry)
    for update in updates:
        old, place = existing[update["key"]], places[update["key"]]
        title = update["b_title"] if update["b_title"] != old.title else None
        if update["dated"] is None and title is None:
            continue
        dated_on = update["dated"][0] if update["dated"] else None
        changes.append(
            {
                "kind": "attributes",
                "reference": update["reference"],
                "date": dated_on.isoformat() if dated_on else None,
                "status": None,
                "unit": (place.unit or None) if update["dated"] else None,
                "fte": update["dated"][2] if update["dated"] else None,
                "title": title,
            }
        )
    changes.sort(key=lambda c: (c["reference"], c["date"] or "", c["kind"] != "place"))
    return changes[:MAX_LISTED]
