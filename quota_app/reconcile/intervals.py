"""Status intervals: the form in which counting reads a place's history (docs/counting.md §9).

The status of place P on date D as known at T is that of the event with the greatest (effective_date,
recorded_at, id) among P's events with effective_date <= D that are visible at T (recorded_at <= T and not
voided at T). As known at one moment, a place's history is therefore a chain of intervals: each date's
winning event holds from its date up to the next winning date. The chain only changes at the moments an
event of the place is recorded or voided.

Two derived tables keep every chain that was ever known, so that counting is a range aggregate:
- place_interval: the chain as known now, each interval with the moment from which it has been known
  unchanged (known_from);
- place_interval_superseded: every interval that was known from known_from until a later recording or
  void replaced it at known_to.
The intervals as known at T are those of place_interval with known_from <= T and those of
place_interval_superseded with known_from <= T < known_to.

Each interval is split where the place's unit or fte changes as known at that moment (PlaceAttribute:
dated, known-at history like the events), so every interval carries the unit and fte that held on its
dates: counting on date D as known at T weighs a place by its fte on D as known at T.

A place's rows are rebuilt from its events whenever they, its dated attributes, or the place's
department, type, unit or fte, change: after every flush of the app's sessions (keep_in_step,
registered on quota_app.db.QuotaSession) and by refresh_places() for bulk writes that bypass the ORM (imports, the benchmarks' loader).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import InstanceState, Session

from ..db import QuotaSession
from ..models import (
    Place,
    PlaceAttribute,
    PlaceEvent,
    PlaceInterval,
    SupersededInterval,
)
from .knowledge import (
    BASE,
    COPIED,
    AttributeFacts,
    Counted,
    EventFacts,
    Interval,
    chain,
    interval_rows,
    knowledge,
)

CURRENT = PlaceInterval.__table__
SUPERSEDED = SupersededInterval.__table__
CHUNK = 500  # places per statement: well under SQLite's limit of bound parameters
__all__ = [
    "BASE",
    "COPIED",
    "AttributeFacts",
    "Counted",
    "EventFacts",
    "Interval",
    "chain",
    "interval_rows",
    "knowledge",
]


def _chunks(values: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _event_facts(connection: sa.Connection | Session, condition: Any) -> dict[int, list[EventFacts]]:
    """Return the facts of the events meeting condition, per place id."""
    event = PlaceEvent.__table__
    columns = (event.c[name] for name in EventFacts._fields)
    by_place: dict[int, list[EventFacts]] = defaultdict(list)
    for place_id, *facts in connection.execute(sa.select(event.c.place_id, *columns).where(condition)):
        by_place[place_id].append(EventFacts(*facts))
    return by_place


_PLACE, _EVENT, _ATTRIBUTE = Place.__table__, PlaceEvent.__table__, PlaceAttribute.__table__
_PLACE_COLUMNS = ("id", *COPIED, *BASE)
# Each place of a chunk with its copied attributes, once per event (once with NULL facts if it has none).
_PLACES_WITH_EVENTS = (
    sa.select(*(_PLACE.c[n] for n in _PLACE_COLUMNS), *(_EVENT.c[n] for n in EventFacts._fields))
    .select_from(_PLACE.outerjoin(_EVENT, _EVENT.c.place_id == _PLACE.c.id))
    .where(_PLACE.c.id.in_(sa.bindparam("place_ids", expanding=True)))
)
_ATTRIBUTES = sa.select(_ATTRIBUTE.c.place_id, *(_ATTRIBUTE.c[n] for n in AttributeFacts._fields)).where(
    _ATTRIBUTE.c.place_id.in_(sa.bindparam("place_ids", expanding=True))
)
_STORED = {
    table: sa.select(*table.columns).where(table.c.place_id.in_(sa.bindparam("place_ids", expanding=True)))
    for table in (CURRENT, SUPERSEDED)
}


class PlaceFacts(NamedTuple):
    place: dict[str, Any]  # id, COPIED and BASE
    events: list[EventFacts]
    attributes: list[AttributeFacts]


def _attribute_facts(connection: sa.Connection | Session, condition: Any) -> dict[int, list[AttributeFacts]]:
    """Return the facts of the attribute rows meeting condition, per place id."""
    columns = (_ATTRIBUTE.c[name] for name in AttributeFacts._fields)
    by_place: dict[int, list[AttributeFacts]] = defaultdict(list)
    for place_id, *facts in connection.execute(sa.select(_ATTRIBUTE.c.place_id, *columns).where(condition)):
        by_place[place_id].append(AttributeFacts(*facts))
    return by_place


def _places_and_events(connection: sa.Connection | Session, place_ids: Sequence[int]) -> list[PlaceFacts]:
    """Return each of these places (its id, COPIED and BASE) with the facts of its events and attributes."""
    found: dict[int, PlaceFacts] = {}
    width = len(_PLACE_COLUMNS)
    for row in connection.execute(_PLACES_WITH_EVENTS, {"place_ids": list(place_ids)}):
        if row[0] not in found:
            found[row[0]] = PlaceFacts(dict(zip(_PLACE_COLUMNS, row[:width], strict=True)), [], [])
        if row[width] is not None:
            found[row[0]].events.append(EventFacts(*row[width:]))
    if found:
        for place_id, *facts in connection.execute(_ATTRIBUTES, {"place_ids": list(found)}):
            found[place_id].attributes.append(AttributeFacts(*facts))
    return list(found.values())


def refresh_places(connection: sa.Connection | Session, place_ids: Iterable[int]) -> None:
    """Bring the intervals of these places in step with their events (call after writing events in bulk).

    Only the rows that differ are written: a recording dated after the rest (nearly all of them) replaces
    the place's last current interval and adds one superseded row, however long its history.
    """
    for chunk in _chunks(sorted(set(place_ids)), CHUNK):
        parameters = {"place_ids": list(chunk)}
        expected: dict[sa.Table, list[dict[str, Any]]] = {CURRENT: [], SUPERSEDED: []}
        for place, events, attributes in _places_and_events(connection, chunk):
            now, before = interval_rows(place, events, attributes)
            expected[CURRENT] += now
            expected[SUPERSEDED] += before
        for table, rows in expected.items():
            stored = [dict(r._mapping) for r in connection.execute(_STORED[table], parameters)]
            _write_difference(connection, table, stored, rows)


def _write_difference(
    connection: sa.Connection | Session,
    table: sa.Table,
    stored: list[dict[str, Any]],
    rows: list[dict[str, Any]],
) -> None:
    """Turn the stored rows of table into rows: delete the stored rows not among them, insert the ones
    not stored."""
    columns = [c.name for c in table.columns]
    had = {tuple(row[name] for name in columns): row for row in stored}
    wanted = {tuple(row[name] for name in columns): row for row in rows}
    stale = [row for values, row in had.items() if values not in wanted]
    if stale:
        key = [c.name for c in table.primary_key.columns]
        condition = sa.and_(*(table.c[name] == sa.bindparam(f"k_{name}") for name in key))
        connection.execute(
            sa.delete(table).where(condition), [{f"k_{n}": row[n] for n in key} for row in stale]
        )
    missing = [row for values, row in wanted.items() if values not in had]
    if missing:
        connection.execute(sa.insert(table), missing)


def refresh_all(connection: sa.Connection | Session) -> None:
    """Rebuild every place's intervals (after a migration, or to repair)."""
    refresh_places(connection, [pid for (pid,) in connection.execute(sa.select(_PLACE.c.id))])


