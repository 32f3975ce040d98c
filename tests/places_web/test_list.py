"""The places list: own department only, filters, Danish search, sorting, paging, long-open places flagged."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from flask.testing import FlaskClient

from quota_app.models import Place, User
from tests.conftest import csrf_from


def _refs(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/places/\d+">([^<]+)</a>', html)


def test_hr_sees_only_their_departments_places(
    client: FlaskClient,
    login: Callable[[User], None],
    make_user: Callable[..., User],
    make_place: Callable[..., Place],
) -> None:
    sof, okf = make_user("hr", "SOF"), make_user("hr", "ØKF")
    make_place(sof, "SOF-1")
    make_place(okf, "ØKF-1", department_code="ØKF")
    login(sof)
    html = client.get("/places/?department=ØKF").get_data(as_text=True)
    assert _refs(html) == ["SOF-1"]


def test_bif_chooses_the_department(
    client: FlaskClient,
    login: Callable[[User], None],
    make_user: Callable[..., User],
    make_place: Callable[..., Place],
) -> None:
    make_place(make_user("hr", "SOF"), "SOF-1")
    make_place(make_user("hr", "ØKF"), "ØKF-1", department_code="ØKF")
    login(make_user("bif"))
    assert _refs(client.get("/places/?department=ØKF").get_data(as_text=True)) == ["ØKF-1"]
    assert _refs(client.get("/places/?department=SOF").get_data(as_text=True)) == ["SOF-1"]


def test_filters_by_type_status_unit_and_danish_text(client, login, make_user, make_place, make_unit) -> None:  # type: ignore[no-untyped-def]
    hr = make_user("hr", "SOF")
    aeldre = make_unit("Ældreplejen Øst")
    kontor = make_unit("Kontoret")
    make_place(hr, "P-1", title="Køkkenhjælp", unit=aeldre)
    make_place(hr, "P-2", title="Pedel", unit=kontor, type_code="flex_job", status="filled")
    make_place(hr, "P-3", title="Gårdmand", unit=kontor, then=(("paused", date(2025, 9, 10)),))
    login(hr)
    get = lambda query: _refs(client.get(f"/places/?{query}").get_data(as_text=True))  # noqa: E731
    assert get("type=flex_job") == ["P-2"]
    assert get("status=paused") == ["P-3"]
    assert get(f"unit={aeldre.id}") == ["P-1"]
    assert get("q=KØKKEN") == ["P-1"]  # Danish capitals match lower case
    assert get("q=ældrepleJEN") == ["P-1"]  # the unit's name is searched too
    assert get("q=gÅrd") == ["P-3"]
    assert get("q=ingenting") == []
    assert get("status=nonsense&sort=nonsense") == ["P-1", "P-2", "P-3"]  # bad arguments are ignored


def test_sorting_danish_order_and_by_age(
    client: FlaskClient,
    login: Callable[[User], None],
    make_user: Callable[..., User],
    make_place: Callable[..., Place],
) -> None:
    hr = make_user("hr", "SOF")
    make_place(hr, "B", title="Åbent kontor", since=date(2025, 9, 20))
    make_place(hr, "A", title="Ølbryggeri", since=date(2025, 9, 10))
    make_place(hr, "C", title="Zoo", since=date(2025, 9, 1))
    login(hr)
    assert _refs(client.get("/places/?sort=title").get_data(as_text=True)) == ["C", "A", "B"]  # z < ø < å
    assert _refs(client.get("/places/?sort=since").get_data(as_text=True)) == ["C", "A", "B"]
    assert _refs(client.get("/places/?sort=-since").get_data(as_text=True)) == ["B", "A", "C"]


def test_pagination(
    client: FlaskClient,
    login: Callable[[User], None],
    make_user: Callable[..., User],
    make_place: Callable[..., Place],
) -> None:
    hr = make_user("hr", "SOF")
    for number in range(30):
        make_place(hr, f"P-{number:02d}")
    login(hr)
    first = client.get("/places/").get_data(as_text=True)
    second = client.get("/places/?page=2").get_data(as_text=True)
    assert len(_refs(first)) == 25 and len(_refs(second)) == 5
    assert "30 pladser fundet" in first
    assert "Side 2 af 2" in second
    assert _refs(client.get("/places/?page=99").get_data(as_text=True)) == _refs(second)


def test_long_open_places_stand_out_in_text(
    client: FlaskClient,
    login: Callable[[User], None],
    make_user: Callable[..., User],
    make_place: Callable[..., Place],
) -> None:
    hr = make_user("hr", "SOF")
    make_place(hr, "NEW", since=date(2025, 9, 20))  # 10 days
    make_place(hr, "OLD-45", since=date(2025, 8, 16))  # 45 days
    make_place(hr, "OLD-100", since=date(2025, 6, 22))  # 100 days
    make_place(hr, "FILLED-100", status="filled", since=date(2025, 6, 22))  # filled: not flagged
    login(hr)
    html = client.get("/places/").get_data(as_text=True)
    rows = dict(re.findall(r">([A-Z0-9-]+)</a></th>(.*?)</tr>", html, re.S))
    assert "Åben i over" not in rows["NEW"] and "10 dage" in rows["NEW"]
    assert "Åben i over 30 dage" in rows["OLD-45"]
    assert "Åben i over 90 dage" in rows["OLD-100"] and "100 dage" in rows["OLD-100"]
    assert "Åben i over" not in rows["FILLED-100"]
    assert _refs(client.get("/places/?open_over=60").get_data(as_text=True)) == ["OLD-100"]


def test_list_in_english(
    client: FlaskClient,
    login: Callable[[User], None],
    make_user: Callable[..., User],
    make_place: Callable[..., Place],
) -> None:
    hr = make_user("hr", "SOF")
    make_place(hr, "OLD", since=date(2025, 6, 1))
    login(hr)
    token = csrf_from(client.get("/places/").get_data(as_text=True))
    client.post("/language", data={"lang": "en", "csrf_token": token, "next": "/places/"})
    html = client.get("/places/").get_data(as_text=True)
    assert "Open for more than 90 days" in html and "Work placement" in html and "Places" in html
