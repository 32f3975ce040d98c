"""Factories for import tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from quota_app.clock import FrozenClock
from quota_app.imports.files import ImportResult
from quota_app.imports.places import import_places
from quota_app.models import AuditEntry, Place, PlaceEvent, Unit

HEADER = "reference;department;type;status;effective_date;unit;title;fte;note"


@pytest.fixture
def run_import(session: Session, reference: dict, clock: FrozenClock) -> Callable[..., ImportResult]:
    """Return run_import(text_or_bytes, filename="places.csv", **options) -> ImportResult (UTF-8 for text)."""

    def factory(content: str | bytes, filename: str = "places.csv", **options: object) -> ImportResult:
        data = content.encode("utf-8") if isinstance(content, str) else content
        options.setdefault("actor", "test")
        options.setdefault("now", clock.now())
        return import_places(session, data=data, filename=filename, **options)  # type: ignore[arg-type]

    return factory


@pytest.fixture
def counts(session: Session) -> Callable[[], dict[str, int]]:
    """Return counts() -> rows in the tables an import writes."""

    def factory() -> dict[str, int]:
        return {
            model.__tablename__: session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()
            for model in (Place, PlaceEvent, Unit, AuditEntry)
        }

    return factory


def event_count(session: Session) -> int:
    return session.execute(sa.select(sa.func.count()).select_from(PlaceEvent)).scalar_one()