class Flushed(NamedTuple):
    """What a flush changed that the intervals depend on."""

    places: set[int]  # the places whose events it wrote
    added: set[int]  # the events it inserted
    voided_before: dict[int, datetime | None]  # the events whose void it changed: voided_at before
    rebuild: set[int]  # the places to rebuild from what is stored (new, or copied attributes changed)


def flushed(session: Session) -> Flushed:
    """Return what a flush changed, from the session's pre-flush state (call in after_flush)."""
    found = Flushed(set(), set(), {}, set())
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, PlaceEvent):
            state: InstanceState[PlaceEvent] = sa.inspect(obj, raiseerr=True)
            found.places.add(obj.place_id)
            if obj in session.new:
                found.added.add(obj.id)
            elif any(
                state.attrs[name].history.has_changes()
                for name in ("status", "effective_date", "recorded_at", "place_id")
            ):
                found.rebuild.add(obj.place_id)  # not done by the app: rebuild from what is stored
            elif state.attrs["voided_at"].history.has_changes():
                deleted = state.attrs["voided_at"].history.deleted
                if deleted:
                    found.voided_before[obj.id] = deleted[0]
                else:  # changed before it was loaded: what it was is not known here
                    found.rebuild.add(obj.place_id)
        elif isinstance(obj, Place) and (
            obj in session.new
            or any(sa.inspect(obj, raiseerr=True).attrs[n].history.has_changes() for n in (*COPIED, *BASE))
        ):
            found.rebuild.add(obj.id)
        elif isinstance(obj, PlaceAttribute):
            found.rebuild.add(obj.place_id)  # dated attributes change rarely: rebuild from what is stored
    return found


