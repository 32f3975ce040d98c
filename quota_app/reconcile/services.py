"""Counting places against targets (docs/counting.md): SQL aggregates over bitemporal status intervals.

The status of place P on date D as known at T is the event with the greatest (effective_date,
recorded_at) among the events with effective_date <= D, recorded_at <= T and not voided at T
(voided_at IS NULL OR voided_at > T); events recorded at the same instant for the same date are
ordered by id. Counting reads that from the status intervals derived from the events
(quota_app.reconcile.intervals): the intervals as known at T are the current ones known since T or
earlier, and the superseded ones known over a span that contains T. Every figure is then one range
aggregate per table over an index that covers it: per department, type and status, the intervals ending
after the first day asked about.

Choices where the users' rules are silent (docs/counting.md §10, documented for the CLI, the web and reports):
- "average" on a single date is the count on that date; ties (same date and recorded_at) go to the
  higher event id; ageing counts days from the start of the current open spell (the first `open` after
  another status) to the date; time to fill is grouped by the fill's date.
- Flow types (measure "flow") count transitions into `filled` (from another status, or as the first
  event) whose effective date falls in the period; on a single date, from 1 January of its year.
  Their open/filled/paused/closed figures follow the method like stock types.
- A half-year is measured against its year's target. For flow types at H1 `target_pro_rata` is the
  annual target × days of H1 / days of the year (one decimal); fulfilment stays against the annual
  target.
- Totals sum their rows. Their target is the sum of the targets of the rows that have one (None when
  no row has); their fulfilment and gap compare that target with the counted places of those same rows,
  so a row without a target never inflates fulfilment.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

from ..db import DayNumber, greatest, least
from ..errors import DomainError
from ..models import STATUSES, WEIGHTINGS, CountingRule, Department, Place, PlacementType, Target
from ..periods import Period
from ..reference import PLACEMENT_TYPES
from ..texts import N_
from .intervals import CURRENT, SUPERSEDED
from .types import (
    AgeingBuckets,
    OpenPlaceAge,
    Reconciliation,
    ReconciliationRow,
    RuleOverride,
    TimeToFill,
    Totals,
)

PLACES = Place.__table__
SOURCES = (CURRENT, SUPERSEDED)
DEFAULT_RULES = {t.code: tuple(s for s in t.counted_statuses.split(",") if s) for t in PLACEMENT_TYPES}
NUMERIC_KEYS = ("target", "open", "filled", "paused", "closed", "counted", "fulfilment_pct", "gap")


# --- SQL building blocks -------------------------------------------------------------------------------


def _day(value: date) -> Any:
    return sa.literal(value, DayNumber())


def days_from(earlier: Any, later: Any) -> Any:
    """Whole days from one day-number expression to another (later - earlier), as an integer."""
    return sa.type_coerce(later - earlier, sa.Integer())


def known_at_condition(table: sa.Table, known_at: datetime) -> Any:
    """The intervals of table (current or superseded) that were known at known_at."""
    known = table.c.known_from <= known_at
    if table is SUPERSEDED:
        # known_to first: after department, type and status, the superseded table's index ranges on it.
        return sa.and_(table.c.known_to > known_at, known)
    return known


def holds_on(table: sa.Table, day: date) -> Any:
    """The intervals that hold on day."""
    return sa.and_(table.c.valid_to > _day(day), table.c.valid_from <= _day(day))


def is_start(table: sa.Table) -> Any:
    """A transition into filled: a filled interval after another status, or the place's first."""
    return sa.and_(table.c.status == "filled", sa.func.coalesce(table.c.prev_status, "") != "filled")


def scope(
    table: sa.Table, *, department_ids: Sequence[int], type_ids: Sequence[int], statuses: Sequence[str]
) -> list[Any]:
    """Conditions on the index's leading columns. All three are named, also when all are wanted: then
    both engines seek each combination and range over the rest, where they would otherwise scan."""
    return [
        table.c.department_id.in_(list(department_ids)),
        table.c.type_id.in_(list(type_ids)),
        table.c.status.in_(list(statuses)),
    ]


