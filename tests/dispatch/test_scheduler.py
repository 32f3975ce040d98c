"""The scheduler's jobs with a controlled clock: catch-up after downtime, reminders, alerts, the lock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlmodel import Session, select

from quota_app.clock import FrozenClock
from quota_app.db import Database
from quota_app.models import Department, Dispatch, Place, PlaceEvent, PlacementType, Unit
from scheduler import jobs
from scheduler.runner import SchedulerLock, build_scheduler
from tests.dispatch.support import TEST_SOURCE, mayor_address


def context(db, settings, transport, clock) -> jobs.JobContext:  # type: ignore[no-untyped-def]
    return jobs.JobContext(settings=settings, db=db, clock=clock, transport=transport, source=TEST_SOURCE)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_time_travel_across_15_august_with_the_scheduler_stopped_catches_up_once(
    db, session, addressed, smtp, mail_settings, transport
) -> None:
    smtp.start()
    clock = FrozenClock(at("2025-08-14T12:00:00+02:00"))
    ctx = context(db, mail_settings, transport, clock)
    assert jobs.catch_up_in(ctx) == []  # the day before: nothing is due
    assert session.exec(select(Dispatch)).all() == []

    # the scheduler is stopped over 15 August 08:00 and started again on the 18th
    clock.set(at("2025-08-18T09:30:00+02:00"))
    assert jobs.catch_up_in(ctx) == ["dispatch 2025-H1"]
    assert len(smtp.messages) == 7 * 2 + 2
    assert len(smtp.to(mayor_address("SOF"))) == 1

    # restarted again the same day, and a day later: no second dispatch
    assert jobs.catch_up_in(ctx) == []
    clock.advance(timedelta(days=1))
    assert jobs.catch_up_in(ctx) == []
    assert len(smtp.messages) == 7 * 2 + 2

    # the running scheduler's next dispatch is the next planned time, in Copenhagen time
    scheduler = build_scheduler(mail_settings, scheduler_class=BlockingScheduler)
    job = scheduler.get_job("dispatch")
    assert job.trigger.get_next_fire_time(None, clock.now()) == at("2026-02-15T08:00:00+01:00")
    assert (job.coalesce, job.misfire_grace_time) == (True, mail_settings.misfire_grace_seconds)
    assert {j.id for j in scheduler.get_jobs()} == {
        "dispatch",
        "reminder",
        "alert",
        "warning",
        "deliver",
        "imports",
    }


def test_catch_up_does_not_send_a_dispatch_older_than_the_grace(
    db, session, addressed, smtp, mail_settings, transport
) -> None:
    smtp.start()
    clock = FrozenClock(at("2025-09-30T12:00:00+02:00"))  # 46 days after 15 August: a fresh installation
    assert jobs.catch_up_in(context(db, mail_settings, transport, clock)) == []
    assert smtp.messages == []


def test_last_fire_time_follows_the_cron_in_copenhagen(mail_settings) -> None:
    trigger = jobs.dispatch_trigger(mail_settings)
    assert jobs.last_fire_time(trigger, at("2025-08-15T07:59:00+02:00")) == at("2025-02-15T08:00:00+01:00")
    assert jobs.last_fire_time(trigger, at("2025-08-15T08:00:00+02:00")) == at("2025-08-15T08:00:00+02:00")


def _place(
    session: Session, code: str, reference: str, *, opened: date, recorded: datetime, title: str
) -> Place:
    department = session.exec(select(Department).where(Department.code == code)).one()
    place_type = session.exec(select(PlacementType).order_by(PlacementType.sort)).first()
    unit = Unit(department_id=department.id, name=f"Enhed {reference}")
    session.add(unit)
    session.flush()
    place = Place(
        department_id=department.id,
        unit_id=unit.id,
        type_id=place_type.id,
        reference=reference,
        title=title,
        current_status="open",
        current_since=opened,
        created_at=recorded,
    )
    session.add(place)
    session.flush()
    session.add(PlaceEvent(place_id=place.id, status="open", effective_date=opened, recorded_at=recorded))
    session.flush()
    return place


def test_reminder_before_the_period_ends_lists_open_and_long_open_places(
    db, session, addressed, smtp, mail_settings, transport
) -> None:
    _place(
        session,
        "SOF",
        "SOF-1",
        opened=date(2025, 3, 1),
        recorded=at("2025-03-01T10:00:00+01:00"),
        title="Kontor",
    )
    _place(
        session,
        "SOF",
        "SOF-2",
        opened=date(2025, 12, 1),
        recorded=at("2025-12-01T10:00:00+01:00"),
        title="Køkken",
    )
    session.commit()
    smtp.start()
    clock = FrozenClock(at("2025-12-16T07:30:00+01:00"))  # 15 days before 31.12: too early
    ctx = context(db, mail_settings, transport, clock)
    assert jobs.reminder_in(ctx) == 0
    clock.advance(timedelta(days=1))
    assert jobs.reminder_in(ctx) == 7  # one HR contact per department
    assert jobs.reminder_in(ctx) == 0
    (received,) = smtp.to("hr-sof@kk.test")
    body = received.message.get_body(("plain",)).get_content()
    assert received.message["Subject"] == "Påmindelse: opdatér pladserne inden 31.12.2025 (SOF)"
    lines = {line.split()[1]: line for line in body.splitlines() if line.startswith("- ")}
    assert "Kontor" in lines["SOF-1"] and "ledig siden 01.03.2025 – LÆNGE LEDIG (291 dage)" in lines["SOF-1"]
    assert "Køkken" in lines["SOF-2"] and "LÆNGE LEDIG" not in lines["SOF-2"]
    assert "heraf 1 ledige" in body
    assert len(smtp.messages) == 7


def test_open_place_alert_lists_places_opened_since_the_last_alert(
    db, session, addressed, smtp, mail_settings, transport
) -> None:
    smtp.start()
    _place(
        session,
        "SOF",
        "A-1",
        opened=date(2025, 9, 29),
        recorded=at("2025-09-29T12:00:00+02:00"),
        title="Pedel",
    )
    session.commit()
    clock = FrozenClock(at("2025-09-30T07:00:00+02:00"))
    ctx = context(db, mail_settings, transport, clock)
    assert jobs.alert_in(ctx) is True
    assert jobs.alert_in(ctx) is False  # once per day
    (first,) = smtp.to("rekruttering@kk.test")
    body = first.message.get_body(("plain",)).get_content()
    assert "SOF, Enhed A-1:" in body and "Pedel" in body and "29.09.2025" in body

    clock.advance(timedelta(days=1))
    assert jobs.alert_in(ctx) is False  # nothing new opened: no mail
    _place(
        session,
        "KFF",
        "B-7",
        opened=date(2025, 10, 1),
        recorded=at("2025-10-01T09:00:00+02:00"),
        title="Museum",
    )
    session.commit()
    clock.advance(timedelta(days=1))
    assert jobs.alert_in(ctx) is True
    second = smtp.to("rekruttering@kk.test")[1].message.get_body(("plain",)).get_content()
    assert "Museum" in second and "Pedel" not in second


def test_a_second_scheduler_process_does_not_get_the_lock(engine) -> None:
    database = Database(engine.url.render_as_string(hide_password=False))
    other = Database(database.url)
    first, second = SchedulerLock(database), SchedulerLock(other)
    try:
        assert first.acquire() is True
        assert second.acquire() is False
        first.release()
        assert second.acquire() is True
    finally:
        first.release()
        second.release()
        database.dispose()
        other.dispose()


def test_alert_follows_places_registered_through_the_lifecycle_services(
    db, session, addressed, smtp, mail_settings, transport
) -> None:
    from quota_app.places.registration import register_place
    from quota_app.places.status_events import record_status

    smtp.start()
    sof = session.exec(select(Department).where(Department.code == "SOF")).one()
    type_code = next(iter(addressed["types"]))
    opened = register_place(
        session,
        department_id=sof.id,
        type_code=type_code,
        reference="LS-1",
        title="Lagerarbejde",
        status="open",
        effective_date=date(2025, 10, 6),
        actor="test",
        now=at("2025-10-06T09:00:00+02:00"),
    )
    filled = register_place(
        session,
        department_id=sof.id,
        type_code=type_code,
        reference="LS-2",
        title="Kantine",
        status="open",
        effective_date=date(2025, 10, 5),
        actor="test",
        now=at("2025-10-06T09:05:00+02:00"),
    )
    record_status(
        session,
        place_id=filled.id,
        status="filled",
        effective_date=date(2025, 10, 6),
        actor="test",
        now=at("2025-10-06T15:00:00+02:00"),
    )
    session.commit()
    assert jobs.alert_in(context(db, mail_settings, transport, FrozenClock(at("2025-10-07T07:00:00+02:00"))))
    body = smtp.to("rekruttering@kk.test")[0].message.get_body(("plain",)).get_content()
    assert opened.reference in body and "Lagerarbejde" in body
    assert "Kantine" not in body  # filled again the same day: nothing to recruit for
