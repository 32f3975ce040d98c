"""Real-browser tests: the app served on 127.0.0.1 from a fresh migrated SQLite file, driven by Chromium.

Fixtures (use them in tests/browser/test_<feature>.py):
- `live_settings` (per module): settings for the live server; `{}` unless a module overrides it.
- `live_server` (per module): `.url`, `.app`, `.clock` (a FrozenClock you may move), `.session()` (a new
  SQLModel session on the same database, for seeding and checking; commit it yourself),
  `.create_user(role, department_code=None, ...) -> BrowserUser(email, password, role, department_code, id)`.
- `browser_user(role, department_code=None)`: the same as live_server.create_user.
- `page`: a Playwright page in a fresh browser context whose base URL is the live server
  (`page.goto("/login")` works). JavaScript errors and CSP violations are collected and fail the test.
- `browser_login(page, user_or_email, password=None)`: sign in through the form and wait for the start page.
- `assert_accessible(page)`: run axe-core (WCAG 2.0/2.1 A and AA) and fail listing every violation.
- `check_at_each_width(page, assert_accessible)`: that, and no sideways scrolling, at 1280 and 390 px.
Every test under tests/browser/ is marked `browser` and put in the xdist group "browser" automatically (one
worker runs them all, with one Chromium); `pytest -m "not browser"` leaves them out.
These tests never use the `engine`/`session` fixtures (which are parametrized over SQLite and PostgreSQL).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from flask import Flask, got_request_exception
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from sqlmodel import Session
from werkzeug.serving import make_server

from quota_app import create_app
from quota_app.auth import services as auth
from quota_app.clock import FrozenClock
from quota_app.core.cli import alembic_config
from quota_app.demo.services import load_demo
from quota_app.settings import Settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BROWSER_PASSWORD = "correct horse battery staple"
# The same instant as tests/conftest.py's clock: 2025-09-30 10:00 UTC (12:00 in Copenhagen).
T0 = datetime(2025, 9, 30, 10, 0, tzinfo=UTC)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = (1280, 390)  # a desktop and a phone
AXE_URL = "/static/vendor/axe/axe.min.js"
TIMEOUT_MS = 15_000  # generous: the test machine is often busy
expect.set_options(timeout=TIMEOUT_MS)


HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)  # before xdist reads the group marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))
            # Werkzeug's development server leaves a static file's handle to the garbage collector when
            # the browser drops the connection mid-response (a page closed while its favicon loads).
            # That is the live server's housekeeping, not the app's: don't fail a browser test on it.
            item.add_marker(pytest.mark.filterwarnings("ignore:unclosed file:ResourceWarning"))
            item.add_marker(
                pytest.mark.filterwarnings(
                    "ignore:Exception ignored in. <_io.FileIO:pytest.PytestUnraisableExceptionWarning"
                )
            )


@dataclass(frozen=True)
class BrowserUser:
    email: str
    password: str
    name: str
    role: str
    department_code: str | None
    id: int


@dataclass
class LiveServer:
    url: str
    app: Flask
    clock: FrozenClock
    errors: list[BaseException] = field(default_factory=list)
    _counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def session(self) -> Session:
        """Return a new session on the live server's database (the caller commits and closes it)."""
        return self.app.extensions["quota_db"].session()

    def create_user(
        self,
        role: str = "hr",
        department_code: str | None = None,
        *,
        email: str | None = None,
        password: str = BROWSER_PASSWORD,
        name: str = "",
    ) -> BrowserUser:
        """Create a user who can sign in; HR users default to the SOF department."""
        if role == "hr" and department_code is None:
            department_code = "SOF"
        number = next(self._counter)
        email = email or f"{role}{number}@browser.kk.dk"
        with self.session() as session:
            user = auth.create_user(
                session,
                email=email,
                role=role,
                password=password,
                name=name or f"Test {role.upper()} {number}",
                department_code=department_code if role == "hr" else None,
                actor="test",
                now=self.clock.now(),
            )
            session.commit()
            return BrowserUser(
                user.email, password, user.name, role, department_code if role == "hr" else None, user.id
            )


