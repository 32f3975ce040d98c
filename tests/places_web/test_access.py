"""An HR user of one department can neither read nor change another department's places."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlmodel import Session

from quota_app.models import Place, PlaceEvent, User
from tests.conftest import csrf_from
from tests.places_web.conftest import counts


def _snapshot(session, place_id: int) -> tuple:  # type: ignore[no-untyped-def]
    session.expire_all()
    place = session.get(Place, place_id)
    events = session.execute(
        sa.select(PlaceEvent.status, PlaceEvent.voided_at).where(PlaceEvent.place_id == place_id)
    ).all()
    return place.current_status, place.version, place.title, sorted(events, key=str)


def test_other_departments_place_is_404_for_every_route(
    client, login, session, make_user, register_place
) -> None:  # type: ignore[no-untyped-def]
    owner = make_user("hr", "SOF")
    place = register_place(
        ("open", date(2025, 9, 1)),
        ("filled", date(2025, 9, 10)),
        actor=owner,
        reference="SOF-HEMMELIG",
        title="Sekretær",
        commit=True,
    )
    event_id = (
        session.execute(sa.select(PlaceEvent.id).where(PlaceEvent.place_id == place.id)).scalars().first()
    )
    intruder = make_user("hr", "ØKF")
    login(intruder)
    token = csrf_from(client.get("/places/").get_data(as_text=True))
    before, state = counts(session), _snapshot(session, place.id)

    assert client.get(f"/places/{place.id}").status_code == 404
    form = {
        "csrf_token": token,
        "version": str(place.version),
        "status": "open",
        "effective_date": "2025-09-20",
    }
    assert client.post(f"/places/{place.id}/status", data=form).status_code == 404
    prefix = f"c{event_id}"
    correct = {f"{prefix}-csrf_token": token, f"{prefix}-status": "paused", f"{prefix}-reason": "x"}
    assert client.post(f"/places/{place.id}/events/{event_id}/correct", data=correct).status_code == 404
    prefix = f"v{event_id}"
    void = {f"{prefix}-csrf_token": token, f"{prefix}-reason": "x"}
    assert client.post(f"/places/{place.id}/events/{event_id}/void", data=void).status_code == 404
    assert client.get("/places/999999").status_code == 404

    listing = client.get("/places/?department=SOF&q=HEMMELIG").get_data(as_text=True)
    assert "SOF-HEMMELIG" not in listing and "Økonomiforvaltningen" in listing
    status_page = client.get("/places/status?department=SOF").get_data(as_text=True)
    assert "Økonomiforvaltningen" in status_page and "Socialforvaltningen" not in status_page
    assert counts(session) == before and _snapshot(session, place.id) == state


def test_an_event_id_of_another_place_is_404(
    client: FlaskClient,
    login: Callable[[User], None],
    session: Session,
    make_user: Callable[..., User],
    register_place: Callable[..., Place],
) -> None:
    sof, okf = make_user("hr", "SOF"), make_user("hr", "ØKF")
    own = register_place(
        ("open", date(2025, 9, 1)), actor=okf, reference="ØKF-1", department="ØKF", commit=True
    )
    foreign = register_place(("open", date(2025, 9, 1)), actor=sof, reference="SOF-1", commit=True)
    foreign_event = session.execute(
        sa.select(PlaceEvent.id).where(PlaceEvent.place_id == foreign.id)
    ).scalar_one()
    login(okf)
    token = csrf_from(client.get(f"/places/{own.id}").get_data(as_text=True))
    before, state = counts(session), _snapshot(session, foreign.id)
    prefix = f"v{foreign_event}"
    data = {f"{prefix}-csrf_token": token, f"{prefix}-reason": "forsøg"}
    assert client.post(f"/places/{own.id}/events/{foreign_event}/void", data=data).status_code == 404
    assert counts(session) == before and _snapshot(session, foreign.id) == state


def test_anonymous_users_are_sent_to_sign_in(
    client: FlaskClient, make_user: Callable[..., User], register_place: Callable[..., Place]
) -> None:
    place = register_place(
        ("open", date(2025, 9, 1)), actor=make_user("hr", "SOF"), reference="SOF-1", commit=True
    )
    for path in (
        "/places/",
        f"/places/{place.id}",
        "/places/new",
        "/places/import",
        "/places/status",
        "/comments/",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_forms_without_csrf_are_refused(
    client: FlaskClient,
    login: Callable[[User], None],
    session: Session,
    make_user: Callable[..., User],
    register_place: Callable[..., Place],
) -> None:
    hr = make_user("hr", "SOF")
    place = register_place(("open", date(2025, 9, 1)), actor=hr, reference="SOF-1", commit=True)
    login(hr)
    before = counts(session)
    data = {"status": "filled", "effective_date": "2025-09-20"}
    assert client.post(f"/places/{place.id}/status", data=data).status_code in (400, 422)
    assert counts(session) == before
