"""Report data and PDFs from the database, through the reconciliation engine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from quota_app.errors import NotFound
from quota_app.models import AppText, DepartmentComment, Place, ReportArchive
from quota_app.periods import parse_period
from reports import services as report_services
from reports.gather import DEFAULT_LETTER, gather_consolidated_report, gather_department_report, trend_periods

from .pdfs import all_text

H1 = parse_period("2025-H1")
KNOWN = datetime(2025, 8, 15, 6, 0, tzinfo=UTC)
EARLY = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)


def test_department_report_data(session: Session, sof_figures: dict) -> None:
    session.add(
        DepartmentComment(
            period="2025-H1",
            department_id=sof_figures["SOF"].id,
            text="Vi arbejder på det.",
            updated_at=KNOWN,
        )
    )
    session.flush()
    data = gather_department_report(session, period=H1, department_code="SOF", known_at=KNOWN)
    assert (data.department_name, data.mayor_title, data.mayor_name) == (
        "Socialforvaltningen",
        "Socialborgmester",
        "Søren Østergård Åberg",
    )
    assert (data.sender_name, data.sender_title) == (
        "Jens-Kristian Lütken",
        "Beskæftigelses- og Integrationsborgmester",
    )
    assert data.period_text == "1. halvår 2025"
    internship = next(r for r in data.rows if r.type_code == "internship")
    assert (internship.type_name, internship.target, internship.filled, internship.open) == (
        "Virksomhedspraktik",
        4,
        3,
        1,
    )
    assert (internship.counted, internship.fulfilment_pct) == (3, 75.0)
    # 2024-H2: 3 filled against 3 = 100 %.
    assert (internship.change_pct_points, internship.change_counted) == (-25.0, 0)
    assert [p.period for p in data.trend[0].points] == ["2023-H2", "2024-H1", "2024-H2", "2025-H1"]
    trend = next(t for t in data.trend if t.type_code == "internship")
    assert [(p.counted, p.target) for p in trend.points] == [(0, None), (3, 3), (3, 3), (3, 4)]
    assert data.comment == "Vi arbejder på det."
    [longest] = data.open_longest
    assert (longest.reference, longest.title, longest.open_since, longest.days_open) == (
        "SOF-ÆØÅ-1",
        "Praktik i køkken",
        date(2025, 3, 1),
        121,
    )
    assert data.position.of == 7
    assert [(s.department_code, s.rank) for s in data.position.standings[:2]] == [("BIF", 1), ("SOF", 2)]
    assert data.position.rank == 2
    assert data.letter_text.startswith("Kære Socialborgmester Søren Østergård Åberg")
    assert "i Socialforvaltningen for 1. halvår 2025" in data.letter_text
    assert data.methods.measuring_date == date(2025, 6, 30)
    assert data.methods.known_at.utcoffset().total_seconds() == 7200  # Copenhagen summer time
    rule = next(r for r in data.methods.rules if r.type_name == "Nytteindsats")
    assert "besat og åben" in rule.description


def test_letter_text_is_editable_with_placeholders(session: Session, sof_figures: dict) -> None:
    session.add(
        AppText(
            key="report.letter",
            value="Til {borgmester_titel} {borgmester_navn} i {forvaltning}: status for {periode}. {ukendt}",
            updated_at=KNOWN,
        )
    )
    session.flush()
    data = gather_department_report(session, period=H1, department_code="SOF", known_at=KNOWN)
    assert data.letter_text == (
        "Til Socialborgmester Søren Østergård Åberg i Socialforvaltningen: status for 1. halvår 2025. {ukendt}"
    )
    assert "{periode}" in DEFAULT_LETTER


def test_what_was_not_known_yet_is_not_counted(
    session: Session, sof_figures: dict, make_place: Callable[..., Place]
) -> None:
    make_place("SOF", "internship", [("filled", date(2025, 6, 1), datetime(2025, 9, 1, tzinfo=UTC))])
    before = gather_department_report(session, period=H1, department_code="SOF", known_at=KNOWN)
    after = gather_department_report(
        session, period=H1, department_code="SOF", known_at=datetime(2025, 9, 2, tzinfo=UTC)
    )
    assert next(r.counted for r in before.rows if r.type_code == "internship") == 3
    assert next(r.counted for r in after.rows if r.type_code == "internship") == 4


def test_unknown_department_is_not_found(session: Session, reference: dict) -> None:
    with pytest.raises(NotFound):
        gather_department_report(session, period=H1, department_code="XYZ", known_at=KNOWN)


def test_trend_periods_for_a_year_and_a_half_year() -> None:
    assert [p.label for p in trend_periods(parse_period("2025"))] == [
        "2024-H1",
        "2024-H2",
        "2025-H1",
        "2025-H2",
    ]
    assert [p.label for p in trend_periods(parse_period("2025-H1"))] == [
        "2023-H2",
        "2024-H1",
        "2024-H2",
        "2025-H1",
    ]


def test_department_pdf_reads_back(session: Session, sof_figures: dict) -> None:
    text = all_text(
        report_services.build_department_report(session, period=H1, department_code="SOF", known_at=KNOWN)
    )
    assert "Socialforvaltningen" in text and "Søren Østergård Åberg" in text and "1. halvår 2025" in text
    assert "Virksomhedspraktik 4 3 1 0 3 75,0 % -25,0 0" in text
    assert "SOF-ÆØÅ-1" in text and "01.03.2025" in text
    assert "side 1 af" in text


def test_consolidated_report(session: Session, sof_figures: dict) -> None:
    data = gather_consolidated_report(session, period=H1, known_at=KNOWN)
    assert len(data.departments) == 7
    internship = next(r for r in data.municipality_rows if r.type_code == "internship")
    assert (internship.target, internship.counted) == (6, 5)
    assert data.municipality_totals.target == 6
    text = all_text(report_services.build_consolidated_report(session, period=H1, known_at=KNOWN))
    assert "Kommunen i alt" in text and "Økonomiforvaltningen (ØKF)" in text and "5 / 6" in text


def test_archive_and_regenerate_with_the_same_known_at(
    session: Session, sof_figures: dict, make_place
) -> None:  # type: ignore[no-untyped-def]
    pdf = report_services.build_department_report(session, period=H1, department_code="SOF", known_at=KNOWN)
    entry = report_services.archive_report(
        session,
        period=H1,
        department_code="SOF",
        known_at=KNOWN,
        pdf=pdf,
        actor="test",
        now=datetime(2025, 8, 15, 7, 0, tzinfo=UTC),
    )
    session.commit()
    assert entry.scope == "SOF" and entry.sha256 == report_services.sha256_of(pdf) and len(entry.sha256) == 64
    # Registered later, back-dated into the period: a new report sees it, the archived one does not.
    make_place("SOF", "internship", [("filled", date(2025, 5, 1), datetime(2025, 8, 20, tzinfo=UTC))])
    again = report_services.build_department_report(session, period=H1, department_code="SOF", known_at=KNOWN)
    assert again == pdf
    found = report_services.find_archived(session, period=H1, department_code="SOF", known_at=KNOWN)
    assert found is not None and found.id == entry.id and found.sha256 == report_services.sha256_of(again)
    assert report_services.find_archived(session, period=H1, department_code="BIF", known_at=KNOWN) is None
    newer = report_services.build_department_report(
        session, period=H1, department_code="SOF", known_at=datetime(2025, 8, 21, tzinfo=UTC)
    )
    assert "Virksomhedspraktik 4 4 1 0 4 100,0 %" in all_text(newer)
    consolidated = report_services.archive_report(
        session,
        period=H1,
        department_code=None,
        known_at=KNOWN,
        pdf=report_services.build_consolidated_report(session, period=H1, known_at=KNOWN),
        actor="test",
        now=KNOWN,
    )
    assert consolidated.scope == "KK" and consolidated.department_id is None
    assert (
        report_services.find_archived(session, period=H1, department_code=None, known_at=KNOWN).id
        == consolidated.id
    )
    assert len(session.exec(select(ReportArchive)).all()) == 2


def test_build_all_reports_matches_single_builds(session: Session, sof_figures: dict) -> None:
    everything = report_services.build_all_reports(session, period=H1, known_at=KNOWN)
    assert len(everything) == 8
    assert everything["SOF"] == report_services.build_department_report(
        session, period=H1, department_code="SOF", known_at=KNOWN
    )
    assert everything[None] == report_services.build_consolidated_report(session, period=H1, known_at=KNOWN)


def test_places_open_longest_are_the_twenty_oldest_of_the_department(
    session: Session, reference: dict, make_place
) -> None:  # type: ignore[no-untyped-def]
    for n in range(25):
        make_place("SOF", "utility_job", [("open", date(2025, 1, 1 + n), EARLY)], reference=f"SOF-{n:02d}")
    make_place("BUF", "utility_job", [("open", date(2020, 1, 1), EARLY)], reference="BUF-OLD")
    data = gather_department_report(session, period=H1, department_code="SOF", known_at=KNOWN)
    assert [p.reference for p in data.open_longest] == [f"SOF-{n:02d}" for n in range(20)]
    assert data.open_longest[0].days_open == (date(2025, 6, 30) - date(2025, 1, 1)).days
    assert data.open_longest[0].type_name == "Nytteindsats"


def test_a_flow_types_half_year_share_and_the_rule_once_in_the_methods_box(
    session: Session, sof_figures: dict, make_place, make_target
) -> None:  # type: ignore[no-untyped-def]
    make_target(2025, "SOF", "job_rotation", 10)
    for day in (3, 4):
        make_place("SOF", "job_rotation", [("filled", date(2025, 2, day), EARLY)])
    data = gather_department_report(session, period=H1, department_code="SOF", known_at=KNOWN)
    flow = next(r for r in data.rows if r.type_code == "job_rotation")
    # 10 x 181 / 365 = 4.96 (shown 5); 2 starts are 40.3 % of the unrounded share, 20 % of the year's 10.
    assert (flow.target_pro_rata, flow.fulfilment_pro_rata_pct, flow.fulfilment_pct) == (5.0, 40.3, 20.0)
    text = all_text(
        report_services.build_department_report(session, period=H1, department_code="SOF", known_at=KNOWN)
    )
    assert "halvårets andel af måltallet: 5, opfyldelse af andelen: 40,3 %" in text
    assert text.count("halvårets andel af årets måltal") == 1  # the rule, stated once
    assert "regnet af de uafrundede tal" in text


def test_the_report_has_the_pace_and_the_lag_lines(session: Session, sof_figures: dict) -> None:
    from reports.render import render_department_report
    from reports.stored import _adapter, to_json

    data = gather_department_report(session, period=H1, department_code="SOF", known_at=KNOWN)
    # Nothing has ever ended and no fill was seen: the projection is today's 3 of 4, 1 short, and
    # without a time to fill there is no deadline to advertise by.
    (pace,) = data.pace
    assert (pace.type_name, pace.target, pace.projected, pace.needed, pace.post_by) == (
        "Virksomhedspraktik",
        4,
        3.0,
        1,
        None,
    )
    assert pace.sentence == "SOF skal besætte 1 plads mere i Virksomhedspraktik før 31. december."
    assert data.pace_year_end == date(2025, 12, 31)
    # The one status change dated in 2025-H1: the opening of 1 March, recorded on 2 March (1 day late).
    (lag,) = data.lag
    assert (lag.type_name, lag.events, lag.median_days, lag.p90_days, lag.share_late) == (
        "Virksomhedspraktik",
        1,
        1.0,
        1,
        0.0,
    )
    assert (lag.openings_events, lag.openings_median_days, lag.openings_share_late) == (1, 1.0, 0.0)
    text = all_text(render_department_report(data))
    assert "Det skal der til inden 31.12.2025" in text
    assert "SOF skal besætte 1 plads mere i Virksomhedspraktik før 31. december." in text
    assert "Virksomhedspraktik 4 3 3–3 1 –" in text  # target, projected, interval, needed, no deadline
    assert "Hvor sent registreres ændringerne?" in text
    assert "Virksomhedspraktik 1 1 1 0,0 % 1 1 1 0,0 %" in text
    # Kept with the archived PDF and read back as it was.
    assert _adapter(type(data)).validate_python(to_json(data)) == data


def test_a_report_for_the_second_half_year_has_no_pace_lines(session: Session, sof_figures: dict) -> None:
    from reports.render import render_department_report

    data = gather_department_report(
        session,
        period=parse_period("2025-H2"),
        department_code="SOF",
        known_at=datetime(2026, 2, 15, 7, 0, tzinfo=UTC),
    )
    assert (data.pace, data.pace_year_end) == ((), None)
    text = all_text(render_department_report(data))
    assert "Det skal der til" not in text and "Hvor sent registreres ændringerne?" in text
