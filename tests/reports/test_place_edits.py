"""A place's unit and fte are dated history: a report regenerated with the same known-at is unchanged
after an edit, and one known after it counts the new fte from the edit's date (docs/counting.md §9)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session, select

from quota_app.models import CountingRule
from quota_app.periods import parse_period
from quota_app.places import editing
from reports import services as report_services

from .pdfs import all_text

H1 = parse_period("2025-H1")
KNOWN = datetime(2025, 8, 15, 6, 0, tzinfo=UTC)
EDITED = datetime(2025, 8, 20, 9, 0, tzinfo=UTC)


def test_a_report_regenerated_with_the_same_known_at_is_unchanged_after_a_change_of_fte(
    session: Session, sof_figures: dict, reference: dict, make_place
) -> None:  # type: ignore[no-untyped-def]
    rule = session.exec(
        select(CountingRule).where(
            CountingRule.year == 2025, CountingRule.type_id == reference["types"]["internship"].id
        )
    ).one()
    rule.weighting = "fte"
    session.flush()
    place = make_place("SOF", "internship", [("filled", date(2024, 4, 1), datetime(2024, 4, 2, tzinfo=UTC))])
    before = report_services.build_department_report(
        session, period=H1, department_code="SOF", known_at=KNOWN
    )
    assert "Virksomhedspraktik 4 4 1 0 4 100,0 %" in all_text(before)
    # Recorded after KNOWN, dated within the half-year: the hours went down to half from 1 May.
    editing.change_attributes(
        session,
        place_id=place.id,
        effective_date=date(2025, 5, 1),
        unit_id=None,
        fte=0.5,
        actor="test",
        now=EDITED,
    )
    again = report_services.build_department_report(session, period=H1, department_code="SOF", known_at=KNOWN)
    assert again == before  # byte for byte
    assert all_text(again) == all_text(before)
    newer = report_services.build_department_report(
        session, period=H1, department_code="SOF", known_at=datetime(2025, 8, 21, tzinfo=UTC)
    )
    assert "Virksomhedspraktik 4 3,5 1 0 3,5 87,5 %" in all_text(newer)
