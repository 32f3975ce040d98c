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

A place's rows are rebuilt from its events whenever they, or the place's department, type or fte,
change: after every flush of the app's sessions (keep_in_step, registered on quota_app.db.QuotaSession)
and by refresh_places() for bulk writes that bypass the ORM (imports, the benchmarks' loader).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import InstanceState, Session

from ..db import QuotaSession
from ..models import OPEN_END, Place, PlaceEvent, PlaceInterval, SupersededInterval

CURRENT = PlaceInterval.__table__
SUPERSEDED = SupersededInterval.__table__
# The place attributes the intervals carry a copy of.
COPIED = ("department_id", "type_id", "fte")
CHUNK = 500  # places per statement: well under SQLite's limit of bound parameters


class EventFacts(NamedTuple):
    """What the intervals depend on of an event."""

    id: int
    status: str
    effective_date: date
    recorded_at: datetime
    voided_at: datetime | None


class Interval(NamedTuple):
    valid_from: date
    valid_to: date  # OPEN_END: no later event ends it
    status: str
    prev_status: str | None  # the previous interval's status; None for the first
    spell_start: date | None  # where the latest open spell up to this interval began


def chain(events: Iterable[EventFacts]) -> list[Interval]:
    """Return the intervals of a place whose visible events these are."""
    return _continue([], sorted(events, key=_counting_order))


def _counting_order(e: EventFacts) -> tuple[date, datetime, int]:
    return (e.effective_date, e.recorded_at, e.id)


def _continue(before: list[Interval], ordered: Sequence[EventFacts]) -> list[Interval]:
    """Return the chain of before (itself a chain) followed by events all dated after its last interval."""
    winners: list[tuple[date, str]] = []
    for e in ordered:
        if winners and winners[-1][0] == e.effective_date:
            winners[-1] = (e.effective_date, e.status)  # recorded later (or same time, higher id): wins
        else:
            winners.append((e.effective_date, e.status))
    intervals = before[:-1]
    previous, spell_start = None, None
    if before:
        last = before[-1]
        intervals.append(last._replace(valid_to=winners[0][0]) if winners else last)
        previous, spell_start = last.status, last.spell_start
    for index, (day, status) in enumerate(winners):
        if status == "open" and previous != "open":
            spell_start = day
        valid_to = winners[index + 1][0] if index + 1 < len(winners) else OPEN_END
        intervals.append(Interval(day, valid_to, status, previous, spell_start))
        previous = status
    return intervals


class Knowledge(NamedTuple):
    current: list[tuple[Interval, datetime]]  # (interval, known_from)
    superseded: list[tuple[Interval, datetime, datetime]]  # (interval, known_from, known_to)


def knowledge(events: Sequence[EventFacts]) -> Knowledge:
    """Return every interval ever known of a place, with when it was known, from all its events.

    The chain as known at each moment an event was recorded or voided is compared with the one before:
    what disappears is superseded at that moment, what appears is known from it. Recordings dated after
    everything known so far (nearly all of them) only change the chain's end; anything else rebuilds it.
    """
    recorded: dict[datetime, list[EventFacts]] = defaultdict(list)
    voided: dict[datetime, set[int]] = defaultdict(set)
    for e in events:
        recorded[e.recorded_at].append(e)
        if e.voided_at is not None:
            voided[e.voided_at].add(e.id)
    visible: list[EventFacts] = []
    current: list[Interval] = []
    known: dict[Interval, datetime] = {}
    superseded: list[tuple[Interval, datetime, datetime]] = []
    for moment in sorted(recorded.keys() | voided.keys()):
        gone = voided.get(moment, set())
        new = [e for e in recorded.get(moment, ()) if e.voided_at is None or e.voided_at > moment]
        if gone:
            visible = [e for e in visible if e.id not in gone]
        visible += new
        if not gone and current and all(e.effective_date > current[-1].valid_from for e in new):
            kept = len(current) - 1  # only the last interval and what follows it can change
            now = _continue(current, sorted(new, key=_counting_order))
        else:
            kept = 0
            now = chain(visible)
        fresh = set(now[kept:])
        for interval in current[kept:]:
            if interval not in fresh:
                superseded.append((interval, known.pop(interval), moment))
        for interval in now[kept:]:
            known.setdefault(interval, moment)
        current = now
    return Knowledge([(i, known[i]) for i in current], superseded)


def interval_rows(
    place: sa.RowMapping | Mapping[str, Any], events: Sequence[EventFacts]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the rows of place_interval and place_interval_superseded for a place (its id and COPIED
    attributes) and all its events."""
    copied = {"place_id": place["id"], **{name: place[name] for name in COPIED}}
    found = knowledge(events)
    current = [{**copied, **i._asdict(), "known_from": since} for i, since in found.current]
    superseded = [
        {**copied, **i._asdict(), "known_from": since, "known_to": until}
        for i, since, until in found.superseded
    ]
    return current, superseded


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


_PLACE, _EVENT = Place.__table__, PlaceEvent.__table__
# Each place of a chunk with its copied attributes, once per event (once with NULL facts if it has none).
_PLACES_WITH_EVENTS = (
    sa.select(_PLACE.c.id, *(_PLACE.c[n] for n in COPIED), *(_EVENT.c[n] for n in EventFacts._fields))
    .select_from(_PLACE.outerjoin(_EVENT, _EVENT.c.place_id == _PLACE.c.id))
    .where(_PLACE.c.id.in_(sa.bindparam("place_ids", expanding=True)))
)
_STORED = {
    table: sa.select(*table.columns).where(table.c.place_id.in_(sa.bindparam("place_ids", expanding=True)))
    for table in (CURRENT, SUPERSEDED)
}


def _places_and_events(
    connection: sa.Connection | Session, place_ids: Sequence[int]
) -> list[tuple[dict[str, Any], list[EventFacts]]]:
    """Return each of these places (its id and COPIED attributes) with the facts of all its events."""
    found: dict[int, tuple[dict[str, Any], list[EventFacts]]] = {}
    width = 1 + len(COPIED)
    for row in connection.execute(_PLACES_WITH_EVENTS, {"place_ids": list(place_ids)}):
        if row[0] not in found:
            found[row[0]] = (dict(zip(("id", *COPIED), row[:width], strict=True)), [])
        if row[width] is not None:
            found[row[0]][1].append(EventFacts(*row[width:]))
    return list(found.values())


def refresh_places(connection: sa.Connection | Session, place_ids: Iterable[int]) -> None:
    """Bring the intervals of these places in step with their events (call after writing events in bulk).

    Only the rows that differ are written: a recording dated after the rest (nearly all of them) replaces
    the place's last current interval and adds one superseded row, however long its history.
    """
    for chunk in _chunks(sorted(set(place_ids)), CHUNK):
        parameters = {"place_ids": list(chunk)}
        expected: dict[sa.Table, list[dict[str, Any]]] = {CURRENT: [], SUPERSEDED: []}
        for place, events in _places_and_events(connection, chunk):
            now, before = interval_rows(place, events)
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
            or any(sa.inspect(obj, raiseerr=True).attrs[n].history.has_changes() for n in COPIED)
        ):
            found.rebuild.add(obj.id)
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
    for place, events in _places_and_events(connection, places):
        before = [
            e._replace(voided_at=change.voided_before[e.id]) if e.id in change.voided_before else e
            for e in events
            if e.id not in change.added
        ]
        for rows, facts in ((was, before), (now, events)):
            current, superseded = interval_rows(place, facts)
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
    stored: dict[int, set[tuple[Any, ...]]] = defaultdict(set)
    for table in (CURRENT, SUPERSEDED):
        for row in connection.execute(sa.select(table)):
            stored[row.place_id].add((table.name, *sorted(row._asdict().items())))
    wrong = []
    for row in connection.execute(sa.select(place.c.id, *(place.c[n] for n in COPIED)).order_by(place.c.id)):
        current, superseded = interval_rows(row._mapping, events.get(row.id, []))
        expected = {(CURRENT.name, *sorted(r.items())) for r in current}
        expected |= {(SUPERSEDED.name, *sorted(r.items())) for r in superseded}
        if stored.pop(row.id, set()) != expected:
            wrong.append(row.id)
    return sorted(wrong + list(stored))
