"""Figures reused while nothing they depend on changes.

Results are cached per worker under a fingerprint of everything they depend on (see cache_key), so a
cached figure is never stale; the live overview is computed again as soon as anything is registered.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col

from ..models import CountingRule, Department, Place, PlaceEvent, PlacementType, Target
from ..reconcile.figures import reconcile
from ..reconcile.types import Reconciliation, RuleOverride
from .measure import Measure


class ResultCache:
    """A small thread-safe LRU cache for results that cannot change (see cache_key)."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


RESULTS = ResultCache(size=256)
T = TypeVar("T")


def data_fingerprint(session: Session) -> tuple[Any, ...]:
    """Return a cheap summary that changes whenever anything deciding the figures changes.

    - Places: every status change goes through the place services, which bump the place's version (also
      for corrections and voids) or add a place, so (count, max id, sum of versions) changes with every
      recorded, corrected or voided event and every change of a place's department, type or weighting.
      The highest event id is included as well, for events added without the services.
    - Targets and counting rules are current values (not bitemporal), departments and types can be
      retired: a summary of every target and every rule row is part of it (trends span several years).
    """
    places = session.execute(
        sa.select(sa.func.count(), sa.func.max(Place.id), sa.func.sum(Place.version))
    ).one()
    last_event = session.execute(sa.select(sa.func.max(PlaceEvent.id))).scalar_one()
    return (tuple(places), last_event, *reference_fingerprint(session))


def reference_fingerprint(session: Session) -> tuple[Any, ...]:
    """The part of data_fingerprint that is not places and events: targets, counting rules, departments
    and types, which change seldom."""
    targets = session.execute(
        sa.select(
            sa.func.count(), sa.func.max(Target.updated_at), sa.func.sum(Target.value), sa.func.max(Target.id)
        )
    ).one()
    rules = tuple(
        session.execute(
            sa.select(
                col(CountingRule.year),
                col(CountingRule.type_id),
                col(CountingRule.counted_statuses),
                col(CountingRule.weighting),
            ).order_by(col(CountingRule.year), col(CountingRule.type_id))
        ).all()
    )
    departments = tuple(
        session.execute(
            sa.select(col(Department.id), col(Department.active), col(Department.sort)).order_by(
                col(Department.id)
            )
        )
    )
    types = tuple(
        session.execute(
            sa.select(col(PlacementType.id), col(PlacementType.active), col(PlacementType.measure)).order_by(
                col(PlacementType.id)
            )
        )
    )
    return (tuple(targets), rules, departments, types)


LIVE = "live"


def cache_key(
    session: Session,
    *,
    measure: Measure,
    overrides: Sequence[RuleOverride],
    now: datetime,
    fingerprint: tuple[Any, ...] | None = None,
) -> Any:
    """Return the key under which a reconciliation may be reused while nothing it depends on changes.

    Events are recorded and voided at the server's now, so the figures as known at now stay the same
    until someone records, corrects or voids an event, or changes a place, target or rule; all of these
    change data_fingerprint. A known-at of now (nobody chose a moment) is keyed as "live", a chosen one
    by its moment.
    """
    known_at = LIVE if measure.live or measure.known_at >= now else measure.known_at
    return (
        measure.as_of,
        measure.period,
        measure.method,
        known_at,
        tuple(overrides),
        fingerprint if fingerprint is not None else data_fingerprint(session),
    )


def remember(
    session: Session,
    *,
    name: str,
    params: tuple[Any, ...],
    measure: Measure,
    now: datetime,
    compute: Callable[[], T],
    fingerprint: tuple[Any, ...] | None = None,
) -> T:
    """Return compute()'s result, reused under the same key rules as the overview (see cache_key)."""
    key = (name, params, cache_key(session, measure=measure, overrides=(), now=now, fingerprint=fingerprint))
    value: T | None = RESULTS.get(key)
    if value is None:
        value = compute()
        RESULTS.put(key, value)
    return value


def reconcile_measure(
    session: Session, *, measure: Measure, overrides: Sequence[RuleOverride] = ()
) -> Reconciliation:
    """Reconcile every active department and type as the measure asks, with these what-ifs (not cached)."""
    return reconcile(
        session,
        as_of=measure.as_of,
        period=measure.period,
        method=measure.method,
        known_at=measure.known_at,
        overrides=tuple(overrides),
    )


def labelled(result: Reconciliation, measure: Measure) -> Reconciliation:
    """A live result computed a moment ago holds the same figures; label it with this request's time."""
    return result if result.known_at == measure.known_at else replace(result, known_at=measure.known_at)


def reconciliation(
    session: Session,
    *,
    measure: Measure,
    overrides: Sequence[RuleOverride],
    now: datetime,
    fingerprint: tuple[Any, ...] | None = None,
) -> Reconciliation:
    """Return the reconciliation the measure asks for with these overrides, reused while its key holds."""
    key = cache_key(session, measure=measure, overrides=overrides, now=now, fingerprint=fingerprint)
    cached = RESULTS.get(key)
    if cached is None:
        cached = reconcile_measure(session, measure=measure, overrides=overrides)
        RESULTS.put(key, cached)
    return labelled(cached, measure)
