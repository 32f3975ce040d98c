"""Targets: revisions, copying a year, derivation by headcount, the sum warning and counting rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from quota_app.errors import DomainError
from quota_app.models import AuditEntry, CountingRule, Target
from quota_app.targets import counting_rules, municipal_targets, services
from quota_app.targets.municipal_targets import largest_remainder


def test_largest_remainder_adds_up_and_favours_largest_remainders():
    assert largest_remainder(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert largest_remainder(7, {"x": 50, "y": 30, "z": 20}) == {"x": 4, "y": 2, "z": 1}
    assert largest_remainder(0, {"a": 3}) == {"a": 0}
    assert largest_remainder(5, {"a": 0, "b": 0}) == {"a": 0, "b": 0}


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(min_value=0, max_value=100_000),
    weights=st.dictionaries(st.text(min_size=1, max_size=3), st.integers(1, 50_000), min_size=1, max_size=9),
)
def test_largest_remainder_parts_always_add_up_exactly(total, weights):
    parts = largest_remainder(total, weights)
    assert sum(parts.values()) == total
    weight_sum = sum(weights.values())
    for key, weight in weights.items():
        assert abs(parts[key] - total * weight / weight_sum) < 1


def test_demo_uses_the_shared_largest_remainder():
    from quota_app.demo import services as demo

    assert demo.largest_remainder is largest_remainder


def test_set_target_keeps_every_revision_and_audits(session, reference, make_user, clock):
    bif = make_user("bif")
    sof, internship = reference["departments"]["SOF"], reference["types"]["internship"]
    kw = {"year": 2026, "department_id": sof.id, "type_id": internship.id, "actor": bif}
    first = services.set_target(
        session, value=10, decided_on=date(2025, 12, 10), reference="BR 1", now=clock.now(), **kw
    )
    clock.advance(timedelta(minutes=5))
    second = services.set_target(
        session, value=12, decided_on=date(2026, 3, 1), reference="BR 2", now=clock.now(), **kw
    )
    same = services.set_target(
        session, value=12, decided_on=date(2026, 3, 1), reference="BR 2", now=clock.now(), **kw
    )
    assert first.id == second.id == same.id
    assert second.value == 12
    history = services.target_history(session, target_id=first.id)
    assert [(r.value, r.reference) for r in history] == [(10, "BR 1"), (12, "BR 2")]
    assert history[0].recorded_by_id == bif.id
    audits = session.exec(select(AuditEntry).where(AuditEntry.action == "target.set")).all()
    assert [a.after["value"] for a in audits] == [10, 12]
    assert audits[1].before["value"] == 10


@pytest.mark.parametrize("value", [-1, 1.5, True, 10_000_001])
def test_set_target_refuses_bad_values(session, reference, clock, value):
    with pytest.raises(DomainError):
        services.set_target(
            session,
            year=2026,
            department_id=reference["departments"]["SOF"].id,
            type_id=reference["types"]["internship"].id,
            value=value,
            decided_on=None,
            reference="",
            actor="test",
            now=clock.now(),
        )


def test_copy_year_fills_only_missing_cells(session, reference, clock):
    d, t = reference["departments"], reference["types"]
    for code, value in (("SOF", 5), ("BUF", 7)):
        services.set_target(
            session,
            year=2025,
            department_id=d[code].id,
            type_id=t["flex_job"].id,
            value=value,
            decided_on=date(2024, 12, 1),
            reference="BR",
            actor="test",
            now=clock.now(),
        )
    services.set_target(
        session,
        year=2026,
        department_id=d["SOF"].id,
        type_id=t["flex_job"].id,
        value=9,
        decided_on=None,
        reference="own",
        actor="test",
        now=clock.now(),
    )
    copied = services.copy_year(session, from_year=2025, to_year=2026, actor="test", now=clock.now())
    assert copied == 1
    grid = services.targets_for_year(session, year=2026)
    assert grid[(d["SOF"].id, t["flex_job"].id)].value == 9
    assert grid[(d["BUF"].id, t["flex_job"].id)].value == 7
    assert grid[(d["BUF"].id, t["flex_job"].id)].reference == "Kopieret fra 2025"
    with pytest.raises(DomainError):
        services.copy_year(session, from_year=2030, to_year=2031, actor="test", now=clock.now())


def _headcounts(session, reference, clock, year, figures):
    for code, employees in figures.items():
        municipal_targets.set_headcount(
            session,
            year=year,
            department_id=reference["departments"][code].id,
            employees=employees,
            actor="test",
            now=clock.now(),
        )


def test_derive_splits_by_headcount_and_adds_up_exactly(session, reference, clock):
    year, t = 2026, reference["types"]["senior_job"]
    figures = {"ØKF": 2100, "KFF": 1900, "BUF": 17500, "SUF": 10200, "SOF": 7400, "TMF": 2300, "BIF": 1900}
    _headcounts(session, reference, clock, year, figures)
    municipal_targets.set_municipality_target(
        session,
        year=year,
        type_id=t.id,
        value=101,
        decided_on=date(2025, 12, 10),
        reference="BR",
        actor="test",
        now=clock.now(),
    )
    parts = municipal_targets.derive_department_targets(
        session, year=year, type_id=t.id, actor="test", now=clock.now()
    )
    assert sum(parts.values()) == 101
    by_code = {code: parts[reference["departments"][code].id] for code in figures}
    # Exact shares: BUF 40.82, SUF 23.79, SOF 17.26, TMF 5.37, ØKF 4.90, KFF 4.43, BIF 4.43: the floors
    # add up to 97; the 4 left go to ØKF, BUF, SUF and (tie with BIF, broken by key) KFF.
    assert by_code == {"BUF": 41, "SUF": 24, "SOF": 17, "TMF": 5, "ØKF": 5, "KFF": 5, "BIF": 4}
    assert municipal_targets.sum_warnings(session, year=year) == []
    stored = services.targets_for_year(session, year=year)
    assert sum(v.value for (dep, ty), v in stored.items() if ty == t.id) == 101


def test_derive_needs_a_municipality_figure_and_headcounts(session, reference, clock):
    t = reference["types"]["senior_job"]
    with pytest.raises(DomainError):
        municipal_targets.derive_department_targets(
            session, year=2027, type_id=t.id, actor="test", now=clock.now()
        )
    municipal_targets.set_municipality_target(
        session,
        year=2027,
        type_id=t.id,
        value=10,
        decided_on=None,
        reference="",
        actor="test",
        now=clock.now(),
    )
    with pytest.raises(DomainError, match="antal ansatte"):
        municipal_targets.derive_department_targets(
            session, year=2027, type_id=t.id, actor="test", now=clock.now()
        )


def test_warning_when_departments_do_not_add_up(session, reference, clock):
    t, sof = reference["types"]["wage_subsidy"], reference["departments"]["SOF"]
    municipal_targets.set_municipality_target(
        session,
        year=2026,
        type_id=t.id,
        value=50,
        decided_on=None,
        reference="",
        actor="test",
        now=clock.now(),
    )
    services.set_target(
        session,
        year=2026,
        department_id=sof.id,
        type_id=t.id,
        value=20,
        decided_on=None,
        reference="",
        actor="test",
        now=clock.now(),
    )
    [warning] = municipal_targets.sum_warnings(session, year=2026)
    assert (warning.type_code, warning.municipality_value, warning.department_sum, warning.difference) == (
        "wage_subsidy",
        50,
        20,
        -30,
    )


def test_counting_rules_per_year_and_type(session, reference, clock):
    t = reference["types"]["internship"]
    rule = counting_rules.set_counting_rule(
        session,
        year=2026,
        type_id=t.id,
        counted_statuses=["open", "filled"],
        weighting="fte",
        actor="test",
        now=clock.now(),
    )
    assert rule.statuses == ("open", "filled") and rule.weighting == "fte"
    other_year = session.exec(
        select(CountingRule).where(CountingRule.year == 2025, CountingRule.type_id == t.id)
    ).one()
    assert other_year.statuses == ("filled",)
    with pytest.raises(DomainError):
        counting_rules.set_counting_rule(
            session,
            year=2026,
            type_id=t.id,
            counted_statuses=[],
            weighting="headcount",
            actor="t",
            now=clock.now(),
        )
    with pytest.raises(DomainError):
        counting_rules.set_counting_rule(
            session,
            year=2026,
            type_id=t.id,
            counted_statuses=["x"],
            weighting="headcount",
            actor="t",
            now=clock.now(),
        )
    flow = counting_rules.set_counting_rule(
        session,
        year=2026,
        type_id=reference["types"]["job_rotation"].id,
        counted_statuses=["open"],
        weighting="headcount",
        actor="t",
        now=clock.now(),
    )
    assert flow.statuses == ()
    assert session.exec(select(Target)).all() == []