def known_intervals(
    known_at: datetime,
    columns: Callable[[sa.Table], Sequence[Any]],
    conditions: Callable[[sa.Table], Sequence[Any]],
    *,
    name: str = "known",
) -> sa.Subquery:
    """Return the columns of the intervals known at known_at that meet the conditions, from both tables."""
    return sa.union_all(
        *(sa.select(*columns(t)).where(known_at_condition(t, known_at), *conditions(t)) for t in SOURCES)
    ).subquery(name)


def count_by_status_query(
    *,
    known_at: datetime,
    as_of: date,
    method: str,
    flow_start: date,
    average_from: date | None = None,
    department_ids: Sequence[int],
    weighting: Mapping[int, str],
    flow_type_ids: Collection[int] = (),
) -> sa.Select:
    """Return rows (department_id, type_id, status, n, starts) to be summed per key.

    n: places in the status on as_of (point), or place-days in the status from average_from to as_of
    (average: divide by the number of those days); starts: transitions into filled from flow_start to
    as_of, for the flow types only. Both are weighted per type as weighting says (type id -> "headcount"
    or "fte"; the types not in it are not counted).

    Current intervals: one aggregate per weighting and figure, each over one index range per department,
    type and status, grouped in index order (no sort). Superseded intervals: those known at known_at are
    one range per department, type and status (known_to > known_at), short unless known_at lies far
    back; a single pass over them gives every figure.
    """

    def days(t: sa.Table) -> Any:
        """The place-days an interval adds (average); None for point (one place counts once)."""
        if method != "average":
            return None
        assert average_from is not None
        after_end = _day(as_of + timedelta(days=1))
        return days_from(greatest(t.c.valid_from, _day(average_from)), least(t.c.valid_to, after_end))

    def counted(t: sa.Table) -> Any:
        if method != "average":
            return holds_on(t, as_of)
        assert average_from is not None
        return sa.and_(t.c.valid_to > _day(average_from), t.c.valid_from <= _day(as_of))

    def started(t: sa.Table, type_ids: Collection[int]) -> list[Any]:
        return [
            t.c.type_id.in_(list(type_ids)),  # said again for the superseded table, which names all types
            # valid_to > flow_start follows from the others; said, it bounds the index range.
            t.c.valid_to > _day(flow_start),
            t.c.valid_from >= _day(flow_start),
            t.c.valid_from <= _day(as_of),
            is_start(t),
        ]

    none = sa.literal(0, sa.Integer())
    by_weighting: dict[str, list[int]] = defaultdict(list)
    for type_id, weight in sorted(weighting.items()):
        by_weighting[weight].append(type_id)
    t = CURRENT
    known, keys = known_at_condition(t, known_at), (t.c.department_id, t.c.type_id, t.c.status)
    branches = []
    for weight, type_ids in sorted(by_weighting.items()):
        # Weighted in SQL only where the rule says so: the other rows add their days (or 1) as they are.
        if days(t) is None:
            n = sa.func.sum(t.c.fte) if weight == "fte" else sa.func.count()
        else:
            n = sa.func.sum(days(t) * t.c.fte) if weight == "fte" else sa.func.sum(days(t))
        cells = scope(t, department_ids=department_ids, type_ids=type_ids, statuses=STATUSES)
        branches.append(
            sa.select(*keys, n.label("n"), none.label("starts"))
            .where(known, *cells, counted(t))
            .group_by(*keys)
        )
        flows = [i for i in type_ids if i in flow_type_ids]
        if flows:
            starts = sa.func.sum(t.c.fte) if weight == "fte" else sa.func.count()
            fills = scope(t, department_ids=department_ids, type_ids=flows, statuses=["filled"])
            branches.append(
                sa.select(*keys, none.label("n"), starts.label("starts"))
                .where(known, *fills, *started(t, flows))
                .group_by(*keys)
            )
    t = SUPERSEDED
    keys = (t.c.department_id, t.c.type_id, t.c.status)
    fte_ids = by_weighting.get("fte", [])
    weight = sa.case((t.c.type_id.in_(fte_ids), t.c.fte), else_=1) if fte_ids else sa.literal(1, sa.Integer())
    is_counted, is_started = counted(t), sa.and_(*started(t, flow_type_ids))
    branches.append(
        sa.select(
            *keys,
            sa.func.sum(
                sa.case((is_counted, weight if days(t) is None else days(t) * weight), else_=0)
            ).label("n"),
            sa.func.sum(sa.case((is_started, weight), else_=0)).label("starts"),
        )
        .where(
            known_at_condition(t, known_at),
            *scope(t, department_ids=department_ids, type_ids=list(weighting), statuses=STATUSES),
            sa.or_(is_counted, is_started),
        )
        .group_by(*keys)
    )
    return sa.union_all(*branches)


