"""The place lifecycle (docs/counting.md §1-2): transitions, back-dating, corrections, voids, locking, CPR guard."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from quota_app.errors import Conflict, DomainError, NotFound
from quota_app.models import AuditEntry, Place, PlaceEvent
from quota_app.places import corrections, history, registration, rules, status_events

D1, D2, D3, D4 = date(2025, 1, 6), date(2025, 3, 3), date(2025, 5, 5), date(2025, 7, 7)


def event_count(session: Session, place_id: int | None = None) -> int:
    statement = sa.select(sa.func.count()).select_from(PlaceEvent)
    if place_id is not None:
        statement = statement.where(PlaceEvent.place_id == place_id)
    return session.execute(statement).scalar_one()


def refuse(session, place, status, day, clock, message):  # type: ignore[no-untyped-def]
    """Assert that recording status on day is refused with message and that nothing changes."""
    before_events, before_version = event_count(session, place.id), place.version
    before_status = place.current_status
    with pytest.raises(DomainError) as info:
        status_events.record_status(
            session, place_id=place.id, status=status, effective_date=day, actor="test", now=clock.now()
        )
    assert info.value.message == message
    session.refresh(place)
    assert (event_count(session, place.id), place.version, place.current_status) == (
        before_events,
        before_version,
        before_status,
    )


def test_register_place_records_first_event_and_audit(session, reference, make_user, clock):
    user = make_user("hr", "SOF")
    place = registration.register_place(
        session,
        department_id=reference["departments"]["SOF"].id,
        type_code="flex_job",
        reference="SOF-1",
        title="Fleksjob som kontorassistent",
        fte=0.5,
        status="open",
        effective_date=D1,
        note="Oprettet",
        actor=user,
        now=clock.now(),
    )
    assert (place.current_status, place.current_since, place.fte, place.version) == ("open", D1, 0.5, 1)
    (event,) = session.exec(select(PlaceEvent).where(PlaceEvent.place_id == place.id)).all()
    assert (event.status, event.effective_date, event.recorded_at, event.recorded_by_id) == (
        "open",
        D1,
        clock.now(),
        user.id,
    )
    actions = session.exec(select(AuditEntry.action).where(AuditEntry.actor_id == user.id)).all()
    assert sorted(actions) == ["place.create", "place.status"]


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("paused", "En plads skal begynde som åben eller besat, ikke som i bero (06.01.2025)."),
        ("closed", "En plads skal begynde som åben eller besat, ikke som nedlagt (06.01.2025)."),
        ("gone", "Ukendt status 'gone': brug åben, besat, i bero eller nedlagt."),
    ],
)
def test_first_event_must_be_open_or_filled(session, reference, clock, status, message):
    with pytest.raises(DomainError) as info:
        registration.register_place(
            session,
            department_id=reference["departments"]["SOF"].id,
            type_code="internship",
            reference="X-1",
            status=status,
            effective_date=D1,
            actor="test",
            now=clock.now(),
        )
    assert info.value.message == message
    assert session.execute(sa.select(sa.func.count()).select_from(Place)).scalar_one() == 0


def test_register_refuses_bad_input(session, reference, register_place, clock):
    register_place(reference="DUP")
    sof = reference["departments"]["SOF"].id
    base = dict(
        department_id=sof,
        type_code="internship",
        status="open",
        effective_date=D1,
        actor="t",
        now=clock.now(),
    )
    cases = [
        (dict(reference="DUP"), "Der findes allerede en plads med referencen 'DUP' i SOF."),
        (dict(reference="  "), "Referencen skal udfyldes."),
        (dict(reference="A", type_code="nope"), "Ukendt ordning 'nope'."),
        (dict(reference="A", fte=0.0), "Årsværk (fte) skal være over 0 og højst 1."),
        (dict(reference="A", fte=1.5), "Årsværk (fte) skal være over 0 og højst 1."),
        (
            dict(reference="A", effective_date=date(2025, 10, 1)),
            "Datoen 01.10.2025 ligger i fremtiden. Registrér ændringen, når den er sket.",
        ),
    ]
    for overrides, message in cases:
        with pytest.raises(DomainError) as info:
            registration.register_place(session, **{**base, **overrides})
        assert info.value.message == message
    with pytest.raises(NotFound):
        registration.register_place(session, **{**base, "reference": "A", "department_id": 999_999})
    assert session.execute(sa.select(sa.func.count()).select_from(Place)).scalar_one() == 1


def test_the_allowed_transitions_are_recorded(session, register_place, clock):
    place = register_place(("open", D1), ("filled", D2), ("open", D3), ("paused", D4))
    assert (place.current_status, place.current_since) == ("paused", D4)
    place = register_place(("filled", D1), ("closed", D2))
    assert place.current_status == "closed"
    place = register_place(("open", D1), ("paused", D2), ("closed", D3))
    assert place.current_status == "closed"
    place = register_place(("open", D1), ("closed", D2))
    assert place.current_status == "closed"


@pytest.mark.parametrize(
    ("history", "status", "message"),
    [
        ([("open", D1)], "open", "Pladsen er allerede åben (03.03.2025): det er ikke en ændring."),
        ([("filled", D1)], "filled", "Pladsen er allerede besat (03.03.2025): det er ikke en ændring."),
        (
            [("open", D1), ("paused", date(2025, 2, 1))],
            "paused",
            "Pladsen er allerede i bero (03.03.2025): det er ikke en ændring.",
        ),
        (
            [("filled", D1)],
            "paused",
            "En plads kan ikke gå fra besat til i bero (03.03.2025). "
            "En besat plads kan kun blive åben eller nedlagt.",
        ),
        (
            [("open", D1), ("paused", date(2025, 2, 1))],
            "filled",
            "En plads kan ikke gå fra i bero til besat (03.03.2025). "
            "En i bero plads kan kun blive åben eller nedlagt.",
        ),
        *[
            (
                [("open", D1), ("closed", date(2025, 2, 1))],
                status,
                f"En nedlagt plads kan ikke blive {word} (03.03.2025): nedlagt er endeligt. "
                "En fejlagtig nedlæggelse rettes med en rettelse.",
            )
            for status, word in [("open", "åben"), ("filled", "besat"), ("paused", "i bero")]
        ],
        (
            [("open", D1), ("closed", date(2025, 2, 1))],
            "closed",
            "Pladsen er allerede nedlagt (03.03.2025): det er ikke en ændring.",
        ),
        ([("open", D1)], "sold", "Ukendt status 'sold': brug åben, besat, i bero eller nedlagt."),
    ],
)
def test_refused_transitions_change_nothing(session, register_place, clock, history, status, message):
    place = register_place(*history)
    refuse(session, place, status, D2, clock, message)


def test_dates_before_the_first_event_or_in_the_future_are_refused(session, register_place, clock):
    place = register_place(("open", D2))
    refuse(
        session,
        place,
        "filled",
        D1,
        clock,
        "Datoen 06.01.2025 ligger før pladsens første registrering (03.03.2025).",
    )
    refuse(
        session,
        place,
        "filled",
        date(2025, 10, 1),
        clock,
        "Datoen 01.10.2025 ligger i fremtiden. Registrér ændringen, når den er sket.",
    )


def test_today_is_judged_in_copenhagen(session, register_place, clock):
    place = register_place(("open", D1))
    # 23:30 UTC on 30 September is already 1 October in Copenhagen.
    late = datetime(2025, 9, 30, 23, 30, tzinfo=UTC)
    event = status_events.record_status(
        session, place_id=place.id, status="filled", effective_date=date(2025, 10, 1), actor="t", now=late
    )
    assert event.effective_date == date(2025, 10, 1)


def test_same_date_is_refused_with_a_pointer_to_correction(session, register_place, clock):
    place = register_place(("open", D1), ("filled", D2))
    refuse(session, place, "filled", D2, clock, "Pladsen er allerede registreret som besat 03.03.2025.")
    refuse(
        session,
        place,
        "closed",
        D2,
        clock,
        "Der er allerede registreret en status (besat) 03.03.2025. "
        "Ret den registrering i stedet for at tilføje en ny.",
    )


def test_back_dated_event_in_the_middle_of_a_history(session, register_place, clock):
    place = register_place(("open", D1), ("closed", D4))
    version = place.version
    event = status_events.record_status(
        session, place_id=place.id, status="filled", effective_date=D2, actor="t", now=clock.now()
    )
    session.refresh(place)
    # The latest status does not change, but the place's version does: its history changed.
    assert (place.current_status, place.current_since) == ("closed", D4)
    assert place.version == version + 1
    assert event.effective_date == D2
    known = clock.now()
    assert history.status_on(session, place_id=place.id, day=D3, known_at=known) == "filled"
    assert (
        history.status_on(session, place_id=place.id, day=D3, known_at=known - timedelta(seconds=1)) is None
    )


def test_back_dated_event_must_fit_the_later_event(session, register_place, clock):
    place = register_place(("open", D1), ("filled", D3))
    refuse(
        session,
        place,
        "paused",
        D2,
        clock,
        "Det passer ikke med den senere registrering 05.05.2025: En plads kan ikke gå fra i bero til besat "
        "(05.05.2025). En i bero plads kan kun blive åben eller nedlagt.",
    )
    refuse(
        session,
        place,
        "filled",
        D2,
        clock,
        "Det passer ikke med den senere registrering 05.05.2025: "
        "Pladsen er allerede besat (05.05.2025): det er ikke en ændring.",
    )
    place = register_place(("open", D1), ("paused", D3))
    refuse(
        session,
        place,
        "closed",
        D2,
        clock,
        "Det passer ikke med den senere registrering 05.05.2025: En nedlagt plads kan ikke blive i bero "
        "(05.05.2025): nedlagt er endeligt. En fejlagtig nedlæggelse rettes med en rettelse.",
    )


def test_correction_replaces_the_status_of_a_date_bitemporally(session, register_place, make_user, clock):
    user = make_user("bif")
    place = register_place(("open", D1), ("filled", D2))
    original = session.exec(
        select(PlaceEvent).where(PlaceEvent.place_id == place.id, PlaceEvent.effective_date == D2)
    ).one()
    before = clock.now()
    later = before + timedelta(hours=1)
    correction = corrections.correct_event(
        session,
        event_id=original.id,
        status="paused",
        reason="Forkert status registreret",
        expected_version=place.version,
        actor=user,
        now=later,
    )
    assert (correction.effective_date, correction.corrects_event_id, correction.status) == (
        D2,
        original.id,
        "paused",
    )
    assert correction.note == "Forkert status registreret"
    session.refresh(place)
    assert place.current_status == "paused"
    assert history.status_on(session, place_id=place.id, day=D3, known_at=later) == "paused"
    assert history.status_on(session, place_id=place.id, day=D3, known_at=before) == "filled"
    timeline = history.place_timeline(session, place_id=place.id)
    assert [(e.status, e.effective) for e in timeline] == [
        ("open", True),
        ("filled", False),
        ("paused", True),
    ]
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "place.correct")).one()
    assert (audit.actor_id, audit.before["status"], audit.after["status"]) == (user.id, "filled", "paused")


def test_correction_refusals(session, register_place, clock):
    place = register_place(("open", D1), ("filled", D2), ("closed", D3))
    first, filled, _closed = session.exec(
        select(PlaceEvent).where(PlaceEvent.place_id == place.id).order_by(PlaceEvent.effective_date)
    ).all()
    now = clock.now()
    cases = [
        (dict(event_id=filled.id, status="paused", reason=" "), "Begrundelsen skal udfyldes."),
        (
            dict(event_id=filled.id, status="filled", reason="x"),
            "Hændelsen er allerede besat: en rettelse skal ændre status.",
        ),
        (
            dict(event_id=first.id, status="filled", reason="x"),
            "Det passer ikke med den senere registrering 03.03.2025: "
            "Pladsen er allerede besat (03.03.2025): det er ikke en ændring.",
        ),
        (
            dict(event_id=first.id, status="paused", reason="x"),
            "En plads skal begynde som åben eller besat, ikke som i bero (06.01.2025).",
        ),
        (
            dict(event_id=filled.id, status="closed", reason="x"),
            "Det passer ikke med den senere registrering 05.05.2025: "
            "Pladsen er allerede nedlagt (05.05.2025): det er ikke en ændring.",
        ),
    ]
    for kwargs, message in cases:
        with pytest.raises(DomainError) as info:
            corrections.correct_event(session, actor="t", now=now, **kwargs)
        assert info.value.message == message
    assert event_count(session, place.id) == 3
    corrections.correct_event(session, event_id=filled.id, status="paused", reason="fejl", actor="t", now=now)
    with pytest.raises(DomainError) as info:
        corrections.correct_event(session, event_id=filled.id, status="open", reason="x", actor="t", now=now)
    assert (
        info.value.message
        == "Hændelsen er allerede rettet af en nyere registrering; ret den nyeste i stedet."
    )
    with pytest.raises(NotFound):
        corrections.correct_event(session, event_id=999_999, status="open", reason="x", actor="t", now=now)


def test_a_wrong_closure_is_fixed_by_a_correction(session, register_place, clock):
    place = register_place(("open", D1), ("closed", D2))
    closed = session.exec(
        select(PlaceEvent).where(PlaceEvent.place_id == place.id, PlaceEvent.status == "closed")
    ).one()
    corrections.correct_event(
        session, event_id=closed.id, status="filled", reason="Ikke nedlagt", actor="t", now=clock.now()
    )
    status_events.record_status(
        session, place_id=place.id, status="open", effective_date=D3, actor="t", now=clock.now()
    )
    session.refresh(place)
    assert (place.current_status, place.current_since) == ("open", D3)


def test_void_takes_an_event_out_from_then_on(session, register_place, make_user, clock):
    user = make_user("bif")
    place = register_place(("open", D1), ("filled", D2))
    filled = session.exec(
        select(PlaceEvent).where(PlaceEvent.place_id == place.id, PlaceEvent.status == "filled")
    ).one()
    before = clock.now()
    later = before + timedelta(days=1)
    voided = corrections.void_event(
        session, event_id=filled.id, reason="Registreret på forkert plads", actor=user, now=later
    )
    assert (voided.voided_at, voided.voided_by_id, voided.void_reason) == (
        later,
        user.id,
        "Registreret på forkert plads",
    )
    session.refresh(place)
    assert (place.current_status, place.current_since) == ("open", D1)
    assert history.status_on(session, place_id=place.id, day=D3, known_at=before) == "filled"
    assert history.status_on(session, place_id=place.id, day=D3, known_at=later) == "open"
    assert event_count(session, place.id) == 2  # never deleted
    timeline = history.place_timeline(session, place_id=place.id)
    assert [(e.status, e.effective, e.voided_at is not None) for e in timeline] == [
        ("open", True, False),
        ("filled", False, True),
    ]


def test_voiding_a_correction_brings_the_original_back(session, register_place, clock):
    place = register_place(("open", D1), ("filled", D2))
    filled = session.exec(
        select(PlaceEvent).where(PlaceEvent.place_id == place.id, PlaceEvent.status == "filled")
    ).one()
    correction = corrections.correct_event(
        session, event_id=filled.id, status="paused", reason="x", actor="t", now=clock.now()
    )
    corrections.void_event(
        session, event_id=correction.id, reason="Rettelsen var forkert", actor="t", now=clock.now()
    )
    session.refresh(place)
    assert place.current_status == "filled"


def test_void_refusals(session, register_place, clock):
    place = register_place(("open", D1), ("filled", D2), ("open", D3))
    first, filled, _reopened = session.exec(
        select(PlaceEvent).where(PlaceEvent.place_id == place.id).order_by(PlaceEvent.effective_date)
    ).all()
    now = clock.now()
    with pytest.raises(DomainError) as info:
        corrections.void_event(session, event_id=filled.id, reason="x", actor="t", now=now)
    assert info.value.message == (
        "Annulleringen ville give en ugyldig historik: Pladsen er allerede åben (05.05.2025): "
        "det er ikke en ændring."
    )
    with pytest.raises(DomainError) as info:
        corrections.void_event(session, event_id=filled.id, reason="", actor="t", now=now)
    assert info.value.message == "Begrundelsen skal udfyldes."
    lone = register_place(("open", D1))
    lone_event = session.exec(select(PlaceEvent).where(PlaceEvent.place_id == lone.id)).one()
    with pytest.raises(DomainError) as info:
        corrections.void_event(session, event_id=lone_event.id, reason="x", actor="t", now=now)
    assert info.value.message == (
        "Pladsens eneste registrering kan ikke annulleres; ret den, eller registrér at pladsen er nedlagt."
    )
    assert (
        session.execute(
            sa.select(sa.func.count()).select_from(PlaceEvent).where(PlaceEvent.voided_at.is_not(None))
        ).scalar_one()
        == 0
    )
    last = session.exec(
        select(PlaceEvent).where(PlaceEvent.place_id == place.id, PlaceEvent.effective_date == D3)
    ).one()
    corrections.void_event(session, event_id=last.id, reason="x", actor="t", now=now)
    with pytest.raises(DomainError) as info:
        corrections.void_event(session, event_id=last.id, reason="x", actor="t", now=now)
    assert info.value.message == "Hændelsen er allerede annulleret."
    with pytest.raises(DomainError) as info:
        corrections.correct_event(session, event_id=last.id, status="closed", reason="x", actor="t", now=now)
    assert info.value.message == "Hændelsen er annulleret og kan ikke rettes."
    assert first.voided_at is None


def test_expected_version_guards_against_lost_updates(session, register_place, clock):
    place = register_place(("open", D1))
    seen = place.version
    status_events.record_status(
        session,
        place_id=place.id,
        status="filled",
        effective_date=D2,
        expected_version=seen,
        actor="a",
        now=clock.now(),
    )
    filled = session.exec(
        select(PlaceEvent).where(PlaceEvent.place_id == place.id, PlaceEvent.status == "filled")
    ).one()
    calls = [
        lambda: status_events.record_status(
            session,
            place_id=place.id,
            status="closed",
            effective_date=D3,
            expected_version=seen,
            actor="b",
            now=clock.now(),
        ),
        lambda: corrections.correct_event(
            session,
            event_id=filled.id,
            status="paused",
            reason="x",
            expected_version=seen,
            actor="b",
            now=clock.now(),
        ),
        lambda: corrections.void_event(
            session, event_id=filled.id, reason="x", expected_version=seen, actor="b", now=clock.now()
        ),
    ]
    for call in calls:
        with pytest.raises(Conflict) as info:
            call()
        assert info.value.message == (
            "Pladsen er blevet ændret af en anden, siden du hentede den. Hent den igen og prøv på ny."
        )
    session.refresh(place)
    assert (place.current_status, place.version, event_count(session, place.id)) == ("filled", seen + 1, 2)


def test_a_change_committed_meanwhile_is_a_conflict(session, register_place, clock):
    """Another writer bumped the version after this session read the place: no silent overwrite."""
    place = register_place(("open", D1))
    # The other writer, behind the ORM's back (as another process would).
    session.execute(
        sa.update(Place).where(Place.id == place.id).values(version=Place.version + 1),
        execution_options={"synchronize_session": False},
    )
    with pytest.raises(Conflict):
        status_events._touch(session, place, {D1: "open", D2: "filled"})


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("Praktik for 010190-1234", True),
        ("0101901234 i køkken", True),
        ("CPR 311299–1234", True),
        ("290200 1234", True),
        ("CPR-010190-1234", True),
        ("310299-1234", False),  # 31 February: not a date
        ("Tlf. 33 66 33 66", False),
        ("Sag 2025-000123", False),
        ("Journal 12345678901", False),
        ("Fleksjob i rengøring", False),
    ],
)
def test_cpr_guard(text, refused):
    if refused:
        with pytest.raises(DomainError) as info:
            rules.check_personal_data(text, field="title")
        assert info.value.field == "title"
        assert info.value.message.startswith("Titlen ligner et CPR-nummer")
        assert info.value.message.endswith("Skriv ikke personoplysninger om borgere i pladsens oplysninger.")
    else:
        rules.check_personal_data(text, field="title")


def test_cpr_guard_on_title_note_and_reason(session, reference, register_place, clock):
    with pytest.raises(DomainError) as info:
        register_place(title="Praktik for 010190-1234")
    assert info.value.field == "title"
    place = register_place(("open", D1))
    with pytest.raises(DomainError) as info:
        status_events.record_status(
            session,
            place_id=place.id,
            status="filled",
            effective_date=D2,
            note="Borger 0101901234",
            actor="t",
            now=clock.now(),
        )
    assert info.value.field == "note"
    event = session.exec(select(PlaceEvent).where(PlaceEvent.place_id == place.id)).one()
    with pytest.raises(DomainError) as info:
        corrections.correct_event(
            session,
            event_id=event.id,
            status="filled",
            reason="Ny borger 010190-1234",
            actor="t",
            now=clock.now(),
        )
    assert info.value.field == "reason"
    assert event_count(session) == 1


def test_unknown_place(session, reference, clock):
    with pytest.raises(NotFound):
        status_events.record_status(
            session, place_id=999_999, status="open", effective_date=D1, actor="t", now=clock.now()
        )
    with pytest.raises(NotFound):
        history.place_timeline(session, place_id=999_999)
