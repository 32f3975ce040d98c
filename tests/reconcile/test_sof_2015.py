"""Socialforvaltningen on 30.09.2015 (the public memo's figures), rebuilt from an event history."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta

import pytest

from quota_app.reconcile.figures import reconcile, reconciliation_to_json
from quota_app.reconcile.types import RuleOverride
from tests.conftest import FIXTURES

AS_OF = date(2015, 9, 30)
KNOWN_AT = datetime(2015, 10, 5, 8, 0, tzinfo=UTC)
FILLED = {"internship": 30, "utility_job": 4, "senior_job": 10}
TARGETS = {"internship": 120, "utility_job": 20, "senior_job": 15}


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def memo_figures() -> dict[tuple[str, str], int]:
    with (FIXTURES / "sof-2015-09-30.csv").open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return {(r["type"], r["status"]): int(r["count"]) for r in csv.DictReader(lines, delimiter=";")}


def history(status: str, n: int) -> list[tuple]:
    """A plausible history ending in status on 30.09.2015, with a correction and a late registration."""
    opened = date(2014, 11, 1) + timedelta(days=n % 200)
    events: list[tuple] = [("open", opened, at(opened))]
    if status == "filled":
        events.append(("filled", opened + timedelta(days=20), at(opened + timedelta(days=21))))
    elif status == "paused":
        # First registered as filled by mistake, corrected to paused a week later.
        day = opened + timedelta(days=30)
        events += [("filled", day, at(day)), ("paused", day, at(day + timedelta(days=7)))]
    elif status == "closed":
        filled = opened + timedelta(days=10)
        events += [("filled", filled, at(filled)), ("closed", date(2015, 8, 31), at(date(2015, 9, 2)))]
    return events


@pytest.fixture
def sof_2015(make_place, make_target) -> None:
    n = 0
    for (type_code, status), count in memo_figures().items():
        for _ in range(count):
            n += 1
            make_place("SOF", type_code, history(status, n))
    for type_code, count in FILLED.items():
        for _ in range(count):
            n += 1
            make_place("SOF", type_code, history("filled", n))
    # Noise that must not change the figures as known at KNOWN_AT: a fill registered later, and a
    # closure that was voided before KNOWN_AT.
    make_place(
        "SOF",
        "internship",
        [
            ("open", date(2015, 9, 1), at(date(2015, 9, 1))),
            ("filled", date(2015, 9, 20), at(date(2015, 10, 9))),
        ],
    )
    make_place(
        "SOF",
        "internship",
        [
            ("open", date(2015, 9, 1), at(date(2015, 9, 1))),
            ("closed", date(2015, 9, 15), at(date(2015, 9, 15)), at(date(2015, 9, 16))),
        ],
    )
    for type_code, value in TARGETS.items():
        make_target(2015, "SOF", type_code, value)


def rows_by_type(result) -> dict:
    return {r.type: r for r in result.rows if r.department == "SOF"}


def test_memo_figures_and_default_rule(session, sof_2015) -> None:
    result = reconcile(session, as_of=AS_OF, known_at=KNOWN_AT, department_codes=["SOF"])
    rows = rows_by_type(result)
    for (type_code, status), count in memo_figures().items():
        extra = 2 if (type_code, status) == ("internship", "open") else 0  # the two noise places
        assert getattr(rows[type_code], status) == count + extra, (type_code, status)
    internship = rows["internship"]
    assert (internship.open, internship.filled, internship.paused, internship.closed) == (45, 30, 21, 108)
    assert (internship.target, internship.counted, internship.fulfilment_pct, internship.gap) == (
        120,
        30,
        25.0,
        90,
    )
    utility = rows["utility_job"]
    assert (utility.open, utility.filled, utility.counted, utility.fulfilment_pct, utility.gap) == (
        6,
        4,
        10,
        50.0,
        10,
    )
    senior = rows["senior_job"]
    assert (senior.closed, senior.filled, senior.counted, senior.fulfilment_pct) == (29, 10, 10, 66.7)
    flex = rows["flex_job"]
    assert (flex.target, flex.counted, flex.fulfilment_pct, flex.gap) == (None, 0, None, None)
    total = result.by_department["SOF"]
    assert (total.target, total.counted, total.fulfilment_pct, total.gap) == (155, 50, 32.3, 105)


def test_what_if_open_work_placements_count(session, sof_2015) -> None:
    whatif = (RuleOverride("internship", ("filled", "open")),)
    result = reconcile(session, as_of=AS_OF, known_at=KNOWN_AT, department_codes=["SOF"], overrides=whatif)
    internship = rows_by_type(result)["internship"]
    assert (internship.counted, internship.fulfilment_pct, internship.gap) == (75, 62.5, 45)
    assert result.rules["internship"] == (("filled", "open"), "headcount")
    assert result.by_department["SOF"].fulfilment_pct == 61.3  # (75 + 10 + 10) / 155


def test_later_knowledge_changes_the_figures(session, sof_2015) -> None:
    later = reconcile(
        session, as_of=AS_OF, known_at=datetime(2015, 10, 10, tzinfo=UTC), department_codes=["SOF"]
    )
    internship = rows_by_type(later)["internship"]
    assert (internship.open, internship.filled, internship.counted) == (44, 31, 31)


def test_json_shape(session, sof_2015) -> None:
    data = reconciliation_to_json(
        reconcile(session, as_of=AS_OF, known_at=KNOWN_AT, department_codes=["SOF"])
    )
    assert list(data) == ["as_of", "period", "method", "known_at", "rows", "totals"]
    assert (data["as_of"], data["period"], data["method"], data["known_at"]) == (
        "2015-09-30",
        None,
        "point",
        "2015-10-05T08:00:00Z",
    )
    internship = next(r for r in data["rows"] if r["type"] == "internship")
    assert internship == {
        "department": "SOF",
        "type": "internship",
        "target": 120,
        "open": 45,
        "filled": 30,
        "paused": 21,
        "closed": 108,
        "counted": 30,
        "fulfilment_pct": 25.0,
        "gap": 90,
    }
    assert set(data["totals"]) == {"by_department", "by_type", "municipality"}
    assert data["totals"]["municipality"]["target"] == 155
    assert len(data["rows"]) == 6