# --- scope, rules and targets --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    statuses: tuple[str, ...]
    weighting: str


C = TypeVar("C", Department, PlacementType)
NEEDS_TIMEZONE = N_("Tidspunktet (known_at) skal have en tidszone.")
# What _pick_by_code says about codes it does not know, per kind of row.
UNKNOWN_CODES: dict[str, Callable[[str], str]] = {
    "forvaltning": lambda codes: N_("Ukendt forvaltning: %(codes)s.", codes=codes),
    "ordning": lambda codes: N_("Ukendt ordning: %(codes)s.", codes=codes),
}


def _pick_by_code(rows: Sequence[C], codes: Sequence[str] | None, *, what: str, field: str) -> list[C]:
    """The active rows if no codes are given, else the rows with those codes (DomainError for an unknown code)."""
    if codes is None:
        return [r for r in rows if r.active]
    by_code = {r.code: r for r in rows}
    unknown = [c for c in codes if c not in by_code]
    if unknown:
        raise DomainError(UNKNOWN_CODES[what](", ".join(unknown)), field=field)
    wanted = set(codes)
    return [r for r in rows if r.code in wanted]


def _all_departments(session: Session) -> Sequence[Department]:
    return session.exec(sa.select(Department).order_by(Department.sort, Department.code)).scalars().all()


def _all_types(session: Session) -> Sequence[PlacementType]:
    statement = sa.select(PlacementType).order_by(PlacementType.sort, PlacementType.code)
    return session.exec(statement).scalars().all()


def _departments(session: Session, codes: Sequence[str] | None) -> list[Department]:
    return _pick_by_code(_all_departments(session), codes, what="forvaltning", field="department")


def _types(session: Session, codes: Sequence[str] | None) -> list[PlacementType]:
    return _pick_by_code(_all_types(session), codes, what="ordning", field="type")


def type_ids(session: Session) -> list[int]:
    """Every placement type's id, retired ones too."""
    return [t.id for t in _all_types(session)]  # type: ignore[misc]


