"""Shared fixtures: a fresh SQLite and PostgreSQL database per run, each test in a rolled-back transaction."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from psycopg.pq import TransactionStatus
from sqlmodel import Session, SQLModel

import quota_app.models  # noqa: F401
from quota_app import create_app
from quota_app.auth import services as auth
from quota_app.clock import FrozenClock
from quota_app.db import Database, QuotaSession, make_engine
from quota_app.models import Department, Place, Target, Unit, User
from quota_app.places import registration, status_events
from quota_app.reconcile.intervals import places_out_of_step
from quota_app.reference import ensure_default_rules, ensure_departments, ensure_placement_types
from quota_app.settings import Settings
from tests.factories import EventSpec, fresh_context_per_request, insert_place

PG_ADMIN_URL = os.environ.get("QUOTA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEST_PASSWORD = "correct horse battery staple"
T0 = datetime(2025, 9, 30, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2id still, with test-sized cost: the default cost makes every sign-in in a test slow."""
    from argon2 import PasswordHasher

    original = auth._hasher
    auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    auth._hasher = original


def _pg_available() -> str | None:
    try:
        engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
        return None
    except sa.exc.OperationalError as exc:
        return str(exc).splitlines()[0]


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """Create a fresh PostgreSQL database for this run (and this xdist worker); drop it afterwards."""
    problem = _pg_available()
    if problem:
        message = f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {problem}"
        if os.environ.get("CI"):
            pytest.exit(f"{message}. CI requires PostgreSQL.", returncode=1)
        pytest.skip(f"{message}; skipping PostgreSQL tests (CI will not skip them)")
    name = f"quota_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"))
    try:
        yield sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _schema_engine(url: str) -> sa.Engine:
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    return engine


