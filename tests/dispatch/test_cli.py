"""`quota dispatch` and `quota scheduler`."""

from __future__ import annotations

import os
import sys

import sqlalchemy as sa
from sqlmodel import select

from quota_app.models import AuditEntry, Dispatch, ReportArchive
from tests.dispatch.support import mayor_address


def invoke(app, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=list(args))


def count(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.exec(select(sa.func.count()).select_from(model)).one()


def test_dry_run_writes_nothing_and_sends_nothing(app, session, addressed, smtp, test_reports) -> None:
    smtp.start()
    result = invoke(app, "dispatch", "--period", "2025-H1", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "intet skrives og intet sendes" in result.stdout
    assert f"ville sende (ny)         report        SOF  {mayor_address('SOF')}" in result.stdout
    assert "I alt 16 mail(s) ville blive sendt." in result.stdout
    assert smtp.messages == []
    assert count(session, Dispatch) == count(session, ReportArchive) == count(session, AuditEntry) == 0


def test_dispatch_sends_and_a_second_run_sends_nothing(app, session, addressed, smtp, test_reports) -> None:
    smtp.start()
    result = invoke(app, "dispatch", "--period", "2025-h1", "--department", "sof")
    assert result.exit_code == 0, result.stderr
    assert "2025-H1: 2 nye i udsendelsesloggen, 2 sendt" in result.stdout
    assert len(smtp.messages) == 2
    again = invoke(app, "dispatch", "--period", "2025-H1", "--department", "SOF")
    assert again.exit_code == 0 and "0 nye i udsendelsesloggen, 0 sendt" in again.stdout
    assert len(smtp.messages) == 2
    dry = invoke(app, "dispatch", "--period", "2025-H1", "--department", "SOF", "--dry-run", "--resend")
    assert "ville gensende (sent)" in dry.stdout and len(smtp.messages) == 2
    resent = invoke(app, "dispatch", "--period", "2025-H1", "--department", "SOF", "--resend")
    assert resent.exit_code == 0 and "2 mail(s) sat til at blive sendt igen." in resent.stdout
    assert len(smtp.to(mayor_address("SOF"))) == 2


def test_a_refused_mail_exits_1_and_says_why(app, session, addressed, smtp, test_reports) -> None:
    smtp.handler.refuse.add(mayor_address("SOF"))
    smtp.start()
    result = invoke(app, "dispatch", "--period", "2025-H1", "--department", "SOF")
    assert result.exit_code == 1
    assert "550" in result.stderr and mayor_address("SOF") in result.stderr


def test_bad_input_exits_1(app, session, addressed, smtp, test_reports) -> None:
    for args, message in (
        (("--period", "2025-H3"), "Ugyldig periode"),
        (("--period", "2025-H2"), "ikke slut"),
        (("--period", "2025-H1", "--department", "XYZ"), "Ukendt forvaltning"),
    ):
        result = invoke(app, "dispatch", *args)
        assert result.exit_code == 1, args
        assert message in result.stderr
    assert invoke(app, "dispatch").exit_code == 2
    assert smtp.messages == [] and count(session, Dispatch) == 0


def test_quota_scheduler_runs_the_scheduler_program(app, monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(os, "execv", lambda path, argv: calls.append((path, argv)))
    assert invoke(app, "scheduler").exit_code == 0
    assert calls == [(sys.executable, [sys.executable, "-m", "scheduler"])]


def test_dispatch_with_the_real_reports(app, session, addressed, smtp, clock) -> None:
    """No stand-in: reports.services builds and archives the PDFs; the mail carries exactly the archived one."""
    import hashlib

    from tests.dispatch.support import pdf_attachments

    smtp.start()
    result = invoke(app, "dispatch", "--period", "2025-H1")
    assert result.exit_code == 0, result.stderr + result.stdout
    assert "16 nye i udsendelsesloggen, 16 sendt" in result.stdout
    rows = session.exec(select(Dispatch)).all()
    for row in rows:
        archive = session.get(ReportArchive, row.archive_id)
        assert archive.known_at == clock.now() and archive.sha256 == row.pdf_sha256
        ((received,),) = [[m for m in smtp.to(row.recipient) if m.message["Message-ID"] == row.message_id]]
        ((_name, pdf),) = pdf_attachments(received.message)
        assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == row.pdf_sha256 == archive.sha256
    assert count(session, ReportArchive) == 8
