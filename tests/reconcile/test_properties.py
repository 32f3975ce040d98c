"""Property-based tests: the SQL counting equals a slow, obviously correct day-by-day reference."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from quota_app.models import STATUSES, Place, PlaceEvent, Target
from quota_app.periods import Period, daterange
from quota_app.reconcile.figures import reconcile
from quota_app.reconcile.queries import count_by_status_query
from quota_app.reconcile.types import RuleOverride
from tests.factories import example

DEPARTMENTS = ("SOF", "ØKF")
TYPES = ("internship", "utility_job", "job_rotation")
FIRST_DAY = date(2024, 12, 1)
BASE = datetime(2024, 12, 1, 8, tzinfo=UTC)
PERIOD = Period(2025, 1)
PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    # The session fixture is shared by all examples on purpose: each example runs in its own savepoint,
    # rolled back at its end (see `example`), so no example sees another's rows.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass(frozen=True)
class Ev:
    status: str
    effective: date
    recorded: datetime
    voided: datetime | None


@dataclass(frozen=True)
class PlaceSpec:
    department: str
    type_code: str
    fte: float
    events: tuple[Ev, ...]


@st.composite
def event_specs(draw: st.DrawFn) -> Ev:
    recorded = BASE + timedelta(days=draw(st.integers(0, 260)))
    voided = draw(st.none() | st.integers(0, 60))
    return Ev(
        status=draw(st.sampled_from(STATUSES)),
        # A coarse grid of dates half the time, so corrections of the same date are common.
        effective=FIRST_DAY
        + timedelta(days=draw(st.integers(0, 24).map(lambda k: 10 * k) | st.integers(0, 240))),
        recorded=recorded,
        voided=None if voided is None else recorded + timedelta(days=voided),
    )


@st.composite
def place_specs(draw: st.DrawFn) -> PlaceSpec:
    events = draw(
        st.lists(
            event_specs(),
            min_size=1,
            max_size=6,
        )
    )
    return PlaceSpec(
        department=draw(st.sampled_from(DEPARTMENTS)),
        type_code=draw(st.sampled_from(TYPES)),
        fte=draw(st.sampled_from((0.5, 1.0))),
        events=tuple(events),
    )


histories = st.lists(place_specs(), min_size=1, max_size=6)
days = st.integers(0, 240).map(lambda n: FIRST_DAY + timedelta(days=n))
moments = st.integers(0, 320).map(lambda n: BASE + timedelta(days=n))
overrides = st.sampled_from(
    (
        (),
        (RuleOverride("internship", ("filled", "open")),),
        (RuleOverride("internship", ("filled",), "fte"), RuleOverride("utility_job", ("open",), "fte")),
        (RuleOverride("job_rotation", (), "fte"), RuleOverride("utility_job", ("paused", "closed"))),
    )
)


# --- the reference: loops over days and events ----------------------------------------------------------


def status_on(events: tuple[Ev, ...], day: date, known_at: datetime) -> str | None:
    visible = [
        (e.effective, e.recorded, i, e.status)
        for i, e in enumerate(events)
        if e.effective <= day and e.recorded <= known_at and (e.voided is None or e.voided > known_at)
    ]
    return max(visible)[3] if visible else None


def rule_of(type_code: str, whatif: tuple[RuleOverride, ...]) -> tuple[tuple[str, ...], str]:
    rules = {"internship": (("filled",), "headcount"), "utility_job": (("filled", "open"), "headcount")}
    rules["job_rotation"] = ((), "headcount")
    for o in whatif:
        rules[o.type_code] = (o.counted_statuses, o.weighting or rules[o.type_code][1])
    return rules[type_code]


def reference_counts(
    specs: list[PlaceSpec],
    *,
    days_counted: list[date],
    flow_from: date,
    flow_to: date,
    known_at: datetime,
    whatif: tuple[RuleOverride, ...],
) -> dict[tuple[str, str], dict[str, float]]:
    result = {(d, t): dict.fromkeys((*STATUSES, "counted"), 0.0) for d in DEPARTMENTS for t in TYPES}
    for spec in specs:
        statuses, weighting = rule_of(spec.type_code, whatif)
        weight = spec.fte if weighting == "fte" else 1.0
        cell = result[(spec.department, spec.type_code)]
        for day in days_counted:
            status = status_on(spec.events, day, known_at)
            if status is not None:
                cell[status] += weight / len(days_counted)
                if spec.type_code != "job_rotation" and status in statuses:
                    cell["counted"] += weight / len(days_counted)
        if spec.type_code == "job_rotation":
            for day in daterange(flow_from, flow_to):
                before = status_on(spec.events, day - timedelta(days=1), known_at)
                if status_on(spec.events, day, known_at) == "filled" and before != "filled":
                    cell["counted"] += weight
    return result


# --- plumbing ------------------------------------------------------------------------------------------


def insert(session: Session, reference: dict, specs: list[PlaceSpec], first: int = 0) -> None:
    for n, spec in enumerate(specs, start=first):
        place = Place(
            department_id=reference["departments"][spec.department].id,
            type_id=reference["types"][spec.type_code].id,
            reference=f"P-{n}",
            fte=spec.fte,
            created_at=BASE,
        )
        session.add(place)
        session.flush()
        insert_events(session, place.id, spec.events)


def insert_events(session: Session, place_id: int, events: tuple[Ev, ...]) -> None:
    for e in events:
        # One flush per event keeps ids in list order: the tie-break for equal (date, recorded_at).
        session.add(
            PlaceEvent(
                place_id=place_id,
                status=e.status,
                effective_date=e.effective,
                recorded_at=e.recorded,
                voided_at=e.voided,
                void_reason="fejl" if e.voided else None,
                source="test",
            )
        )
        session.flush()


def figures(result) -> dict[tuple[str, str], dict[str, float]]:
    return {(r.department, r.type): {s: getattr(r, s) for s in (*STATUSES, "counted")} for r in result.rows}


def assert_close(actual: dict, expected: dict) -> None:
    assert actual.keys() == expected.keys()
    for key in expected:
        assert actual[key] == pytest.approx(expected[key], abs=1e-9), key


def scoped(session: Session, **kw):
    return reconcile(session, department_codes=list(DEPARTMENTS), type_codes=list(TYPES), **kw)


# --- properties ----------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(specs=histories, as_of=days, known_at=moments, whatif=overrides)
def test_point_equals_reference(session, reference, specs, as_of, known_at, whatif) -> None:
    with example(session):
        insert(session, reference, specs)
        result = scoped(session, as_of=as_of, known_at=known_at, overrides=whatif)
        expected = reference_counts(
            specs,
            days_counted=[as_of],
            flow_from=date(as_of.year, 1, 1),
            flow_to=as_of,
            known_at=known_at,
            whatif=whatif,
        )
        assert_close(figures(result), expected)


@PROPERTY_SETTINGS
@given(specs=histories, known_at=moments, whatif=overrides, method=st.sampled_from(("point", "average")))
def test_period_equals_reference(session, reference, specs, known_at, whatif, method) -> None:
    with example(session):
        insert(session, reference, specs)
        result = scoped(session, period=PERIOD, method=method, known_at=known_at, overrides=whatif)
        counted_days = list(daterange(PERIOD.start, PERIOD.end)) if method == "average" else [PERIOD.end]
        expected = reference_counts(
            specs,
            days_counted=counted_days,
            flow_from=PERIOD.start,
            flow_to=PERIOD.end,
            known_at=known_at,
            whatif=whatif,
        )
        assert_close(figures(result), expected)


@PROPERTY_SETTINGS
@given(
    specs=histories,
    later=st.lists(place_specs(), max_size=3),
    extra=st.lists(st.tuples(st.integers(0, 5), event_specs()), max_size=4),
    void_later=st.booleans(),
    as_of=days,
    known_at=moments,
    method=st.sampled_from(("point", "average")),
)
def test_events_recorded_after_known_at_change_nothing(
    session, reference, specs, later, extra, void_later, as_of, known_at, method
) -> None:
    def run():
        if method == "point":
            return scoped(session, as_of=as_of, known_at=known_at)
        return scoped(session, period=PERIOD, method="average", known_at=known_at)

    def after(e: Ev) -> Ev:
        recorded = known_at + (e.recorded - BASE) + timedelta(seconds=1)
        return Ev(
            e.status, e.effective, recorded, None if e.voided is None else recorded + (e.voided - e.recorded)
        )

    with example(session):
        insert(session, reference, specs)
        before = run()
        place_ids = list(session.exec(select(Place.id).order_by(Place.id)))
        # New places, new events and corrections for old places, and voids: all recorded after known_at.
        insert(
            session,
            reference,
            [PlaceSpec(s.department, s.type_code, s.fte, tuple(after(e) for e in s.events)) for s in later],
            first=100,
        )
        for index, event in extra:
            insert_events(session, place_ids[index % len(place_ids)], (after(event),))
        if void_later:
            for event in session.exec(select(PlaceEvent).where(PlaceEvent.voided_at.is_(None))):
                event.voided_at = max(known_at, event.recorded_at) + timedelta(seconds=1)
                event.void_reason = "fejl"
            session.flush()
        assert run() == before


@PROPERTY_SETTINGS
@given(
    specs=histories,
    known_at=moments,
    whatif=overrides,
    targets=st.lists(st.integers(0, 4), min_size=12, max_size=12),
)
def test_totals_are_the_sum_of_their_rows(session, reference, specs, known_at, whatif, targets) -> None:
    with example(session):
        insert(session, reference, specs)
        cells = [(d, t) for d in DEPARTMENTS for t in TYPES]
        for (department, type_code), value in zip(cells, targets, strict=False):
            if value:  # 0 here means: no target at all
                session.add(
                    Target(
                        year=2025,
                        department_id=reference["departments"][department].id,
                        type_id=reference["types"][type_code].id,
                        value=value - 1,
                        updated_at=BASE,
                    )
                )
        session.flush()
        result = scoped(session, period=PERIOD, method="average", known_at=known_at, overrides=whatif)
        groups = [(result.municipality, result.rows)]
        groups += [
            (t, [r for r in result.rows if r.department == code]) for code, t in result.by_department.items()
        ]
        groups += [(t, [r for r in result.rows if r.type == code]) for code, t in result.by_type.items()]
        for total, rows in groups:
            for key in (*STATUSES, "counted"):
                assert getattr(total, key) == pytest.approx(sum(getattr(r, key) for r in rows), abs=1e-9)
            with_target = [r for r in rows if r.target is not None]
            assert total.target == (sum(r.target for r in with_target) if with_target else None)
            if total.target is not None:
                counted = sum(r.counted for r in with_target)
                assert total.gap == pytest.approx(total.target - counted)
                assert total.fulfilment_pct == (
                    round(counted / total.target * 100, 1) if total.target else None
                )
        for row in result.rows:
            if row.target:
                assert row.fulfilment_pct == round(row.counted / row.target * 100, 1)
                assert row.gap == pytest.approx(row.target - row.counted)
            else:
                assert row.fulfilment_pct is None


@PROPERTY_SETTINGS
@given(specs=histories, as_of=days, known_at=moments)
def test_average_over_one_day_equals_the_point_count(session, reference, specs, as_of, known_at) -> None:
    with example(session):
        insert(session, reference, specs)

        def aggregate(method: str, weighting: str) -> dict:
            types = reference["types"].values()
            query = count_by_status_query(
                known_at=known_at,
                as_of=as_of,
                method=method,
                flow_start=as_of,
                average_from=as_of,
                department_ids=[d.id for d in reference["departments"].values()],
                weighting={t.id: weighting for t in types},
                flow_type_ids={t.id for t in types if t.measure == "flow"},
            )
            totals: dict = defaultdict(lambda: [0.0, 0.0])
            for d, t, s, *numbers in session.execute(query):
                totals[(d, t, s)] = [a + float(b) for a, b in zip(totals[(d, t, s)], numbers, strict=True)]
            return dict(totals)

        for weighting in ("headcount", "fte"):
            assert aggregate("average", weighting) == aggregate("point", weighting)
