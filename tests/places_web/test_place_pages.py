"""Registering a place, changing its status, corrections, voids, the timeline, and concurrent edits."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlmodel import Session

from quota_app.models import Place, PlaceEvent, User
from quota_app.places import status_events
from tests.conftest import T0, csrf_from
from tests.places_web.conftest import counts


def _new_form(client) -> dict:  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/places/new").get_data(as_text=True))
    return {
        "csrf_token": token,
        "type_code": "internship",
        "unit_id": "",
        "reference": "SOF-2025-014",
        "title": "Kontorpraktik",
        "fte": "0,5",
        "status": "open",
        "effective_date": "2025-09-01",
        "note": "Oprettet efter aftale med enheden",
    }


def _events(session, place_id: int) -> list[PlaceEvent]:  # type: ignore[no-untyped-def]
    return list(
        session.execute(sa.select(PlaceEvent).where(PlaceEvent.place_id == place_id).order_by(PlaceEvent.id))
        .scalars()
        .all()
    )


def test_register_a_place(client, login, session, make_user, make_unit) -> None:  # type: ignore[no-untyped-def]
    unit = make_unit("SOF", "Borgerservice")
    login(make_user("hr", "SOF"))
    data = _new_form(client) | {"unit_id": str(unit.id)}
    response = client.post("/places/new", data=data)
    assert response.status_code == 302
    place = session.execute(sa.select(Place).where(Place.reference == "SOF-2025-014")).scalar_one()
    assert (place.fte, place.unit_id, place.title, place.current_status) == (
        0.5,
        unit.id,
        "Kontorpraktik",
        "open",
    )
    assert response.headers["Location"].endswith(f"/places/{place.id}")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "er registreret" in html and "Oprettet efter aftale med enheden" in html


def test_register_shows_danish_messages_next_to_fields_and_saves_nothing(
    client, login, session, make_user
) -> None:  # type: ignore[no-untyped-def]
    login(make_user("hr", "SOF"))
    before = counts(session)
    data = _new_form(client) | {
        "reference": "",
        "fte": "1,5",
        "effective_date": "31.02.2025",
        "type_code": "",
    }
    response = client.post("/places/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="reference-error"' in html and "Skriv pladsens reference." in html
    assert 'id="fte-error"' in html and "Årsværk skal være større end 0 og højst 1" in html
    assert 'id="effective_date-error"' in html and "Skriv datoen som dd.mm.åååå" in html
    assert 'id="type_code-error"' in html and "Vælg en ordning." in html
    assert 'value="Kontorpraktik"' in html  # what the user typed is kept
    assert counts(session) == before


def test_register_refuses_cpr_in_title_and_note(
    client: FlaskClient, login: Callable[[User], None], session: Session, make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    before = counts(session)
    for name in ("title", "note"):
        response = client.post("/places/new", data=_new_form(client) | {name: "Borger 010190-1234"})
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert f'id="{name}-error"' in html and "CPR" in html
    assert counts(session) == before


def test_register_refuses_a_first_status_the_domain_refuses(
    client: FlaskClient, login: Callable[[User], None], session: Session, make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    before = counts(session)
    response = client.post("/places/new", data=_new_form(client) | {"status": "closed"})
    assert response.status_code == 422
    assert 'id="status-error"' in response.get_data(as_text=True)
    assert counts(session) == before


def test_duplicate_reference_is_refused(
    client: FlaskClient,
    login: Callable[[User], None],
    session: Session,
    make_user: Callable[..., User],
    register_place: Callable[..., Place],
) -> None:
    hr = make_user("hr", "SOF")
    register_place(("open", date(2025, 9, 1)), actor=hr, reference="SOF-2025-014", commit=True)
    login(hr)
    before = counts(session)
    response = client.post("/places/new", data=_new_form(client))
    assert response.status_code == 422
    assert 'id="reference-error"' in response.get_data(as_text=True)
    assert counts(session) == before


def _detail(client, place_id: int) -> str:  # type: ignore[no-untyped-def]
    return client.get(f"/places/{place_id}").get_data(as_text=True)


def _version(html: str) -> str:
    return re.search(r'id="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*id="version"', html).group(1) or ""


def test_fill_pause_and_see_the_timeline(
    client: FlaskClient,
    login: Callable[[User], None],
    session: Session,
    make_user: Callable[..., User],
    register_place: Callable[..., Place],
) -> None:
    hr = make_user("hr", "SOF")
    place = register_place(("open", date(2025, 8, 1)), actor=hr, reference="P-1", commit=True)
    login(hr)
    steps = (
        ("filled", "2025-08-15", "Besat fra midten af august"),
        ("open", "2025-09-01", "Forløbet stoppede"),
        ("paused", "2025-09-20", "Enheden holder pause"),
    )
    for status, day, note in steps:
        html = _detail(client, place.id)
        data = {
            "csrf_token": csrf_from(html),
            "version": _version(html),
            "status": status,
            "effective_date": day,
            "note": note,
        }
        response = client.post(f"/places/{place.id}/status", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    session.refresh(place)
    assert (place.current_status, place.current_since) == ("paused", date(2025, 9, 20))
    html = _detail(client, place.id)
    assert "Gælder fra 20.09.2025: I bero" in html and "Gælder fra 15.08.2025: Besat" in html
    assert "Gælder fra 01.09.2025: Åben" in html
    assert "Enheden holder pause" in html and hr.email in html
    assert "30.09.2025 kl. 12.00" in html  # recorded 10:00 UTC, shown in Copenhagen summer time


def test_refused_transition_shows_the_domains_message_next_to_status(
    client, login, session, make_user, register_place
) -> None:  # type: ignore[no-untyped-def]
    hr = make_user("hr", "SOF")
    place = register_place(("filled", date(2025, 9, 1)), actor=hr, reference="P-1", commit=True)
    login(hr)
    before = counts(session)
    html = _detail(client, place.id)
    data = {
        "csrf_token": csrf_from(html),
        "version": _version(html),
        "status": "paused",
        "effective_date": "2025-09-10",
        "note": "min note",
    }
    response = client.post(f"/places/{place.id}/status", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="status-error"' in page
    assert "min note" in page  # nothing the user typed is lost
    assert counts(session) == before


def test_cpr_in_a_status_note_is_refused(
    client: FlaskClient,
    login: Callable[[User], None],
    session: Session,
    make_user: Callable[..., User],
    register_place: Callable[..., Place],
) -> None:
    hr = make_user("hr", "SOF")
    place = register_place(("open", date(2025, 9, 1)), actor=hr, reference="P-1", commit=True)
    login(hr)
    before = counts(session)
    html = _detail(client, place.id)
    data = {
        "csrf_token": csrf_from(html),
        "version": _version(html),
        "status": "filled",
        "effective_date": "2025-09-10",
        "note": "cpr 0101901234",
    }
    response = client.post(f"/places/{place.id}/status", data=data)
    assert response.status_code == 422
    assert 'id="note-error"' in response.get_data(as_text=True)
    assert counts(session) == before


def test_someone_else_changed_the_place_meanwhile(
    client, login, session, make_user, register_place, clock
) -> None:  # type: ignore[no-untyped-def]
    hr, colleague = make_user("hr", "SOF"), make_user("hr", "SOF")
    place = register_place(("open", date(2025, 9, 1)), actor=hr, reference="P-1", commit=True)
    login(hr)
    html = _detail(client, place.id)  # the form is opened ...
    status_events.record_status(  # ... a colleague fills the place ...
        session,
        place_id=place.id,
        status="filled",
        effective_date=date(2025, 9, 15),
        note="Kollegas note",
        actor=colleague,
        now=clock.now(),
    )
    session.commit()
    before = counts(session)
    data = {
        "csrf_token": csrf_from(html),
        "version": _version(html),
        "status": "paused",
        "effective_date": "2025-09-16",
        "note": "Min egen note",
    }
    response = client.post(f"/places/{place.id}/status", data=data)  # ... and the user saves
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'id="conflict"' in page
    assert "Kollegas note" in page  # the newer state is shown
    assert "Min egen note" in page and 'value="2025-09-16"' in page  # their values are kept
    assert counts(session) == before
    # Having seen the newer state, sending again is deliberate and is accepted if the domain allows it.
    data = data | {"csrf_token": csrf_from(page), "version": _version(page), "status": "open"}
    assert client.post(f"/places/{place.id}/status", data=data).status_code == 302
    session.refresh(place)
    assert place.current_status == "open"


def test_correct_and_void_need_a_reason_and_show_in_the_timeline(
    client, login, session, make_user, register_place
) -> None:  # type: ignore[no-untyped-def]
    hr = make_user("hr", "SOF")
    place = register_place(
        ("open", date(2025, 9, 1)), ("filled", date(2025, 9, 10)), actor=hr, reference="P-1", commit=True
    )
    first, filled = _events(session, place.id)
    login(hr)
    html = _detail(client, place.id)
    before = counts(session)
    prefix = f"c{filled.id}"
    response = client.post(
        f"/places/{place.id}/events/{filled.id}/correct",
        data={
            f"{prefix}-csrf_token": csrf_from(html),
            f"{prefix}-version": _version(html),
            f"{prefix}-status": "paused",
            f"{prefix}-reason": "",
        },
    )
    assert response.status_code == 422
    assert "Skriv hvorfor registreringen rettes." in response.get_data(as_text=True)
    assert counts(session) == before
    response = client.post(
        f"/places/{place.id}/events/{filled.id}/correct",
        data={
            f"{prefix}-csrf_token": csrf_from(html),
            f"{prefix}-version": _version(html),
            f"{prefix}-status": "paused",
            f"{prefix}-reason": "Tastefejl",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    html = _detail(client, place.id)
    prefix = f"v{first.id}"
    response = client.post(
        f"/places/{place.id}/events/{first.id}/void",
        data={
            f"{prefix}-csrf_token": csrf_from(html),
            f"{prefix}-version": _version(html),
            f"{prefix}-reason": "",
        },
    )
    assert response.status_code == 422
    assert "Skriv hvorfor registreringen annulleres." in response.get_data(as_text=True)
    response = client.post(
        f"/places/{place.id}/events/{first.id}/void",
        data={
            f"{prefix}-csrf_token": csrf_from(html),
            f"{prefix}-version": _version(html),
            f"{prefix}-reason": "Dobbeltregistreret",
        },
    )
    html = _detail(client, place.id)
    if response.status_code == 302:
        assert "(annulleret)" in html and "Dobbeltregistreret" in html
    else:  # the domain may refuse voiding a place's first event; then it says why
        assert response.status_code == 422
    assert "(rettelse)" in html and "Tastefejl" in html


def test_bif_reads_a_place_but_cannot_change_it(
    client: FlaskClient,
    login: Callable[[User], None],
    session: Session,
    make_user: Callable[..., User],
    register_place: Callable[..., Place],
) -> None:
    place = register_place(
        ("open", date(2025, 9, 1)), actor=make_user("hr", "SOF"), reference="P-1", commit=True
    )
    login(make_user("bif"))
    html = _detail(client, place.id)
    assert "P-1" in html and "Registrér ændring af status" not in html
    before = counts(session)
    data = {"csrf_token": csrf_from(html), "status": "filled", "effective_date": "2025-09-10"}
    assert client.post(f"/places/{place.id}/status", data=data).status_code == 403
    assert client.get("/places/new").status_code == 403
    assert counts(session) == before


def test_status_page_shows_fulfilment_today_and_last_half_year(
    client: FlaskClient,
    login: Callable[[User], None],
    make_user: Callable[..., User],
    register_place: Callable[..., Place],
) -> None:
    hr = make_user("hr", "SOF")
    register_place(("filled", date(2025, 3, 1)), actor=hr, reference="P-1", commit=True)
    login(hr)
    html = client.get("/places/status").get_data(as_text=True)
    assert 'id="status-today"' in html and 'id="status-last-half"' in html
    assert "2025-H1" in html and "30.09.2025" in html


def test_status_page_figures_come_from_the_reconciliation(
    client, login, session, make_user, register_place
) -> None:  # type: ignore[no-untyped-def]
    from quota_app.models import Department, PlacementType, Target

    hr = make_user("hr", "SOF")
    sof = session.execute(sa.select(Department).where(Department.code == "SOF")).scalar_one()
    flex = session.execute(sa.select(PlacementType).where(PlacementType.code == "flex_job")).scalar_one()
    session.add(Target(year=2025, department_id=sof.id, type_id=flex.id, value=4, updated_at=T0))
    session.commit()
    register_place(("filled", date(2025, 3, 1)), actor=hr, reference="F-1", type_code="flex_job", commit=True)
    register_place(("filled", date(2025, 8, 1)), actor=hr, reference="F-2", type_code="flex_job", commit=True)
    register_place(("open", date(2025, 8, 1)), actor=hr, reference="F-3", type_code="flex_job", commit=True)
    login(hr)
    html = client.get("/places/status").get_data(as_text=True)
    today = re.search(r'id="status-today">(.*?)</table>', html, re.S).group(1)
    last_half = re.search(r'id="status-last-half">(.*?)</table>', html, re.S).group(1)
    row = lambda table: re.search(r"Fleksjob</th>(.*?)</tr>", table, re.S).group(1)  # noqa: E731
    cells = lambda table: re.findall(r"<td>\s*(.*?)\s*</td>", row(table))  # noqa: E731
    assert cells(today) == [
        "4",
        "1",
        "2",
        "0",
        "2",
        "50,0 %",
        "2",
    ]  # target, open, filled, paused, counted, %, gap
    assert cells(last_half) == ["4", "0", "1", "0", "1", "25,0 %", "3"]  # on 30.06.2025 only F-1 existed


def test_form_messages_in_english_when_chosen(
    client: FlaskClient, login: Callable[[User], None], session: Session, make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    token = csrf_from(client.get("/places/new").get_data(as_text=True))
    client.post("/language", data={"lang": "en", "csrf_token": token, "next": "/places/new"})
    data = _new_form(client) | {"reference": "", "fte": "abc", "effective_date": "i går"}
    html = client.post("/places/new", data=data).get_data(as_text=True)
    assert "Write the place&#39;s reference." in html or "Write the place's reference." in html
    assert "Write a number, e.g. 1 or 0.5." in html
    assert "Write the date as dd.mm.yyyy, e.g. 30.06.2025." in html
    assert "Register a new place" in html


REFUSED_DA = (
    "En plads kan ikke gå fra besat til i bero (10.09.2025). En besat plads kan kun blive åben eller nedlagt."
)
REFUSED_EN = "A place cannot go from filled to paused (10.09.2025). A place that is filled can only become open or closed."


def _refuse_a_pause(client, place_id: int):  # type: ignore[no-untyped-def]
    html = _detail(client, place_id)
    data = {
        "csrf_token": csrf_from(html),
        "version": _version(html),
        "status": "paused",
        "effective_date": "2025-09-10",
        "note": "",
    }
    return client.post(f"/places/{place_id}/status", data=data)


def test_refused_transition_is_in_danish_by_default(
    client: FlaskClient,
    login: Callable[[User], None],
    make_user: Callable[..., User],
    register_place: Callable[..., Place],
) -> None:
    hr = make_user("hr", "SOF")
    place = register_place(("filled", date(2025, 9, 1)), actor=hr, reference="P-1", commit=True)
    login(hr)
    response = _refuse_a_pause(client, place.id)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert REFUSED_DA in page and REFUSED_EN not in page


def test_refused_transition_in_english_when_chosen(
    client: FlaskClient,
    login: Callable[[User], None],
    session: Session,
    make_user: Callable[..., User],
    register_place: Callable[..., Place],
) -> None:
    hr = make_user("hr", "SOF")
    place = register_place(("filled", date(2025, 9, 1)), actor=hr, reference="P-1", commit=True)
    login(hr)
    token = csrf_from(_detail(client, place.id))
    client.post("/language", data={"lang": "en", "csrf_token": token, "next": f"/places/{place.id}"})
    before = counts(session)
    response = _refuse_a_pause(client, place.id)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page
    assert re.search(r'id="status-error".*?' + re.escape(REFUSED_EN), page, re.S)
    assert REFUSED_DA not in page
    assert counts(session) == before
