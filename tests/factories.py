"""Plain helpers shared by several test packages' conftests (fixtures themselves live in the conftests)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, g
from sqlmodel import Session

from quota_app import web
from quota_app.models import Place, PlaceEvent
from quota_app.settings import Settings

# (status, effective date), (status, effective date, recorded at) or
# (status, effective date, recorded at, voided at)
EventSpec = tuple
CREATED = datetime(2010, 1, 1, tzinfo=UTC)


def fresh_context_per_request(app: Flask) -> None:
    """Close the request's session and forget g after every request, as a real app context would.

    The app fixture keeps one app context for the whole test, so teardown_appcontext (which closes the
    request's session) would otherwise only run at the end: a session left open across requests nests
    its savepoints out of order with the test's session, and g keeps the first request's locale and user.
    """

    def teardown(exc: BaseException | None) -> None:
        web._close_session(exc)
        for key in list(g):
            g.pop(key)

    app.teardown_request(teardown)


def insert_place(
    session: Session,
    reference: dict,
    *,
    department: str,
    type_code: str,
    events: Sequence[EventSpec],
    place_reference: str,
    title: str = "",
    fte: float = 1.0,
    unit_id: int | None = None,
    default_recorded: datetime | None = None,
) -> Place:
    """Insert a place and its events directly with the models (no services, no audit), then flush.

    An event without a recorded-at takes `default_recorded`; a fourth element voids the event.
    """
    place = Place(
        department_id=reference["departments"][department].id,
        type_id=reference["types"][type_code].id,
        unit_id=unit_id,
        reference=place_reference,
        title=title,
        fte=fte,
        created_at=CREATED,
    )
    session.add(place)
    session.flush()
    for spec in events:
        status, effective = spec[:2]
        recorded = spec[2] if len(spec) > 2 else default_recorded
        voided = spec[3] if len(spec) > 3 else None
        session.add(
            PlaceEvent(
                place_id=place.id,
                status=status,
                effective_date=effective,
                recorded_at=recorded,
                voided_at=voided,
                void_reason="fejl" if voided else None,
                source="test",
            )
        )
    session.flush()
    return place


def bare_settings(tmp_path: Path) -> Settings:
    """Settings for an app that never touches its database (pages, menus, catalogues)."""
    return Settings(
        env="test",
        instance_path=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        secret_key="test-secret",
        session_cookie_secure=False,
    )


@contextmanager
def example(session: Session) -> Iterator[None]:
    """Run one Hypothesis example inside a savepoint that is rolled back afterwards."""
    savepoint = session.begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()
        session.expunge_all()
