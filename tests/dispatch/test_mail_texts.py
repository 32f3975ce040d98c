"""What the mails say comes from templates: the same words in plain text and HTML (escaped there), Danish by
default and English where the installation's language is English, rendered without Flask."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from quota_app.dispatch import ledger, mail_texts
from quota_app.mail.services import build_message
from quota_app.models import Department, Dispatch, ReportArchive

KNOWN = datetime(2025, 8, 15, 6, 0, tzinfo=UTC)


def report_row(session, *, recipient: str) -> Dispatch:  # type: ignore[no-untyped-def]
    sof = session.exec(select(Department).where(Department.code == "SOF")).one()
    sof.mayor_name = "Anna <b>Hansen</b> & co"
    archive = ReportArchive(
        period="2025-H1",
        department_id=sof.id,
        scope="SOF",
        known_at=KNOWN,
        pdf=b"%PDF",
        sha256="0" * 64,
        created_at=KNOWN,
    )
    session.add_all([sof, archive])
    session.flush()
    row = Dispatch(
        period="2025-H1",
        department_id=sof.id,
        scope="SOF",
        recipient=recipient,
        kind="report",
        archive_id=archive.id,
        created_at=KNOWN,
    )
    session.add(row)
    session.flush()
    return row


def test_the_report_mail_in_danish_text_and_escaped_html(session, addressed, mail_settings) -> None:
    mail = mail_texts.compose(session, report_row(session, recipient="bif@kk.test"), settings=mail_settings)
    assert mail.subject == "Halvårsstatus 1. halvår 2025: støttet beskæftigelse i Socialforvaltningen"
    assert mail.text.startswith("Kopi til BIF af halvårsstatus sendt til Socialborgmester")
    assert "Kære Socialborgmester Anna <b>Hansen</b> & co\n\n" in mail.text
    assert "opgjort med de registreringer der var kendt 15.08.2025 kl. 08.00." in mail.text
    assert mail.text.endswith(
        "Med venlig hilsen\nBeskæftigelses- og Integrationsforvaltningen (BIF)\n"
        "Svar på denne mail går til bif@kk.test."
    )
    assert '<html lang="da">' in mail.html
    assert "<p>Kære Socialborgmester Anna &lt;b&gt;Hansen&lt;/b&gt; &amp; co</p>" in mail.html
    assert "<b>" not in mail.html
    assert mail.language == "da"


def test_the_report_mail_in_english_where_english_is_the_language(session, addressed, mail_settings) -> None:
    english = mail_settings.model_copy(update={"default_locale": "en"})
    row = report_row(session, recipient="bif@kk.test")
    mail = mail_texts.compose(session, row, settings=english)
    assert mail.subject == "Half-year status 1st half 2025: supported employment in Socialforvaltningen"
    assert "Dear Socialborgmester Anna <b>Hansen</b> & co" in mail.text
    assert "for the period 01.01.2025–30.06.2025 (1st half 2025)" in mail.text
    assert mail.text.endswith(
        "Kind regards\nThe Employment and Integration Administration (BIF)\n"
        "Replies to this mail go to bif@kk.test."
    )
    assert '<html lang="en">' in mail.html and "Kære" not in mail.html
    message = build_message(mail, settings=english, now=KNOWN)
    assert message["Content-Language"] == "en"


def test_a_failure_notice_is_about_the_failed_row_and_the_ledger_shows_them_together(
    session, addressed, mail_settings
) -> None:
    alert = Dispatch(
        as_of=date(2025, 9, 30),
        scope="KK",
        recipient="rekruttering@kk.test",
        kind="alert",
        state="failed",
        attempts=8,
        last_error="550",
        created_at=KNOWN,
    )
    session.add(alert)
    session.flush()
    notice = Dispatch(
        failed_dispatch_id=alert.id,
        scope="KK",
        recipient="bif@kk.test",
        kind="failure_notice",
        created_at=KNOWN,
    )
    session.add(notice)
    session.flush()
    mail = mail_texts.compose(session, notice, settings=mail_settings)
    assert mail.subject == "Fejl ved udsendelse: alert 2025-09-30 til rekruttering@kk.test"
    assert f"(nr. {alert.id})" in mail.text and "Periode: 2025-09-30" in mail.text
    assert "gensend rækken fra siden Udsendelser.\n" in mail.text
    assert {r.id for r in ledger.ledger(session, as_of=date(2025, 9, 30))} == {alert.id, notice.id}
    assert ledger.ledger(session, as_of=date(2025, 10, 1)) == []
    assert ledger.about(session, notice) == alert and ledger.about(session, alert) == alert
