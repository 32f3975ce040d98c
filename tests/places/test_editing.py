"""Editing a place (docs/counting.md §9): reference and title directly, unit and fte from a date as dated,
known-at history that counting follows; correcting a wrong date in one step."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from quota_app.compliance.figures import compliance
from quota_app.errors import DomainError
from quota_app.models import ORIGIN, AuditEntry, CountingRule, Place, PlaceAttribute, PlaceEvent, Unit
from quota_app.monitor.drilldown import unit_place_ids
from quota_app.monitor.measure import DepartmentInfo
from quota_app.places import corrections, editing, rules
from quota_app.reconcile.figures import reconcile
from quota_app.reconcile.units import reconcile_units
from tests.factories import insert_place

D1, D2, D3 = date(2025, 1, 6), date(2025, 3, 3), date(2025, 5, 5)


def _fte_weighted(session, reference, type_code: str) -> None:  # type: ignore[no-untyped-def]
    rule = session.exec(
        select(CountingRule).where(
            CountingRule.year == 2025, CountingRule.type_id == reference["types"][type_code].id
        )
    ).one()
    rule.weighting = "fte"
    session.flush()


def _counted(session, known_at, as_of) -> float:  # type: ignore[no-untyped-def]
    result = reconcile(session, as_of=as_of, known_at=known_at, department_codes=["SOF"])
    return next(r for r in result.rows if r.type == "flex_job").counted


def _units(session, reference) -> tuple[Unit, Unit]:  # type: ignore[no-untyped-def]
    sof = reference["departments"]["SOF"].id
    north, south = Unit(department_id=sof, name="Nord"), Unit(department_id=sof, name="Syd")
    session.add_all([north, south])
    session.flush()
    return north, south


def test_counting_on_a_date_before_the_change_uses_the_old_fte_and_unit(
    session, reference, register_place, clock
):
    _fte_weighted(session, reference, "flex_job")
    north, south = _units(session, reference)
    place = register_place(("filled", D1), type_code="flex_job", unit=north)
    registered = clock.now()
    clock.advance(timedelta(days=1))
    editing.change_attributes(
        session,
        place_id=place.id,
        effective_date=D2,
        unit_id=south.id,
        fte=0.5,
        actor="test",
        now=clock.now(),
    )
    later = clock.now()
    session.refresh(place)
    assert (place.unit_id, place.fte) == (south.id, 0.5)  # the cache: the latest-dated values
    assert _counted(session, later, D2 - timedelta(days=1)) == 1.0  # before the date: the old fte
    assert _counted(session, later, D2) == 0.5
    assert _counted(session, registered, D3) == 1.0  # as known before the edit: as it was

    def by_unit(known_at, as_of):  # type: ignore[no-untyped-def]
        units = reconcile_units(session, department_code="SOF", as_of=as_of, known_at=known_at)
        return {u.name: u.figure("flex_job", "counted") for u in units if u.figure("flex_job", "counted")}

    assert by_unit(later, D1) == {"Nord": 1.0}
    assert by_unit(later, D3) == {"Syd": 0.5}
    assert by_unit(registered, D3) == {"Nord": 1.0}
    # A split by unit or fte is not a new start of filled: the history still has one start.
    assert place.current_status == "filled"


def test_a_unit_s_place_list_and_its_workplace_count_follow_a_move_on_its_date(
    session, reference, register_place, clock
):
    north, south = _units(session, reference)
    place = register_place(("filled", D1), type_code="internship", unit=north)
    clock.advance(timedelta(days=1))
    editing.change_attributes(
        session,
        place_id=place.id,
        effective_date=D2,
        unit_id=south.id,
        fte=1.0,
        actor="test",
        now=clock.now(),
    )
    now = clock.now()
    sof = reference["departments"]["SOF"]
    info = DepartmentInfo(sof.id, sof.code, sof.name)

    def listed(unit: Unit, as_of: date) -> list[int]:
        return unit_place_ids(session, department=info, unit_id=unit.id, as_of=as_of, known_at=now)

    def occupied(as_of: date) -> dict[str, int]:
        rows = compliance(session, as_of=as_of, known_at=now, department_ids=[sof.id]).rows
        return {row.unit: row.occupied for row in rows}

    assert (listed(north, D1), listed(south, D1)) == ([place.id], [])
    assert (listed(north, D3), listed(south, D3)) == ([], [place.id])
    assert occupied(D1) == {"Nord": 1, "Syd": 0}
    assert occupied(D3) == {"Nord": 0, "Syd": 1}


def test_voiding_a_change_restores_the_old_attributes_from_then_on(session, reference, register_place, clock):
    _fte_weighted(session, reference, "flex_job")
    place = register_place(("filled", D1), type_code="flex_job")
    clock.advance(timedelta(hours=1))
    row = editing.change_attributes(
        session, place_id=place.id, effective_date=D2, unit_id=None, fte=0.6, actor="test", now=clock.now()
    )
    changed = clock.now()
    clock.advance(timedelta(hours=1))
    editing.void_attributes(
        session, attribute_id=row.id, reason="Forkert plads", actor="test", now=clock.now()
    )
    session.refresh(place)
    assert place.fte == 1.0
    assert _counted(session, changed, D3) == 0.6
    assert _counted(session, clock.now(), D3) == 1.0
    with pytest.raises(DomainError, match="allerede annulleret"):
        editing.void_attributes(session, attribute_id=row.id, reason="igen", actor="test", now=clock.now())
    origin = session.exec(
        select(PlaceAttribute).where(
            PlaceAttribute.place_id == place.id, PlaceAttribute.effective_date == ORIGIN
        )
    ).one()
    with pytest.raises(DomainError, match="første enhed og årsværk"):
        editing.void_attributes(session, attribute_id=origin.id, reason="x", actor="test", now=clock.now())


def test_a_change_of_attributes_is_checked_and_refused_without_a_trace(
    session, reference, register_place, clock
):
    place = register_place(("open", D1))
    other = Unit(department_id=reference["departments"]["BIF"].id, name="BIF-enhed")
    session.add(other)
    session.flush()
    rows = session.execute(sa.select(sa.func.count()).select_from(PlaceAttribute)).scalar_one()
    version = place.version
    attempts = [
        ({"unit_id": other.id, "fte": 1.0, "effective_date": D2}, "hører ikke til forvaltningen"),
        ({"unit_id": None, "fte": 1.5, "effective_date": D2}, "højst 1"),
        ({"unit_id": None, "fte": 0.5, "effective_date": date(2025, 12, 1)}, "fremtiden"),
        ({"unit_id": None, "fte": 1.0, "effective_date": D2}, "allerede den enhed"),
    ]
    for kwargs, message in attempts:
        with pytest.raises(DomainError, match=message):
            editing.change_attributes(session, place_id=place.id, actor="test", now=clock.now(), **kwargs)
    session.refresh(place)
    assert place.version == version
    assert session.execute(sa.select(sa.func.count()).select_from(PlaceAttribute)).scalar_one() == rows


def test_a_place_without_dated_attributes_gets_its_first_ones_when_first_changed(session, reference, clock):
    place = insert_place(
        session,
        reference,
        department="SOF",
        type_code="flex_job",
        events=[("filled", D1, clock.now())],
        place_reference="OLD-1",
        fte=0.8,
    )
    clock.advance(timedelta(days=1))
    editing.change_attributes(
        session, place_id=place.id, effective_date=D2, unit_id=None, fte=0.4, actor="test", now=clock.now()
    )
    rows = session.exec(
        select(PlaceAttribute)
        .where(PlaceAttribute.place_id == place.id)
        .order_by(PlaceAttribute.effective_date)
    ).all()
    assert [(r.effective_date, r.fte) for r in rows] == [(ORIGIN, 0.8), (D2, 0.4)]


def test_rename_is_audited_and_checked(session, reference, register_place, make_user, clock):
    user = make_user("hr", "SOF")
    place = register_place(("open", D1), reference="SOF-1", title="Kontor")
    register_place(("open", D1), reference="SOF-2")
    editing.rename_place(
        session, place_id=place.id, reference="SOF-1A", title="Køkken", actor=user, now=clock.now()
    )
    session.refresh(place)
    assert (place.reference, place.title) == ("SOF-1A", "Køkken")
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "place.edit")).one()
    assert entry.before["reference"] == "SOF-1" and entry.after["title"] == "Køkken"
    with pytest.raises(DomainError, match="allerede en plads"):
        editing.rename_place(
            session, place_id=place.id, reference="SOF-2", title="", actor=user, now=clock.now()
        )
    with pytest.raises(DomainError, match="CPR"):
        editing.rename_place(
            session,
            place_id=place.id,
            reference="SOF-1A",
            title="Anna 010203-1234",
            actor=user,
            now=clock.now(),
        )
    with pytest.raises(DomainError, match="ikke ændret"):
        editing.rename_place(
            session, place_id=place.id, reference="SOF-1A", title="Køkken", actor=user, now=clock.now()
        )


def test_a_wrong_date_is_corrected_in_one_step(session, register_place, clock):
    place = register_place(("open", D1), ("filled", D2))
    filled = session.exec(
        select(PlaceEvent).where(PlaceEvent.place_id == place.id, PlaceEvent.status == "filled")
    ).one()
    clock.advance(timedelta(hours=1))
    moved = corrections.correct_event(
        session,
        event_id=filled.id,
        status="filled",
        effective_date=D3,
        reason="Forkert dato",
        actor="test",
        now=clock.now(),
    )
    session.refresh(filled)
    session.refresh(place)
    assert (filled.voided_at, filled.void_reason) == (clock.now(), "Forkert dato")
    assert (moved.effective_date, moved.status, moved.corrects_event_id, moved.note) == (
        D3,
        "filled",
        filled.id,
        "Forkert dato",
    )
    assert (place.current_status, place.current_since) == ("filled", D3)
    # A date that gives a refused history, or that already has a registration, is refused without a trace.
    opened = session.exec(
        select(PlaceEvent).where(PlaceEvent.place_id == place.id, PlaceEvent.status == "open")
    ).one()
    count = session.execute(sa.select(sa.func.count()).select_from(PlaceEvent)).scalar_one()
    with pytest.raises(DomainError, match="allerede en registrering"):
        corrections.correct_event(
            session,
            event_id=opened.id,
            status="open",
            effective_date=D3,
            reason="x",
            actor="test",
            now=clock.now(),
        )
    with pytest.raises(DomainError):
        corrections.correct_event(
            session,
            event_id=moved.id,
            status="open",
            effective_date=D2,
            reason="x",
            actor="test",
            now=clock.now(),
        )
    assert session.execute(sa.select(sa.func.count()).select_from(PlaceEvent)).scalar_one() == count


def test_the_status_choices_are_the_transitions_allowed_on_the_date():
    assert rules.allowed_next(None) == ("open", "filled")
    assert rules.allowed_next("filled") == ("open", "closed")
    assert rules.allowed_next("closed") == ()
    history = {D1: "open", D2: "filled", D3: "open"}
    # On D2, after open and before open again: filled or paused (open would repeat; closed ends the place).
    assert rules.allowed_on(history, D2) == ("filled", "paused")
    assert rules.allowed_on(history, D1) == ("open",)  # a first status that filled may follow


def test_registration_dates_the_first_attributes_from_the_start(session, register_place):
    place = register_place(("open", D1), fte=0.7)
    row = session.exec(select(PlaceAttribute).where(PlaceAttribute.place_id == place.id)).one()
    assert (row.effective_date, row.fte, row.unit_id, row.recorded_at) == (
        ORIGIN,
        0.7,
        None,
        place.created_at,
    )
    assert session.get(Place, place.id).fte == 0.7
