"""Many people saving at once against the real server: a migrated database with places, HR users and API
tokens; gunicorn with two workers; writers that record status changes through the API or the web form.

Shared by benchmarks/bench_write.py and tests/concurrency (which assert on what these measure).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from quota_app.auth import services as auth
from quota_app.db import QuotaSession, make_engine
from quota_app.places import registration
from quota_app.reference import ensure_default_rules, ensure_departments, ensure_placement_types
from quota_app.tokens import services as tokens

from .bench_overview import free_port

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "writers-password-not-secret"  # noqa: S105
SEEDED = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
FIRST_DAY = date(2024, 1, 1)
DEPARTMENT = "SOF"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')


@dataclass
class Writer:
    """One person: an HR user of DEPARTMENT with an API token, and the place they change."""

    email: str
    token: str
    place_id: int


def migrate(url: str) -> None:
    """Bring the database's schema up to date the way an operator does: `quota db upgrade`."""
    env = {**os.environ, "QUOTA_DATABASE_URL": url, "QUOTA_ENV": "production", "QUOTA_SECRET_KEY": "x"}
    quota = Path(sys.executable).with_name("quota")
    subprocess.run([str(quota), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)


def prepare(url: str, writers: int) -> list[Writer]:
    """Migrate, load the reference data, and give each writer a user, a token and an open place."""
    migrate(url)
    engine = make_engine(url)
    result = []
    try:
        with QuotaSession(engine, expire_on_commit=False) as session:
            departments = ensure_departments(session)
            ensure_placement_types(session)
            for year in range(2023, 2028):
                ensure_default_rules(session, year)
            session.commit()
            run = uuid.uuid4().hex[:6]
            for number in range(writers):
                user = auth.create_user(
                    session,
                    email=f"writer{number}-{run}@kk.dk",
                    role="hr",
                    password=PASSWORD,
                    department_code=DEPARTMENT,
                    actor="benchmark",
                    now=SEEDED,
                )
                _token, secret = tokens.create_token(
                    session, user=user, name="writer", actor="benchmark", now=SEEDED
                )
                place = registration.register_place(
                    session,
                    department_id=departments[DEPARTMENT].id,
                    type_code="internship",
                    reference=f"W-{run}-{number:03d}",
                    status="open",
                    effective_date=FIRST_DAY,
                    actor=user,
                    now=SEEDED,
                    source="seed",
                )
                result.append(Writer(email=user.email, token=secret, place_id=place.id))
            session.commit()
    finally:
        engine.dispose()
    return result


def saved_events(url: str, place_ids: list[int] | None = None) -> int:
    """The status changes saved since prepare() (every event but the places' first), of these places."""
    statement = sa.text("SELECT place_id FROM place_event WHERE source <> 'seed'")
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            found = [place_id for (place_id,) in conn.execute(statement)]
    finally:
        engine.dispose()
    return len(found) if place_ids is None else sum(1 for p in found if p in set(place_ids))


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its children (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, IndexError, ValueError):
            continue
        pids += [int(child) for child in children]
    return total


class Server(str):
    """The base URL of a served app, which also knows the server's process id."""

    pid: int


@contextmanager
def gunicorn(url: str, instance: Path, *, workers: int = 2, env: dict | None = None) -> Iterator[Server]:
    """Serve the app with `gunicorn -w 2` on a free loopback port; yield its base URL once /healthz answers."""
    port = free_port()
    environment = {
        **os.environ,
        "QUOTA_DATABASE_URL": url,
        "QUOTA_SECRET_KEY": uuid.uuid4().hex,
        "QUOTA_ENV": "production",
        "QUOTA_SESSION_COOKIE_SECURE": "false",
        "QUOTA_INSTANCE_PATH": str(instance),
        **(env or {}),
    }
    command = [str(Path(sys.executable).with_name("gunicorn")), "-w", str(workers)]
    command += ["-b", f"127.0.0.1:{port}", "--timeout", "120", "wsgi:app"]
    log = instance.parent / f"gunicorn-{port}.log"
    instance.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
            try:
                if call(base, "GET", "/healthz").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer /healthz within 60 s")
            time.sleep(0.05)
        served = Server(base)
        served.pid = process.pid
        yield served
    finally:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        process.wait(timeout=30)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float
    cookies: dict[str, str] = field(default_factory=dict)


def call(
    base: str, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None
) -> Answer:
    """One HTTP request on a new connection (redirects are not followed)."""
    parsed = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
    began = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    seconds = time.perf_counter() - began
    cookies = {}
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            cookies[key] = rest.split(";", 1)[0]
    return Answer(response.status, dict(response.getheaders()), data, seconds, cookies)


def change_day(step: int) -> tuple[str, str]:
    """The status and date of a writer's step-th change (1, 2, ...): filled and open by turns, a day apart."""
    return ("filled" if step % 2 else "open"), (FIRST_DAY + timedelta(days=step)).isoformat()


def api_change(
    base: str, writer: Writer, step: int, *, place_id: int | None = None, version: int | None = None
) -> Answer:
    status, day = change_day(step)
    body: dict = {"status": status, "effective_date": day}
    if version is not None:
        body["expected_version"] = version
    headers = {"Authorization": f"Bearer {writer.token}", "Content-Type": "application/json"}
    path = f"/api/v1/places/{place_id or writer.place_id}/events"
    return call(base, "POST", path, body=json.dumps(body).encode(), headers=headers)


def api_version(base: str, writer: Writer, place_id: int) -> int:
    answer = call(
        base, "GET", f"/api/v1/places/{place_id}", headers={"Authorization": f"Bearer {writer.token}"}
    )
    return json.loads(answer.body)["version"]


class Browser:
    """A signed-in web session: its cookie and CSRF token."""

    def __init__(self, base: str, email: str) -> None:
        self.base = base
        page = call(base, "GET", "/login")
        self.cookies = dict(page.cookies)
        token = CSRF.search(page.body.decode())
        if token is None:
            raise RuntimeError("the sign-in page has no CSRF token")
        form = {"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
        answer = self.post("/login", form)
        if answer.status != 302 or "/login" in answer.headers.get("Location", "/login"):
            raise RuntimeError(f"sign-in failed: {answer.status}")

    def _headers(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def get(self, path: str) -> Answer:
        answer = call(self.base, "GET", path, headers=self._headers())
        self.cookies.update(answer.cookies)
        return answer

    def post(self, path: str, form: dict) -> Answer:
        headers = {**self._headers(), "Content-Type": "application/x-www-form-urlencoded"}
        answer = call(self.base, "POST", path, body=urllib.parse.urlencode(form).encode(), headers=headers)
        self.cookies.update(answer.cookies)
        return answer

    def status_form(self, place_id: int) -> dict[str, str]:
        """Open the place's page; return the hidden fields of its status form (CSRF token, version)."""
        page = self.get(f"/places/{place_id}").body.decode()
        token, version = CSRF.search(page), VERSION.search(page)
        if token is None or version is None:
            raise RuntimeError(f"the page of place {place_id} has no status form")
        return {"csrf_token": token.group(1), "version": version.group(1)}

    def change(self, place_id: int, step: int, hidden: dict[str, str] | None = None) -> Answer:
        """Send the status form (read first unless hidden fields are given); a save answers 302."""
        status, day = change_day(step)
        fields = hidden or self.status_form(place_id)
        return self.post(f"/places/{place_id}/status", {**fields, "status": status, "effective_date": day})
