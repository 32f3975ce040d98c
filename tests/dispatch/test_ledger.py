"""The ledger against a real SMTP server on loopback: exactly once, retries, refusals, resend, stale rows."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from quota_app.clock import FrozenClock
from quota_app.db import Database
from quota_app.dispatch import delivery, ledger, mail_texts
from quota_app.dispatch.report_source import ReportSource
from quota_app.dispatch.run import run_dispatch
from quota_app.errors import DomainError
from quota_app.mail.services import OutboxTransport, SmtpTransport
from quota_app.models import AuditEntry, Dispatch, ReportArchive
from quota_app.periods import Period
from quota_app.settings import Settings
from tests.dispatch.support import TEST_SOURCE, SmtpServer, mayor_address, pdf_attachments

H1 = Period(2025, 1)
DEPARTMENTS = ("ØKF", "KFF", "BUF", "SUF", "SOF", "TMF", "BIF")


def run(db: Database, settings: Settings, transport, clock: FrozenClock, **kw):  # type: ignore[no-untyped-def]
    return run_dispatch(
        db,
        settings=settings,
        period=H1,
        transport=transport,
        clock=clock,
        worker="test@host:1",
        actor="test",
        source=TEST_SOURCE,
        **kw,
    )


def rows(session: Session, **where) -> list[Dispatch]:  # type: ignore[no-untyped-def]
    session.expire_all()
    statement = select(Dispatch)
    for key, value in where.items():
        statement = statement.where(getattr(Dispatch, key) == value)
    return list(session.exec(statement.order_by(Dispatch.id)).all())


def test_dispatch_sends_one_mail_per_recipient_with_the_archived_pdf(
    db, session, addressed, smtp: SmtpServer, mail_settings, transport, august_clock
) -> None:
    smtp.start()
    plan, delivered = run(db, mail_settings, transport, august_clock)
    assert len(plan.new) == len(DEPARTMENTS) * 2 + 2
    assert len(delivered.sent) == len(plan.new) and not delivered.failed and not delivered.retrying

    for code in DEPARTMENTS:
        mayor = smtp.to(mayor_address(code))
        assert len(mayor) == 1, code
        message = mayor[0].message
        assert message["Reply-To"] == "bif@kk.test"
        assert message["Message-ID"].endswith("@kk.test>")
        assert message["Subject"].startswith("Halvårsstatus 1. halvår 2025: støttet beskæftigelse i ")
        assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
        ((filename, pdf),) = pdf_attachments(message)
        assert filename == mail_texts.pdf_filename("2025-H1", code)
        assert pdf.startswith(b"%PDF")
        (row,) = rows(session, scope=code, recipient=mayor_address(code))
        assert row.state == "sent" and row.attempts == 1 and row.message_id == message["Message-ID"]
        assert row.sent_at == august_clock.now()
        assert hashlib.sha256(pdf).hexdigest() == row.pdf_sha256
        archive = session.get(ReportArchive, row.archive_id)
        assert archive.sha256 == row.pdf_sha256 and archive.known_at == august_clock.now()
        # BIF's copy is its own row with the same archived PDF (same figures for every recipient)
        (copy,) = rows(session, scope=code, recipient="bif@kk.test", kind="report")
        assert copy.archive_id == row.archive_id and copy.state == "sent"
    assert pdf_attachments(smtp.to("bif@kk.test")[0].message)
    assert mail_texts.pdf_filename("2025-H1", "ØKF") == "halvaarsstatus-2025-H1-OEKF.pdf"
    for committee in ("biu@kk.test", "oeu@kk.test"):
        ((received,),) = [smtp.to(committee)]
        ((filename, _pdf),) = pdf_attachments(received.message)
        assert filename == "halvaarsstatus-2025-H1-samlet.pdf"
    assert Counter(tuple(m.rcpt_tos) for m in smtp.messages).most_common(1)[0][1] == len(DEPARTMENTS)  # BIF
    assert len(smtp.messages) == len(plan.new)

    # again, later: nothing new is planned, nothing is sent
    august_clock.advance(timedelta(hours=3))
    plan2, delivery2 = run(db, mail_settings, transport, august_clock)
    assert not plan2.new and not delivery2.sent
    assert len(smtp.messages) == len(plan.new)
    assert session.exec(select(sa.func.count()).select_from(ReportArchive)).one() == len(DEPARTMENTS) + 1
    assert session.exec(
        select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "dispatch.sent")
    ).one() == len(plan.new)


def test_a_claimed_row_is_not_sent_by_anyone_else(
    db, session, addressed, smtp, mail_settings, transport, august_clock
) -> None:
    with db.begin() as s:
        ledger.plan_period(
            s,
            settings=mail_settings,
            period=H1,
            actor="test",
            now=august_clock.now(),
            department_code="SOF",
            source=TEST_SOURCE,
        )
    target = rows(session, scope="SOF")[0]
    assert delivery.claim(
        db, dispatch_id=target.id, worker="other@host:2", now=august_clock.now(), message_id="<x@y>"
    )
    assert not delivery.claim(
        db, dispatch_id=target.id, worker="test@host:1", now=august_clock.now(), message_id="<z@y>"
    )
    smtp.start()
    result = delivery.deliver_due(
        db, settings=mail_settings, transport=transport, clock=august_clock, worker="test@host:1"
    )
    assert target.id not in result.sent and len(result.sent) == 1
    assert smtp.to(mayor_address("SOF")) == [] and len(smtp.to("bif@kk.test")) == 1


def test_server_down_at_first_then_up_is_retried_and_sends_once(
    db, session, addressed, smtp, mail_settings, transport, august_clock
) -> None:
    _plan, delivered = run(
        db, mail_settings, transport, august_clock, department_code="SOF"
    )  # server not started
    assert len(delivered.retrying) == 2 and not delivered.sent
    for row in rows(session, scope="SOF"):
        assert row.state == "pending" and row.attempts == 1
        assert row.next_attempt_at == august_clock.now() + timedelta(minutes=5)
        assert "kunne ikke nås" in row.last_error

    # not yet due: nothing is attempted
    again = delivery.deliver_due(
        db, settings=mail_settings, transport=transport, clock=august_clock, worker="w"
    )
    assert not again.sent and not again.retrying

    # still down after 5 minutes: the back-off doubles
    august_clock.advance(timedelta(minutes=5))
    delivery.deliver_due(db, settings=mail_settings, transport=transport, clock=august_clock, worker="w")
    assert {r.next_attempt_at for r in rows(session, scope="SOF")} == {
        august_clock.now() + timedelta(minutes=10)
    }

    smtp.start()
    august_clock.advance(timedelta(minutes=10))
    result = delivery.deliver_due(
        db, settings=mail_settings, transport=transport, clock=august_clock, worker="w"
    )
    assert len(result.sent) == 2
    assert len(smtp.to(mayor_address("SOF"))) == 1 and len(smtp.to("bif@kk.test")) == 1
    assert {(r.state, r.attempts, r.last_error) for r in rows(session, scope="SOF")} == {("sent", 3, None)}
    august_clock.advance(timedelta(hours=1))
    assert not delivery.deliver_due(
        db, settings=mail_settings, transport=transport, clock=august_clock, worker="w"
    ).sent
    assert len(smtp.messages) == 2


def test_gives_up_after_max_attempts_and_tells_bif(
    db, session, addressed, smtp, mail_settings, transport, august_clock
) -> None:
    with db.begin() as s:
        ledger.plan_period(
            s,
            settings=mail_settings,
            period=H1,
            actor="test",
            now=august_clock.now(),
            department_code="SOF",
            source=TEST_SOURCE,
        )
    for _ in range(delivery.MAX_ATTEMPTS):
        delivery.deliver_due(db, settings=mail_settings, transport=transport, clock=august_clock, worker="w")
        august_clock.advance(delivery.BACKOFF_CAP)
    mayor_row = rows(session, recipient=mayor_address("SOF"))[0]
    assert mayor_row.state == "failed" and mayor_row.attempts == delivery.MAX_ATTEMPTS
    assert mayor_row.last_error.startswith(f"Opgivet efter {delivery.MAX_ATTEMPTS} forsøg")
    (notice,) = rows(session, kind="failure_notice")
    assert notice.failed_dispatch_id == mayor_row.id and notice.recipient == "bif@kk.test"
    assert notice.period is None and notice.as_of is None  # it is about the failed row, not a period


def test_refused_recipient_fails_bif_is_told_and_resend_works(
    db, session, addressed, smtp, mail_settings, transport, august_clock
) -> None:
    smtp.handler.refuse.add(mayor_address("SOF"))
    smtp.start()
    _plan, delivered = run(db, mail_settings, transport, august_clock)
    (failed,) = rows(session, state="failed")
    assert failed.recipient == mayor_address("SOF") and failed.attempts == 1
    assert "550" in failed.last_error
    assert failed.id in delivered.failed
    (notice,) = rows(session, kind="failure_notice")
    assert notice.state == "sent" and notice.recipient == "bif@kk.test"
    told = [m for m in smtp.to("bif@kk.test") if m.message["Subject"].startswith("Fejl ved udsendelse")]
    assert len(told) == 1
    assert mayor_address("SOF") in told[0].message.get_body(("plain",)).get_content()
    assert smtp.to(mayor_address("SOF")) == []

    # a second run does not retry a failed row by itself, and BIF is not told twice
    august_clock.advance(timedelta(days=1))
    run(db, mail_settings, transport, august_clock)
    assert rows(session, id=failed.id)[0].state == "failed" and len(rows(session, kind="failure_notice")) == 1

    # the address is fixed; an explicit resend sends it once
    smtp.handler.refuse.clear()
    with pytest.raises(DomainError), db.begin() as s:
        delivery.resend(s, dispatch_id=rows(session, scope="KFF")[0].id, actor="test", now=august_clock.now())
    with db.begin() as s:
        delivery.resend(s, dispatch_id=failed.id, actor="test", now=august_clock.now())
    result = delivery.deliver_due(
        db, settings=mail_settings, transport=transport, clock=august_clock, worker="w"
    )
    assert result.sent == [failed.id]
    assert len(smtp.to(mayor_address("SOF"))) == 1
    ((_, pdf),) = pdf_attachments(smtp.to(mayor_address("SOF"))[0].message)
    assert hashlib.sha256(pdf).hexdigest() == rows(session, id=failed.id)[0].pdf_sha256

    # a sent row is resent only when asked for explicitly
    with db.begin() as s:
        assert (
            delivery.resend_period(
                s, period="2025-H1", scope="SOF", actor="test", now=august_clock.now(), allow_sent=False
            )
            == []
        )
        assert (
            len(
                delivery.resend_period(
                    s, period="2025-H1", scope="SOF", actor="test", now=august_clock.now(), allow_sent=True
                )
            )
            == 2
        )
    delivery.deliver_due(db, settings=mail_settings, transport=transport, clock=august_clock, worker="w")
    assert len(smtp.to(mayor_address("SOF"))) == 2


def test_a_stale_sending_row_is_failed_for_a_person_not_resent(
    db, session, addressed, smtp, mail_settings, transport, august_clock
) -> None:
    with db.begin() as s:
        ledger.plan_period(
            s,
            settings=mail_settings,
            period=H1,
            actor="test",
            now=august_clock.now(),
            department_code="SOF",
            source=TEST_SOURCE,
        )
    target = rows(session, recipient=mayor_address("SOF"))[0]
    assert delivery.claim(
        db, dispatch_id=target.id, worker="dead@host:9", now=august_clock.now(), message_id="<m@kk.test>"
    )
    smtp.start()
    august_clock.advance(delivery.STALE_AFTER - timedelta(minutes=1))
    delivery.deliver_due(db, settings=mail_settings, transport=transport, clock=august_clock, worker="w")
    assert rows(session, id=target.id)[0].state == "sending"
    august_clock.advance(timedelta(minutes=2))
    delivery.deliver_due(db, settings=mail_settings, transport=transport, clock=august_clock, worker="w")
    row = rows(session, id=target.id)[0]
    assert row.state == "failed" and "uvist" in row.last_error and "<m@kk.test>" in row.last_error
    assert smtp.to(mayor_address("SOF")) == []
    assert len(rows(session, kind="failure_notice", state="sent")) == 1


def test_period_not_ended_is_refused(db, session, addressed, mail_settings, august_clock) -> None:
    with pytest.raises(DomainError, match="ikke slut"):
        ledger.plan_period(
            session,
            settings=mail_settings,
            period=Period(2025, 2),
            actor="t",
            now=august_clock.now(),
            source=TEST_SOURCE,
        )


def test_dry_run_plans_nothing(db, session, addressed, mail_settings, august_clock) -> None:
    plan = ledger.plan_period(
        session,
        settings=mail_settings,
        period=H1,
        actor="t",
        now=august_clock.now(),
        source=TEST_SOURCE,
        dry_run=True,
    )
    assert len(plan.new) == len(DEPARTMENTS) * 2 + 2
    assert rows(session) == []
    assert session.exec(select(sa.func.count()).select_from(ReportArchive)).one() == 0


def test_outbox_fallback_writes_eml_files(db, session, addressed, tmp_path, august_clock) -> None:
    settings = Settings(env="test", secret_key="x", outbox_path=tmp_path / "outbox", bif_email="bif@kk.test")
    from email import message_from_bytes, policy

    from quota_app.mail.services import transport_from_settings

    transport = transport_from_settings(settings)
    assert isinstance(transport, OutboxTransport)
    _plan, delivered = run(db, settings, transport, august_clock, department_code="SOF")
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2 == len(delivered.sent)
    assert not list((tmp_path / "outbox").glob(".tmp-*"))
    parsed = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    mayor = next(m for m in parsed if m["To"] == mayor_address("SOF"))
    ((name, pdf),) = pdf_attachments(mayor)
    assert name == "halvaarsstatus-2025-H1-SOF.pdf"
    assert hashlib.sha256(pdf).hexdigest() == rows(session, recipient=mayor_address("SOF"))[0].pdf_sha256
    assert isinstance(SmtpTransport, type)


def test_planning_a_department_report_locks_the_comment_it_carries(
    db, session, addressed, mail_settings, august_clock
) -> None:
    from quota_app.comments import services as comments
    from quota_app.models import Department

    sof = session.exec(select(Department).where(Department.code == "SOF")).one()
    with db.begin() as s:
        ledger.plan_period(
            s,
            settings=mail_settings,
            period=H1,
            actor="test",
            now=august_clock.now(),
            department_code="SOF",
            source=TEST_SOURCE,
        )
    locked = comments.get_comment(session, period=H1.label, department_id=sof.id)
    assert locked is not None and locked.locked_at == august_clock.now()
    with pytest.raises(DomainError):
        comments.save_comment(
            session, period=H1, department_id=sof.id, text="For sent", actor="hr", now=august_clock.now()
        )
    okf = session.exec(select(Department).where(Department.code == "ØKF")).one()
    assert comments.get_comment(session, period=H1.label, department_id=okf.id) is None


def test_a_periods_reports_share_the_figures_counted_once(
    session, addressed, mail_settings, august_clock
) -> None:
    gathered: list[tuple] = []
    given: list[object] = []

    def gather(session, *, period, known_at):  # type: ignore[no-untyped-def]
        gathered.append((period, known_at))
        return object()  # stands for the shared figures

    def build_department(session, *, period, department_code, known_at, context):  # type: ignore[no-untyped-def]
        given.append(context)
        return TEST_SOURCE.build_department(
            session, period=period, department_code=department_code, known_at=known_at
        )

    def build_consolidated(session, *, period, known_at, context):  # type: ignore[no-untyped-def]
        given.append(context)
        return TEST_SOURCE.build_consolidated(session, period=period, known_at=known_at)

    source = ReportSource(build_department, build_consolidated, TEST_SOURCE.archive, gather=gather)
    plan = ledger.plan_period(
        session, settings=mail_settings, period=H1, actor="t", now=august_clock.now(), source=source
    )
    assert len(plan.new) == len(DEPARTMENTS) * 2 + 2
    assert gathered == [(H1, august_clock.now())]
    assert len(given) == len(DEPARTMENTS) + 1 and len({id(c) for c in given}) == 1
    # Planned again, nothing is built: no figures are counted for nothing.
    ledger.plan_period(
        session, settings=mail_settings, period=H1, actor="t", now=august_clock.now(), source=source
    )
    assert len(gathered) == 1
