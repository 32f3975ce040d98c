"""BIF's overview: fulfilment per department and placement type, what-if rules, drill-down and place lists.

Figures come from the counting package (quota_app.reconcile); this module only chooses what to
ask it, caches answers that cannot change, and shapes the results for pages and exports.

Results are cached per worker under a fingerprint of everything they depend on (see cache_key), so a
cached figure is never stale; the live overview is computed again as soon as anything is registered.

Choices where the issue is silent:
- Fulfilment levels: below target under 90 %, near target from 90 % to under 100 %, at target from 100 %.
- A what-if toggles whether open places of a stock type count (e.g. "count open work placements too").
- The places behind a figure are those on the measuring date (a period's last day), also for averages.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import STATUSES, CountingRule, Department, Place, PlaceEvent, PlacementType, Target, Unit
from ..periods import Period
from ..reconcile.ageing import ageing_summary, open_places_longest, time_to_fill
from ..reconcile.figures import monthly_trend, reconcile
from ..reconcile.places import place_listing
from ..reconcile.queries import holds_on, known_intervals, scope
from ..reconcile.rules import counted_figure, counting_rules, type_ids
from ..reconcile.types import (
    AgeingBuckets,
    OpenPlaceAge,
    Reconciliation,
    ReconciliationRow,
    RuleOverride,
    TimeToFill,
    Totals,
)

NEAR_FROM = 90.0  # below target under this percentage
AT_FROM = 100.0  # at target from this percentage
LEVELS = ("below", "near", "at", "none")
TREND_YEARS = 3
PLACES_PER_PAGE = 100


def fulfilment_level(pct: float | None) -> str:
    """Return 'below', 'near', 'at' or 'none' (no target) for a fulfilment percentage."""
    if pct is None:
        return "none"
    if pct >= AT_FROM:
        return "at"
    if pct >= NEAR_FROM:
        return "near"
    return "below"


# --- reference data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeInfo:
    code: str
    name_da: str
    name_en: str
    measure: str
    target_unit: str

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_da


@dataclass(frozen=True)
class DepartmentInfo:
    id: int
    code: str
    name: str


def active_departments(session: Session) -> list[DepartmentInfo]:
    rows = session.exec(
        select(Department).where(Department.active).order_by(Department.sort, Department.code)
    ).all()
    return [DepartmentInfo(d.id, d.code, d.name) for d in rows]  # type: ignore[arg-type]


def placement_types(session: Session, *, active_only: bool = True) -> list[TypeInfo]:
    statement = select(PlacementType).order_by(PlacementType.sort, PlacementType.code)
    if active_only:
        statement = statement.where(PlacementType.active)
    return [TypeInfo(t.code, t.name_da, t.name_en, t.measure, t.target_unit) for t in session.exec(statement)]


# --- what-if -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WhatIfChoice:
    """Toggle whether open places of a stock type count, against the year's adopted rule."""

    type: TypeInfo
    adopted: tuple[str, ...]
    adds_open: bool  # True: "count open places too"; False: "stop counting open places"

    @property
    def override(self) -> RuleOverride:
        if self.adds_open:
            statuses = (*self.adopted, "open")
        else:
            statuses = tuple(s for s in self.adopted if s != "open")
        return RuleOverride(self.type.code, statuses)


def what_if_choices(session: Session, *, year: int) -> list[WhatIfChoice]:
    """Return one open-places toggle per active stock type, from the year's adopted counting rules."""
    types = [t for t in placement_types(session) if t.measure == "stock"]
    objects = session.exec(select(PlacementType).where(PlacementType.code.in_([t.code for t in types]))).all()
    rules = counting_rules(session, year=year, types=objects)
    choices = []
    for t in types:
        adopted = tuple(rules[t.code].statuses)
        choices.append(WhatIfChoice(t, adopted, adds_open="open" not in adopted))
    return choices


def overrides_for(choices: Sequence[WhatIfChoice], type_codes: Sequence[str]) -> tuple[RuleOverride, ...]:
    wanted = set(type_codes)
    return tuple(c.override for c in choices if c.type.code in wanted)


# --- the overview --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """What to count: a date or a period, a method, and the time the figures are as known at."""

    as_of: date | None
    period: Period | None
    method: str
    known_at: datetime
    live: bool = False  # known_at is simply now: nobody chose a moment

    @property
    def day(self) -> date:
        """The measuring date (a period's last day)."""
        return self.period.end if self.period is not None else self.as_of  # type: ignore[return-value]

    @property
    def year(self) -> int:
        return self.day.year


