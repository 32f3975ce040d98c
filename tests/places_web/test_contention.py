"""Clashes the services cannot see coming are 409: on the places pages with the place as it is now, in
the API as its JSON error."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_modified

from quota_app.models import Place
from quota_app.places import status_events
from tests.conftest import csrf_from
from tests.places_web.conftest import counts


def _colleague_saves(session, place_id: int) -> None:  # type: ignore[no-untyped-def]
    """A colleague's save of the place lands: its version moves on behind this session's back."""
    session.connection().execute(
        sa.text("UPDATE place SET version = version + 1 WHERE id = :id"), {"id": place_id}
    )


@pytest.fixture(params=["flush", "commit"])
def clash(request, monkeypatch):  # type: ignore[no-untyped-def]
    """Make a status change meet a colleague's save where no version check of the service sees it coming:
    right before the service's flush (StaleDataError inside the service), or between that flush and the
    view's commit (StaleDataError from the commit, outside any service)."""
    if request.param == "flush":
        real_touch = status_events._touch

        def touch(session, place, history):  # type: ignore[no-untyped-def]
            _colleague_saves(session, place.id)
            real_touch(session, place, history)

        monkeypatch.setattr(status_events, "_touch", touch)
        return
    real = status_events.record_status

    def clashing(session, **kwargs):  # type: ignore[no-untyped-def]
        event = real(session, **kwargs)
        place = session.get(Place, kwargs["place_id"])
        _colleague_saves(session, place.id)
        place.title = "Min titel"
        flag_modified(place, "title")
        return event

    monkeypatch.setattr(status_events, "record_status", clashing)


def test_a_clash_found_at_flush_or_commit_shows_the_place_as_it_is_now(  # type: ignore[no-untyped-def]
    client, login, session, make_user, register_place, clash
) -> None:
    hr = make_user("hr", "SOF")
    place = register_place(
        ("open", date(2025, 9, 1)), actor=hr, reference="P-1", title="Kontorpraktik", commit=True
    )
    login(hr)
    html = client.get(f"/places/{place.id}").get_data(as_text=True)
    before = counts(session)
    response = client.post(
        f"/places/{place.id}/status",
        data={
            "csrf_token": csrf_from(html),
            "version": str(place.version),
            "status": "filled",
            "effective_date": "2025-09-15",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'id="conflict"' in page and "Kontorpraktik" in page  # the place's page, newest state
    assert counts(session) == before
    session.refresh(place)
    assert place.current_status == "open" and place.title == "Kontorpraktik"


@pytest.fixture
def racing_twin() -> Iterator[None]:
    """A colleague registers the same reference at the same moment: their row lands in the same flush,
    after the service's duplicate check, so the database's unique constraint is what refuses it."""

    def twin(session, _context, _instances) -> None:  # type: ignore[no-untyped-def]
        for obj in list(session.new):
            if isinstance(obj, Place) and obj.reference == "RACE-1":
                session.add(
                    Place(
                        department_id=obj.department_id,
                        type_id=obj.type_id,
                        reference=obj.reference,
                        title="Kollegas",
                        fte=1.0,
                        created_at=obj.created_at,
                    )
                )

    sa.event.listen(sa.orm.Session, "before_flush", twin)
    try:
        yield
    finally:
        sa.event.remove(sa.orm.Session, "before_flush", twin)


def test_a_unique_constraint_raced_past_the_check_is_409(  # type: ignore[no-untyped-def]
    client, login, session, make_user, racing_twin
) -> None:
    hr = make_user("hr", "SOF")
    login(hr)
    token = csrf_from(client.get("/places/new").get_data(as_text=True))
    before = counts(session)
    response = client.post(
        "/places/new",
        data={
            "csrf_token": token,
            "type_code": "internship",
            "unit_id": "",
            "reference": "RACE-1",
            "title": "",
            "fte": "1",
            "status": "open",
            "effective_date": "2025-09-01",
            "note": "",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409, page[:500]
    assert "Det findes allerede" in page
    assert counts(session) == before


def test_a_clash_found_at_flush_or_commit_is_a_409_json_error_in_the_api(  # type: ignore[no-untyped-def]
    client, session, clock, make_user, register_place, clash
) -> None:
    from quota_app.tokens.services import create_token

    hr = make_user("hr", "SOF")
    place = register_place(("open", date(2025, 9, 1)), actor=hr, reference="P-2", commit=True)
    _token, secret = create_token(session, user=hr, name="test", actor=hr, now=clock.now())
    session.commit()
    before = counts(session)
    response = client.post(
        f"/api/v1/places/{place.id}/events",
        json={"status": "filled", "effective_date": "2025-09-15", "expected_version": place.version},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 409 and response.is_json
    assert response.json["error"] == "conflict" and response.json["message"]
    assert counts(session) == before