def counting_rules(
    session: Session, *, year: int, types: Iterable[PlacementType], overrides: Sequence[RuleOverride] = ()
) -> dict[str, _Rule]:
    """Return the rule per type code for a year: adopted rule, else the default (docs/counting.md §3); what-ifs win."""
    types = list(types)
    adopted = {
        r.type_id: r
        for r in session.exec(sa.select(CountingRule).where(CountingRule.year == year)).scalars().all()
    }
    by_code = {o.type_code: o for o in overrides}
    known = {t.code for t in types}
    for override in overrides:
        if override.type_code not in known:
            raise DomainError(N_("Ukendt ordning i regel: %(code)s.", code=override.type_code), field="count")
        bad = [s for s in override.counted_statuses if s not in STATUSES]
        if bad:
            raise DomainError(
                N_(
                    "Ukendt status i regel for %(code)s: %(statuses)s (brug %(known)s).",
                    code=override.type_code,
                    statuses=", ".join(bad),
                    known=", ".join(STATUSES),
                ),
                field="count",
            )
        if override.weighting is not None and override.weighting not in WEIGHTINGS:
            raise DomainError(
                N_("Ukendt vægtning: %(weighting)s.", weighting=override.weighting), field="count"
            )
    rules: dict[str, _Rule] = {}
    for t in types:
        rule = adopted.get(t.id)
        statuses = rule.statuses if rule else DEFAULT_RULES.get(t.code, ("filled",))
        weighting = rule.weighting if rule else "headcount"
        override = by_code.get(t.code)
        if override is not None:
            statuses = tuple(override.counted_statuses)
            weighting = override.weighting or weighting
        rules[t.code] = _Rule(tuple(statuses), weighting)
    return rules


def _targets(session: Session, year: int) -> dict[tuple[int, int], int]:
    rows = session.exec(
        sa.select(Target.department_id, Target.type_id, Target.value).where(Target.year == year)
    )
    return {(d, t): v for d, t, v in rows}


# --- reconciliation ------------------------------------------------------------------------------------


def _pct(counted: float, target: int | None) -> float | None:
    if not target:
        return None
    return round(counted / target * 100, 1)


def _clean(value: float) -> float:
    """Drop float noise from sums of fractions (figures are shown with at most a few decimals)."""
    return round(float(value), 9)


