"""Drill-down pages, who may see the monitoring pages, and clear answers to bad parameters."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from flask.testing import FlaskClient

from quota_app.models import User
from quota_app.monitor import charts

AS_OF = "2025-09-30"


def _routes(unit_id: int) -> list[str]:
    return [
        f"/monitor/?date={AS_OF}",
        f"/monitor/export.csv?date={AS_OF}",
        f"/monitor/export.xlsx?date={AS_OF}",
        f"/monitor/places?department=SOF&type=internship&status=counted&date={AS_OF}",
        f"/monitor/places.csv?department=SOF&type=internship&status=counted&date={AS_OF}",
        f"/monitor/places.xlsx?status=open&date={AS_OF}",
        f"/monitor/department/SOF?date={AS_OF}",
        f"/monitor/department/SOF/type/internship?date={AS_OF}",
        f"/monitor/department/SOF/unit/{unit_id}?date={AS_OF}",
        "/monitor/department/SOF/unit/none",
    ]


def test_hr_gets_403_on_every_monitor_route_even_for_their_own_department(
    client, login, make_user, history
) -> None:  # type: ignore[no-untyped-def]
    login(make_user("hr", "SOF"))
    for url in _routes(history["unit"].id):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Borgercenter" not in response.get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(client, history) -> None:  # type: ignore[no-untyped-def]
    for url in _routes(history["unit"].id):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["bif", "admin"])
def test_bif_and_admin_see_every_route(client, login, make_user, history, role) -> None:  # type: ignore[no-untyped-def]
    login(make_user(role))
    for url in _routes(history["unit"].id):
        assert client.get(url).status_code == 200, url


def test_department_page(client, login, make_user, history) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    html = client.get(f"/monitor/department/SOF?date={AS_OF}").get_data(as_text=True)
    assert "Socialforvaltningen" in html
    assert "Borgercenter Voksne" in html and "Uden enhed" in html
    # Open longest: sof_open_old open since 1 March (213 days, over 90), sof_open_new since 10 September.
    old = history["places"]["sof_open_old"].reference
    new = history["places"]["sof_open_new"].reference
    assert html.index(old) < html.index(new)
    assert re.search(
        rf"{old}</a></th>.*?01\.03\.2025.*?213 <span class=\"mon-age-text\">\(over 90 dage\)", html, re.S
    )
    assert re.search(rf"{new}</a></th>.*?10\.09\.2025.*?>20</td>", html, re.S)
    # Time to fill in 2025: sof_filled_1 opened 5 January and was filled 1 February (27 days).
    fills = html[html.index("Tid til besættelse") :]
    assert re.search(
        r"Virksomhedspraktik</th>\s*<td class=\"mon-num\">1</td>\s*<td class=\"mon-num\">27</td>", fills
    )
    assert '<th scope="col"' in html and "<caption>" in html


def test_unit_page_lists_the_units_places(client, login, make_user, history) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    unit = history["unit"]
    department_html = client.get(f"/monitor/department/SOF?date={AS_OF}").get_data(as_text=True)
    link = re.search(rf'href="(/monitor/department/SOF/unit/{unit.id}[^"]*)"', department_html)
    assert link is not None
    html = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    shown = set(re.findall(r'<th scope="row"><a href="/places/\d+">(M-\d+)</a></th>', html))
    places = history["places"]
    assert shown == {places[n].reference for n in ("sof_filled_1", "sof_filled_2", "sof_open_old")}
    assert "Besat" in html and "Åben" in html
    no_unit = client.get(f"/monitor/department/SOF/unit/none?date={AS_OF}").get_data(as_text=True)
    assert places["sof_paused"].reference in no_unit and places["sof_open_old"].reference not in no_unit


def test_unit_of_another_department_is_not_found(
    client, login, make_user, history, make_unit, session
) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    other = make_unit("BIF", "Jobcenter København")
    session.commit()
    assert client.get(f"/monitor/department/SOF/unit/{other.id}").status_code == 404
    assert client.get("/monitor/department/SOF/unit/abc").status_code == 404
    assert client.get("/monitor/department/XXX").status_code == 404
    assert client.get("/monitor/department/SOF/type/nonsense").status_code == 404


def test_trend_page_has_an_svg_chart_and_a_data_table(client, login, make_user, history) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    html = client.get(f"/monitor/department/SOF/type/internship?date={AS_OF}").get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert '<title id="trend-title">Virksomhedspraktik i SOF: optalt mod måltal pr. måned</title>' in html
    table = html[html.index("<details") : html.index("</details>")]
    months = re.findall(r'<th scope="row">(\d\d\.\d\d\.\d{4})</th>', table)
    assert len(months) == 36 and months[0] == "31.10.2022" and months[-1] == "30.09.2025"
    # September 2025: 3 counted against 4; December 2024: nothing yet, and no 2024 target.
    assert re.search(
        r"30\.09\.2025</th>\s*<td class=\"mon-num\">3</td>\s*<td class=\"mon-num\">4</td>", table
    )
    assert re.search(
        r"31\.12\.2024</th>\s*<td class=\"mon-num\">0</td>\s*<td class=\"mon-num\">–</td>", table
    )


def test_trend_svg_escapes_text_and_draws_both_lines() -> None:
    points = [(date(2025, 1, 31), 1.0, 4), (date(2025, 2, 28), 3.0, 4), (date(2025, 3, 31), 2.5, None)]
    svg = charts.trend_svg(
        points,
        chart_id="t",
        title="<b>A & B</b>",
        description="d",
        counted_label="Optalt",
        target_label="Måltal",
        number=str,
    )
    assert "&lt;b&gt;A &amp; B&lt;/b&gt;" in svg and "<b>" not in svg
    assert svg.count("<circle") == 3 and 'stroke-dasharray="6 4"' in svg
    assert 'aria-labelledby="t-title t-desc"' in svg
    assert (
        charts.trend_svg(
            [], chart_id="t", title="", description="", counted_label="", target_label="", number=str
        )
        == ""
    )


BAD = [
    ("date=2025-13-40", "Ugyldig dato"),
    ("date=yesterday", "Ugyldig dato"),
    ("date=1900-01-01", "mellem år 2000 og 2100"),
    ("period=2025-H3", "Ugyldig periode"),
    ("date=2025-06-30&period=2025-H1", "enten en dato eller en periode"),
    ("method=median&period=2025-H1", "Ukendt metode"),
    ("method=average&date=2025-06-30", "Et gennemsnit kræver en periode"),
    ("known_at=not-a-time", "Ugyldigt tidspunkt"),
    ("known_at=2025-13-01T10:00", "Ugyldigt tidspunkt"),
    ("known_at=2030-01-01T10:00", "ligger i fremtiden"),
    ("whatif=nonsense", "Ukendt hvad-nu-hvis-regel"),
]


@pytest.mark.parametrize(("query", "message"), BAD)
def test_bad_parameters_give_a_clear_message(client, login, make_user, reference, query, message) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    for path in (
        "/monitor/",
        "/monitor/export.csv",
        "/monitor/places",
        "/monitor/department/SOF",
        "/monitor/department/SOF/type/internship",
    ):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        html = response.get_data(as_text=True)
        assert message in html, (path, query)
        action = "/monitor/" if path in ("/monitor/export.csv", "/monitor/places") else path
        assert f'action="{action}"' in html, (path, query)
        assert ('role="alert"' in html and 'aria-invalid="true"' in html) or "whatif" in query


def test_bad_place_list_parameters(
    client: FlaskClient, login: Callable[[User], None], make_user: Callable[..., User], reference: dict
) -> None:
    login(make_user("bif"))
    assert client.get("/monitor/places?department=XXX").status_code == 400
    assert client.get("/monitor/places?type=nonsense").status_code == 400
    assert client.get("/monitor/places?status=lost").status_code == 400
    assert client.get("/monitor/places?page=-3").status_code == 200
    assert client.get("/monitor/export.pdf").status_code == 404


NASTY = [
    "date=%00",
    "date=2025-02-29",
    "date=99999-01-01",
    "known_at=9999-99-99T99:99",
    "known_at=2025-06-30T12:00:00",
    "known_at=2025-06-30T12:00:00%2B02:00",
    "known_at=2025-06-30T12:00:00Z",
    "known_at=2025-10-26T02:30",
    "period=%00",
    "period=1999",
    "period=2025&method=average",
    "whatif=internship&whatif=internship",
    "whatif=job_rotation",
    "method=",
    "page=99999&status=open",
    "department=&type=&status=",
]


@pytest.mark.parametrize("query", NASTY)
def test_odd_parameters_never_give_a_server_error(client, login, make_user, history, query) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    for path in ("/monitor/", "/monitor/places", "/monitor/export.csv", "/monitor/department/SOF"):
        response = client.get(f"{path}?{query}")
        assert response.status_code in (200, 400), (path, query, response.status_code)


@pytest.mark.parametrize("role", ["bif", "admin"])
def test_every_list_of_places_links_to_each_places_page(client, login, make_user, history, role) -> None:  # type: ignore[no-untyped-def]
    login(make_user(role))
    places = history["places"]
    overview = client.get(f"/monitor/?date={AS_OF}").get_data(as_text=True)
    longest = overview[overview.index("De pladser i alle forvaltninger der har været åbne længst") :]
    listed = re.findall(r'<th scope="row"><a href="/places/(\d+)">([^<]+)</a></th>', longest)
    # Open on 30 September, longest first, across departments: SOF since 1 March, BIF since 1 August,
    # SOF since 10 September.
    assert [ref for _id, ref in listed] == [
        places[n].reference for n in ("sof_open_old", "bif_utility_open", "sof_open_new")
    ]
    for url in (
        f"/monitor/?date={AS_OF}",
        f"/monitor/department/SOF?date={AS_OF}",
        f"/monitor/department/SOF/type/internship?date={AS_OF}",
        f"/monitor/department/SOF/unit/{history['unit'].id}?date={AS_OF}",
        f"/monitor/places?status=counted&date={AS_OF}",
    ):
        html = client.get(url).get_data(as_text=True)
        links = re.findall(r'<th scope="row"><a href="/places/(\d+)">([^<]+)</a></th>', html)
        assert links, url
        for place_id, ref in links:
            page = client.get(f"/places/{place_id}")
            assert page.status_code == 200 and ref in page.get_data(as_text=True), (url, ref)