@dataclass
class Overview:
    measure: Measure
    departments: list[DepartmentInfo]
    types: list[TypeInfo]
    adopted: Reconciliation
    what_if: Reconciliation | None = None
    overrides: tuple[RuleOverride, ...] = ()
    _cells: dict[tuple[str, str], ReconciliationRow] = field(default_factory=dict)
    _what_if_cells: dict[tuple[str, str], ReconciliationRow] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._cells = {(r.department, r.type): r for r in self.adopted.rows}
        if self.what_if is not None:
            self._what_if_cells = {(r.department, r.type): r for r in self.what_if.rows}

    def cell(self, department: str, type_code: str) -> ReconciliationRow | None:
        return self._cells.get((department, type_code))

    def what_if_cell(self, department: str, type_code: str) -> ReconciliationRow | None:
        return self._what_if_cells.get((department, type_code))

    @property
    def overridden_types(self) -> set[str]:
        return {o.type_code for o in self.overrides}


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


def data_fingerprint(session: Session) -> tuple:
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
    targets = session.execute(
        sa.select(
            sa.func.count(), sa.func.max(Target.updated_at), sa.func.sum(Target.value), sa.func.max(Target.id)
        )
    ).one()
    rules = tuple(
        session.execute(
            sa.select(
                CountingRule.year, CountingRule.type_id, CountingRule.counted_statuses, CountingRule.weighting
            ).order_by(CountingRule.year, CountingRule.type_id)
        ).all()
    )
    departments = tuple(
        session.execute(sa.select(Department.id, Department.active, Department.sort).order_by(Department.id))
    )
    types = tuple(
        session.execute(
            sa.select(PlacementType.id, PlacementType.active, PlacementType.measure).order_by(
                PlacementType.id
            )
        )
    )
    return (tuple(places), last_event, tuple(targets), rules, departments, types)


LIVE = "live"


def cache_key(
    session: Session,
    *,
    measure: Measure,
    overrides: Sequence[RuleOverride],
    now: datetime,
    fingerprint: tuple | None = None,
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
    params: tuple,
    measure: Measure,
    now: datetime,
    compute: Callable[[], Any],
    fingerprint: tuple | None = None,
) -> Any:
    """Return compute()'s result, reused under the same key rules as the overview (see cache_key)."""
    key = (name, params, cache_key(session, measure=measure, overrides=(), now=now, fingerprint=fingerprint))
    value = RESULTS.get(key)
    if value is None:
        value = compute()
        RESULTS.put(key, value)
    return value


def _reconcile(
    session: Session,
    *,
    measure: Measure,
    overrides: Sequence[RuleOverride],
    now: datetime,
    fingerprint: tuple | None = None,
) -> Reconciliation:
    key = cache_key(session, measure=measure, overrides=overrides, now=now, fingerprint=fingerprint)
    cached = RESULTS.get(key)
    if cached is None:
        cached = reconcile(
            session,
            as_of=measure.as_of,
            period=measure.period,
            method=measure.method,  # type: ignore[arg-type]
            known_at=measure.known_at,
            overrides=tuple(overrides),
        )
        RESULTS.put(key, cached)
    # A live result computed a moment ago holds the same figures; it is labelled with this request's time.
    return cached if cached.known_at == measure.known_at else replace(cached, known_at=measure.known_at)


def build_overview(
    session: Session, *, measure: Measure, overrides: Sequence[RuleOverride] = (), now: datetime
) -> Overview:
    """Reconcile every active department and type with the adopted rules, and with the what-if if any."""
    fingerprint = data_fingerprint(session)
    adopted = _reconcile(session, measure=measure, overrides=(), now=now, fingerprint=fingerprint)
    what_if = (
        _reconcile(session, measure=measure, overrides=overrides, now=now, fingerprint=fingerprint)
        if overrides
        else None
    )
    return Overview(
        measure=measure,
        departments=active_departments(session),
        types=placement_types(session),
        adopted=adopted,
        what_if=what_if,
        overrides=tuple(overrides),
    )


@dataclass(frozen=True)
class DepartmentFigures:
    summary: Reconciliation
    units: list[UnitFigures]
    longest: list[OpenPlaceAge]
    ageing: dict[tuple[str, str], AgeingBuckets]
    fill_period: Period
    fills: list[TimeToFill]


