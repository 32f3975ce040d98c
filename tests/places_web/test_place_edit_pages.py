"""HR edits a place in the browser (reference and title; unit and fte from a date), corrects a wrong date in
one step, sees only the allowed status choices, a closed place explained, its menu, and the import preview's
list of what will be saved."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from quota_app.models import Place, PlaceAttribute, PlaceEvent
from tests.conftest import csrf_from
from tests.places_web.test_import_web import _csv, upload


def _version(html: str, form_id: str) -> str:
    form = re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S).group(0)
    return re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', form).group(1)


def test_hr_renames_a_place_and_changes_its_unit_and_fte_from_a_date(  # type: ignore[no-untyped-def]
    client, login, session, make_user, register_place, make_unit
) -> None:
    hr = make_user("hr", "SOF")
    north, south = make_unit("SOF", "Nord"), make_unit("SOF", "Syd")
    place = register_place(
        ("open", date(2025, 9, 1)),
        actor=hr,
        reference="SOF-1",
        title="Kontor",
        unit=north,
        type_code="flex_job",
        commit=True,
    )
    login(hr)
    detail = client.get(f"/places/{place.id}").get_data(as_text=True)
    assert f'href="/places/{place.id}/edit"' in detail
    page = client.get(f"/places/{place.id}/edit").get_data(as_text=True)
    assert "Enhed og årsværk fra en dato" in page and "Fra starten:" in page
    response = client.post(
        f"/places/{place.id}/edit",
        data={
            "csrf_token": csrf_from(page),
            "version": _version(page, "rename-form"),
            "reference": "SOF-1A",
            "title": "Køkken",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(f"/places/{place.id}/edit").get_data(as_text=True)
    form = {
        "csrf_token": csrf_from(page),
        "version": _version(page, "attributes-form"),
        "effective_date": "15.09.2025",
        "unit_id": str(south.id),
        "fte": "0,5",
        "note": "Færre timer",
    }
    refused = client.post(f"/places/{place.id}/attributes", data=form | {"fte": "2"})
    assert refused.status_code == 422 and "højst 1" in refused.get_data(as_text=True)
    response = client.post(f"/places/{place.id}/attributes", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    session.expire_all()
    saved = session.get(Place, place.id)
    assert (saved.reference, saved.title, saved.unit_id, saved.fte) == ("SOF-1A", "Køkken", south.id, 0.5)
    rows = session.execute(
        sa.select(PlaceAttribute.effective_date, PlaceAttribute.fte).where(
            PlaceAttribute.place_id == place.id
        )
    ).all()
    assert sorted(rows, key=lambda r: r[0]) == [(date.min, 1.0), (date(2025, 9, 15), 0.5)]
    page = client.get(f"/places/{place.id}/edit").get_data(as_text=True)
    assert "Gælder fra 15.09.2025:" in page and "Syd" in page and "Færre timer" in page


def test_a_wrong_date_is_corrected_by_giving_the_right_one(
    client, login, session, make_user, register_place
) -> None:  # type: ignore[no-untyped-def]
    hr = make_user("hr", "SOF")
    place = register_place(
        ("open", date(2025, 8, 1)), ("filled", date(2025, 9, 1)), actor=hr, reference="SOF-2", commit=True
    )
    filled = session.execute(
        sa.select(PlaceEvent).where(PlaceEvent.place_id == place.id, PlaceEvent.status == "filled")
    ).scalar_one()
    login(hr)
    html = client.get(f"/places/{place.id}").get_data(as_text=True)
    assert "Ret dato eller status" in html and "Annullér registreringen" in html
    assert "Begrundelse for rettelsen" in html and "Begrundelse for annulleringen" in html
    # The new status form offers only what a filled place may become.
    status_select = re.search(r'<select[^>]*id="status".*?</select>', html, re.S).group(0)
    assert re.findall(r'value="(\w+)"', status_select) == ["open", "closed"]
    prefix = f"c{filled.id}"
    version = re.search(r'name="version"[^>]*value="(\d+)"', html).group(1)
    response = client.post(
        f"/places/{place.id}/events/{filled.id}/correct",
        data={
            f"{prefix}-csrf_token": csrf_from(html),
            f"{prefix}-version": version,
            f"{prefix}-effective_date": "2025-09-08",
            f"{prefix}-status": "filled",
            f"{prefix}-reason": "Forkert dato",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    session.expire_all()
    events = session.execute(
        sa.select(PlaceEvent.status, PlaceEvent.effective_date, PlaceEvent.voided_at.is_not(None))
        .where(PlaceEvent.place_id == place.id)
        .order_by(PlaceEvent.id)
    ).all()
    assert [tuple(e) for e in events] == [
        ("open", date(2025, 8, 1), False),
        ("filled", date(2025, 9, 1), True),
        ("filled", date(2025, 9, 8), False),
    ]
    assert session.get(Place, place.id).current_since == date(2025, 9, 8)


def test_a_closed_place_says_why_it_has_no_status_form(client, login, make_user, register_place) -> None:  # type: ignore[no-untyped-def]
    hr = make_user("hr", "SOF")
    place = register_place(
        ("open", date(2025, 8, 1)), ("closed", date(2025, 9, 1)), actor=hr, reference="SOF-3", commit=True
    )
    login(hr)
    html = client.get(f"/places/{place.id}").get_data(as_text=True)
    assert 'id="closed-explained"' in html and "nedlagt ved en fejl" in html
    assert f'action="/places/{place.id}/status"' not in html


def test_hr_menu_leads_to_reports_and_api_tokens(client, login, make_user) -> None:  # type: ignore[no-untyped-def]
    login(make_user("hr", "SOF"))
    html = client.get("/").get_data(as_text=True)
    menu = re.search(r'<ul class="mainmenu">.*?</ul>', html, re.S).group(0)
    assert ">Rapporter<" in menu and ">API-nøgler<" in menu
    for link in re.findall(r'href="([^"]+)"', menu):
        assert client.get(link, follow_redirects=True).status_code == 200, link


def test_the_import_preview_lists_what_will_be_saved_a_page_at_a_time(
    client, login, make_user, register_place
) -> None:  # type: ignore[no-untyped-def]
    hr = make_user("hr", "SOF")
    register_place(("open", date(2025, 8, 1)), actor=hr, reference="SOF-OLD", commit=True)
    login(hr)
    rows = [f"SOF-N{n:03d};SOF;Virksomhedspraktik;åben;01-09-2025;;;1;" for n in range(60)]
    rows.append("SOF-OLD;SOF;Virksomhedspraktik;åben;01-08-2025;;Ny titel;0,5;")
    page, token = upload(client, _csv(*rows), "mange.csv")
    html = page.get_data(as_text=True)
    assert "61 ændringer gemmes" in html and "Side 1 af 2." in html
    assert 'class="pagination"' in html and "SOF-N000" in html and "SOF-N055" not in html
    second = client.get(f"/places/import/{token}?page=2").get_data(as_text=True)
    assert "SOF-N055" in second and "SOF-OLD" in second and "Ændrede oplysninger" in second
    assert "Titel: Ny titel" in second and "Årsværk: 0,5" in second
