"""Build mail messages and hand them to SMTP (STARTTLS or SSL) or to the outbox folder (.eml files).

No Flask here: the scheduler process and the command line use it as well as the web app.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from html import escape
from pathlib import Path
from typing import Protocol

from ..settings import Settings


class MailError(Exception):
    """Sending failed; `temporary` says whether trying again later may help."""

    temporary: bool = True

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TemporaryMailError(MailError):
    """The server could not be reached or answered 4xx: try again later."""

    temporary = True


class PermanentMailError(MailError):
    """The server refused for good (5xx): trying again will not help without a change."""

    temporary = False


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "pdf"


@dataclass(frozen=True)
class OutgoingMail:
    """What a mail says, independent of how it is sent."""

    to: tuple[str, ...]
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = field(default=())
    cc: tuple[str, ...] = field(default=())
    language: str = "da"  # of the text: the Content-Language header


def message_domain(settings: Settings) -> str:
    """The domain used in Message-IDs: the sender's domain."""
    return settings.mail_from.rpartition("@")[2] or "localhost"


def text_to_html(text: str, *, language: str = "da") -> str:
    """A minimal HTML alternative of a plain-text body: paragraphs and line breaks, everything escaped."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    body = "\n".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    head = f'<!doctype html>\n<html lang="{escape(language)}"><head><meta charset="utf-8"></head><body>'
    return f"{head}\n{body}\n</body></html>\n"


def build_message(
    mail: OutgoingMail, *, settings: Settings, now: datetime, message_id: str | None = None
) -> EmailMessage:
    """An EmailMessage: plain text with an HTML alternative, attachments, Message-ID, Reply-To, Date."""
    message = EmailMessage()
    message["Subject"] = mail.subject
    message["From"] = settings.mail_from
    message["To"] = ", ".join(mail.to)
    if mail.cc:
        message["Cc"] = ", ".join(mail.cc)
    message["Reply-To"] = settings.mail_reply_to
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id or make_msgid(domain=message_domain(settings))
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    for attachment in mail.attachments:
        message.add_attachment(
            attachment.content,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,
        )
    message["Content-Language"] = mail.language  # last: setting the content drops Content-* headers
    return message


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


def classify_smtp_error(exc: BaseException) -> MailError:
    """Tell temporary failures (no connection, timeouts, 4xx) from permanent ones (5xx)."""
    if isinstance(exc, MailError):
        return exc
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        detail = "; ".join(f"{addr}: {code} {_decode(msg)}" for addr, (code, msg) in exc.recipients.items())
        if codes and all(400 <= code < 500 for code in codes):
            return TemporaryMailError(f"Modtageren blev midlertidigt afvist: {detail}")
        return PermanentMailError(f"Modtageren blev afvist: {detail}")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return PermanentMailError(f"Mailserveren understøtter ikke det, der er sat op (fx STARTTLS): {exc}")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return TemporaryMailError(f"Forbindelsen til mailserveren blev afbrudt: {exc}")
    if isinstance(exc, smtplib.SMTPResponseException):
        text = f"{exc.smtp_code} {_decode(exc.smtp_error)}"
        if 400 <= exc.smtp_code < 500:
            return TemporaryMailError(f"Mailserveren svarede midlertidigt: {text}")
        return PermanentMailError(f"Mailserveren afviste mailen: {text}")
    if isinstance(exc, smtplib.SMTPException):
        return TemporaryMailError(f"Fejl i samtalen med mailserveren: {exc}")
    if isinstance(exc, ssl.SSLError):
        return PermanentMailError(f"TLS-fejl mod mailserveren: {exc}")
    if isinstance(exc, (ConnectionError, TimeoutError, socket.timeout, socket.gaierror, OSError)):
        return TemporaryMailError(f"Mailserveren kunne ikke nås: {exc}")
    return PermanentMailError(f"Uventet fejl ved afsendelse: {exc!r}")


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class SmtpTransport:
    """SMTP with STARTTLS, SSL or plain (loopback relays), and login when a user name is set."""

    def __init__(self, settings: Settings) -> None:
        if not settings.smtp_host:
            raise ValueError("SmtpTransport needs QUOTA_SMTP_HOST")
        self.settings = settings
        self.host = settings.smtp_host

    def send(self, message: EmailMessage) -> None:
        s = self.settings
        try:
            if s.smtp_security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, s.smtp_port, timeout=s.smtp_timeout, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(self.host, s.smtp_port, timeout=s.smtp_timeout)
            with client:
                if s.smtp_security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if s.smtp_username:
                    client.login(s.smtp_username, s.smtp_password or "")
                refused = client.send_message(message)
                if refused:  # some recipients refused, the others accepted: report it as permanent
                    raise smtplib.SMTPRecipientsRefused(refused)
        except Exception as exc:
            raise classify_smtp_error(exc) from exc


class OutboxTransport:
    """Write each message as an .eml file to a folder (atomic: a temporary file, then a rename)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def send(self, message: EmailMessage) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        token = str(message["Message-ID"]).strip("<>").replace("@", "_at_").replace("/", "_")
        target = self.path / f"{token}.eml"
        fd, temporary = tempfile.mkstemp(dir=self.path, prefix=".tmp-", suffix=".eml")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(message.as_bytes())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except OSError as exc:
            Path(temporary).unlink(missing_ok=True)
            raise TemporaryMailError(f"Mailen kunne ikke gemmes i udbakken {self.path}: {exc}") from exc


def transport_from_settings(settings: Settings) -> Transport:
    """SMTP when QUOTA_SMTP_HOST is set, otherwise the outbox folder."""
    if settings.smtp_host:
        return SmtpTransport(settings)
    return OutboxTransport(settings.effective_outbox_path)
