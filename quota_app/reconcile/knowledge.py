"""What a place's intervals are, from its events and dated attributes: pure functions, no database
(quota_app.reconcile.intervals stores what they give; docs/counting.md §9 explains the chain).

The status chain as known at a moment is that of the visible events (chain); each of its intervals is
split where the place's unit or fte, as known at the same moment, changes (split), so that counting on a
date weighs a place by the fte, and files it under the unit, that held on that date as known then.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from ..models import OPEN_END, ORIGIN

# The place attributes the intervals carry a copy of.
COPIED = ("department_id", "type_id")
# The place's own unit and fte: those of its intervals while it has no dated attributes (PlaceAttribute).
BASE = ("unit_id", "fte")


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


class AttributeFacts(NamedTuple):
    """What the intervals depend on of a place's dated attributes (a PlaceAttribute row)."""

    id: int
    effective_date: date  # ORIGIN: the place's first attributes, known always
    recorded_at: datetime
    voided_at: datetime | None
    unit_id: int | None
    fte: float


class Counted(NamedTuple):
    """A stored interval: a status interval, or the part of one over which the unit and fte held."""

    valid_from: date
    valid_to: date
    status: str
    prev_status: str | None
    spell_start: date | None
    unit_id: int | None
    fte: float
    status_since: date  # where the status interval this part belongs to begins (a status run's start)


Steps = list[tuple[date, int | None, float]]  # (from date, unit_id, fte), ascending dates


def attribute_steps(visible: Iterable[AttributeFacts], base: tuple[int | None, float]) -> Steps:
    """The unit and fte from each date on, of these visible attribute rows (per date, the one recorded
    last wins); base holds before the first (the place row's own values, for a place without rows)."""
    winners: dict[date, tuple[int | None, float]] = {}
    for a in sorted(visible, key=lambda a: (a.effective_date, a.recorded_at, a.id)):
        winners[a.effective_date] = (a.unit_id, a.fte)
    steps: Steps = [(ORIGIN, *base)] if not winners or min(winners) > ORIGIN else []
    for day in sorted(winners):
        if not steps or steps[-1][1:] != winners[day]:
            steps.append((day, *winners[day]))
    return steps


def split(interval: Interval, steps: Steps) -> list[Counted]:
    """The interval in parts, each with the unit and fte that held on its dates."""
    index = bisect_right([day for day, _u, _f in steps], interval.valid_from) - 1
    _day, unit_id, fte = steps[max(index, 0)]
    parts = [Counted(*interval, unit_id, fte, interval.valid_from)]
    for day, unit_id, fte in steps[index + 1 :]:
        if day >= interval.valid_to:
            break
        last = parts[-1]
        parts[-1] = last._replace(valid_to=day)
        parts.append(
            Counted(
                day,
                interval.valid_to,
                interval.status,
                interval.status,
                last.spell_start,
                unit_id,
                fte,
                interval.valid_from,
            )
        )
    return parts


class Knowledge(NamedTuple):
    current: list[tuple[Counted, datetime]]  # (interval, known_from)
    superseded: list[tuple[Counted, datetime, datetime]]  # (interval, known_from, known_to)


def knowledge(
    events: Sequence[EventFacts],
    attributes: Sequence[AttributeFacts] = (),
    base: tuple[int | None, float] = (None, 1.0),
) -> Knowledge:
    """Return every interval ever known of a place, with when it was known, from all its events and
    dated attributes (base: the unit and fte of a place without attribute rows).

    The chain as known at each moment an event or attribute was recorded or voided is compared with the
    one before: what disappears is superseded at that moment, what appears is known from it. Recordings
    dated after everything known so far (nearly all of them) only change the chain's end; anything else
    rebuilds it.
    """
    recorded: dict[datetime, list[EventFacts]] = defaultdict(list)
    voided: dict[datetime, set[int]] = defaultdict(set)
    for e in events:
        recorded[e.recorded_at].append(e)
        if e.voided_at is not None:
            voided[e.voided_at].add(e.id)
    attribute_moments: set[datetime] = set()
    for a in attributes:
        if a.effective_date != ORIGIN:
            attribute_moments.add(a.recorded_at)
        if a.voided_at is not None:
            attribute_moments.add(a.voided_at)

    def steps_at(moment: datetime | None) -> Steps:
        """The attribute steps as known at moment (None: before any recording, the ORIGIN rows only)."""
        visible = [
            a
            for a in attributes
            if (a.effective_date == ORIGIN or (moment is not None and a.recorded_at <= moment))
            and (a.voided_at is None or moment is None or a.voided_at > moment)
        ]
        return attribute_steps(visible, base)

    visible: list[EventFacts] = []
    current: list[Interval] = []
    parts: list[list[Counted]] = []  # current's intervals in parts
    known: dict[Counted, datetime] = {}
    superseded: list[tuple[Counted, datetime, datetime]] = []
    steps = steps_at(None)
    for moment in sorted(recorded.keys() | voided.keys() | attribute_moments):
        gone = voided.get(moment, set())
        new = [e for e in recorded.get(moment, ()) if e.voided_at is None or e.voided_at > moment]
        if gone:
            visible = [e for e in visible if e.id not in gone]
        visible += new
        if moment in attribute_moments:
            steps = steps_at(moment)
        if (
            moment not in attribute_moments
            and not gone
            and current
            and all(e.effective_date > current[-1].valid_from for e in new)
        ):
            kept = len(current) - 1  # only the last interval and what follows it can change
            now = _continue(current, sorted(new, key=_counting_order))
        else:
            kept = 0
            now = chain(visible)
        now_parts = parts[:kept] + [split(i, steps) for i in now[kept:]]
        fresh = {p for ps in now_parts[kept:] for p in ps}
        for ps in parts[kept:]:
            for part in ps:
                if part not in fresh:
                    superseded.append((part, known.pop(part), moment))
        for ps in now_parts[kept:]:
            for part in ps:
                known.setdefault(part, moment)
        current, parts = now, now_parts
    return Knowledge([(p, known[p]) for ps in parts for p in ps], superseded)


def interval_rows(
    place: Mapping[Any, Any],  # read by column name (a RowMapping too)
    events: Sequence[EventFacts],
    attributes: Sequence[AttributeFacts] = (),
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the rows of place_interval and place_interval_superseded for a place (its id, COPIED
    attributes, unit_id and fte) and all its events and dated attributes."""
    copied = {"place_id": place["id"], **{name: place[name] for name in COPIED}}
    found = knowledge(events, attributes, (place["unit_id"], place["fte"]))
    current = [{**copied, **i._asdict(), "known_from": since} for i, since in found.current]
    superseded = [
        {**copied, **i._asdict(), "known_from": since, "known_to": until}
        for i, since, until in found.superseded
    ]
    return current, superseded
