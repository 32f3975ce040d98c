"""The half-year report's short compliance section: gathered for the period's last day, rendered, kept."""

from __future__ import annotations

from datetime import UTC, date, datetime

from quota_app.compliance import headcounts
from quota_app.periods import parse_period
from reports.gather import gather_department_report
from reports.render.department import render_department_report
from reports.stored import to_json
from tests.reports.pdfs import all_text


def test_the_section_names_a_workplace_over_its_ceiling(session, clock, make_workplace, register_place):
    unit = make_workplace("Plejecenter Sundbo", 10, p_number="1234567890")
    register_place(("filled", date(2025, 2, 3)), unit=unit, commit=True)
    register_place(("filled", date(2025, 2, 3)), unit=unit, commit=True)
    headcounts.record_headcount(  # the count found lower afterwards, back-dated: 1 place allowed
        session,
        unit_id=unit.id,
        effective_date=date(2025, 1, 1),
        ordinary_employees=5,
        actor="test",
        now=clock.now(),
    )
    make_workplace("Ukendt", None)
    session.commit()
    report = gather_department_report(
        session,
        period=parse_period("2025-H1"),
        department_code="SOF",
        known_at=datetime(2025, 9, 30, 12, tzinfo=UTC),
    )
    section = report.compliance
    assert section is not None and section.as_of == date(2025, 6, 30)
    assert (section.workplaces, section.unknown_headcount, section.occupied, section.missing_statements) == (
        2,
        1,
        2,
        2,
    )
    assert [(o.unit, o.ceiling, o.occupied) for o in section.over] == [("Plejecenter Sundbo", 1, 2)]
    assert to_json(report)["compliance"]["over"][0]["p_number"] == "1234567890"
    text = " ".join(all_text(render_department_report(report)).split())
    assert "Rimelighedskravet pr. 30.06.2025" in text
    assert "Over loftet: Plejecenter Sundbo (P-nummer 1234567890): 2 besatte pladser, loft 1" in text


def test_no_section_without_workplaces(session, reference):
    report = gather_department_report(
        session,
        period=parse_period("2025-H1"),
        department_code="ØKF",
        known_at=datetime(2025, 9, 30, 12, tzinfo=UTC),
    )
    assert report.compliance is None
