"""monthly_trend computes every month-end in one query: it must equal reconcile() on each of those dates."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from quota_app.models import CountingRule, Target
from quota_app.reconcile.figures import monthly_trend, reconcile
from tests.factories import example

from .test_properties import FIRST_DAY, PROPERTY_SETTINGS, TYPES, histories, insert, moments

# Rules that differ between 2024 and 2025, so a trend across New Year must switch rule with the year.
RULES_2024 = {"internship": ("filled,open", "fte"), "utility_job": ("open", "headcount")}
RULES_2025 = {"internship": ("filled", "headcount"), "utility_job": ("filled,paused", "fte")}


@PROPERTY_SETTINGS
@given(
    specs=histories,
    known_at=moments,
    start=st.integers(0, 200).map(lambda n: FIRST_DAY - timedelta(days=40) + timedelta(days=n)),
    months=st.integers(0, 8),
    last_day=st.integers(0, 30),
    department=st.sampled_from(("SOF", "ØKF")),
    type_code=st.sampled_from(TYPES),
)
def test_monthly_trend_equals_reconcile_per_month(
    session, reference, specs, known_at, start, months, last_day, department, type_code
) -> None:
    with example(session):
        insert(session, reference, specs)
        for year, rules in ((2024, RULES_2024), (2025, RULES_2025)):
            for code, (statuses, weighting) in rules.items():
                rule = session.exec(
                    select(CountingRule).where(
                        CountingRule.year == year, CountingRule.type_id == reference["types"][code].id
                    )
                ).one()
                rule.counted_statuses, rule.weighting = statuses, weighting
            session.add(
                Target(
                    year=year,
                    department_id=reference["departments"][department].id,
                    type_id=reference["types"][type_code].id,
                    value=year - 2020,
                    updated_at=known_at,
                )
            )
        session.flush()
        end = min(start + timedelta(days=31 * months + last_day), date(2025, 8, 31))
        trend = monthly_trend(
            session, department_code=department, type_code=type_code, start=start, end=end, known_at=known_at
        )
        expected = []
        for point, _, _ in trend:
            row = reconcile(
                session,
                as_of=point,
                known_at=known_at,
                department_codes=[department],
                type_codes=[type_code],
            ).rows[0]
            expected.append((point, row.counted, row.target))
        assert trend == expected
        # One point per month from start's to end's, the last one on end.
        assert trend[-1][0] == end
        assert len(trend) == (end.year - start.year) * 12 + end.month - start.month + 1
        assert all(p.month != (p + timedelta(days=1)).month for p, _, _ in trend[:-1])
