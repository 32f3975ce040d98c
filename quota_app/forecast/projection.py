"""Year-end projection per department and type (issue 16, point 2; the model in docs/forecast.md).

As of a date D and as known at a time T: today's counted figure (reconcile(as_of=D)), plus what the
places of the department and type are expected to do by the end of the year and of D's half-year:

- stock types: each place now open, filled or paused moves on as the type's history says, given how
  long it has already been in its status (Outlook.place); the projection adds, for every place, the
  chance that it is in a counted status at the end minus whether it is counted now; plus the new
  openings expected at the department's observed rate, each counted at the end with the chance a
  fresh opening has (Outlook.arrivals);
- flow types: the starts so far plus the expected entries into `filled` of the same places and openings.

The interval: every place is an independent chance (variance p(1 - p), or its expected starts for flow
types) and the openings a Poisson number (variance = mean); the projection ± 1.645 standard deviations
(nominally 90 %), never below 0 (stock) or the starts already made (flow). docs/forecast.md §3 says how
it did against history (benchmarks/bench_forecast.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from ..errors import DomainError
from ..periods import half_year_of
from ..reconcile.figures import reconcile
from ..reconcile.rules import NEEDS_TIMEZONE, departments_by_code, types_by_code
from ..texts import N_
from .history import RATE_DAYS, History, Weights, fit_history, places_now
from .model import Outlook as Model
from .types import Outlook, Projection, ProjectionRow

Z = 1.6449  # the two-sided 90 % point of the normal distribution
STARTS = ("filled",)  # a flow type counts every entry into filled


def _check(*, year: int, as_of: date, known_at: datetime) -> None:
    if known_at.tzinfo is None:
        raise DomainError(NEEDS_TIMEZONE, field="known_at")
    if as_of.year != year:
        raise DomainError(
            N_("Datoen %(date)s ligger ikke i %(year)s.", date=as_of, year=str(year)), field="as_of"
        )


def project(
    session: Session,
    *,
    year: int,
    as_of: date,
    known_at: datetime,
    department_codes: Sequence[str] | None = None,
    type_codes: Sequence[str] | None = None,
    history: History | None = None,
) -> Projection:
    """Project every department's and type's counted figure to the end of year (and of as_of's half-year).

    history: a fit made earlier for the same as_of and known_at (fit_history), to share between calls.
    """
    _check(year=year, as_of=as_of, known_at=known_at)
    today = reconcile(
        session, as_of=as_of, known_at=known_at, department_codes=department_codes, type_codes=type_codes
    )
    departments = {d.code: d.id for d in departments_by_code(session, department_codes)}
    types = {t.code: t.id for t in types_by_code(session, type_codes)}
    if history is None:
        history = fit_history(session, as_of=as_of, known_at=known_at, type_ids=list(types.values()))
    elif (history.as_of, history.known_at) != (as_of, known_at):
        raise ValueError("the history was fitted for another as-of date or known-at time")
    now = places_now(
        session,
        as_of=as_of,
        known_at=known_at,
        department_ids=list(departments.values()),
        type_ids=list(types.values()),
    )
    ends = (date(year, 12, 31), half_year_of(as_of).end)
    horizon = (ends[0] - as_of).days
    models: dict[str, Model] = {}
    for code, (statuses, _weighting) in today.rules.items():
        flow = not statuses
        models[code] = Model.build(
            history.sojourns.get(types[code], {}),
            stay=() if flow else statuses,
            entry=STARTS if flow else (),
            horizon=horizon,
        )
    rows = []
    for row in today.rows:
        cell = (departments[row.department], types[row.type])
        weighting = today.rules[row.type][1]
        outlooks = [
            _outlook(
                models[row.type],
                counted=row.counted,
                flow=row.measure == "flow",
                places=now.get(cell, []),
                openings=history.openings.get(cell, Weights()),
                weighting=weighting,
                end=end,
                days=(end - as_of).days,
            )
            for end in ends
        ]
        rows.append(
            ProjectionRow(
                department=row.department,
                type=row.type,
                measure=row.measure,
                target=row.target,
                counted=row.counted,
                year_end=outlooks[0],
                half_year_end=outlooks[1],
                projected_pct=_pct(outlooks[0].projected, row.target),
                needed=needed(outlooks[0].projected, row.target),
            )
        )
    return Projection(year=year, as_of=as_of, known_at=known_at, rows=tuple(rows))


def _outlook(
    model: Model,
    *,
    counted: float,
    flow: bool,
    places: Sequence[tuple[str, int, Weights]],
    openings: Weights,
    weighting: str,
    end: date,
    days: int,
) -> Outlook:
    """The expected figure on end (days after the as-of date), and its interval."""
    change = variance = 0.0
    for status, age, weights in places:
        value = model.place(status, age, days)
        now = 1.0 if status in model.stay else 0.0
        change += weights.mean(weighting) * (value - now)
        variance += weights.square(weighting) * (value if flow else value * (1.0 - value))
    arriving = model.arrivals("open", days)
    change += openings.mean(weighting) * arriving
    # The openings themselves are a Poisson number, and their rate is estimated from RATE_DAYS of them.
    variance += openings.square(weighting) * arriving * (1.0 + arriving / RATE_DAYS)
    projected = counted + change
    spread = Z * math.sqrt(max(variance, 0.0))
    low = max(projected - spread, counted if flow else 0.0)
    return Outlook(day=end, projected=_round(projected), low=_round(low), high=_round(projected + spread))


def _round(value: float) -> float:
    return round(value + 0.0, 1) + 0.0  # + 0.0: no -0.0


def _pct(projected: float, target: int | None) -> float | None:
    return round(projected / target * 100, 1) if target else None


def needed(projected: float, target: int | None) -> int | None:
    """How many more places must be counted at the end than projected to reach target (0 when on track)."""
    if target is None:
        return None
    return max(0, math.ceil(round(target - projected, 6)))


def _number(value: float | int | None) -> float | int | None:
    if value is None or isinstance(value, int):
        return value
    return int(value) if float(value).is_integer() else value


def projection_to_json(projection: Projection) -> dict[str, Any]:
    """Return the object `quota forecast --format json` prints (docs/cli.md)."""
    half = half_year_of(projection.as_of)
    return {
        "year": projection.year,
        "as_of": projection.as_of.isoformat(),
        "known_at": projection.known_at.isoformat().replace("+00:00", "Z"),
        "rows": [
            {
                "department": r.department,
                "type": r.type,
                "target": r.target,
                "counted": _number(r.counted),
                "projected": _number(r.year_end.projected),
                "projected_low": _number(r.year_end.low),
                "projected_high": _number(r.year_end.high),
                "projected_pct": _number(r.projected_pct),
                "needed": r.needed,
            }
            for r in projection.rows
        ],
        "half_year": {
            "period": half.label,
            "end": half.end.isoformat(),
            "rows": [
                {
                    "department": r.department,
                    "type": r.type,
                    "projected": _number(r.half_year_end.projected),
                    "projected_low": _number(r.half_year_end.low),
                    "projected_high": _number(r.half_year_end.high),
                }
                for r in projection.rows
            ],
        },
    }
