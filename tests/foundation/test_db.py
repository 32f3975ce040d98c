from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import select

from quota_app.db import danish_contains, danish_order, danish_sort_key
from quota_app.models import Department, Place, PlaceEvent, Target, Unit, User
from tests.conftest import department


def _place(session, reference, clock, ref):
    sof = department(session, "SOF")
    place = Place(
        department_id=sof.id,
        type_id=reference["types"]["internship"].id,
        reference=ref,
        created_at=clock.now(),
    )
    session.add(place)
    session.flush()
    return place


def test_timestamps_come_back_as_aware_utc(session, reference, clock):
    copenhagen_summer = timezone(timedelta(hours=2))
    place = _place(session, reference, clock, "T-1")
    event = PlaceEvent(
        place_id=place.id,
        status="open",
        effective_date=date(2025, 6, 1),
        recorded_at=datetime(2025, 6, 2, 9, 30, tzinfo=copenhagen_summer),
    )
    session.add(event)
    session.commit()
    session.expire_all()
    loaded = session.get(PlaceEvent, event.id)
    assert loaded.recorded_at == datetime(2025, 6, 2, 7, 30, tzinfo=UTC)
    assert loaded.recorded_at.tzinfo is not None


def test_naive_timestamps_are_refused(session, reference, clock):
    place = _place(session, reference, clock, "T-2")
    session.add(
        PlaceEvent(
            place_id=place.id,
            status="open",
            effective_date=date(2025, 1, 1),
            recorded_at=datetime(2025, 1, 1),
        )
    )
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        session.flush()


def test_danish_text_sorts_and_searches_case_insensitively(session, reference):
    sof = department(session, "SOF")
    for name in ["Åbo", "zoo", "Ærø", "ørsted", "Abe", "øl", "bæver"]:
        session.add(Unit(department_id=sof.id, name=name))
    session.flush()
    ordered = session.exec(
        select(Unit.name).where(Unit.department_id == sof.id).order_by(danish_order(Unit.name))
    ).all()
    assert ordered == ["Abe", "bæver", "zoo", "Ærø", "øl", "ørsted", "Åbo"]
    for term, expected in [
        ("ØR", {"ørsted"}),
        ("æ", {"Ærø", "bæver"}),
        ("Å", {"Åbo"}),
        ("%", set()),
        ("_", set()),
    ]:
        found = set(
            session.exec(
                select(Unit.name).where(Unit.department_id == sof.id, danish_contains(Unit.name, term))
            ).all()
        )
        assert found == expected, term


def test_danish_sort_key_puts_aeoeaa_last():
    assert sorted(["å", "z", "æ", "ø", "a"], key=danish_sort_key) == ["a", "z", "æ", "ø", "å"]


def test_place_events_cannot_be_deleted_even_with_plain_sql(session, reference, clock):
    place = _place(session, reference, clock, "T-3")
    session.add(
        PlaceEvent(place_id=place.id, status="open", effective_date=date(2025, 1, 1), recorded_at=clock.now())
    )
    session.flush()
    with pytest.raises(sa.exc.DatabaseError, match="cannot be deleted"), session.begin_nested():
        session.execute(sa.text("DELETE FROM place_event"))
    assert session.exec(select(sa.func.count()).select_from(PlaceEvent)).one() == 1


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (PlaceEvent, {"status": "sleeping"}),
        (Target, {"value": -1}),
        (User, {"role": "hr", "department_id": None}),
        (User, {"role": "boss"}),
        (Place, {"fte": 0}),
        (Place, {"fte": 1.5}),
    ],
)
def test_database_constraints_refuse_bad_rows(session, reference, clock, model, values):
    sof = department(session, "SOF")
    place = _place(session, reference, clock, "T-4")
    type_id = place.type_id
    base = {
        PlaceEvent: {
            "place_id": place.id,
            "status": "open",
            "effective_date": date(2025, 1, 1),
            "recorded_at": clock.now(),
        },
        Target: {
            "year": 2025,
            "department_id": sof.id,
            "type_id": type_id,
            "value": 1,
            "updated_at": clock.now(),
        },
        User: {
            "email": "x@kk.dk",
            "password_hash": "x",
            "role": "hr",
            "department_id": sof.id,
            "created_at": clock.now(),
        },
        Place: {"department_id": sof.id, "type_id": type_id, "reference": "T-5", "created_at": clock.now()},
    }[model]
    with pytest.raises(sa.exc.IntegrityError), session.begin_nested():
        session.add(model(**{**base, **values}))
        session.flush()


def test_targets_are_unique_per_year_department_and_type(session, reference, clock):
    sof = department(session, "SOF")
    type_id = reference["types"]["flex_job"].id
    session.add(Target(year=2025, department_id=sof.id, type_id=type_id, value=3, updated_at=clock.now()))
    session.flush()
    with pytest.raises(sa.exc.IntegrityError), session.begin_nested():
        session.add(Target(year=2025, department_id=sof.id, type_id=type_id, value=4, updated_at=clock.now()))
        session.flush()


def test_department_codes_keep_non_ascii_letters(session, reference):
    assert department(session, "ØKF").name == "Økonomiforvaltningen"
    assert (
        session.exec(select(Department).where(Department.code == "ØKF")).one().mayor_title == "Overborgmester"
    )
