"""Against the target: a flow type's half-year share, the change in fulfilment from unrounded values, and the
unit split that adds up to the department."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from quota_app.models import CountingRule, Unit
from quota_app.periods import Period
from quota_app.reconcile.figures import reconcile, reconciliation_to_json
from quota_app.reconcile.rules import fulfilment_change, pro_rata_target
from quota_app.reconcile.units import reconcile_units

T = datetime(2025, 12, 31, 12, tzinfo=UTC)
EARLY = datetime(2025, 1, 1, 8, tzinfo=UTC)


def _row(result, department: str, type_code: str):  # type: ignore[no-untyped-def]
    return next(r for r in result.rows if (r.department, r.type) == (department, type_code))


def test_the_pro_rata_share_holds_for_both_half_years_and_not_for_a_year_or_a_date() -> None:
    assert pro_rata_target(10, measure="flow", period=Period(2025, 1)) == pytest.approx(10 * 181 / 365)
    assert pro_rata_target(10, measure="flow", period=Period(2025, 2)) == pytest.approx(10 * 184 / 365)
    assert pro_rata_target(10, measure="flow", period=Period(2024, 1)) == pytest.approx(10 * 182 / 366)
    assert pro_rata_target(10, measure="flow", period=Period(2025)) is None
    assert pro_rata_target(10, measure="flow", period=None) is None
    assert pro_rata_target(10, measure="stock", period=Period(2025, 1)) is None
    assert pro_rata_target(None, measure="flow", period=Period(2025, 1)) is None


def test_fulfilment_against_the_share_uses_the_unrounded_share(session, make_place, make_target) -> None:  # type: ignore[no-untyped-def]
    make_target(2025, "BIF", "job_rotation", 10)
    for day in (2, 3):
        make_place("BIF", "job_rotation", [("filled", date(2025, 7, day), EARLY)])
    h2 = _row(
        reconcile(session, period=Period(2025, 2), known_at=T, department_codes=["BIF"]),
        "BIF",
        "job_rotation",
    )
    # The share is 10 x 184 / 365 = 5.041...: shown 5.0; 2 starts are 39.7 % of it (40.0 % of the rounded 5.0).
    assert (h2.counted, h2.target_pro_rata, h2.fulfilment_pro_rata_pct) == (2, 5.0, 39.7)
    assert (h2.fulfilment_pct, h2.gap) == (20.0, 8)  # against the annual target, as for every type
    year = _row(
        reconcile(session, period=Period(2025), known_at=T, department_codes=["BIF"]), "BIF", "job_rotation"
    )
    assert (year.target_pro_rata, year.fulfilment_pro_rata_pct) == (None, None)
    data = reconciliation_to_json(
        reconcile(session, period=Period(2025, 2), known_at=T, department_codes=["BIF"])
    )
    flow = next(r for r in data["rows"] if r["type"] == "job_rotation")
    stock = next(r for r in data["rows"] if r["type"] == "internship")
    assert (flow["target_pro_rata"], flow["fulfilment_pro_rata_pct"]) == (5, 39.7)
    assert "target_pro_rata" not in stock  # only the rows that have a share carry it


def test_the_change_in_fulfilment_comes_from_unrounded_values() -> None:
    # 1 of 3 (33.33 %) after 1 of 6 (16.67 %): 16.7 points, not 33.3 - 16.7 = 16.6.
    assert fulfilment_change((1, 3), (1, 6)) == 16.7
    assert fulfilment_change((2, 3), (1, 3)) == 33.3
    assert fulfilment_change((1, 3), (0, None)) is None
    assert fulfilment_change((1, 0), (1, 3)) is None
    assert fulfilment_change((1, 3), None) is None


@pytest.mark.parametrize(
    ("asked", "method"),
    [
        ({"as_of": date(2025, 9, 30)}, "point"),
        ({"period": Period(2025, 1)}, "point"),
        ({"period": Period(2025, 1)}, "average"),
        ({"period": Period(2025, 2)}, "average"),
    ],
)
def test_the_units_add_up_to_the_department(
    session, reference, make_place, make_target, asked, method
) -> None:  # type: ignore[no-untyped-def]
    sof = reference["departments"]["SOF"]
    north, south = Unit(department_id=sof.id, name="Nord"), Unit(department_id=sof.id, name="Syd")
    session.add_all([north, south])
    session.flush()
    rule = session.exec(
        select(CountingRule).where(
            CountingRule.year == 2025, CountingRule.type_id == reference["types"]["flex_job"].id
        )
    ).one()
    rule.weighting = "fte"
    make_target(2025, "SOF", "job_rotation", 6)
    histories = [
        ("internship", north, 1.0, [("open", date(2025, 1, 10)), ("filled", date(2025, 3, 1))]),
        ("internship", None, 1.0, [("filled", date(2025, 2, 1)), ("closed", date(2025, 8, 1))]),
        ("internship", south, 1.0, [("open", date(2025, 4, 1)), ("paused", date(2025, 5, 15))]),
        ("flex_job", north, 0.5, [("filled", date(2024, 11, 1))]),
        ("flex_job", None, 0.8, [("filled", date(2025, 3, 3))]),
        ("job_rotation", north, 1.0, [("filled", date(2025, 2, 1)), ("open", date(2025, 5, 1))]),
        ("job_rotation", None, 1.0, [("open", date(2025, 1, 5)), ("filled", date(2025, 8, 1))]),
        ("job_rotation", south, 1.0, [("filled", date(2025, 6, 1))]),
    ]
    for type_code, unit, fte, events in histories:
        place = make_place("SOF", type_code, [(s, d, EARLY) for s, d in events], fte=fte)
        place.unit_id = unit.id if unit else None
    session.flush()
    department = reconcile(session, method=method, known_at=T, department_codes=["SOF"], **asked)
    units = reconcile_units(session, department_code="SOF", method=method, known_at=T, **asked)
    assert [u.name for u in units][:2] == ["Nord", "Syd"] and units[-1].unit_id is None
    for row in department.rows:
        for key in ("open", "filled", "paused", "closed", "counted"):
            assert sum(u.figure(row.type, key) for u in units) == pytest.approx(getattr(row, key)), (
                row.type,
                key,
            )
    totals = department.by_department["SOF"]
    assert sum(u.total("counted") for u in units) == pytest.approx(totals.counted)
    flows = sum(u.figure("job_rotation", "counted") for u in units)
    assert flows == _row(department, "SOF", "job_rotation").counted and flows > 0