def reconcile(
    session: Session,
    *,
    as_of: date | None = None,
    period: Period | None = None,
    method: Literal["point", "average"] = "point",
    known_at: datetime,
    department_codes: Sequence[str] | None = None,
    type_codes: Sequence[str] | None = None,
    overrides: Sequence[RuleOverride] = (),
) -> Reconciliation:
    """Count places per department and type against the year's targets, as known at known_at."""
    if (as_of is None) == (period is None):
        raise DomainError(N_("Angiv enten en dato eller en periode."), field="as_of")
    if method not in ("point", "average"):
        raise DomainError(
            N_("Ukendt metode '%(method)s': brug point eller average.", method=method), field="method"
        )
    if known_at.tzinfo is None:
        raise DomainError(NEEDS_TIMEZONE, field="known_at")
    if period is None:
        assert as_of is not None
        # An average over a single date is the count on that date.
        measure_on, year, flow_start = as_of, as_of.year, date(as_of.year, 1, 1)
        average_over = None
    else:
        measure_on, year, flow_start = period.end, period.year, period.start
        average_over = period
    departments = _departments(session, department_codes)
    types = _types(session, type_codes)
    rules = counting_rules(session, year=year, types=types, overrides=overrides)
    use_method = method if average_over is not None else "point"
    averaging_days = average_over.days if average_over is not None and use_method == "average" else 1
    query = count_by_status_query(
        known_at=known_at,
        as_of=measure_on,
        method=use_method,
        average_from=average_over.start if average_over is not None else None,
        flow_start=flow_start,
        department_ids=[d.id for d in departments],
        weighting={t.id: rules[t.code].weighting for t in types},
        flow_type_ids={t.id for t in types if t.measure == "flow"},
    )
    figures: dict[tuple[int, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for dept_id, type_id, status, n, starts in session.execute(query):
        cell = figures[(dept_id, type_id)]
        cell[status] += float(n or 0)
        cell["starts"] += float(starts or 0)
    targets = _targets(session, year)
    rows = []
    for dept in departments:
        for ptype in types:
            rule = rules[ptype.code]
            cell = figures.get((dept.id, ptype.id), {})
            by_status = {s: _clean(cell.get(s, 0.0) / averaging_days) for s in STATUSES}
            if ptype.measure == "flow":
                counted = _clean(cell.get("starts", 0.0))
            else:
                counted = _clean(sum(by_status[s] for s in rule.statuses))
            target = targets.get((dept.id, ptype.id))
            pro_rata = None
            if ptype.measure == "flow" and target is not None and period is not None and period.half == 1:
                pro_rata = round(target * period.days / Period(year).days, 1)
            rows.append(
                ReconciliationRow(
                    department=dept.code,
                    type=ptype.code,
                    target=target,
                    counted=counted,
                    fulfilment_pct=_pct(counted, target),
                    gap=_clean(target - counted) if target is not None else None,
                    measure=ptype.measure,
                    target_pro_rata=pro_rata,
                    **by_status,
                )
            )
    return Reconciliation(
        as_of=measure_on,
        period=period.label if period else None,
        method=method,
        known_at=known_at,
        rows=tuple(rows),
        by_department={d.code: _total(r for r in rows if r.department == d.code) for d in departments},
        by_type={t.code: _total(r for r in rows if r.type == t.code) for t in types},
        municipality=_total(rows),
        rules={code: (rule.statuses, rule.weighting) for code, rule in rules.items()},
    )


def _total(rows: Iterable[ReconciliationRow]) -> Totals:
    """Sum rows; fulfilment and gap from the rows that have a target (see the module docstring)."""
    rows = list(rows)
    with_target = [r for r in rows if r.target is not None]
    target = sum(r.target for r in with_target) if with_target else None  # type: ignore[misc]
    counted_with_target = _clean(sum(r.counted for r in with_target))
    return Totals(
        target=target,
        open=_clean(sum(r.open for r in rows)),
        filled=_clean(sum(r.filled for r in rows)),
        paused=_clean(sum(r.paused for r in rows)),
        closed=_clean(sum(r.closed for r in rows)),
        counted=_clean(sum(r.counted for r in rows)),
        fulfilment_pct=_pct(counted_with_target, target),
        gap=_clean(target - counted_with_target) if target is not None else None,
    )


def _number(value: float | int | None) -> float | int | None:
    if value is None:
        return None
    if float(value).is_integer():
        return int(value)
    return round(float(value), 2)


def _numbers(item: ReconciliationRow | Totals) -> dict[str, Any]:
    return {key: _number(getattr(item, key)) for key in NUMERIC_KEYS}


def reconciliation_to_json(result: Reconciliation) -> dict:
    """Return the object `quota reconcile --format json` prints (docs/cli.md)."""
    return {
        "as_of": result.as_of.isoformat(),
        "period": result.period,
        "method": result.method,
        "known_at": result.known_at.isoformat().replace("+00:00", "Z"),
        "rows": [{"department": r.department, "type": r.type, **_numbers(r)} for r in result.rows],
        "totals": {
            "by_department": {code: _numbers(t) for code, t in result.by_department.items()},
            "by_type": {code: _numbers(t) for code, t in result.by_type.items()},
            "municipality": _numbers(result.municipality) if result.municipality else None,
        },
    }


# --- ageing, time to fill, trends ----------------------------------------------------------------------


def _scope_ids(
    session: Session, department_codes: Sequence[str] | None, type_codes: Sequence[str] | None
) -> tuple[list[Department], list[PlacementType], list[int], list[int]]:
    """The departments and types to report (the active ones unless codes are given) and the ids of
    those to count (all of them, retired ones too, unless codes are given)."""
    all_departments, all_types = _all_departments(session), _all_types(session)
    departments = _pick_by_code(all_departments, department_codes, what="forvaltning", field="department")
    types = _pick_by_code(all_types, type_codes, what="ordning", field="type")
    return (
        departments,
        types,
        [d.id for d in (departments if department_codes is not None else all_departments)],  # type: ignore[misc]
        [t.id for t in (types if type_codes is not None else all_types)],  # type: ignore[misc]
    )


def open_spells(
    *, as_of: date, known_at: datetime, department_ids: Sequence[int], type_ids: Sequence[int]
) -> sa.Subquery:
    """Return place_id, department_id, type_id, spell_start and days_open of every place open on as_of."""
    return known_intervals(
        known_at,
        lambda t: (
            t.c.place_id,
            t.c.department_id,
            t.c.type_id,
            t.c.spell_start,
            days_from(t.c.spell_start, _day(as_of)).label("days_open"),
        ),
        lambda t: (
            *scope(t, department_ids=department_ids, type_ids=type_ids, statuses=["open"]),
            holds_on(t, as_of),
        ),
        name="open_spells",
    )


def open_places_longest(
    session: Session,
    *,
    as_of: date,
    known_at: datetime,
    department_codes: Sequence[str] | None = None,
    type_codes: Sequence[str] | None = None,
    limit: int | None = 20,
    per_department: bool = False,
) -> list[OpenPlaceAge]:
    """Return the places open on as_of, longest open spell first: the first limit of them, or with
    per_department the first limit of each department."""
    _, _, dept_ids, type_ids = _scope_ids(session, department_codes, type_codes)
    s = open_spells(as_of=as_of, known_at=known_at, department_ids=dept_ids, type_ids=type_ids)
    longest_first = (s.c.days_open.desc(), PLACES.c.reference, PLACES.c.id)
    chosen = sa.select(s, PLACES.c.reference, PLACES.c.title, PLACES.c.unit_id).join(
        PLACES, PLACES.c.id == s.c.place_id
    )
    # The limit comes before the other joins: only the places shown are looked up.
    if limit is not None and per_department:
        rank = sa.func.row_number().over(partition_by=s.c.department_id, order_by=longest_first)
        ranked = chosen.add_columns(rank.label("rank")).subquery("ranked")
        chosen = sa.select(ranked).where(ranked.c.rank <= limit)
    elif limit is not None:
        chosen = chosen.order_by(*longest_first).limit(limit)
    r = chosen.subquery("longest")
    unit = sa.table("unit", sa.column("id"), sa.column("name"))
    query = (
        sa.select(
            r.c.place_id,
            r.c.reference,
            Department.__table__.c.code,
            unit.c.name,
            PlacementType.__table__.c.code,
            r.c.title,
            r.c.spell_start,
            r.c.days_open,
        )
        .select_from(
            r.join(Department.__table__, Department.__table__.c.id == r.c.department_id)
            .join(PlacementType.__table__, PlacementType.__table__.c.id == r.c.type_id)
            .outerjoin(unit, unit.c.id == r.c.unit_id)
        )
        .order_by(r.c.days_open.desc(), r.c.reference, r.c.place_id)
    )
    return [
        OpenPlaceAge(
            place_id=pid,
            reference=ref,
            department=dept,
            unit=unit_name,
            type=type_code,
            title=title,
            open_since=spell_start,
            days_open=int(days),
        )
        for pid, ref, dept, unit_name, type_code, title, spell_start, days in session.execute(query)
    ]


def ageing_summary(
    session: Session, *, as_of: date, known_at: datetime, department_codes: Sequence[str] | None = None
) -> dict[tuple[str, str], AgeingBuckets]:
    """Return, per (department, type), the places open on as_of and how many for over 30/60/90 days."""
    departments, types, dept_ids, all_type_ids = _scope_ids(session, department_codes, None)
    s = open_spells(as_of=as_of, known_at=known_at, department_ids=dept_ids, type_ids=all_type_ids)

    def over(days: int) -> Any:
        return sa.func.sum(sa.case((s.c.days_open > days, 1), else_=0))

    query = sa.select(s.c.department_id, s.c.type_id, sa.func.count(), over(30), over(60), over(90)).group_by(
        s.c.department_id, s.c.type_id
    )
    found = {(d, t): (n, a, b, c) for d, t, n, a, b, c in session.execute(query)}
    result = {}
    for dept in departments:
        for ptype in types:
            n, a, b, c = found.get((dept.id, ptype.id), (0, 0, 0, 0))
            result[(dept.code, ptype.code)] = AgeingBuckets(int(n), int(a or 0), int(b or 0), int(c or 0))
    return result


def time_to_fill(
    session: Session, *, period: Period, known_at: datetime, department_codes: Sequence[str] | None = None
) -> list[TimeToFill]:
    """Return, per department and type, the days from open to filled of the fills dated in the period."""
    departments, types, dept_ids, all_type_ids = _scope_ids(session, department_codes, None)
    # spell_start on a filled interval is the latest open spell before it: the one this fill ends.
    fills = known_intervals(
        known_at,
        lambda t: (t.c.department_id, t.c.type_id, days_from(t.c.spell_start, t.c.valid_from).label("days")),
        lambda t: (
            *scope(t, department_ids=dept_ids, type_ids=all_type_ids, statuses=["filled"]),
            t.c.valid_to > _day(period.start),
            t.c.valid_from >= _day(period.start),
            t.c.valid_from <= _day(period.end),
            t.c.prev_status == "open",
        ),
        name="fills",
    )
    durations: dict[tuple[int, int], list[int]] = defaultdict(list)
    for dept_id, type_id, days in session.execute(sa.select(fills)):
        durations[(dept_id, type_id)].append(int(days))
    result = []
    for dept in departments:
        for ptype in types:
            values = durations.get((dept.id, ptype.id), [])
            result.append(
                TimeToFill(
                    department=dept.code,
                    type=ptype.code,
                    fills=len(values),
                    median_days=float(statistics.median(values)) if values else None,
                    mean_days=round(statistics.fmean(values), 1) if values else None,
                )
            )
    return result


def _month_end(day: date) -> date:
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _month_ends(start: date, end: date) -> list[date]:
    points = []
    day = _month_end(start)
    while True:
        points.append(min(day, end))
        if day >= end:
            return points
        day = _month_end(day + timedelta(days=1))


def monthly_trend_query(
    *, known_at: datetime, points: Sequence[date], department_id: int, type_id: int
) -> sa.Select:
    """Return the aggregate per (day, status) for every date of points (ascending) in one query.

    Columns: day, status, n, n_fte (places in the status on day), starts, starts_fte (transitions into
    filled from 1 January of day's year to day): what count_by_status_query gives for one date.
    """
    first_year = date(points[0].year, 1, 1)
    iv = known_intervals(
        known_at,
        lambda t: (
            t.c.status,
            t.c.valid_from,
            t.c.valid_to,
            t.c.fte,
            sa.case((is_start(t), 1), else_=0).label("is_start"),
        ),
        lambda t: (
            *scope(t, department_ids=[department_id], type_ids=[type_id], statuses=STATUSES),
            t.c.valid_to > _day(min(points[0], first_year)),
            t.c.valid_from <= _day(points[-1]),
        ),
        name="trend_intervals",
    )
    days = sa.union_all(
        *(sa.select(_day(p).label("day"), _day(date(p.year, 1, 1)).label("year_start")) for p in points)
    ).subquery("points")
    holds = sa.and_(iv.c.valid_from <= days.c.day, iv.c.valid_to > days.c.day)
    starts_here = sa.and_(
        iv.c.is_start == 1, iv.c.valid_from >= days.c.year_start, iv.c.valid_from <= days.c.day
    )
    held = sa.case((holds, 1), else_=0)
    started = sa.case((starts_here, 1), else_=0)
    return (
        sa.select(
            days.c.day,
            iv.c.status,
            sa.func.sum(held).label("n"),
            sa.func.sum(held * iv.c.fte).label("n_fte"),
            sa.func.sum(started).label("starts"),
            sa.func.sum(started * iv.c.fte).label("starts_fte"),
        )
        .select_from(iv.join(days, sa.or_(holds, starts_here)))
        .group_by(days.c.day, iv.c.status)
    )


def monthly_trend(
    session: Session, *, department_code: str, type_code: str, start: date, end: date, known_at: datetime
) -> list[tuple[date, float, int | None]]:
    """Return (month end, counted, target) for every month from start's to end's (the last one on end).

    One query for all the dates; each figure equals reconcile(as_of=that date) for the department and type.
    """
    if end < start:
        raise DomainError(N_("Slutdatoen ligger før startdatoen."), field="end")
    if known_at.tzinfo is None:
        raise DomainError(NEEDS_TIMEZONE, field="known_at")
    (dept,) = _departments(session, [department_code])
    (ptype,) = _types(session, [type_code])
    points = _month_ends(start, end)
    query = monthly_trend_query(known_at=known_at, points=points, department_id=dept.id, type_id=ptype.id)
    figures: dict[date, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for day, status, n, n_fte, starts, starts_fte in session.execute(query):
        cell = figures[day]
        cell[status] += float(n or 0)
        cell[f"{status}:fte"] += float(n_fte or 0)
        cell["starts"] += float(starts or 0)
        cell["starts:fte"] += float(starts_fte or 0)
    rules = {
        year: counting_rules(session, year=year, types=[ptype])[ptype.code]
        for year in {p.year for p in points}
    }
    targets = {year: _targets(session, year).get((dept.id, ptype.id)) for year in rules}
    result = []
    for point in points:
        rule = rules[point.year]
        cell = figures.get(point, {})
        suffix = ":fte" if rule.weighting == "fte" else ""
        if ptype.measure == "flow":
            counted = _clean(cell.get("starts" + suffix, 0.0))
        else:
            by_status = {s: _clean(cell.get(s + suffix, 0.0)) for s in STATUSES}
            counted = _clean(sum(by_status[s] for s in rule.statuses))
        result.append((point, counted, targets[point.year]))
    return result


def place_ids_query(
    *,
    known_at: datetime,
    as_of: date,
    department_ids: Sequence[int],
    type_ids: Sequence[int],
    statuses: Sequence[str],
    starts_from: date | None = None,
) -> sa.Select:
    """Return the ids of the places in one of statuses on as_of, as known at known_at; with starts_from,
    those filled (from another status, or first) from starts_from to as_of instead."""

    def conditions(t: sa.Table) -> Sequence[Any]:
        scoped = scope(t, department_ids=department_ids, type_ids=type_ids, statuses=statuses)
        if starts_from is None:
            return (*scoped, holds_on(t, as_of))
        return (
            *scoped,
            t.c.valid_to > _day(starts_from),
            t.c.valid_from >= _day(starts_from),
            t.c.valid_from <= _day(as_of),
            is_start(t),
        )

    ids = known_intervals(known_at, lambda t: (t.c.place_id,), conditions, name="place_ids")
    return sa.select(ids.c.place_id).distinct().order_by(ids.c.place_id)


def places_behind(
    session: Session,
    *,
    as_of: date,
    known_at: datetime,
    department_code: str,
    type_code: str,
    status: str | None = None,
) -> list[int]:
    """Return the ids of the places behind a figure: in status on as_of, or those counted (status None)."""
    (dept,) = _departments(session, [department_code])
    (ptype,) = _types(session, [type_code])
    if status is not None and status not in STATUSES:
        raise DomainError(N_("Ukendt status: %(statuses)s.", statuses=status), field="status")
    if status is None and ptype.measure == "flow":
        query = place_ids_query(
            known_at=known_at,
            as_of=as_of,
            department_ids=[dept.id],
            type_ids=[ptype.id],
            statuses=["filled"],
            starts_from=date(as_of.year, 1, 1),
        )
    else:
        rule = counting_rules(session, year=as_of.year, types=[ptype])[ptype.code]
        query = place_ids_query(
            known_at=known_at,
            as_of=as_of,
            department_ids=[dept.id],
            type_ids=[ptype.id],
            statuses=[status] if status is not None else list(rule.statuses),
        )
    return [int(pid) for (pid,) in session.execute(query)]
