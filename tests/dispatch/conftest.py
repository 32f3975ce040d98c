from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlmodel import Session

from quota_app.clock import FrozenClock
from quota_app.db import Database
from quota_app.mail.services import SmtpTransport
from quota_app.settings import Settings
from tests.dispatch.support import SmtpServer, give_addresses, smtp_settings

from ..conftest import T0  # noqa: F401


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback; NOT started: call smtp.start() (tests of 'down at first' need that)."""
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(smtp: SmtpServer) -> Settings:
    return smtp_settings(smtp.port)


@pytest.fixture
def transport(mail_settings: Settings) -> SmtpTransport:
    return SmtpTransport(mail_settings)


@pytest.fixture
def db(connection: sa.Connection) -> Database:
    """A Database whose sessions are savepoints in the test's transaction (rolled back at the end)."""
    return Database.bound_to(connection)


@pytest.fixture
def addressed(session: Session, reference: dict) -> dict:
    give_addresses(session)
    session.commit()
    return reference


@pytest.fixture
def august_clock() -> FrozenClock:
    from datetime import UTC, datetime

    return FrozenClock(datetime(2025, 8, 15, 6, 0, tzinfo=UTC))  # 08:00 in Copenhagen


@pytest.fixture
def settings(smtp: SmtpServer, tmp_path: Path) -> Settings:
    """The app's settings in these tests: mail goes to the loopback SMTP server."""
    return smtp_settings(smtp.port, instance_path=tmp_path / "instance", session_cookie_secure=False)


@pytest.fixture
def test_reports(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the app's report source the tiny ReportLab one (independent of the reports package)."""
    from quota_app.dispatch.report_source import APP_EXTENSION
    from tests.dispatch.support import TEST_SOURCE

    monkeypatch.setitem(app.extensions, APP_EXTENSION, TEST_SOURCE)
