"""Two real gunicorn workers share the sign-in limits: whichever worker answers, the limit holds.

The access log names the worker (process id) that answered each request, so the test knows both workers
have answered after the limit was reached. Since the failures before it went to one worker or were split,
some worker answering a refusal saw fewer failures itself than the limit: with per-worker counters (as
Flask-Limiter's memory:// storage had) it would have let the attempt through.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import SQLModel

from benchmarks.databases import fresh_postgresql
from quota_app.auth import services as auth
from quota_app.db import Database
from tests.conftest import TEST_PASSWORD, csrf_from
from tests.processes import LineReader, listening_socket

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "hr@kk.dk"
LIMIT = 4


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own: the workers must see committed data, not a test's rolled-back session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'quota.db'}"
        _prepare(url)
        yield url
        return
    request.getfixturevalue("pg_url")  # skips, or fails in CI, when PostgreSQL is missing
    with fresh_postgresql() as url:
        _prepare(url)
        yield url


def _prepare(url: str) -> None:
    db = Database(url)
    SQLModel.metadata.create_all(db.engine)
    with db.begin() as session:
        now = datetime.now(UTC)
        auth.create_user(session, email=EMAIL, role="bif", password=TEST_PASSWORD, actor="test", now=now)
    db.dispose()


class Server:
    """gunicorn with two workers on a socket that listens before it starts; its access log (on stdout)
    names the worker of every answer."""

    def __init__(self, url: str, folder: Path) -> None:
        self.socket = listening_socket()
        self.port = self.socket.getsockname()[1]
        env = {
            **os.environ,
            "QUOTA_ENV": "production",
            "QUOTA_SECRET_KEY": uuid.uuid4().hex,
            "QUOTA_SESSION_COOKIE_SECURE": "false",
            "QUOTA_DATABASE_URL": url,
            "QUOTA_INSTANCE_PATH": str(folder / "instance"),
            "QUOTA_LOGIN_RATE_LIMIT": f"{LIMIT} per hour",
            "QUOTA_LOGIN_ADDRESS_RATE_LIMIT": "1000 per hour",
            "QUOTA_TRUSTED_PROXIES": "1",  # so the test can speak for two client addresses
        }
        env.pop("QUOTA_RATELIMIT_STORAGE_URI", None)  # the default: the database
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "--workers",
                "2",
                "--bind",
                f"fd://{self.socket.fileno()}",
                "--access-logfile",
                "-",
                "--access-logformat",
                "%(p)s %(m)s %(U)s %(s)s",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            pass_fds=(self.socket.fileno(),),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output = LineReader(self.process.stdout)  # type: ignore[arg-type]
        self.posts_logged = 0

    def sign_in(self, address: str, password: str) -> tuple[int, str, int]:
        """One attempt from a new browser at this address: (status, page, pid of the worker that answered)."""
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )
        headers = {"X-Forwarded-For": address}
        base = f"http://127.0.0.1:{self.port}"
        get = urllib.request.Request(f"{base}/login", headers=headers)  # noqa: S310 (http://127.0.0.1)
        page = opener.open(get, timeout=30).read().decode()
        form = {"email": EMAIL, "password": password, "csrf_token": csrf_from(page)}
        request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1)
            f"{base}/login", data=urllib.parse.urlencode(form).encode(), headers=headers, method="POST"
        )
        try:
            with opener.open(request, timeout=30) as response:
                status, body = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode()
        self.posts_logged += 1
        return status, body, self._pid_of_post(self.posts_logged, status)

    def _pid_of_post(self, number: int, status: int) -> int:
        """The worker of the number-th POST, from the access log (written just after the answer)."""
        line = self.output.wait_for(r"^<\d+> POST /login \d+$", timeout=30, what=f"POST number {number}")
        pid, logged_status = re.fullmatch(r"<(\d+)> POST /login (\d+)", line).groups()  # type: ignore[union-attr]
        assert int(logged_status) == status
        return int(pid)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.output.close()
        self.socket.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def test_two_workers_share_the_failed_sign_in_count(database_url: str, tmp_path: Path) -> None:
    server = Server(database_url, tmp_path)
    try:
        failures: Counter[int] = Counter()
        for _ in range(LIMIT):
            status, page, pid = server.sign_in("203.0.113.5", "wrong password!")
            assert status == 200 and "Forkert e-mail eller adgangskode" in page
            failures[pid] += 1
        refusals: Counter[int] = Counter()
        while len(refusals) < 2 and sum(refusals.values()) < 60:
            status, page, pid = server.sign_in("203.0.113.5", TEST_PASSWORD)
            assert status == 429, f"worker {pid} (saw {failures[pid]} of the {LIMIT} failures) let it through"
            refusals[pid] += 1
        assert len(refusals) == 2, f"only one worker answered 60 attempts: {refusals}"
        assert any(failures[pid] < LIMIT for pid in refusals)
        # Another client address signs in, whichever worker answers.
        status, _page, _pid = server.sign_in("198.51.100.9", TEST_PASSWORD)
        assert status == 302
        print(f"failures by worker {dict(failures)}, refusals by worker {dict(refusals)}")
    finally:
        server.stop()
