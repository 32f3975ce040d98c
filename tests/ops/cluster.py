"""Several machines on one PostgreSQL database, as real processes on loopback: web machines (gunicorn with
deploy/gunicorn.conf.py and two workers each, on ports of their own), scheduler processes, browsers that
keep their cookies, and an SMTP server that can hold a mail half-delivered."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import threading
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.writers import Answer, call
from tests.dispatch.support import RecordingHandler
from tests.processes import LineReader, listening_socket

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Machine:
    """One web machine: gunicorn on a socket that already listens (a request waits until it is up)."""

    def __init__(self, name: str, env: dict[str, str], folder: Path) -> None:
        self.name = name
        self.socket = listening_socket()
        self.base = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
        ]
        command += ["--workers", "2", "--bind", f"fd://{self.socket.fileno()}"]
        self.process = subprocess.Popen(
            command,
            cwd=folder,  # the configuration file finds the project itself
            env={**env, "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics")},
            pass_fds=(self.socket.fileno(),),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output = LineReader(self.process.stdout)  # type: ignore[arg-type]

    def request_lines(self, request_ids: set[str], *, timeout: float = 60) -> list[dict]:
        """The JSON log lines (logger quota.request) of these requests, waited for."""
        found: list[dict] = []
        while len(found) < len(request_ids):
            line = self.output.wait_for(
                lambda text: _request_id(text) in request_ids,
                timeout=timeout,
                what=f"{self.name}'s request lines",
            )
            found.append(json.loads(line))
        return found

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)
        self.output.close()
        self.socket.close()


def _request_id(text: str) -> str | None:
    if '"logger": "quota.request"' not in text:
        return None
    return json.loads(text).get("request_id")


class Scheduler:
    """`python -m scheduler`, its output (stdout and stderr) read line by line."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scheduler"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output = LineReader(self.process.stdout)  # type: ignore[arg-type]

    @property
    def worker(self) -> str:
        """How the scheduler names itself in its heartbeat and on the ledger rows it claims."""
        import socket

        return f"scheduler@{socket.gethostname()}:{self.process.pid}"

    def stop(self) -> int:
        """SIGTERM (a clean stop), and its exit code; a process that does not stop is killed and fails."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            code = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=60)
            raise AssertionError(f"the scheduler did not stop on SIGTERM:\n{self.output.text()}") from None
        self.output.close()
        return code


@dataclass
class Browser:
    """A browser: its cookies, and the client address a trusted proxy reports for it."""

    cookies: dict[str, str] = field(default_factory=dict)
    address: str | None = None

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items() if v)}
        if self.address:
            headers["X-Forwarded-For"] = self.address
        return {**headers, **(extra or {})}

    def get(self, machine: Machine, path: str, **headers: str) -> Answer:
        answer = call(machine.base, "GET", path, headers=self._headers(headers))
        self.cookies.update(answer.cookies)
        return answer

    def post(self, machine: Machine, path: str, form: dict[str, str]) -> Answer:
        return self.send(
            machine, path, urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
        )

    def send(self, machine: Machine, path: str, body: bytes, content_type: str) -> Answer:
        headers = self._headers({"Content-Type": content_type})
        answer = call(machine.base, "POST", path, body=body, headers=headers)
        self.cookies.update(answer.cookies)
        return answer

    def csrf(self, machine: Machine, path: str) -> str:
        page = self.get(machine, path)
        match = CSRF.search(page.body.decode())
        assert match, f"{path} on {machine.name} has no form ({page.status})"
        return match.group(1)

    def sign_in(self, machine: Machine, email: str, password: str) -> Answer:
        return self.post(
            machine,
            "/login",
            {"email": email, "password": password, "csrf_token": self.csrf(machine, "/login")},
        )


@dataclass
class HoldingHandler(RecordingHandler):
    """Records every message when its data has arrived; keeps the hold-th one's sender waiting for the
    server's answer until `release` is set (as a slow or stuck mail server would)."""

    hold: int = 2
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        answer = await super().handle_DATA(server, session, envelope)
        if len(self.messages) == self.hold:
            self.held.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 300)
        return answer


def environment(**values: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("QUOTA_")}, **values}
