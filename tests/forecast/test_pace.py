"""The pace needed: how many, by when to advertise them, in Danish and English."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale

from quota_app import create_app
from quota_app.forecast.pace import pace_needed, sentence
from quota_app.forecast.projection import project
from quota_app.forecast.types import Outlook, ProjectionRow
from quota_app.texts import ByLanguage
from quota_app.web import localized
from tests.factories import bare_settings

INTERNSHIP = ByLanguage(da="Virksomhedspraktik", en="Work placement")
END = date(2025, 12, 31)


@pytest.fixture
def english(tmp_path):  # type: ignore[no-untyped-def]
    """Render a message as the web shows it to a reader who chose English."""
    app = create_app(bare_settings(tmp_path))

    def render(text) -> str:  # type: ignore[no-untyped-def]
        with app.test_request_context("/"), force_locale("en"):
            return localized(text)

    return render


def row(needed: int, measure: str = "stock") -> ProjectionRow:
    outlook = Outlook(day=END, projected=10.0, low=8.0, high=12.0)
    return ProjectionRow("SOF", "internship", measure, 16, 9.0, outlook, outlook, 62.5, needed)


def test_the_sentence_of_the_issue_in_both_languages(english) -> None:
    text = sentence(
        row(6), type_name=INTERNSHIP, end=END, median=41.0, post_by=date(2025, 11, 20), overdue=False
    )
    assert text == (
        "SOF skal besætte 6 flere pladser i Virksomhedspraktik før 31. december; med den nuværende tid til "
        "besættelse (median 41 dage) er sidste frist for opslag 20. november."
    )
    assert english(text) == (
        "SOF must fill 6 more places in Work placement before December 31; at the current time to fill "
        "(median 41 days) the last day to advertise them is November 20."
    )


def test_one_place_a_flow_type_a_passed_deadline_and_no_time_to_fill(english) -> None:
    one = sentence(
        row(1), type_name=INTERNSHIP, end=END, median=40.5, post_by=date(2025, 11, 20), overdue=True
    )
    assert one == (
        "SOF skal besætte 1 plads mere i Virksomhedspraktik før 31. december; med den nuværende tid til "
        "besættelse (median 40,5 dage) var sidste frist for opslag 20. november."
    )
    assert "(median 40.5 days) the last day to advertise them was November 20." in english(one)
    rotation = ByLanguage(da="Jobrotation", en="Job rotation")
    flow = sentence(row(1200, "flow"), type_name=rotation, end=END, median=None, post_by=None, overdue=False)
    assert flow == "SOF skal starte 1.200 flere forløb i Jobrotation før 31. december."
    assert english(flow) == "SOF must start 1,200 more courses in Job rotation before December 31."


def test_pace_from_the_years_time_to_fill(session, make_place, make_target) -> None:
    def rec(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)

    # Three fills this year after 30, 41 and 50 days: median 41.
    for days in (30, 41, 50):
        opened = date(2025, 2, 1)
        make_place(
            "SOF",
            "internship",
            [("open", opened, rec(opened)), ("filled", opened + timedelta(days=days), rec(opened))],
        )
    # BUF has no fills this year; last year's median (20 days) stands in.
    make_place(
        "BUF",
        "internship",
        [
            ("open", date(2024, 3, 1), rec(date(2024, 3, 1))),
            ("filled", date(2024, 3, 21), rec(date(2024, 3, 21))),
        ],
    )
    make_target(2025, "SOF", "internship", 9)
    make_target(2025, "BUF", "internship", 3)
    make_target(2025, "ØKF", "internship", 0)
    projection = project(
        session, year=2025, as_of=date(2025, 11, 1), known_at=datetime(2025, 11, 1, 12, tzinfo=UTC)
    )
    paces = pace_needed(session, projection=projection)
    assert [(p.department, p.type, p.needed) for p in paces] == [
        ("SOF", "internship", 6),
        ("BUF", "internship", 2),
    ]
    sof, buf = paces
    assert (sof.median_days_to_fill, sof.post_by, sof.overdue) == (41.0, date(2025, 11, 20), False)
    assert sof.sentence.startswith("SOF skal besætte 6 flere pladser i Virksomhedspraktik før 31. december;")
    assert (buf.median_days_to_fill, buf.post_by, buf.overdue) == (20.0, date(2025, 12, 11), False)
