"""Registration lag: SQL figures against a reference computed here from what was recorded, with time travel."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from quota_app.clock import FrozenClock
from quota_app.errors import DomainError
from quota_app.forecast.lag import figures, lag_to_json, median, nearest_rank, registration_lag
from quota_app.models import PlaceEvent
from quota_app.periods import Period
from quota_app.places import corrections, registration, status_events

CPH = ZoneInfo("Europe/Copenhagen")
PERIOD = Period(2025, 1)
DEPARTMENTS = ("SOF", "ØKF")
TYPES = ("internship", "job_rotation")
NEXT = {"open": ("filled", "paused", "closed"), "filled": ("open", "closed"), "paused": ("open", "closed")}
# Local clock times that test the date line: just after midnight, in the night of the change to summer
# time (30 March 2025), midday, just before midnight.
LOCAL_TIMES = (time(0, 5), time(1, 30), time(2, 30), time(12, 0), time(23, 30), time(23, 59))


@dataclass
class Recorded:
    department: str
    type: str
    status: str
    effective: date
    recorded: datetime
    voided: datetime | None = None

    def lag(self) -> int:
        return (self.recorded.astimezone(CPH).date() - self.effective).days


def recorded_at(rng: random.Random, effective: date, after: datetime) -> datetime:
    """A moment some days after effective, at a local time near a date line, never before after."""
    day = effective + timedelta(days=rng.choice((0, 0, 1, 2, 3, 6, 7, 8, 9, 15, 31)))
    local = datetime.combine(day, rng.choice(LOCAL_TIMES), CPH)
    return max(local.astimezone(UTC), after + timedelta(minutes=1))


def record_history(session, reference, rng: random.Random, serial: int) -> list[Recorded]:  # type: ignore[no-untyped-def]
    """Register a place and a few status changes through the services, the clock moved to each recording
    (time travel); sometimes a correction or a void days later. Return what was recorded."""
    clock = FrozenClock(datetime(2024, 11, 1, tzinfo=UTC))
    department, type_code = rng.choice(DEPARTMENTS), rng.choice(TYPES)
    effective = date(2024, 11, 20) + timedelta(days=rng.randrange(120))
    clock.set(recorded_at(rng, effective, clock.now()))
    place = registration.register_place(
        session,
        department_id=reference["departments"][department].id,
        type_code=type_code,
        reference=f"LAG-{serial:04d}",
        status="open",
        effective_date=effective,
        actor="test",
        now=clock.now(),
    )
    first = session.exec(select(PlaceEvent).where(PlaceEvent.place_id == place.id)).one()
    done = [Recorded(department, type_code, "open", effective, first.recorded_at)]
    events = [first]
    status = "open"
    for _ in range(rng.randrange(4)):
        if status == "closed":
            break
        status = rng.choice(NEXT[status])
        effective += timedelta(days=rng.randint(1, 60))
        clock.set(recorded_at(rng, effective, clock.now()))
        event = status_events.record_status(
            session, place_id=place.id, status=status, effective_date=effective, actor="test", now=clock.now()
        )
        events.append(event)
        done.append(Recorded(department, type_code, status, effective, event.recorded_at))
        if done[-2].status == "open" and status in ("filled", "paused") and rng.random() < 0.3:
            status = "paused" if status == "filled" else "filled"
            clock.advance(timedelta(days=rng.randint(1, 20), hours=rng.randrange(24)))
            fixed = corrections.correct_event(
                session, event_id=event.id, status=status, reason="Rettelse", actor="test", now=clock.now()
            )
            events.append(fixed)
            done.append(Recorded(department, type_code, status, effective, fixed.recorded_at))
    if len(events) > 1 and rng.random() < 0.3:
        clock.advance(timedelta(days=rng.randint(1, 10)))
        corrections.void_event(session, event_id=events[-1].id, reason="Fejl", actor="test", now=clock.now())
        done[-1].voided = clock.now()
    session.flush()
    return done


def reference_figures(events: list[Recorded], known_at: datetime) -> dict:
    """Per (department, type): (all lags, opening lags) of the events dated in the period, as known at."""
    found: dict = defaultdict(lambda: ([], []))
    for e in events:
        visible = e.recorded <= known_at and (e.voided is None or e.voided > known_at)
        if visible and PERIOD.start <= e.effective <= PERIOD.end:
            found[(e.department, e.type)][0].append(e.lag())
            if e.status == "open":
                found[(e.department, e.type)][1].append(e.lag())
    return found


def slow_figures(lags: list[int]) -> tuple:
    """The figures the obvious way: sort, take the middle and the ceil(0.9 n)-th, count the late."""
    if not lags:
        return (0, None, None, None)
    ordered = sorted(lags)
    n = len(ordered)
    middle = (ordered[(n - 1) // 2] + ordered[n // 2]) / 2
    rank = -(-9 * n // 10)  # ceil(0.9 n) in integers
    return (n, middle, ordered[rank - 1], round(sum(1 for x in lags if x > 7) / n, 3))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_lag_equals_a_reference_for_random_histories(session, reference, seed: int) -> None:
    rng = random.Random(seed)
    events = [e for serial in range(25) for e in record_history(session, reference, rng, serial)]
    assert any(e.voided for e in events) and any(e.lag() > 7 for e in events)
    for known_at in (datetime(2025, 3, 15, 12, tzinfo=UTC), datetime(2025, 9, 1, tzinfo=UTC)):
        report = registration_lag(
            session,
            period=PERIOD,
            known_at=known_at,
            zone=CPH,
            department_codes=list(DEPARTMENTS),
            type_codes=list(TYPES),
        )
        expected = reference_figures(events, known_at)
        assert len(report.rows) == len(DEPARTMENTS) * len(TYPES)
        for row in report.rows:
            every, openings = expected.get((row.department, row.type), ([], []))
            assert tuple(vars(row.all).values()) == slow_figures(every), (row, known_at)
            assert tuple(vars(row.openings).values()) == slow_figures(openings), (row, known_at)


def test_the_local_date_decides_and_voids_and_corrections(session, reference, make_place) -> None:
    march = date(2025, 3, 1)
    make_place(
        "SOF",
        "internship",
        [
            # 23:30 UTC is half past midnight in Copenhagen: recorded the next day, lag 1.
            ("open", march, datetime(2025, 3, 1, 23, 30, tzinfo=UTC)),
            # Summer time: 22:30 UTC on 30 March is 00:30 on 31 March locally.
            ("filled", date(2025, 3, 30), datetime(2025, 3, 30, 22, 30, tzinfo=UTC)),
            # A correction of the same date, recorded ten days later: counts with its own date, lag 10.
            ("paused", date(2025, 3, 30), datetime(2025, 4, 9, 10, tzinfo=UTC)),
            # Voided: left out.
            ("open", date(2025, 4, 2), datetime(2025, 4, 2, 9, tzinfo=UTC), datetime(2025, 4, 3, tzinfo=UTC)),
        ],
    )
    report = registration_lag(
        session,
        period=PERIOD,
        known_at=datetime(2025, 9, 30, tzinfo=UTC),
        zone=CPH,
        department_codes=["SOF"],
        type_codes=["internship"],
    )
    (row,) = report.rows
    assert (row.all.events, row.all.median_days, row.all.p90_days, row.all.share_late) == (3, 1.0, 10, 0.333)
    assert (row.openings.events, row.openings.median_days, row.openings.p90_days) == (1, 1.0, 1)
    # The same events measured in UTC dates would give lags 0, 0 and 10.
    utc = registration_lag(
        session,
        period=PERIOD,
        known_at=datetime(2025, 9, 30, tzinfo=UTC),
        zone=ZoneInfo("UTC"),
        department_codes=["SOF"],
        type_codes=["internship"],
    )
    assert utc.rows[0].all.median_days == 0.0


def test_rows_for_every_active_department_and_type_and_the_json_shape(session, reference) -> None:
    report = registration_lag(session, period=PERIOD, known_at=datetime(2025, 9, 30, tzinfo=UTC), zone=CPH)
    data = lag_to_json(report)
    assert list(data) == ["period", "rows"] and data["period"] == "2025-H1"
    assert len(data["rows"]) == 7 * 6
    assert data["rows"][0] == {
        "department": data["rows"][0]["department"],
        "type": "internship",
        "events": 0,
        "median_days": None,
        "p90_days": None,
        "share_late": None,
        "openings_events": 0,
        "openings_median_days": None,
        "openings_p90_days": None,
        "openings_share_late": None,
    }


def test_refusals(session, reference) -> None:
    with pytest.raises(DomainError, match="tidszone"):
        registration_lag(session, period=PERIOD, known_at=datetime(2025, 9, 30), zone=CPH)
    with pytest.raises(DomainError, match="Ukendt forvaltning: XYZ"):
        registration_lag(
            session,
            period=PERIOD,
            known_at=datetime(2025, 9, 30, tzinfo=UTC),
            zone=CPH,
            department_codes=["XYZ"],
        )


def test_median_and_nearest_rank() -> None:
    assert median(Counter()) is None and nearest_rank(Counter(), 0.9) is None
    assert median(Counter([5])) == 5.0
    assert median(Counter([1, 2, 3, 10])) == 2.5
    # Nearest rank: ceil(0.9 x 10) = 9th of 1..10 is 9; of 11 values the ceil(9.9) = 10th.
    assert nearest_rank(Counter(range(1, 11)), 0.9) == 9
    assert nearest_rank(Counter(range(1, 12)), 0.9) == 10
    assert figures(Counter({0: 3, 8: 1})).share_late == 0.25