@pytest.fixture(scope="session")
def sqlite_engine(sqlite_url: str) -> Iterator[sa.Engine]:
    engine = _schema_engine(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_engine(pg_url: str) -> Iterator[sa.Engine]:
    engine = _schema_engine(pg_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> sa.Engine:
    """Every test that uses the database runs once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{'pg' if request.param == 'postgresql' else 'sqlite'}_engine")


@pytest.fixture
def connection(engine: sa.Engine) -> Iterator[sa.Connection]:
    conn = engine.connect()
    transaction = conn.begin()
    yield conn
    try:
        if _usable(conn):
            # Whatever wrote events in this test, the counted intervals must be those the events give.
            assert places_out_of_step(conn) == [], "status intervals out of step with the events"
    finally:
        transaction.rollback()
        conn.close()


def _usable(conn: sa.Connection) -> bool:
    """False when the test left PostgreSQL's transaction aborted (by an error it expected)."""
    if conn.dialect.name != "postgresql":
        return True
    return conn.connection.dbapi_connection.info.transaction_status != TransactionStatus.INERROR


@pytest.fixture
def session(connection: sa.Connection) -> Iterator[Session]:
    """A session inside the test's transaction; its commits are savepoints, all rolled back at the end."""
    db_session = QuotaSession(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield db_session
    db_session.close()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        env="test", instance_path=tmp_path / "instance", secret_key="test-secret", session_cookie_secure=False
    )


@pytest.fixture
def app(settings: Settings, connection: sa.Connection, clock: FrozenClock) -> Iterator[Flask]:
    """The app on the test's connection and clock, the one app of every test package (a package changes
    what it needs through `settings`, `clock` or `connection`, not a second app fixture).

    The test holds an app context open (so it may call url_for, db_session() and the services' helpers
    between requests), and each request still ends as in production: fresh_context_per_request closes
    the request's session and forgets `g` (the signed-in user, the CSRF token, the locale), so several
    browsers (test clients) of one test do not share them.
    """
    application = create_app(settings, database=Database.bound_to(connection), clock=clock)
    fresh_context_per_request(application)
    with application.app_context():
        yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def reference(session: Session) -> dict:
    """Departments, placement types and default rules for 2013-2027."""
    departments = ensure_departments(session)
    types = ensure_placement_types(session)
    for year in range(2013, 2028):
        ensure_default_rules(session, year)
    session.commit()
    return {"departments": departments, "types": types}


@pytest.fixture
def make_user(session: Session, reference: dict, clock: FrozenClock) -> Callable[..., User]:
    """Return a factory make_user(role, department_code, email) -> User with password TEST_PASSWORD."""
    counter = iter(range(1, 10_000))

    def factory(role: str = "hr", department_code: str | None = "SOF", email: str | None = None) -> User:
        user = auth.create_user(
            session,
            email=email or f"{role}{next(counter)}@test.kk.dk",
            role=role,
            password=TEST_PASSWORD,
            department_code=department_code if role == "hr" else None,
            actor="test",
            now=clock.now(),
        )
        session.commit()
        return user

    return factory


@pytest.fixture
def make_unit(session: Session, reference: dict) -> Callable[..., Unit]:
    """Return a factory make_unit(department, name) -> Unit (inserted, flushed)."""

    def factory(department: str, name: str) -> Unit:
        unit = Unit(department_id=reference["departments"][department].id, name=name)
        session.add(unit)
        session.flush()
        return unit

    return factory


@pytest.fixture
def make_place(session: Session, reference: dict) -> Callable[..., Place]:
    """Return the one factory of places with a given history, inserted directly with the models (no services,
    no audit), flushed: make_place(department, type_code, events, *, fte=1.0, unit=None, reference=None,
    title="", recorded=None) -> Place. Events are tests.factories.EventSpec; an event without its own
    recorded-at takes `recorded`. The counting, monitoring, report and forecast tests build on it; tests of
    the places services register places through them (each package's test modules say how)."""
    serial = iter(range(1, 1_000_000))
    reference_data = reference  # the factory's own `reference` argument is the place's reference

    def factory(
        department: str,
        type_code: str,
        events: Sequence[EventSpec],
        *,
        fte: float = 1.0,
        unit: Unit | None = None,
        reference: str | None = None,
        title: str = "",
        recorded: datetime | None = None,
    ) -> Place:
        return insert_place(
            session,
            reference_data,
            department=department,
            type_code=type_code,
            events=events,
            place_reference=reference or f"P-{next(serial):06d}",
            title=title,
            fte=fte,
            unit_id=unit.id if unit else None,
            default_recorded=recorded,
        )

    return factory


@pytest.fixture
def register_place(session: Session, reference: dict, clock: FrozenClock) -> Callable[..., Place]:
    """Return the one factory of places made through the places services (with their checks and audit):
    register_place(*history, actor="test", department=None, type_code="internship", unit=None,
    reference=None, commit=False, **fields) -> Place (department: the unit's, else SOF). history is
    (status, date) pairs, the first registers
    the place (default: open on 6 January 2025), the rest are recorded after it; fields go to
    register_place (title, fte, note, ...). With commit the test's session commits, so the app's
    requests see the place."""
    counter = iter(range(1, 100_000))

    def factory(
        *history: tuple[str, date],
        actor: User | str = "test",
        department: str | None = None,
        type_code: str = "internship",
        unit: Unit | None = None,
        reference: str | None = None,
        commit: bool = False,
        **fields: Any,
    ) -> Place:
        history = history or (("open", date(2025, 1, 6)),)
        (status, day), rest = history[0], history[1:]
        place = registration.register_place(
            session,
            department_id=reference_data["departments"][department].id
            if department is not None
            else (unit.department_id if unit is not None else reference_data["departments"]["SOF"].id),
            type_code=type_code,
            reference=reference if reference is not None else f"P-{next(counter)}",
            unit_id=unit.id if unit else None,
            status=status,
            effective_date=day,
            actor=actor,
            now=clock.now(),
            **fields,
        )
        for status, day in rest:
            status_events.record_status(
                session, place_id=place.id, status=status, effective_date=day, actor=actor, now=clock.now()
            )
        if commit:
            session.commit()
        return place

    reference_data = reference  # the factory's own `reference` argument is the place's reference
    return factory


@pytest.fixture
def make_target(session: Session, reference: dict) -> Callable[..., Target]:
    """Return a factory make_target(year, department, type, value) -> Target (inserted, flushed)."""

    def factory(year: int, department: str, type_code: str, value: int) -> Target:
        target = Target(
            year=year,
            department_id=reference["departments"][department].id,
            type_id=reference["types"][type_code].id,
            value=value,
            decided_on=date(year - 1, 12, 10),
            updated_at=datetime(year - 1, 12, 10, tzinfo=UTC),
        )
        session.add(target)
        session.flush()
        return target

    return factory


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], None]:
    """Return a function that signs a user in through the real form."""

    def do_login(user: User, password: str = TEST_PASSWORD) -> None:
        token = csrf_from(client.get("/login").get_data(as_text=True))
        response = client.post(
            "/login", data={"email": user.email, "password": password, "csrf_token": token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]

    return do_login


def department(session: Session, code: str) -> Department:
    return session.exec(sa.select(Department).where(Department.code == code)).scalar_one()


@pytest.fixture
def make_token(session: Session, clock: FrozenClock) -> Callable[..., str]:
    """Return a factory make_token(user) -> secret (a committed, active token)."""
    from quota_app.tokens.services import create_token

    def factory(user: User, name: str = "test") -> str:
        _token, secret = create_token(session, user=user, name=name, actor=user, now=clock.now())
        session.commit()
        return secret

    return factory
