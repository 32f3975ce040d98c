"""The app of these tests mails through a real SMTP server on loopback (tests/dispatch/support.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from quota_app.settings import Settings
from tests.dispatch.support import SmtpServer, smtp_settings

BASE_URL = "https://kvoter.kk.test"
LINK_RE = re.compile(r"https?://\S+/sign-in/[A-Za-z0-9_-]+")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(smtp: SmtpServer, tmp_path: Path) -> Settings:
    return smtp_settings(
        smtp.port, instance_path=tmp_path / "instance", session_cookie_secure=False, base_url=BASE_URL
    )


def mailed_link(smtp: SmtpServer, address: str, *, index: int = -1) -> str:
    """The sign-in link in the latest (or index-th) mail to address, as a path on this site."""
    messages = smtp.to(address)
    assert messages, f"no mail to {address}"
    text = messages[index].message.get_body(preferencelist=("plain",)).get_content()
    match = LINK_RE.search(text)
    assert match, text
    assert match.group(0).startswith(BASE_URL + "/sign-in/")
    return match.group(0).removeprefix(BASE_URL)
