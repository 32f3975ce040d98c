"""Counting places against targets (docs/counting.md): the reconciliation, its totals and JSON, the monthly trend,
and the steps every count shares (measuring_span, count_cells, cell_figures; the unit breakdown in units.py).

Choices where the users' rules are silent (docs/counting.md §10, documented for the CLI, the web and reports):
- "average" on a single date is the count on that date; ties (same date and recorded_at) go to the
  higher event id; ageing counts days from the start of the current open spell (the first `open` after
  another status) to the date; time to fill is grouped by the fill's date.
- Flow types (measure "flow") count transitions into `filled` (from another status, or as the first
  event) whose effective date falls in the period; on a single date, from 1 January of its year.
  Their open/filled/paused/closed figures follow the method like stock types.
- A half-year is measured against its year's target. For flow types over a half-year (H1 or H2)
  `target_pro_rata` is the annual target × days of the half-year / days of the year (one decimal) and
  `fulfilment_pro_rata_pct` the counted starts against it (from the unrounded share); fulfilment, its
  level and the gap stay against the annual target (rules.PRO_RATA_RULE says so to readers).
- Totals sum their rows. Their target is the sum of the targets of the rows that have one (None when
  no row has); their fulfilment and gap compare that target with the counted places of those same rows,
  so a row without a target never inflates fulfilment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlmodel import Session

from ..errors import DomainError
from ..models import STATUSES, PlacementType
from ..periods import Period
from ..texts import N_
from .dates import flow_start_of, month_ends
from .queries import count_by_status_query, monthly_trend_query
from .rules import (
    NEEDS_TIMEZONE,
    Rule,
    counted_figure,
    counting_rules,
    departments_by_code,
    fulfilment_pct,
    pro_rata_target,
    targets_of_year,
    types_by_code,
)
from .types import Reconciliation, ReconciliationRow, RuleOverride, Totals

NUMERIC_KEYS = ("target", "open", "filled", "paused", "closed", "counted", "fulfilment_pct", "gap")
# In the JSON of a row that has them only: a flow type's row over a half-year.
PRO_RATA_KEYS = ("target_pro_rata", "fulfilment_pro_rata_pct")


def _clean(value: float) -> float:
    """Drop float noise from sums of fractions (figures are shown with at most a few decimals)."""
    return round(float(value), 9)


@dataclass(frozen=True)
class Span:
    """What a count measures: the measuring day, the year whose rules and targets apply, the period (None
    for a single date) and the method applied (an average needs a period)."""

    day: date
    year: int
    period: Period | None
    method: str

    @property
    def averaging_days(self) -> int:
        return self.period.days if self.period is not None and self.method == "average" else 1


def measuring_span(*, as_of: date | None, period: Period | None, method: str, known_at: datetime) -> Span:
    """Check what reconcile is asked (DomainError otherwise) and return the span it measures."""
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
        return Span(as_of, as_of.year, None, "point")  # an average over a single date is the count on it
    return Span(period.end, period.year, period, method)


def count_cells(
    session: Session,
    span: Span,
    *,
    known_at: datetime,
    department_ids: Sequence[int],
    types: Sequence[PlacementType],
    rules: dict[str, Rule],
    by_unit: bool = False,
) -> dict[tuple[Any, ...], dict[str, float]]:
    """Return the places per status and the starts, summed per (department id, type id), or with by_unit per
    (department id, type id, unit id); not yet divided by the days of an average."""
    query = count_by_status_query(
        known_at=known_at,
        as_of=span.day,
        method=span.method,
        average_from=span.period.start if span.period is not None else None,
        flow_start=flow_start_of(span.day, span.period),
        department_ids=department_ids,
        weighting={t.id: rules[t.code].weighting for t in types},
        flow_type_ids={t.id for t in types if t.measure == "flow"},
        by_unit=by_unit,
    )
    cells: dict[tuple[Any, ...], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for dept_id, type_id, status, n, starts, *unit in session.execute(query):
        cell = cells[(dept_id, type_id, *unit)]
        cell[status] += float(n or 0)
        cell["starts"] += float(starts or 0)
    return cells


def cell_figures(cell: Mapping[str, float], *, rule: Rule, measure: str, span: Span) -> dict[str, float]:
    """A cell's figures: the places in each status (an average's daily mean) and what counts."""
    by_status = {s: _clean(cell.get(s, 0.0) / span.averaging_days) for s in STATUSES}
    counted = counted_figure(rule, measure=measure, by_status=by_status, starts=cell.get("starts", 0.0))
    return {**by_status, "counted": _clean(counted)}


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
    span = measuring_span(as_of=as_of, period=period, method=method, known_at=known_at)
    departments = departments_by_code(session, department_codes)
    types = types_by_code(session, type_codes)
    rules = counting_rules(session, year=span.year, types=types, overrides=overrides)
    cells = count_cells(
        session,
        span,
        known_at=known_at,
        department_ids=[d.id for d in departments],
        types=types,
        rules=rules,
    )
    targets = targets_of_year(session, span.year)
    rows = []
    for dept in departments:
        for ptype in types:
            figures = cell_figures(
                cells.get((dept.id, ptype.id), {}), rule=rules[ptype.code], measure=ptype.measure, span=span
            )
            counted = figures.pop("counted")
            target = targets.get((dept.id, ptype.id))
            pro_rata = pro_rata_target(target, measure=ptype.measure, period=period)
            rows.append(
                ReconciliationRow(
                    department=dept.code,
                    type=ptype.code,
                    target=target,
                    counted=counted,
                    fulfilment_pct=fulfilment_pct(counted, target),
                    gap=_clean(target - counted) if target is not None else None,
                    measure=ptype.measure,
                    target_pro_rata=round(pro_rata, 1) if pro_rata is not None else None,
                    fulfilment_pro_rata_pct=fulfilment_pct(counted, pro_rata),
                    **figures,
                )
            )
    return Reconciliation(
        as_of=span.day,
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
    targets = [r.target for r in with_target if r.target is not None]
    target = sum(targets) if targets else None
    counted_with_target = _clean(sum(r.counted for r in with_target))
    return Totals(
        target=target,
        open=_clean(sum(r.open for r in rows)),
        filled=_clean(sum(r.filled for r in rows)),
        paused=_clean(sum(r.paused for r in rows)),
        closed=_clean(sum(r.closed for r in rows)),
        counted=_clean(sum(r.counted for r in rows)),
        fulfilment_pct=fulfilment_pct(counted_with_target, target),
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


def _pro_rata(row: ReconciliationRow) -> dict[str, Any]:
    if row.target_pro_rata is None:
        return {}
    return {key: _number(getattr(row, key)) for key in PRO_RATA_KEYS}


def reconciliation_to_json(result: Reconciliation) -> dict[str, Any]:
    """Return the object `quota reconcile --format json` prints (docs/cli.md)."""
    return {
        "as_of": result.as_of.isoformat(),
        "period": result.period,
        "method": result.method,
        "known_at": result.known_at.isoformat().replace("+00:00", "Z"),
        "rows": [
            {"department": r.department, "type": r.type, **_numbers(r), **_pro_rata(r)} for r in result.rows
        ],
        "totals": {
            "by_department": {code: _numbers(t) for code, t in result.by_department.items()},
            "by_type": {code: _numbers(t) for code, t in result.by_type.items()},
            "municipality": _numbers(result.municipality) if result.municipality else None,
        },
    }


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
    (dept,) = departments_by_code(session, [department_code])
    (ptype,) = types_by_code(session, [type_code])
    points = month_ends(start, end)
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
    targets = {year: targets_of_year(session, year).get((dept.id, ptype.id)) for year in rules}
    result = []
    for point in points:
        rule = rules[point.year]
        cell = figures.get(point, {})
        suffix = ":fte" if rule.weighting == "fte" else ""
        by_status = {s: _clean(cell.get(s + suffix, 0.0)) for s in STATUSES}
        starts = cell.get("starts" + suffix, 0.0)
        counted = _clean(counted_figure(rule, measure=ptype.measure, by_status=by_status, starts=starts))
        result.append((point, counted, targets[point.year]))
    return result
