"""The ceiling check where places are made: refused with a message that names the workplace, its
headcount, the ceiling and the places filling it; nothing saved; exemptions; unknown headcount allowed."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from quota_app.compliance import exemptions, headcounts
from quota_app.compliance.rules import set_rule
from quota_app.errors import DomainError
from quota_app.models import Place, PlaceEvent
from quota_app.places import corrections, registration, status_events


def events_of(session: Session, place: Place) -> list[tuple[str, date]]:
    return [
        (e.status, e.effective_date)
        for e in session.exec(select(PlaceEvent).where(PlaceEvent.place_id == place.id)).all()
    ]


def test_a_fill_over_the_ceiling_is_refused_and_nothing_saved(session, clock, make_workplace, register_place):
    unit = make_workplace("Plejecenter Sundbo", 9, p_number="1234567890")
    first = register_place(
        ("open", date(2025, 2, 3)), ("filled", date(2025, 3, 3)), unit=unit, reference="VP-1", commit=True
    )
    second = register_place(("open", date(2025, 2, 3)), unit=unit, reference="VP-2", commit=True)
    with pytest.raises(DomainError) as refused:
        status_events.record_status(
            session,
            place_id=second.id,
            status="filled",
            effective_date=date(2025, 4, 1),
            actor="test",
            now=clock.now(),
        )
    session.rollback()
    message = str(refused.value.message)
    for part in ("Plejecenter Sundbo", "1234567890", "9 ordinære ansatte", "højst have 1", "VP-1", "VP-2"):
        assert part in message
    assert refused.value.field == "status"
    assert events_of(session, second) == [("open", date(2025, 2, 3))]
    assert session.get(Place, second.id).current_status == "open"
    assert session.get(Place, first.id).current_status == "filled"


def test_room_under_the_ceiling_and_other_types_are_allowed(session, clock, make_workplace, register_place):
    unit = make_workplace(employees=10)  # ceiling 2
    register_place(("filled", date(2025, 3, 3)), unit=unit, commit=True)
    register_place(("filled", date(2025, 3, 3)), unit=unit, type_code="wage_subsidy", commit=True)
    register_place(
        ("filled", date(2025, 3, 3)), unit=unit, type_code="utility_job", commit=True
    )  # not covered
    with pytest.raises(DomainError):
        register_place(("filled", date(2025, 3, 3)), unit=unit, commit=True)  # registered filled: checked too
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Place)) == 3


def test_a_place_that_ends_before_another_fills_leaves_room(session, clock, make_workplace, register_place):
    unit = make_workplace(employees=4)  # ceiling 1
    register_place(("filled", date(2025, 2, 3)), ("closed", date(2025, 3, 31)), unit=unit, commit=True)
    later = register_place(("filled", date(2025, 3, 31)), unit=unit, commit=True)
    assert later.current_status == "filled"
    with pytest.raises(DomainError):  # back-dated into the first one's time
        register_place(("open", date(2025, 1, 6)), ("filled", date(2025, 3, 1)), unit=unit, commit=True)


def test_unknown_headcount_is_allowed(session, clock, make_workplace, register_place):
    unit = make_workplace(employees=None)
    for _ in range(3):
        register_place(("filled", date(2025, 3, 3)), unit=unit, commit=True)
    before = make_workplace("Ny enhed", 10, since=date(2025, 6, 1))  # known from June only
    register_place(("filled", date(2025, 3, 3)), unit=before, commit=True)
    register_place(("filled", date(2025, 3, 3)), unit=before, commit=True)
    with pytest.raises(DomainError):  # the third fill meets the June headcount
        register_place(("filled", date(2025, 3, 3)), unit=before, commit=True)


def test_a_later_headcount_drop_is_checked_too(session, clock, make_workplace, register_place):
    unit = make_workplace(employees=10)  # 2 places
    headcounts.record_headcount(
        session,
        unit_id=unit.id,
        effective_date=date(2025, 7, 1),
        ordinary_employees=5,
        actor="test",
        now=clock.now(),
    )
    register_place(("filled", date(2025, 3, 3)), ("closed", date(2025, 6, 30)), unit=unit, commit=True)
    register_place(("filled", date(2025, 3, 3)), unit=unit, commit=True)
    with pytest.raises(DomainError) as refused:  # room in March, not from July 1 (5 employees: 1 place)
        register_place(("filled", date(2025, 6, 30)), unit=unit, commit=True)
    assert "5 ordinære ansatte 01.07.2025" in str(refused.value.message)


def test_an_exemption_covers_its_period_only(session, clock, make_workplace, register_place):
    unit = make_workplace(employees=3)  # 1 place
    register_place(("filled", date(2025, 3, 3)), unit=unit, commit=True)
    exemptions.record_exemption(
        session,
        unit_id=unit.id,
        reference="BIF-2025-7",
        valid_from=date(2025, 5, 1),
        valid_to=date(2025, 12, 31),
        reason="Særlig aftale",
        actor="test",
        now=clock.now(),
    )
    session.commit()
    with pytest.raises(DomainError):  # April is not covered
        register_place(("filled", date(2025, 4, 1)), unit=unit, commit=True)
    session.rollback()
    allowed = register_place(("filled", date(2025, 5, 1)), unit=unit, commit=True)
    assert allowed.current_status == "filled"


def test_corrections_and_voids_are_checked(session, clock, make_workplace, register_place):
    unit = make_workplace(employees=3)  # 1 place
    earlier = register_place(
        ("filled", date(2025, 2, 3)), ("closed", date(2025, 3, 1)), unit=unit, commit=True
    )
    register_place(("filled", date(2025, 3, 3)), unit=unit, commit=True)
    waiting = register_place(("open", date(2025, 3, 3)), unit=unit, commit=True)
    opened = session.exec(select(PlaceEvent).where(PlaceEvent.place_id == waiting.id)).one()
    with pytest.raises(DomainError):
        corrections.correct_event(
            session, event_id=opened.id, status="filled", reason="rettelse", actor="test", now=clock.now()
        )
    session.rollback()
    closing = session.exec(
        select(PlaceEvent).where(PlaceEvent.place_id == earlier.id, PlaceEvent.status == "closed")
    ).one()
    with pytest.raises(DomainError):  # without its closing, the earlier place would still be filled
        corrections.void_event(session, event_id=closing.id, reason="fejl", actor="test", now=clock.now())
    session.rollback()
    assert events_of(session, waiting) == [("open", date(2025, 3, 3))]


def test_the_rule_is_per_year_data(session, clock, make_workplace, register_place):
    unit = make_workplace(employees=3, since=date(2024, 1, 1))  # 1 place
    set_rule(
        session,
        year=2025,
        covered_types=["wage_subsidy"],
        per_place_low=5,
        low_limit=50,
        per_place_high=10,
        minimum=1,
        actor="test",
        now=clock.now(),
    )
    session.commit()
    register_place(("filled", date(2025, 3, 3)), unit=unit, commit=True)
    register_place(
        ("filled", date(2025, 3, 3)), unit=unit, commit=True
    )  # internships are not covered in 2025
    register_place(("filled", date(2025, 3, 3)), unit=unit, type_code="wage_subsidy", commit=True)
    with pytest.raises(DomainError):
        register_place(("filled", date(2025, 3, 3)), unit=unit, type_code="wage_subsidy", commit=True)
    session.rollback()
    register_place(("filled", date(2024, 12, 1)), ("closed", date(2025, 2, 1)), unit=unit, commit=True)
    with pytest.raises(DomainError) as refused:  # 2024 has the default rule, which covers internships
        registration.register_place(
            session,
            department_id=unit.department_id,
            type_code="internship",
            reference="X",
            unit_id=unit.id,
            status="filled",
            effective_date=date(2024, 12, 2),
            actor="test",
            now=clock.now(),
        )
    assert "02.12.2024" in str(refused.value.message)
    with pytest.raises(DomainError) as bad:
        set_rule(
            session,
            year=2025,
            covered_types=["nope"],
            per_place_low=5,
            low_limit=50,
            per_place_high=10,
            minimum=1,
            actor="test",
            now=clock.now(),
        )
    assert bad.value.field == "covered_types"