@pytest.fixture(scope="module")
def live_settings() -> dict:
    """Settings a test module wants its live server to have (override in the module, e.g. an SMTP server)."""
    return {}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, live_settings: dict) -> Iterator[LiveServer]:
    """Serve the app from a fresh, migrated SQLite file with reference data and targets (no places)."""
    folder = tmp_path_factory.mktemp("live")
    settings = Settings(
        env="test",
        instance_path=folder / "instance",
        database_url=f"sqlite:///{folder / 'live.db'}",
        secret_key="browser-test-secret",
        session_cookie_secure=False,
        # Browser tests sign in many times from 127.0.0.1; the limit itself is tested elsewhere.
        login_rate_limit="200 per minute",
        **live_settings,
    )
    clock = FrozenClock(T0)
    app = create_app(settings, clock=clock)
    database = app.extensions["quota_db"]
    command.upgrade(alembic_config(app), "head")
    with database.begin() as session:
        load_demo(session, seed=1, places=0, now=clock.now())

    server_errors: list[BaseException] = []

    def remember(sender: Flask, exception: BaseException, **_extra: object) -> None:
        server_errors.append(exception)

    got_request_exception.connect(remember, app)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="live-server", daemon=True
    )
    thread.start()
    try:
        yield LiveServer(
            url=f"http://127.0.0.1:{server.server_port}", app=app, clock=clock, errors=server_errors
        )
    finally:
        # shutdown() waits without a time limit; never let a stuck server hang the whole test run.
        stopper = threading.Thread(target=server.shutdown, name="live-server-stop", daemon=True)
        stopper.start()
        stopper.join(timeout=15)
        server.server_close()
        thread.join(timeout=5)
        got_request_exception.disconnect(remember, app)
        database.engine.dispose()


@pytest.fixture
def browser_user(live_server: LiveServer) -> Callable[..., BrowserUser]:
    """Return a factory browser_user(role, department_code=None, **kw) -> BrowserUser."""
    return live_server.create_user


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A page in a fresh context (no cookies).

    Fails the test on JavaScript errors, CSP violations, missing static files and server errors.
    """
    live_server.errors.clear()
    context = browser.new_context(
        base_url=live_server.url, locale="da-DK", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    new_page = context.new_page()
    problems: list[str] = []
    new_page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    new_page.on(
        "response",
        lambda response: (
            problems.append(f"missing asset {response.status}: {response.url}")
            if "/static/" in response.url and response.status >= 400
            else None
        ),
    )
    new_page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    try:
        yield new_page
    finally:
        close_context(context)
    assert not live_server.errors, f"the server raised: {live_server.errors!r}"
    assert not problems, "\n".join(problems)


def close_context(context: BrowserContext) -> None:
    """Close a context's pages, then the context.

    With Debian's Chromium 156, a plain Page.close() after a navigation can wait for ever for the target
    to detach; closing through the page's own unload path does not, and the context then closes cleanly.
    """
    for open_page in context.pages:
        if not open_page.is_closed():
            with contextlib.suppress(PlaywrightError):  # closed by the test meanwhile
                open_page.close(run_before_unload=True)
    context.close()


def login(page: Page, user: BrowserUser | str, password: str | None = None) -> None:
    """Sign in through the form as a person would, and wait until the start page is shown."""
    email = user if isinstance(user, str) else user.email
    password = (
        password if password is not None else (BROWSER_PASSWORD if isinstance(user, str) else user.password)
    )
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: not url.split("?")[0].endswith("/login"))


@pytest.fixture
def browser_login() -> Callable[..., None]:
    """Return login(page, user_or_email, password=None)."""
    return login


def accessibility_violations(page: Page) -> list[dict]:
    """Run axe-core on the page (WCAG 2.0 and 2.1, levels A and AA) and return its violations."""
    # A page that is not the active tab gets no animation frames in headless Chromium, and axe-core
    # waits for them: bring the page to the front, and never wait for axe longer than a minute.
    page.bring_to_front()
    # A click that navigates may return before the new document has a head to add the script to.
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    return page.evaluate(
        """async (tags) => {
            const run = axe.run(document, {runOnly: {type: 'tag', values: tags}});
            const limit = new Promise((_, reject) =>
                setTimeout(() => reject(new Error('axe-core did not finish within 60 s')), 60000));
            const result = await Promise.race([run, limit]);
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary})),
            }));
        }""",
        WCAG_TAGS,
    )


def check_accessible(page: Page) -> None:
    """Fail with every axe-core violation on the page: rule, impact, and the elements concerned."""
    violations = accessibility_violations(page)
    if violations:
        lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"]:
                lines.append(f"    {json.dumps(node['target'], ensure_ascii=False)}: {node['summary']}")
        pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture
def assert_accessible() -> Callable[[Page], None]:
    """Return check(page): axe-core with no violations."""
    return check_accessible


def check_at_each_width(page: Page, assert_accessible: Callable[[Page], None] = check_accessible) -> None:
    """axe finds nothing and the page does not scroll sideways, on a desktop and on a phone."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {width}px"
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def screenshot_path(name: str) -> Path:
    """Return a path in the temporary folder (/tmp) for a screenshot to look at while developing."""
    return Path(tempfile.gettempdir()) / f"quota-{name}.png"
