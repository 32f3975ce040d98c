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
    register_place: Callable[..., Place],
) -> None:
    sof, okf = make_user("hr", "SOF"), make_user("hr", "ØKF")
    register_place(("open", date(2025, 9, 1)), actor=sof, reference="SOF-1", commit=True)
    register_place(("open", date(2025, 9, 1)), actor=okf, reference="ØKF-1", department="ØKF", commit=True)
    login(sof)
    html = client.get("/places/?department=ØKF").get_data(as_text=True)
    assert _refs(html) == ["SOF-1"]


def test_bif_chooses_the_department(
    client: FlaskClient,
    login: Callable[[User], None],
    make_user: Callable[..., User],
    register_place: Callable[..., Place],
) -> None:
    register_place(("open", date(2025, 9, 1)), actor=make_user("hr", "SOF"), reference="SOF-1", commit=True)
    register_place(
        ("open", date(2025, 9, 1)),
        actor=make_user("hr", "ØKF"),
        reference="ØKF-1",
        department="ØKF",
        commit=True,
    )
    login(make_user("bif"))
    assert _refs(client.get("/places/?department=ØKF").get_data(as_text=True)) == ["ØKF-1"]
    assert _refs(client.get("/places/?department=SOF").get_data(as_text=True)) == ["SOF-1"]


def test_filters_by_type_status_unit_and_danish_text(
    client, login, make_user, register_place, make_unit
) -> None:  # type: ignore[no-untyped-def]
    hr = make_user("hr", "SOF")
    aeldre = make_unit("SOF", "Ældreplejen Øst")
    kontor = make_unit("SOF", "Kontoret")
    register_place(
        ("open", date(2025, 9, 1)), actor=hr, reference="P-1", title="Køkkenhjælp", unit=aeldre, commit=True
    )
    register_place(
        ("filled", date(2025, 9, 1)),
        actor=hr,
        reference="P-2",
        title="Pedel",
        unit=kontor,
        type_code="flex_job",
        commit=True,
    )
    register_place(
        ("open", date(2025, 9, 1)),
        ("paused", date(2025, 9, 10)),
        actor=hr,
        reference="P-3",
        title="Gårdmand",
        unit=kontor,
        commit=True,
    )
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
    register_place: Callable[..., Place],
) -> None:
    hr = make_user("hr", "SOF")
    register_place(("open", date(2025, 9, 20)), actor=hr, reference="B", title="Åbent kontor", commit=True)
    register_place(("open", date(2025, 9, 10)), actor=hr, reference="A", title="Ølbryggeri", commit=True)
    register_place(("open", date(2025, 9, 1)), actor=hr, reference="C", title="Zoo", commit=True)
    login(hr)
    assert _refs(client.get("/places/?sort=title").get_data(as_text=True)) == ["C", "A", "B"]  # z < ø < å
    assert _refs(client.get("/places/?sort=since").get_data(as_text=True)) == ["C", "A", "B"]
    assert _refs(client.get("/places/?sort=-since").get_data(as_text=True)) == ["B", "A", "C"]


def test_pagination(
    client: FlaskClient,
    login: Callable[[User], None],
    make_user: Callable[..., User],
    register_place: Callable[..., Place],
) -> None:
    hr = make_user("hr", "SOF")
    for number in range(30):
        register_place(("open", date(2025, 9, 1)), actor=hr, reference=f"P-{number:02d}", commit=True)
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
    register_place: Callable[..., Place],
) -> None:
    hr = make_user("hr", "SOF")
    register_place(("open", date(2025, 9, 20)), actor=hr, reference="NEW", commit=True)  # 10 days
    register_place(("open", date(2025, 8, 16)), actor=hr, reference="OLD-45", commit=True)  # 45 days
    register_place(("open", date(2025, 6, 22)), actor=hr, reference="OLD-100", commit=True)  # 100 days
    register_place(
        ("filled", date(2025, 6, 22)), actor=hr, reference="FILLED-100", commit=True
    )  # filled: not flagged
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
    register_place: Callable[..., Place],
) -> None:
    hr = make_user("hr", "SOF")
    register_place(("open", date(2025, 6, 1)), actor=hr, reference="OLD", commit=True)
    login(hr)
    token = csrf_from(client.get("/places/").get_data(as_text=True))
    client.post("/language", data={"lang": "en", "csrf_token": token, "next": "/places/"})
    html = client.get("/places/").get_data(as_text=True)
    assert "Open for more than 90 days" in html and "Work placement" in html and "Places" in html