def department_figures(
    session: Session, *, department: DepartmentInfo, measure: Measure, now: datetime
) -> DepartmentFigures:
    """Return everything the department page shows (cached like the overview)."""

    def compute() -> DepartmentFigures:
        code = [department.code]
        fill_period = measure.period or Period(measure.day.year)
        return DepartmentFigures(
            summary=reconcile(
                session,
                as_of=measure.as_of,
                period=measure.period,
                method=measure.method,  # type: ignore[arg-type]
                known_at=measure.known_at,
                department_codes=code,
            ),
            units=unit_breakdown(
                session, department=department, as_of=measure.day, known_at=measure.known_at
            ),
            longest=open_places_longest(
                session, as_of=measure.day, known_at=measure.known_at, department_codes=code, limit=20
            ),
            ageing=ageing_summary(
                session, as_of=measure.day, known_at=measure.known_at, department_codes=code
            ),
            fill_period=fill_period,
            fills=time_to_fill(session, period=fill_period, known_at=measure.known_at, department_codes=code),
        )

    figures = remember(
        session, name="department", params=(department.code,), measure=measure, now=now, compute=compute
    )
    if figures.summary.known_at != measure.known_at:
        figures = replace(figures, summary=replace(figures.summary, known_at=measure.known_at))
    return figures


# --- the places behind a figure: ids from quota_app.reconcile.places.places_behind ---------------------


@dataclass(frozen=True)
class PlaceLine:
    id: int
    reference: str
    title: str
    department: str
    unit: str | None
    type: str
    fte: float
    status: str | None  # on the measuring date, as known at known_at


def place_lines(
    session: Session, *, place_ids: Sequence[int], as_of: date, known_at: datetime
) -> list[PlaceLine]:
    """Return the places with these ids, ordered by department, type and reference, with their status."""
    if not place_ids:
        return []
    statuses = statuses_on(session, place_ids=place_ids, as_of=as_of, known_at=known_at)
    query = (
        place_listing(
            Place.id,
            Place.reference,
            Place.title,
            Department.code,
            Unit.name,
            PlacementType.code,
            Place.fte,
            Department.sort,
            PlacementType.sort,
        )
        .where(Place.id.in_(list(place_ids)))
        .order_by(Department.sort, PlacementType.sort, Place.reference, Place.id)
    )
    return [
        PlaceLine(pid, ref, title, dept, unit, type_code, float(fte), statuses.get(pid))
        for pid, ref, title, dept, unit, type_code, fte, _ds, _ts in session.execute(query)
    ]


def statuses_on(
    session: Session, *, place_ids: Sequence[int], as_of: date, known_at: datetime
) -> dict[int, str]:
    """Return the status of each place on as_of as known at known_at (places not existing yet left out)."""
    if not place_ids:
        return {}
    known = known_intervals(
        known_at,
        lambda t: (t.c.place_id, t.c.status),
        lambda t: (t.c.place_id.in_(list(place_ids)), holds_on(t, as_of)),
    )
    return {int(pid): status for pid, status in session.execute(sa.select(known))}


# --- drill-down ----------------------------------------------------------------------------------------


@dataclass
class UnitFigures:
    unit_id: int | None
    name: str | None
    by_type: dict[str, dict[str, float]]  # type code -> {"open": n, ..., "counted": n}

    def total(self, key: str) -> float:
        return sum(figures.get(key, 0.0) for figures in self.by_type.values())


def _department_intervals_on(
    session: Session, department: DepartmentInfo, *, as_of: date, known_at: datetime
) -> sa.Subquery:
    """Return place_id, type_id and status of the department's places on as_of as known at known_at."""
    types = type_ids(session)
    return known_intervals(
        known_at,
        lambda t: (t.c.place_id, t.c.type_id, t.c.status),
        lambda t: (
            *scope(t, department_ids=[department.id], type_ids=types, statuses=STATUSES),
            holds_on(t, as_of),
        ),
        name="department_intervals",
    )


def unit_breakdown(
    session: Session, *, department: DepartmentInfo, as_of: date, known_at: datetime
) -> list[UnitFigures]:
    """Return places per unit, type and status on as_of (headcount), with what counts under the rules."""
    types = placement_types(session)
    type_objects = session.exec(select(PlacementType)).all()
    rules = counting_rules(session, year=as_of.year, types=type_objects)
    type_code_by_id = {t.id: t.code for t in type_objects}
    iv = _department_intervals_on(session, department, as_of=as_of, known_at=known_at)
    query = (
        sa.select(Place.unit_id, iv.c.type_id, iv.c.status, sa.func.count())
        .select_from(iv.join(Place, Place.id == iv.c.place_id))
        .group_by(Place.unit_id, iv.c.type_id, iv.c.status)
    )
    units = {
        u.id: u.name
        for u in session.exec(select(Unit).where(Unit.department_id == department.id).order_by(Unit.name))
    }
    figures: dict[int | None, dict[str, dict[str, float]]] = {uid: {} for uid in units}
    stock_codes = {t.code for t in types if t.measure == "stock"}
    for unit_id, type_id, status, n in session.execute(query):
        code = type_code_by_id[type_id]
        cell = figures.setdefault(unit_id, {}).setdefault(code, {})
        cell[status] = cell.get(status, 0.0) + float(n)
    for by_type in figures.values():
        for code, cell in by_type.items():
            if code in stock_codes:  # on a date a unit has no starts: its flow types count nothing here
                cell["counted"] = counted_figure(rules[code], measure="stock", by_status=cell, starts=0.0)
    result = [UnitFigures(uid, units.get(uid), by_type) for uid, by_type in figures.items()]
    result.sort(key=lambda u: (u.unit_id is None, (u.name or "").casefold()))
    return result


