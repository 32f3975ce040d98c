"""The early warning on the pages: the projection, the pace needed and the registration lag on the
department page and the overview (gaps sortable by size, the order validated), and HR's own lines on
their start page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

AS_OF = "2025-09-30"


def rec(day: date, days_late: int = 0) -> datetime:
    return datetime.fromordinal(day.toordinal() + days_late).replace(hour=10, tzinfo=UTC)


@pytest.fixture
def outlook(session, make_place, make_target) -> None:  # type: ignore[no-untyped-def]
    """Nothing has ever ended and nothing can fill (no fill ever seen), so every projection is today's count:
    SOF 2 of 10 internships (8 short), BUF 1 of 5 (4 short), KFF 1 of 1 (on track). SOF's one opening was
    registered 20 days late."""
    jan = date(2025, 1, 6)
    for department, filled, target in (("SOF", 2, 10), ("BUF", 1, 5), ("KFF", 1, 1)):
        for _ in range(filled):
            make_place(department, "internship", [("filled", jan, rec(jan))])
        make_target(2025, department, "internship", target)
    opened = date(2025, 3, 1)
    make_place("SOF", "internship", [("open", opened, rec(opened, 20))])
    session.commit()


def _rows(html: str, table_class: str) -> list[str]:
    table = html.split(f'class="table table--compact mon-table {table_class}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("<tr>")[1:]]


def test_the_department_page_shows_projection_pace_and_lag(client, login, make_user, outlook) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    html = client.get(f"/monitor/department/SOF?date={AS_OF}").get_data(as_text=True)
    projection = next(r for r in _rows(html, "mon-projection") if r.startswith("Virksomhedspraktik"))
    # target, counted now, projected on 31.12.2025, interval, projected fulfilment, needed
    assert projection == "Virksomhedspraktik 10 2 2 2–2 20,0 % 8"
    assert "Fremskrevet 31.12.2025" in html
    assert "SOF skal besætte 8 flere pladser i Virksomhedspraktik før 31. december." in html
    lag = next(r for r in _rows(html, "mon-lag") if r.startswith("Virksomhedspraktik"))
    # all events: 3, median 0, p90 20, 33.3 % late; openings: 1, 20, 20, 100 %
    assert lag == "Virksomhedspraktik 3 0 20 33,3 % 1 20 20 100,0 %"
    assert "BUF" not in "".join(_rows(html, "mon-projection"))  # the department's own lines only


def test_the_overview_lists_the_gaps_largest_first_and_sorts_on_request(
    client, login, make_user, outlook
) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))

    def gaps(query: str = "") -> list[str]:
        response = client.get(f"/monitor/?date={AS_OF}{query}")
        assert response.status_code == 200
        return [
            row.split(" Virksomhedspraktik ")[0] for row in _rows(response.get_data(as_text=True), "mon-gaps")
        ]

    assert gaps() == ["Socialforvaltningen (SOF)", "Børne- og Ungdomsforvaltningen (BUF)"]
    assert gaps("&order=largest") == gaps()
    assert gaps("&order=smallest") == ["Børne- og Ungdomsforvaltningen (BUF)", "Socialforvaltningen (SOF)"]
    assert gaps("&order=department") == ["Børne- og Ungdomsforvaltningen (BUF)", "Socialforvaltningen (SOF)"]
    html = client.get(f"/monitor/?date={AS_OF}").get_data(as_text=True)
    assert "SOF skal besætte 8 flere pladser i Virksomhedspraktik før 31. december." in html
    assert "order=smallest" in html  # the sort links keep the page's measure
    lag = _rows(html, "mon-lag")
    assert any(r.startswith("Socialforvaltningen (SOF) Virksomhedspraktik 3 0 20 33,3 %") for r in lag)


@pytest.mark.parametrize(
    "order",
    ["biggest", "LARGEST", "largest;drop", "%00", "1" * 500, "størst", "largest&order=smallest", "\x00"],
)
def test_a_bad_order_is_400_never_500(client, login, make_user, outlook, order) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    response = client.get("/monitor/", query_string={"date": AS_OF, "order": order})
    assert response.status_code == 400
    if order != "\x00":  # a control character is refused before the page (http_request.py)
        assert "Ukendt sortering" in response.get_data(as_text=True)


def test_an_empty_order_is_the_default(client, login, make_user, outlook) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    assert client.get(f"/monitor/?date={AS_OF}&order=").status_code == 200


def test_hr_sees_only_their_own_lines_on_the_start_page(client, login, make_user, outlook) -> None:  # type: ignore[no-untyped-def]
    login(make_user("hr", "BUF"))
    html = client.get("/").get_data(as_text=True)
    assert "BUF skal besætte 4 flere pladser i Virksomhedspraktik før 31. december." in html
    assert "SOF" not in html and "KFF" not in html
    projection = _rows(html, "mon-projection")
    assert [r.split(" ")[0] for r in projection if r.split(" ")[0] == "Virksomhedspraktik"] == [
        "Virksomhedspraktik"
    ]
    assert any(r.startswith("Virksomhedspraktik 5 1 1 1–1 20,0 % 4") for r in projection)


def test_bif_start_page_has_no_hr_lines(client, login, make_user, outlook) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    html = client.get("/").get_data(as_text=True)
    assert "mon-projection" not in html


def test_the_projection_is_todays_whatever_the_page_measures_and_is_computed_once(
    client, login, make_user, outlook
) -> None:  # type: ignore[no-untyped-def]
    from quota_app.monitor.cache import RESULTS

    login(make_user("bif"))
    for query in ("date=2025-09-30", "date=2024-06-30", "period=2025-H1&known_at=2025-07-01T10:00"):
        html = client.get(f"/monitor/?{query}").get_data(as_text=True)
        assert "Fremskrevet fra i dag, 30.09.2025" in html and "Fremskrevet 31.12.2025" in html
        assert "SOF skal besætte 8 flere pladser i Virksomhedspraktik før 31. december." in html
    client.get("/monitor/department/SOF?date=2024-06-30")
    assert sum(1 for key in RESULTS._items if key[0] == "early_warning") == 1
