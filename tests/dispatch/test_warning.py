"""The weekly early warning: through the ledger and a real SMTP server on loopback, once a week, HR only
their own lines, no mail when there is nothing to warn about."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from quota_app.clock import FrozenClock
from quota_app.dispatch.weekly_warning import week_of
from quota_app.models import Dispatch
from scheduler import jobs
from tests.dispatch.support import TEST_SOURCE
from tests.factories import insert_place

MONDAY = datetime(2025, 9, 29, 5, 30, tzinfo=UTC)  # 07:30 in Copenhagen, Monday of week 40


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def context(db, settings, transport, clock) -> jobs.JobContext:  # type: ignore[no-untyped-def]
    return jobs.JobContext(settings=settings, db=db, clock=clock, transport=transport, source=TEST_SOURCE)


def _history(session: Session, reference: dict, make_target) -> None:  # type: ignore[no-untyped-def]
    """SOF: 2 filled internships against a target of 20 (10 %); KFF: 2 of 2 (on track); BUF: a place whose
    opening was registered 55 days late in the past week and one registered late three weeks ago."""
    early = at("2025-01-10T10:00:00+01:00")
    make_target(2025, "SOF", "internship", 20)
    make_target(2025, "KFF", "internship", 2)
    for n, code in enumerate(("SOF", "SOF", "KFF", "KFF")):
        insert_place(
            session,
            reference,
            department=code,
            type_code="internship",
            events=[("filled", date(2025, 1, 6), early)],
            place_reference=f"F-{n}",
        )
    insert_place(
        session,
        reference,
        department="BUF",
        type_code="utility_job",
        events=[("open", date(2025, 8, 1), at("2025-09-25T14:00:00+02:00"))],
        place_reference="BUF-LATE",
        title="Gartnermedhjælper",
    )
    insert_place(
        session,
        reference,
        department="BUF",
        type_code="utility_job",
        events=[("open", date(2025, 7, 1), at("2025-09-08T14:00:00+02:00"))],
        place_reference="BUF-OLD",
        title="Pedelmedhjælper",
    )
    session.commit()


def _plain(received) -> str:  # type: ignore[no-untyped-def]
    return received.message.get_body(("plain",)).get_content()


def test_the_weekly_warning_goes_once_bif_gets_all_lines_and_hr_only_their_own(
    db, session, addressed, make_target, smtp, mail_settings, transport
) -> None:
    smtp.start()
    _history(session, addressed, make_target)
    clock = FrozenClock(MONDAY)
    ctx = context(db, mail_settings, transport, clock)

    assert jobs.warning_in(ctx) == 3  # BIF, SOF's HR, BUF's HR
    smtp.wait_for_messages(3)
    (bif,) = smtp.to("bif@kk.test")
    text = _plain(bif)
    assert "SOF, Virksomhedspraktik: fremskrevet 2 (mellem 2 og 2) mod måltal 20, 10,0 %" in text
    assert "SOF skal besætte 18 flere pladser i Virksomhedspraktik før 31. december" in text
    assert "KFF" not in text  # on track: not warned about
    assert "Gartnermedhjælper (ref. BUF-LATE) åben fra 01.08.2025, registreret 25.09.2025" in text
    assert "55 dage for sent" in text
    assert "BUF-OLD" not in text  # registered late, but not in the past week
    assert "uge 40" in bif.message["Subject"]
    html = bif.message.get_body(("html",)).get_content()
    assert "<li>" in html and "BUF-LATE" in html

    (sof,) = smtp.to("hr-sof@kk.test")
    sof_text = _plain(sof)
    assert "Til HR i Socialforvaltningen" in sof_text and "mod måltal 20" in sof_text
    assert "BUF" not in sof_text  # another department's late registration is not theirs
    (buf,) = smtp.to("hr-buf@kk.test")
    buf_text = _plain(buf)
    assert "BUF-LATE" in buf_text and "SOF" not in buf_text
    assert smtp.to("hr-kff@kk.test") == []  # nothing to warn KFF about: no mail

    # A second run, the same day or later in the week, sends nothing: the week's rows exist.
    assert jobs.warning_in(ctx) == 0
    clock.advance(timedelta(days=3))
    assert jobs.warning_in(ctx) == 0
    assert len(smtp.messages) == 3
    rows = session.exec(select(Dispatch).where(Dispatch.kind == "warning")).all()
    assert {(r.scope, r.recipient, r.state, r.as_of) for r in rows} == {
        ("KK", "bif@kk.test", "sent", date(2025, 9, 29)),
        ("SOF", "hr-sof@kk.test", "sent", date(2025, 9, 29)),
        ("BUF", "hr-buf@kk.test", "sent", date(2025, 9, 29)),
    }

    # Next week SOF is still far behind; BUF's late registration is older than a week now.
    clock.advance(timedelta(days=4))
    assert jobs.warning_in(ctx) == 2
    smtp.wait_for_messages(5)
    assert len(smtp.to("hr-buf@kk.test")) == 1
    assert "BUF-LATE" not in _plain(smtp.to("bif@kk.test")[1])


def test_no_mail_when_there_is_nothing_to_warn_about(
    db, session, addressed, make_target, smtp, mail_settings, transport
) -> None:
    smtp.start()
    make_target(2025, "KFF", "internship", 1)
    insert_place(
        session,
        addressed,
        department="KFF",
        type_code="internship",
        events=[("filled", date(2025, 1, 6), at("2025-01-06T10:00:00+01:00"))],
        place_reference="K-1",
    )
    session.commit()
    ctx = context(db, mail_settings, transport, FrozenClock(MONDAY))
    assert jobs.warning_in(ctx) == 0
    assert smtp.messages == []
    assert session.exec(select(Dispatch).where(Dispatch.kind == "warning")).all() == []


def test_a_warning_is_about_its_weeks_monday() -> None:
    assert week_of(date(2025, 9, 29)) == date(2025, 9, 29)
    assert week_of(date(2025, 10, 5)) == date(2025, 9, 29)
    assert week_of(date(2025, 10, 6)) == date(2025, 10, 6)


def test_bif_sees_the_warning_in_the_ledger_and_its_preview(
    client, login, make_user, session, addressed, make_target, settings
) -> None:  # type: ignore[no-untyped-def]
    from quota_app.dispatch.weekly_warning import plan_warnings
    from tests.conftest import T0

    _history(session, addressed, make_target)
    assert plan_warnings(session, settings=settings, today=date(2025, 9, 30), actor="test", now=T0) == 3
    session.commit()
    row = session.exec(
        select(Dispatch).where(Dispatch.kind == "warning", Dispatch.recipient == "bif@kk.test")
    ).one()
    session.commit()
    login(make_user("bif"))
    ledger = client.get("/udsendelser/").get_data(as_text=True)
    assert "Tidlig varsling" in ledger and "29.09.2025" in ledger
    page = client.get(f"/udsendelser/{row.id}").get_data(as_text=True)
    assert "Tidlig varsling uge 40: 1 linjer under 90 %, 1 sene registreringer" in page
    assert "SOF skal besætte 18 flere pladser i Virksomhedspraktik før 31. december" in page


def test_the_warning_mail_in_english(session, addressed, make_target, settings) -> None:  # type: ignore[no-untyped-def]
    from quota_app.dispatch.mail_texts import compose
    from quota_app.dispatch.weekly_warning import plan_warnings
    from tests.conftest import T0

    _history(session, addressed, make_target)
    plan_warnings(session, settings=settings, today=date(2025, 9, 30), actor="test", now=T0)
    row = session.exec(
        select(Dispatch).where(Dispatch.kind == "warning", Dispatch.recipient == "hr-sof@kk.test")
    ).one()
    mail = compose(session, row, settings=settings.model_copy(update={"default_locale": "en"}))
    assert mail.subject == "Early warning for SOF week 40: 1 types below 90 %, 0 late registrations"
    assert (
        "SOF, Work placement: projected 2 (between 2 and 2) against a target of 20, 10.0%; today 2"
        in mail.text
    )
    assert "SOF must fill 18 more places in Work placement before December 31" in mail.text
