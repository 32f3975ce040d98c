"""Test helpers shared by in-process tests and the worker subprocess: a real SMTP server on loopback and
a tiny report source that makes real PDFs with ReportLab and archives them."""

from __future__ import annotations

import hashlib
import io
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from reportlab.pdfgen import canvas
from sqlmodel import Session, select

from quota_app.dispatch.report_source import ReportSource
from quota_app.models import MUNICIPALITY_SCOPE, Department, ReportArchive
from quota_app.periods import Period
from quota_app.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class RecordingHandler:
    """Stores every accepted message; refuses the addresses in `refuse` with 550."""

    messages: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.arrived:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
            self.arrived.notify_all()
        return "250 Message accepted for delivery"


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 that can be started, stopped and started again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.handler = RecordingHandler()
        self._controller: Controller | None = None
        self.credentials: tuple[str, str] | None = None  # require this login (AUTH PLAIN/LOGIN) when set
        self.logins: list[str] = []

    def _authenticate(self, server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = (
            isinstance(auth_data, LoginPassword)
            and self.credentials is not None
            and (auth_data.login.decode(), auth_data.password.decode()) == self.credentials
        )
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)

    def start(self) -> None:
        extra = {"authenticator": self._authenticate, "auth_require_tls": False} if self.credentials else {}
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **extra)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def wait_for_messages(self, count: int, *, timeout: float = 5) -> list[Received]:
        """Wait until count messages have arrived (the last may still be on its way when a sender ends)."""
        with self.handler.arrived:
            self.handler.arrived.wait_for(lambda: len(self.handler.messages) >= count, timeout=timeout)
        return self.messages

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]


def smtp_settings(port: int, **overrides: object) -> Settings:
    values: dict = {
        "env": "test",
        "secret_key": "test-secret",
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_timeout": 5.0,
        "bif_email": "bif@kk.test",
        "recruitment_email": "rekruttering@kk.test",
        "committee_emails": "biu@kk.test,oeu@kk.test",
        "mail_from": "kvoter@kk.test",
        "mail_reply_to": "bif@kk.test",
    }
    values.update(overrides)
    return Settings(**values)


def tiny_pdf(text: str) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _build_department(session: Session, *, period: Period, department_code: str, known_at: datetime) -> bytes:
    return tiny_pdf(f"Halvaarsstatus {period.label} {department_code} {known_at.isoformat()}")


def _build_consolidated(session: Session, *, period: Period, known_at: datetime) -> bytes:
    return tiny_pdf(f"Samlet {period.label} {known_at.isoformat()}")


def _archive(session, *, period, department_code, known_at, pdf, actor, now) -> ReportArchive:  # type: ignore[no-untyped-def]
    department = (
        session.exec(select(Department).where(Department.code == department_code)).one()
        if department_code
        else None
    )
    archive = ReportArchive(
        period=period.label,
        department_id=department.id if department else None,
        scope=department_code or MUNICIPALITY_SCOPE,
        known_at=known_at,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        created_at=now,
    )
    session.add(archive)
    session.flush()
    return archive


TEST_SOURCE = ReportSource(
    build_department=_build_department, build_consolidated=_build_consolidated, archive=_archive
)


def mayor_address(code: str) -> str:
    return f"borgmester-{code.lower().replace('ø', 'oe')}@kk.test"


def give_addresses(session: Session) -> None:
    """Mayors' and HR contacts' addresses on every department."""
    for department in session.exec(select(Department)).all():
        department.mayor_email = mayor_address(department.code)
        department.mayor_name = f"Borgmester {department.code}"
        department.hr_emails = f"hr-{department.code.lower().replace('ø', 'oe')}@kk.test"
        session.add(department)
    session.flush()


def pdf_attachments(message: EmailMessage) -> list[tuple[str, bytes]]:
    return [
        (part.get_filename(), part.get_content())
        for part in message.iter_attachments()
        if part.get_content_type() == "application/pdf"
    ]