def apply_flush(connection: sa.Connection | Session, change: Flushed) -> None:
    """Bring the intervals in step after a flush that wrote events.

    The stored rows are those of the events as they were before the flush (they were in step): the
    intervals of both are computed and only their difference is written, without reading what is stored.
    """
    if change.rebuild:
        refresh_places(connection, change.rebuild)
    places = sorted(change.places - change.rebuild)
    if not places:
        return
    was: dict[sa.Table, list[dict[str, Any]]] = {CURRENT: [], SUPERSEDED: []}
    now: dict[sa.Table, list[dict[str, Any]]] = {CURRENT: [], SUPERSEDED: []}
    for place, events, attributes in _places_and_events(connection, places):
        before = [
            e._replace(voided_at=change.voided_before[e.id]) if e.id in change.voided_before else e
            for e in events
            if e.id not in change.added
        ]
        for rows, facts in ((was, before), (now, events)):
            current, superseded = interval_rows(place, facts, attributes)
            rows[CURRENT] += current
            rows[SUPERSEDED] += superseded
    for table in (CURRENT, SUPERSEDED):
        _write_difference(connection, table, was[table], now[table])


@sa.event.listens_for(QuotaSession, "after_flush")
def keep_in_step(session: Session, _context: Any) -> None:
    """After a flush of the app's sessions: bring the intervals of the places it changed in step."""
    change = flushed(session)
    if change.places or change.rebuild:
        apply_flush(session.connection(), change)


def places_out_of_step(connection: sa.Connection | Session) -> list[int]:
    """Return the places whose stored intervals differ from those their events give (none, normally)."""
    place = Place.__table__
    events = _event_facts(connection, sa.true())
    attributes = _attribute_facts(connection, sa.true())
    stored: dict[int, set[tuple[Any, ...]]] = defaultdict(set)
    for table in (CURRENT, SUPERSEDED):
        for row in connection.execute(sa.select(table)):
            stored[row.place_id].add((table.name, *sorted(row._asdict().items())))
    wrong = []
    for row in connection.execute(sa.select(*(place.c[n] for n in _PLACE_COLUMNS)).order_by(place.c.id)):
        current, superseded = interval_rows(row._mapping, events.get(row.id, []), attributes.get(row.id, []))
        expected = {(CURRENT.name, *sorted(r.items())) for r in current}
        expected |= {(SUPERSEDED.name, *sorted(r.items())) for r in superseded}
        if stored.pop(row.id, set()) != expected:
            wrong.append(row.id)
    return sorted(wrong + list(stored))
