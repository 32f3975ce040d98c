"""The status intervals counting reads: derived exactly from the events, and kept in step with them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from quota_app.models import OPEN_END, STATUSES, Place, PlaceInterval
from quota_app.reconcile.intervals import (
    EventFacts,
    Interval,
    chain,
    knowledge,
    places_out_of_step,
    refresh_places,
)

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


def known_at(found, moment: datetime) -> list[Interval]:
    intervals = [i for i, since in found.current if since <= moment]
    intervals += [i for i, since, until in found.superseded if since <= moment < until]
    return sorted(intervals)


@settings(max_examples=400, deadline=None)
@given(events=event_lists())
def test_the_intervals_known_at_any_moment_are_the_chain_of_the_events_visible_then(events) -> None:
    found = knowledge(events)
    changes = {e.recorded_at for e in events} | {e.voided_at for e in events if e.voided_at}
    moments = {BASE - timedelta(hours=1)} | changes | {m - timedelta(microseconds=1) for m in changes}
    for moment in sorted(moments):
        assert known_at(found, moment) == chain(visible_at(events, moment)), moment
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
    assert chain(events) == [
        Interval(date(2025, 1, 1), date(2025, 2, 1), "open", None, date(2025, 1, 1)),
        Interval(date(2025, 2, 1), date(2025, 3, 1), "filled", "open", date(2025, 1, 1)),
        Interval(date(2025, 3, 1), date(2025, 4, 1), "open", "filled", date(2025, 3, 1)),
        Interval(date(2025, 4, 1), OPEN_END, "closed", "open", date(2025, 3, 1)),
    ]


def test_a_later_recording_supersedes_only_what_it_changes() -> None:
    opened = EventFacts(1, "open", date(2025, 1, 1), BASE, None)
    filled = EventFacts(2, "filled", date(2025, 2, 1), BASE + timedelta(days=40), None)
    found = knowledge([opened, filled])
    open_until_filled = Interval(date(2025, 1, 1), date(2025, 2, 1), "open", None, date(2025, 1, 1))
    assert found.current == [
        (open_until_filled, filled.recorded_at),
        (Interval(date(2025, 2, 1), OPEN_END, "filled", "open", date(2025, 1, 1)), filled.recorded_at),
    ]
    # Until the fill was recorded, the place was known as open with no end.
    assert found.superseded == [
        (Interval(date(2025, 1, 1), OPEN_END, "open", None, date(2025, 1, 1)), BASE, filled.recorded_at)
    ]


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
