"""The ceiling against the rule's table and, as a property, against a reference that counts employees."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quota_app.compliance.rules import DEFAULT_RULE, Rule, ceiling


@pytest.mark.parametrize(
    ("employees", "expected"),
    [(0, 1), (9, 1), (10, 2), (24, 4), (50, 10), (59, 10), (60, 11), (100, 15)],
)
def test_the_rules_table(employees: int, expected: int) -> None:
    assert ceiling(employees) == expected


def reference_ceiling(employees: int) -> int:
    """One more place each time the 5th, 10th, ... of the first 50 or the 10th, 20th, ... beyond is hired."""
    places = 0
    for hired in range(1, employees + 1):
        if (hired <= 50 and hired % 5 == 0) or (hired > 50 and (hired - 50) % 10 == 0):
            places += 1
    return max(1, places)


@given(st.integers(min_value=0, max_value=3000))
def test_ceiling_matches_the_reference(employees: int) -> None:
    assert ceiling(employees, DEFAULT_RULE) == reference_ceiling(employees)


@given(st.integers(min_value=0, max_value=3000))
def test_more_employees_never_lower_the_ceiling(employees: int) -> None:
    assert ceiling(employees + 1) >= ceiling(employees)


def test_the_parameters_are_data() -> None:
    strict = Rule(per_place_low=10, low_limit=20, per_place_high=20, minimum=0)
    assert [strict.ceiling(n) for n in (0, 9, 10, 20, 39, 40)] == [0, 0, 1, 2, 2, 3]
