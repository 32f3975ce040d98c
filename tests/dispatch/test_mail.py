"""Message building and error classification (no database)."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest

from quota_app.mail.services import (
    Attachment,
    OutgoingMail,
    PermanentMailError,
    SmtpTransport,
    TemporaryMailError,
    build_message,
    classify_smtp_error,
)
from tests.dispatch.support import free_port, smtp_settings, tiny_pdf


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (ConnectionRefusedError(111, "Connection refused"), TemporaryMailError),
        (TimeoutError("timed out"), TemporaryMailError),
        (smtplib.SMTPServerDisconnected("gone"), TemporaryMailError),
        (smtplib.SMTPResponseException(421, b"Try later"), TemporaryMailError),
        (smtplib.SMTPDataError(452, b"Insufficient storage"), TemporaryMailError),
        (smtplib.SMTPRecipientsRefused({"a@b.dk": (450, b"Mailbox busy")}), TemporaryMailError),
        (smtplib.SMTPRecipientsRefused({"a@b.dk": (550, b"No such user")}), PermanentMailError),
        (smtplib.SMTPDataError(554, b"Rejected"), PermanentMailError),
        (smtplib.SMTPAuthenticationError(535, b"Bad credentials"), PermanentMailError),
        (smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server."), PermanentMailError),
    ],
)
def test_errors_are_classified(error: Exception, kind: type) -> None:
    assert type(classify_smtp_error(error)) is kind


def test_a_message_has_danish_text_html_the_pdf_and_the_headers() -> None:
    settings = smtp_settings(25)
    pdf = tiny_pdf("x")
    mail = OutgoingMail(
        to=("borgmester@kk.test",),
        subject="Halvårsstatus 2025-H1: Økonomi",
        text="Kære borgmester\n\nÆØÅ æøå",
        html="<p>Kære borgmester</p>",
        attachments=(Attachment("halvaarsstatus-2025-H1-SOF.pdf", pdf),),
    )
    raw = build_message(mail, settings=settings, now=datetime(2025, 8, 15, 6, tzinfo=UTC)).as_bytes()
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == "Halvårsstatus 2025-H1: Økonomi"
    assert message["Reply-To"] == "bif@kk.test" and message["From"] == "kvoter@kk.test"
    assert message["Date"] == "Fri, 15 Aug 2025 06:00:00 +0000"
    assert message["Message-ID"].endswith("@kk.test>")
    assert "ÆØÅ æøå" in message.get_body(("plain",)).get_content()
    assert "Kære borgmester" in message.get_body(("html",)).get_content()
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == "halvaarsstatus-2025-H1-SOF.pdf" and attachment.get_content() == pdf


def test_no_server_is_a_temporary_error() -> None:
    settings = smtp_settings(free_port(), smtp_timeout=2.0)
    message = build_message(
        OutgoingMail(to=("a@kk.test",), subject="s", text="t", html="<p>t</p>"),
        settings=settings,
        now=datetime(2025, 1, 1, tzinfo=UTC),
    )
    with pytest.raises(TemporaryMailError, match="kunne ikke nås"):
        SmtpTransport(settings).send(message)


def test_starttls_against_a_server_without_it_is_permanent(smtp) -> None:
    smtp.start()
    settings = smtp_settings(smtp.port, smtp_security="starttls")
    message = build_message(
        OutgoingMail(to=("a@kk.test",), subject="s", text="t", html="<p>t</p>"),
        settings=settings,
        now=datetime(2025, 1, 1, tzinfo=UTC),
    )
    with pytest.raises(PermanentMailError):
        SmtpTransport(settings).send(message)
    assert smtp.messages == []


def test_login_with_the_configured_user(smtp) -> None:
    smtp.credentials = ("kvoter", "hemmeligt")
    smtp.start()
    message = build_message(
        OutgoingMail(to=("a@kk.test",), subject="s", text="t", html="<p>t</p>"),
        settings=smtp_settings(25),
        now=datetime(2025, 1, 1, tzinfo=UTC),
    )
    SmtpTransport(smtp_settings(smtp.port, smtp_username="kvoter", smtp_password="hemmeligt")).send(message)
    assert smtp.logins == ["kvoter"] and len(smtp.messages) == 1
