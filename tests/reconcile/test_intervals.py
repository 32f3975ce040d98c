"""The status intervals counting reads: derived exactly from the events, and kept in step with them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from quota_app.models import OPEN_END, ORIGIN, STATUSES, Place, PlaceInterval
from quota_app.reconcile.intervals import (
    AttributeFacts,
    Counted,
    EventFacts,
    Interval,
    chain,
    knowledge,
    places_out_of_step,
    refresh_places,
)
from quota_app.reconcile.knowledge import attribute_steps, split

FIRST_DAY = date(2025, 1, 1)
BASE = datetime(2025, 1, 1, 8, tzinfo=UTC)


@st.composite
def event_lists(draw: st.DrawFn) -> list[EventFacts]:
    events = []
    for event_id in range(1, draw(st.integers(1, 9)) + 1):
        # Few distinct moments and dates, so ties, corrections and voids at the same moment are common.
        recorded = BASE + timedelta(hours=draw(st.integers(0, 12)))
        voided = draw(st.none() | st.integers(0, 6).map(lambda h, r=recorded: r + timedelta(hours=h)))
        day = FIRST_DAY + timedelta(days=draw(st.integers(0, 8)))
        events.append(EventFacts(event_id, draw(st.sampled_from(STATUSES)), day, recorded, voided))
    return events


def visible_at(events: list[EventFacts], moment: datetime) -> list[EventFacts]:
    return [e for e in events if e.recorded_at <= moment and (e.voided_at is None or e.voided_at > moment)]


def known_at(found, moment: datetime) -> list[Counted]:
    intervals = [i for i, since in found.current if since <= moment]
    intervals += [i for i, since, until in found.superseded if since <= moment < until]
    return sorted(intervals)


def split_chain(
    events: list[EventFacts], attributes: list[AttributeFacts], moment: datetime
) -> list[Counted]:
    """What the intervals as known at moment must be: the chain of the events visible then, each interval
    split by the unit and fte of the attribute rows visible then (ORIGIN rows: known always)."""
    visible = [
        a
        for a in attributes
        if (a.effective_date == ORIGIN or a.recorded_at <= moment)
        and (a.voided_at is None or a.voided_at > moment)
    ]
    steps = attribute_steps(visible, BASE_ATTRIBUTES)
    return [part for interval in chain(visible_at(events, moment)) for part in split(interval, steps)]


BASE_ATTRIBUTES = (None, 1.0)


@st.composite
def attribute_lists(draw: st.DrawFn) -> list[AttributeFacts]:
    rows = []
    if draw(st.booleans()):
        rows.append(AttributeFacts(100, ORIGIN, BASE + timedelta(hours=3), None, 1, 1.0))
    for row_id in range(101, 101 + draw(st.integers(0, 4))):
        recorded = BASE + timedelta(hours=draw(st.integers(0, 12)))
        voided = draw(st.none() | st.integers(0, 6).map(lambda h, r=recorded: r + timedelta(hours=h)))
        day = FIRST_DAY + timedelta(days=draw(st.integers(0, 9)))
        unit, fte = draw(st.sampled_from([None, 1, 2])), draw(st.sampled_from([0.5, 1.0]))
        rows.append(AttributeFacts(row_id, day, recorded, voided, unit, fte))
    return rows


@settings(max_examples=400, deadline=None)
@given(events=event_lists())
def test_the_intervals_known_at_any_moment_are_the_chain_of_the_events_visible_then(events) -> None:
    found = knowledge(events)
    changes = {e.recorded_at for e in events} | {e.voided_at for e in events if e.voided_at}
    moments = {BASE - timedelta(hours=1)} | changes | {m - timedelta(microseconds=1) for m in changes}
    for moment in sorted(moments):
        expected = [Counted(*i, None, 1.0, i.valid_from) for i in chain(visible_at(events, moment))]
        assert known_at(found, moment) == expected, moment
    # Each stored interval was known over a span of time that is not empty.
    assert all(since < until for _i, since, until in found.superseded)


@settings(max_examples=400, deadline=None)
@given(events=event_lists(), attributes=attribute_lists())
def test_with_dated_units_and_fte_the_intervals_known_at_any_moment_are_split_as_known_then(
    events, attributes
) -> None:
    found = knowledge(events, attributes, BASE_ATTRIBUTES)
    changes = {e.recorded_at for e in events} | {e.voided_at for e in events if e.voided_at}
    changes |= {a.recorded_at for a in attributes} | {a.voided_at for a in attributes if a.voided_at}
    moments = {BASE - timedelta(hours=1)} | changes | {m - timedelta(microseconds=1) for m in changes}
    for moment in sorted(moments):
        assert known_at(found, moment) == split_chain(events, attributes, moment), moment
    # Each stored interval was known over a span of time that is not empty.
    assert all(since < until for _i, since, until in found.superseded)


def test_chain_follows_the_rules_of_counting() -> None:
    t = BASE
    events = [
        EventFacts(1, "open", date(2025, 1, 1), t, None),
        EventFacts(2, "paused", date(2025, 2, 1), t, None),
        EventFacts(3, "filled", date(2025, 2, 1), t + timedelta(days=1), None),  # a correction wins
        EventFacts(4, "open", date(2025, 3, 1), t, None),
        EventFacts(6, "closed", date(2025, 4, 1), t, None),
        EventFacts(5, "filled", date(2025, 4, 1), t, None),  # the same instant: the higher id wins
    ]
    assert chain(events) == [  # the status chain; knowledge() splits it by unit and fte
        Interval(date(2025, 1, 1), date(2025, 2, 1), "open", None, date(2025, 1, 1)),
        Interval(date(2025, 2, 1), date(2025, 3, 1), "filled", "open", date(2025, 1, 1)),
        Interval(date(2025, 3, 1), date(2025, 4, 1), "open", "filled", date(2025, 3, 1)),
        Interval(date(2025, 4, 1), OPEN_END, "closed", "open", date(2025, 3, 1)),
    ]


def test_a_later_recording_supersedes_only_what_it_changes() -> None:
    opened = EventFacts(1, "open", date(2025, 1, 1), BASE, None)
    filled = EventFacts(2, "filled", date(2025, 2, 1), BASE + timedelta(days=40), None)
    found = knowledge([opened, filled])
    open_until_filled = Counted(
        date(2025, 1, 1), date(2025, 2, 1), "open", None, date(2025, 1, 1), None, 1.0, date(2025, 1, 1)
    )
    assert found.current == [
        (open_until_filled, filled.recorded_at),
        (
            Counted(
                date(2025, 2, 1), OPEN_END, "filled", "open", date(2025, 1, 1), None, 1.0, date(2025, 2, 1)
            ),
            filled.recorded_at,
        ),
    ]
    # Until the fill was recorded, the place was known as open with no end.
    assert found.superseded == [
        (
            Counted(date(2025, 1, 1), OPEN_END, "open", None, date(2025, 1, 1), None, 1.0, date(2025, 1, 1)),
            BASE,
            filled.recorded_at,
        )
    ]


def test_a_change_of_fte_from_a_date_splits_the_interval_it_falls_in_from_when_it_is_recorded() -> None:
    filled = EventFacts(1, "filled", date(2025, 1, 1), BASE, None)
    origin = AttributeFacts(1, ORIGIN, BASE, None, 7, 1.0)
    halved = AttributeFacts(2, date(2025, 3, 1), BASE + timedelta(days=70), None, 8, 0.5)
    found = knowledge([filled], [origin, halved], (None, 1.0))
    start = date(2025, 1, 1)
    assert found.current == [
        (Counted(start, date(2025, 3, 1), "filled", None, None, 7, 1.0, start), halved.recorded_at),
        # Not a new start of filled: the same status interval (status_since), another unit and fte.
        (Counted(date(2025, 3, 1), OPEN_END, "filled", "filled", None, 8, 0.5, start), halved.recorded_at),
    ]
    assert found.superseded == [
        (Counted(start, OPEN_END, "filled", None, None, 7, 1.0, start), BASE, halved.recorded_at)
    ]
    # A change to the same values changes nothing.
    same = AttributeFacts(3, date(2025, 2, 1), BASE + timedelta(days=80), None, 7, 1.0)
    assert knowledge([filled], [origin, halved, same], (None, 1.0)) == found


# --- in the database -----------------------------------------------------------------------------------


def stored(session, place_id: int) -> list[tuple]:
    rows = session.execute(
        select(PlaceInterval.valid_from, PlaceInterval.status, PlaceInterval.fte)
        .where(PlaceInterval.place_id == place_id)
        .order_by(PlaceInterval.valid_from)
    )
    return [tuple(r) for r in rows]


def test_every_flush_of_events_or_of_a_place_keeps_its_intervals_in_step(session, make_place) -> None:
    place = make_place("SOF", "internship", [("open", date(2025, 1, 1), BASE)])
    assert stored(session, place.id) == [(date(2025, 1, 1), "open", 1.0)]
    place.fte = 0.5  # the intervals carry a copy: changing it on the place changes it there
    session.add(place)
    session.flush()
    assert stored(session, place.id) == [(date(2025, 1, 1), "open", 0.5)]
    assert places_out_of_step(session) == []


def test_intervals_out_of_step_are_found_and_repaired(session, make_place) -> None:
    place = make_place("SOF", "internship", [("open", date(2025, 1, 1), BASE)])
    other = make_place("SOF", "internship", [("filled", date(2025, 1, 1), BASE)])
    session.execute(
        sa.update(PlaceInterval).where(PlaceInterval.place_id == place.id).values(status="closed")
    )
    session.execute(sa.delete(PlaceInterval).where(PlaceInterval.place_id == other.id))
    assert places_out_of_step(session) == [place.id, other.id]
    refresh_places(session.connection(), [place.id, other.id])
    assert places_out_of_step(session) == []


def test_a_place_without_events_has_no_intervals(session, reference) -> None:
    place = Place(
        department_id=reference["departments"]["SOF"].id,
        type_id=reference["types"]["internship"].id,
        reference="EMPTY",
        created_at=BASE,
    )
    session.add(place)
    session.flush()
    assert stored(session, place.id) == []
    assert places_out_of_step(session) == []


@pytest.mark.parametrize("count", [0, 1, 1201])
def test_refresh_handles_any_number_of_places(session, make_place, count) -> None:
    ids = [
        make_place("SOF", "internship", [("open", date(2025, 1, 1), BASE)]).id for _ in range(min(count, 3))
    ]
    refresh_places(session.connection(), ids + list(range(10**6, 10**6 + count)))  # unknown ids: nothing
    assert places_out_of_step(session) == []
