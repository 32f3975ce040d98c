"""Counting rules by example: corrections, voids, flows, weighting, ageing, time to fill, trends."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlmodel import select

from quota_app.errors import DomainError
from quota_app.models import CountingRule
from quota_app.periods import Period
from quota_app.reconcile.ageing import ageing_summary, open_places_longest, time_to_fill
from quota_app.reconcile.figures import monthly_trend, reconcile
from quota_app.reconcile.places import places_behind
from quota_app.reconcile.types import AgeingBuckets, RuleOverride

T = datetime(2025, 9, 30, 10, tzinfo=UTC)


def ts(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=UTC)


def row(result, department: str, type_code: str):
    return next(r for r in result.rows if (r.department, r.type) == (department, type_code))


def test_corrections_voids_and_ties(session, make_place) -> None:
    # Corrected the same day: the later recorded event wins; recorded at the same instant: the later id.
    make_place(
        "SOF",
        "internship",
        [
            ("open", date(2025, 1, 1), ts(1, 1)),
            ("filled", date(2025, 2, 1), ts(2, 2)),
            ("paused", date(2025, 2, 1), ts(2, 1)),
        ],
    )
    make_place(
        "SOF", "internship", [("open", date(2025, 1, 1), ts(1, 1)), ("paused", date(2025, 1, 1), ts(1, 1))]
    )
    # A voided closure does not count; a void after known_at still does.
    make_place(
        "SOF",
        "internship",
        [("open", date(2025, 1, 1), ts(1, 1)), ("closed", date(2025, 3, 1), ts(3, 1), ts(3, 2))],
    )
    make_place(
        "SOF",
        "internship",
        [("open", date(2025, 1, 1), ts(1, 1)), ("closed", date(2025, 3, 1), ts(3, 1), ts(10, 1))],
    )
    # Not yet existing on the date.
    make_place("SOF", "internship", [("open", date(2025, 7, 1), ts(7, 1))])
    result = reconcile(session, as_of=date(2025, 6, 30), known_at=T, department_codes=["SOF"])
    r = row(result, "SOF", "internship")
    assert (r.open, r.filled, r.paused, r.closed) == (1, 1, 1, 1)
    earlier = reconcile(session, as_of=date(2025, 6, 30), known_at=ts(3, 1, 12), department_codes=["SOF"])
    r = row(earlier, "SOF", "internship")
    assert (r.open, r.filled, r.paused, r.closed) == (0, 1, 1, 2)  # the closure not yet voided


def test_flow_counts_starts_and_pro_rata(session, make_place, make_target) -> None:
    make_place(
        "BIF",
        "job_rotation",
        [
            ("open", date(2024, 12, 1), ts(1, 1)),
            ("filled", date(2025, 1, 10), ts(1, 10)),
            ("open", date(2025, 3, 1), ts(3, 1)),
            ("filled", date(2025, 4, 1), ts(4, 1)),
            ("filled", date(2025, 5, 1), ts(5, 1)),
        ],
    )
    make_place("BIF", "job_rotation", [("filled", date(2025, 8, 1), ts(8, 1))], fte=0.5)
    make_place("BIF", "job_rotation", [("filled", date(2024, 12, 1), ts(1, 1))])  # started last year
    make_target(2025, "BIF", "job_rotation", 10)
    h1 = row(
        reconcile(session, period=Period(2025, 1), known_at=T, department_codes=["BIF"]),
        "BIF",
        "job_rotation",
    )
    assert (h1.measure, h1.counted, h1.target, h1.fulfilment_pct, h1.target_pro_rata) == (
        "flow",
        2,
        10,
        20.0,
        5.0,
    )
    assert (h1.filled, h1.open) == (2, 0)  # status figures on 30 June
    average = reconcile(
        session, period=Period(2025, 1), method="average", known_at=T, department_codes=["BIF"]
    )
    assert row(average, "BIF", "job_rotation").counted == 2  # flows ignore the method
    year = row(
        reconcile(session, as_of=date(2025, 9, 1), known_at=T, department_codes=["BIF"]),
        "BIF",
        "job_rotation",
    )
    assert (year.counted, year.target_pro_rata) == (3, None)
    fte = reconcile(
        session,
        as_of=date(2025, 9, 1),
        known_at=T,
        department_codes=["BIF"],
        overrides=[RuleOverride("job_rotation", (), "fte")],
    )
    assert row(fte, "BIF", "job_rotation").counted == 2.5


def test_rules_per_year_and_default_fallback(session, reference, make_place) -> None:
    make_place("SOF", "flex_job", [("filled", date(2025, 1, 1), ts(1, 1))], fte=0.5)
    make_place("SOF", "flex_job", [("open", date(2025, 1, 1), ts(1, 1))], fte=0.6)
    rule = session.exec(
        select(CountingRule).where(
            CountingRule.year == 2025, CountingRule.type_id == reference["types"]["flex_job"].id
        )
    ).one()
    rule.counted_statuses, rule.weighting = "filled,open", "fte"
    session.flush()
    result = reconcile(session, as_of=date(2025, 6, 30), known_at=T, department_codes=["SOF"])
    assert row(result, "SOF", "flex_job").counted == pytest.approx(1.1)
    assert result.rules["flex_job"] == (("filled", "open"), "fte")
    # 2030 has no rules at all: the built-in defaults apply (docs/counting.md §3).
    later = reconcile(
        session, as_of=date(2030, 6, 30), known_at=datetime(2031, 1, 1, tzinfo=UTC), department_codes=["SOF"]
    )
    assert row(later, "SOF", "flex_job").counted == 1
    assert later.rules["utility_job"] == (("filled", "open"), "headcount")


def test_bad_arguments(session, reference) -> None:
    with pytest.raises(DomainError, match="enten en dato eller en periode"):
        reconcile(session, known_at=T)
    with pytest.raises(DomainError, match="Ukendt forvaltning: XX"):
        reconcile(session, as_of=date(2025, 1, 1), known_at=T, department_codes=["XX"])
    with pytest.raises(DomainError, match="Ukendt status i regel for internship: hired"):
        reconcile(
            session, as_of=date(2025, 1, 1), known_at=T, overrides=[RuleOverride("internship", ("hired",))]
        )


def test_ageing_and_longest_open(session, make_place) -> None:
    a = make_place(
        "SOF",
        "internship",
        [
            ("open", date(2025, 1, 1), ts(1, 1)),
            ("paused", date(2025, 2, 1), ts(2, 1)),
            ("open", date(2025, 5, 1), ts(5, 1)),
        ],
    )  # spell from 1 May: 60 days
    b = make_place("SOF", "internship", [("open", date(2025, 3, 1), ts(3, 1))])  # 121 days
    make_place("SOF", "utility_job", [("open", date(2025, 6, 15), ts(6, 15))])  # 15 days
    make_place(
        "SOF", "internship", [("open", date(2025, 1, 1), ts(1, 1)), ("filled", date(2025, 2, 1), ts(2, 1))]
    )
    make_place("ØKF", "internship", [("open", date(2024, 1, 1), ts(1, 1))])
    as_of = date(2025, 6, 30)
    longest = open_places_longest(session, as_of=as_of, known_at=T, department_codes=["SOF"])
    assert [(p.place_id, p.open_since, p.days_open) for p in longest] == [
        (b.id, date(2025, 3, 1), 121),
        (a.id, date(2025, 5, 1), 60),
        (longest[2].place_id, date(2025, 6, 15), 15),
    ]
    assert longest[0].department == "SOF" and longest[0].type == "internship"
    assert len(open_places_longest(session, as_of=as_of, known_at=T, department_codes=["SOF"], limit=1)) == 1
    ageing = ageing_summary(session, as_of=as_of, known_at=T, department_codes=["SOF"])
    assert ageing[("SOF", "internship")] == AgeingBuckets(open_total=2, over_30=2, over_60=1, over_90=1)
    assert ageing[("SOF", "utility_job")] == AgeingBuckets(1, 0, 0, 0)
    assert ageing[("SOF", "flex_job")] == AgeingBuckets(0, 0, 0, 0)
    assert {k[0] for k in ageing} == {"SOF"}


def test_places_open_longest_per_department(session, make_place) -> None:
    opened = {
        "SOF": [date(2025, 1, 5), date(2025, 3, 1), date(2025, 2, 1)],
        "ØKF": [date(2025, 4, 1), date(2024, 12, 1)],
        "BIF": [date(2025, 6, 1)],
    }
    for department, days in opened.items():
        for day in days:
            make_place(department, "internship", [("open", day, datetime.combine(day, time(9), UTC))])
    make_place(
        "SOF", "internship", [("open", date(2024, 1, 1), ts(1, 1)), ("filled", date(2024, 6, 1), ts(1, 1))]
    )
    as_of = date(2025, 6, 30)
    longest = open_places_longest(session, as_of=as_of, known_at=T, limit=2, per_department=True)
    # The two longest open of each department (the filled SOF place is not open), longest first.
    assert [(p.department, p.open_since) for p in longest] == [
        ("ØKF", date(2024, 12, 1)),
        ("SOF", date(2025, 1, 5)),
        ("SOF", date(2025, 2, 1)),
        ("ØKF", date(2025, 4, 1)),
        ("BIF", date(2025, 6, 1)),
    ]
    overall = open_places_longest(session, as_of=as_of, known_at=T, limit=2)
    assert [(p.department, p.open_since) for p in overall] == [
        ("ØKF", date(2024, 12, 1)),
        ("SOF", date(2025, 1, 5)),
    ]
    everything = open_places_longest(session, as_of=as_of, known_at=T, limit=None)
    assert len(everything) == 6 and [p.days_open for p in everything] == sorted(
        (p.days_open for p in everything), reverse=True
    )


def test_time_to_fill(session, make_place) -> None:
    make_place(
        "SOF",
        "internship",
        [
            ("open", date(2025, 1, 1), ts(1, 1)),
            ("filled", date(2025, 1, 11), ts(1, 11)),
            ("open", date(2025, 3, 1), ts(3, 1)),
            ("filled", date(2025, 4, 1), ts(4, 1)),
        ],
    )
    make_place(
        "SOF", "internship", [("open", date(2025, 2, 1), ts(2, 1)), ("filled", date(2025, 3, 3), ts(3, 3))]
    )
    make_place(
        "SOF", "internship", [("filled", date(2025, 2, 1), ts(2, 1))]
    )  # filled from the start: no spell
    make_place(
        "SOF", "internship", [("open", date(2025, 6, 1), ts(6, 1)), ("filled", date(2025, 7, 1), ts(7, 1))]
    )
    result = {(t.department, t.type): t for t in time_to_fill(session, period=Period(2025, 1), known_at=T)}
    sof = result[("SOF", "internship")]
    assert (sof.fills, sof.median_days, sof.mean_days) == (3, 30.0, 23.7)  # 10, 31, 30 days
    assert (result[("SOF", "flex_job")].fills, result[("SOF", "flex_job")].median_days) == (0, None)


def test_places_behind_and_monthly_trend(session, make_place, make_target) -> None:
    a = make_place(
        "SOF", "utility_job", [("open", date(2025, 1, 1), ts(1, 1)), ("filled", date(2025, 2, 15), ts(2, 15))]
    )
    b = make_place("SOF", "utility_job", [("open", date(2025, 2, 1), ts(2, 1))])
    c = make_place(
        "SOF", "utility_job", [("open", date(2025, 1, 1), ts(1, 1)), ("closed", date(2025, 3, 1), ts(3, 1))]
    )
    make_target(2025, "SOF", "utility_job", 4)
    on = date(2025, 2, 20)
    assert places_behind(
        session, as_of=on, known_at=T, department_codes=["SOF"], type_codes=["utility_job"]
    ) == sorted([a.id, b.id, c.id])
    assert places_behind(
        session, as_of=on, known_at=T, department_codes=["SOF"], type_codes=["utility_job"], status="filled"
    ) == [a.id]
    trend = monthly_trend(
        session,
        department_code="SOF",
        type_code="utility_job",
        start=date(2025, 1, 1),
        end=date(2025, 3, 15),
        known_at=T,
    )
    assert trend == [(date(2025, 1, 31), 2, 4), (date(2025, 2, 28), 3, 4), (date(2025, 3, 15), 2, 4)]


def test_flow_start_after_a_corrected_date(session, make_place) -> None:
    # A pause on 1 Feb corrected to filled: filled since 5 Jan without a break, so one start, not two.
    make_place(
        "BIF",
        "job_rotation",
        [
            ("filled", date(2025, 1, 5), ts(1, 5)),
            ("paused", date(2025, 2, 1), ts(2, 1)),
            ("filled", date(2025, 2, 1), ts(2, 3)),
        ],
    )
    # A fill on 1 Mar corrected to a pause, then filled on 1 Apr: one start (1 Apr).
    make_place(
        "BIF",
        "job_rotation",
        [
            ("open", date(2025, 1, 5), ts(1, 5)),
            ("filled", date(2025, 3, 1), ts(3, 1)),
            ("paused", date(2025, 3, 1), ts(3, 2)),
            ("filled", date(2025, 4, 1), ts(4, 1)),
        ],
    )
    result = reconcile(session, as_of=date(2025, 6, 30), known_at=T, department_codes=["BIF"])
    assert row(result, "BIF", "job_rotation").counted == 2
    before_fix = reconcile(session, as_of=date(2025, 6, 30), known_at=ts(2, 2), department_codes=["BIF"])
    assert row(before_fix, "BIF", "job_rotation").counted == 1  # known 2 Feb: still paused since 1 Feb
