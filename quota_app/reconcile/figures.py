"""Counting places against targets (docs/counting.md): the reconciliation, its totals and JSON, the monthly trend.

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

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Literal

from sqlmodel import Session

from ..errors import DomainError
from ..models import STATUSES
from ..periods import Period
from ..texts import N_
from .dates import flow_start_of, month_ends
from .queries import count_by_status_query, monthly_trend_query
from .rules import (
    NEEDS_TIMEZONE,
    counted_figure,
    counting_rules,
    departments_by_code,
    targets_of_year,
    types_by_code,
)
from .types import Reconciliation, ReconciliationRow, RuleOverride, Totals

NUMERIC_KEYS = ("target", "open", "filled", "paused", "closed", "counted", "fulfilment_pct", "gap")


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
        measure_on, year, average_over = as_of, as_of.year, None
    else:
        measure_on, year, average_over = period.end, period.year, period
    departments = departments_by_code(session, department_codes)
    types = types_by_code(session, type_codes)
    rules = counting_rules(session, year=year, types=types, overrides=overrides)
    use_method = method if average_over is not None else "point"
    averaging_days = average_over.days if average_over is not None and use_method == "average" else 1
    query = count_by_status_query(
        known_at=known_at,
        as_of=measure_on,
        method=use_method,
        average_from=average_over.start if average_over is not None else None,
        flow_start=flow_start_of(measure_on, period),
        department_ids=[d.id for d in departments],
        weighting={t.id: rules[t.code].weighting for t in types},
        flow_type_ids={t.id for t in types if t.measure == "flow"},
    )
    figures: dict[tuple[int, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for dept_id, type_id, status, n, starts in session.execute(query):
        cell = figures[(dept_id, type_id)]
        cell[status] += float(n or 0)
        cell["starts"] += float(starts or 0)
    targets = targets_of_year(session, year)
    rows = []
    for dept in departments:
        for ptype in types:
            cell = figures.get((dept.id, ptype.id), {})
            by_status = {s: _clean(cell.get(s, 0.0) / averaging_days) for s in STATUSES}
            starts = cell.get("starts", 0.0)
            counted = _clean(
                counted_figure(rules[ptype.code], measure=ptype.measure, by_status=by_status, starts=starts)
            )
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
