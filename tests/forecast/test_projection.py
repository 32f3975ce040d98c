"""The year-end projection on the database: what it must do whatever the history, and a case by hand."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from quota_app.errors import DomainError
from quota_app.forecast.history import RATE_DAYS
from quota_app.forecast.projection import needed, project, projection_to_json
from quota_app.forecast.scope import department_codes_for
from quota_app.reconcile.figures import reconcile

KNOWN = datetime(2025, 9, 30, 10, tzinfo=UTC)
NEXT = {"open": ("filled", "paused", "closed"), "filled": ("open", "closed"), "paused": ("open", "closed")}


def rec(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


def random_history(rng: random.Random, start: date, end: date) -> list[tuple]:
    status, day = rng.choice(("open", "open", "filled")), start
    events = [(status, day, rec(day))]
    while status != "closed":
        day += timedelta(days=rng.randint(3, 150))
        if day > end:
            break
        status = rng.choice(NEXT[status])
        events.append((status, day, rec(day)))
    return events


def test_nothing_open_and_nothing_ever_ended_projects_todays_count(session, make_place, make_target) -> None:
    rng = random.Random(5)
    for _ in range(30):
        department, type_code = (
            rng.choice(("SOF", "BUF")),
            rng.choice(("internship", "job_rotation", "flex_job")),
        )
        day = date(2023, 1, 1) + timedelta(days=rng.randrange(900))
        make_place(department, type_code, [("filled", day, rec(day))], fte=rng.choice((0.5, 1.0)))
    make_target(2025, "SOF", "internship", 40)
    result = project(session, year=2025, as_of=date(2025, 6, 30), known_at=KNOWN)
    assert len(result.rows) == 7 * 6
    for row in result.rows:
        for outlook in (row.year_end, row.half_year_end):
            assert outlook.projected == outlook.low == outlook.high == row.counted, row
    sof = next(r for r in result.rows if (r.department, r.type) == ("SOF", "internship"))
    assert sof.counted > 0 and sof.needed == needed(sof.counted, 40) > 0


@pytest.mark.parametrize("seed", [11, 12])
def test_never_below_the_starts_already_made(session, make_place, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(40):
        start = date(2023, 1, 1) + timedelta(days=rng.randrange(880))
        make_place(rng.choice(("SOF", "ØKF")), "job_rotation", random_history(rng, start, date(2025, 6, 30)))
    for as_of in (date(2025, 1, 31), date(2025, 6, 30)):
        result = project(session, year=2025, as_of=as_of, known_at=KNOWN, department_codes=["SOF", "ØKF"])
        flows = [r for r in result.rows if r.type == "job_rotation"]
        assert any(r.counted > 0 for r in flows)
        for row in flows:
            assert row.year_end.low >= row.counted and row.year_end.projected >= row.counted
            assert row.half_year_end.low >= row.counted
            assert row.year_end.projected >= row.half_year_end.projected
        for row in result.rows:
            assert 0 <= row.year_end.low <= row.year_end.projected <= row.year_end.high


def test_a_case_by_hand(session, make_place) -> None:
    """Every opening has filled after exactly 10 days and no fill has ended: an open place 5 days old fills
    for certain within the 20 days left, and the year's openings (n a year) add those opened in the first
    10 of the 20 days: n x 10 / RATE_DAYS."""
    as_of = date(2025, 12, 11)
    for k in range(8):
        opened = date(2025, 1, 10) + timedelta(days=30 * k)
        make_place(
            "SOF",
            "internship",
            [("open", opened, rec(opened)), ("filled", opened + timedelta(days=10), rec(opened))],
        )
    make_place("SOF", "internship", [("open", date(2025, 12, 6), rec(date(2025, 12, 6)))])
    result = project(
        session,
        year=2025,
        as_of=as_of,
        known_at=datetime(2025, 12, 11, 20, tzinfo=UTC),
        department_codes=["SOF"],
        type_codes=["internship"],
    )
    (row,) = result.rows
    assert row.counted == 8
    assert row.year_end.projected == round(8 + 1 + 9 * 10 / RATE_DAYS, 1)
    # In H2 the half-year ends with the year.
    assert row.half_year_end == row.year_end


def test_the_year_end_is_todays_count_and_later_recordings_change_nothing(session, make_place) -> None:
    rng = random.Random(3)
    for _ in range(25):
        start = date(2024, 1, 1) + timedelta(days=rng.randrange(500))
        make_place(
            rng.choice(("SOF", "BUF")),
            rng.choice(("internship", "utility_job")),
            random_history(rng, start, date(2025, 9, 1)),
        )
    known = datetime(2025, 5, 1, tzinfo=UTC)
    before = projection_to_json(project(session, year=2025, as_of=date(2025, 4, 30), known_at=known))
    # Recorded after known_at (back-dated into the history): not known then, so nothing changes.
    make_place("SOF", "internship", [("open", date(2025, 3, 1), datetime(2025, 5, 2, tzinfo=UTC))])
    assert projection_to_json(project(session, year=2025, as_of=date(2025, 4, 30), known_at=known)) == before
    last = project(session, year=2025, as_of=date(2025, 12, 31), known_at=KNOWN)
    counted = reconcile(session, as_of=date(2025, 12, 31), known_at=KNOWN)
    assert [(r.year_end.projected, r.year_end.low, r.year_end.high) for r in last.rows] == [
        (r.counted, r.counted, r.counted) for r in counted.rows
    ]


def test_refusals(session, reference) -> None:
    with pytest.raises(DomainError, match="ligger ikke i 2025"):
        project(session, year=2025, as_of=date(2024, 12, 31), known_at=KNOWN)
    with pytest.raises(DomainError, match="tidszone"):
        project(session, year=2025, as_of=date(2025, 6, 30), known_at=datetime(2025, 9, 30))
    with pytest.raises(DomainError, match="Ukendt forvaltning: XYZ"):
        project(session, year=2025, as_of=date(2025, 6, 30), known_at=KNOWN, department_codes=["XYZ"])


def test_hr_sees_only_its_own_lines(session, make_user, make_place) -> None:
    make_place("SOF", "internship", [("open", date(2025, 3, 1), rec(date(2025, 3, 1)))])
    hr, bif = make_user("hr", "BUF"), make_user("bif")
    assert department_codes_for(session, user=bif) is None
    mine = project(
        session,
        year=2025,
        as_of=date(2025, 6, 30),
        known_at=KNOWN,
        department_codes=department_codes_for(session, user=hr),
    )
    assert {r.department for r in mine.rows} == {"BUF"} and len(mine.rows) == 6