def unit_place_ids(
    session: Session, *, department: DepartmentInfo, unit_id: int | None, as_of: date, known_at: datetime
) -> list[int]:
    """Return the ids of a unit's places that exist on as_of as known at known_at."""
    iv = _department_intervals_on(session, department, as_of=as_of, known_at=known_at)
    unit_match = Place.unit_id.is_(None) if unit_id is None else Place.unit_id == unit_id
    query = (
        sa.select(Place.id)
        .select_from(iv.join(Place, Place.id == iv.c.place_id))
        .where(unit_match)
        .order_by(Place.id)
    )
    return [int(pid) for (pid,) in session.execute(query)]


def trend(
    session: Session, *, department_code: str, type_code: str, measure: Measure, now: datetime
) -> tuple[list[tuple[date, float, int | None]], list[OpenPlaceAge]]:
    """Return the monthly counted figure against target over the last three years up to the measuring
    date, and the type's places open longest (cached like the overview)."""
    end = measure.day
    start = (date(end.year - TREND_YEARS, end.month, 1) + timedelta(days=32)).replace(day=1)

    def compute() -> tuple[list[tuple[date, float, int | None]], list[OpenPlaceAge]]:
        points = monthly_trend(
            session,
            department_code=department_code,
            type_code=type_code,
            start=start,
            end=end,
            known_at=measure.known_at,
        )
        longest = open_places_longest(
            session,
            as_of=end,
            known_at=measure.known_at,
            department_codes=[department_code],
            type_codes=[type_code],
            limit=20,
        )
        return points, longest

    return remember(
        session,
        name="trend",
        params=(department_code, type_code),
        measure=measure,
        now=now,
        compute=compute,
    )


# --- exports -------------------------------------------------------------------------------------------


def _cell_values(row: ReconciliationRow | Totals | None) -> list[Any]:
    if row is None:
        return [None, None, None, None]
    return [row.target, row.counted, row.fulfilment_pct, row.gap]


def overview_rows(overview: Overview, *, locale: str, labels: dict[str, str]) -> list[list[Any]]:
    """Return the overview as a header row and one row per department and type (plus totals)."""
    header = [
        labels["department"],
        labels["type"],
        labels["rule"],
        labels["target"],
        labels["counted"],
        labels["fulfilment"],
        labels["gap"],
        labels["level"],
    ]
    if overview.what_if is not None:
        header += [labels["what_if_counted"], labels["what_if_fulfilment"], labels["what_if_gap"]]
    rows: list[list[Any]] = [header]
    type_names = {t.code: t.name(locale) for t in overview.types}

    def line(department: str, type_name: str, rule: str, adopted: Any, what_if: Any) -> list[Any]:
        values = _cell_values(adopted)
        result = [department, type_name, rule, *values, labels[f"level_{fulfilment_level(values[2])}"]]
        if overview.what_if is not None:
            result += _cell_values(what_if)[1:]
        return result

    for d in overview.departments:
        for t in overview.types:
            rule = ", ".join(overview.adopted.rules.get(t.code, ((), ""))[0])
            rows.append(
                line(
                    d.code,
                    type_names[t.code],
                    rule,
                    overview.cell(d.code, t.code),
                    overview.what_if_cell(d.code, t.code),
                )
            )
        rows.append(
            line(
                d.code,
                labels["total"],
                "",
                overview.adopted.by_department.get(d.code),
                overview.what_if.by_department.get(d.code) if overview.what_if else None,
            )
        )
    for t in overview.types:
        rows.append(
            line(
                labels["municipality"],
                type_names[t.code],
                "",
                overview.adopted.by_type.get(t.code),
                overview.what_if.by_type.get(t.code) if overview.what_if else None,
            )
        )
    rows.append(
        line(
            labels["municipality"],
            labels["total"],
            "",
            overview.adopted.municipality,
            overview.what_if.municipality if overview.what_if else None,
        )
    )
    return rows
