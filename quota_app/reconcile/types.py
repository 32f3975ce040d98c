"""The result of a reconciliation: plain, immutable data shared by the CLI, the web, the API and reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

Method = Literal["point", "average"]


@dataclass(frozen=True)
class RuleOverride:
    """A what-if counting rule for one placement type, not saved (e.g. count open work placements)."""

    type_code: str
    counted_statuses: tuple[str, ...]
    weighting: Literal["headcount", "fte"] | None = None  # None: keep the adopted weighting


@dataclass(frozen=True)
class ReconciliationRow:
    department: str  # department code
    type: str  # placement type code
    target: int | None  # the year's target; None when there is none
    open: float  # places in each status (point: on the date; average: daily mean), weighted as the rule says
    filled: float
    paused: float
    closed: float
    counted: float  # what counts under the rule (flow types: starts in the period)
    fulfilment_pct: float | None  # counted / target * 100, one decimal; None without a target or target 0
    gap: float | None  # target - counted; None without a target
    measure: str = "stock"  # "stock" or "flow"
    target_pro_rata: float | None = None  # flow types over a half-year: its share of the target, one decimal
    fulfilment_pro_rata_pct: float | None = None  # counted / the unrounded share * 100, one decimal


@dataclass(frozen=True)
class Totals:
    target: int | None
    open: float
    filled: float
    paused: float
    closed: float
    counted: float
    fulfilment_pct: float | None
    gap: float | None


@dataclass(frozen=True)
class Reconciliation:
    as_of: date  # the measuring date (a period's last day)
    period: str | None  # '2025-H1' etc., or None for a single date
    method: str
    known_at: datetime  # aware UTC
    rows: tuple[ReconciliationRow, ...]
    by_department: dict[str, Totals] = field(default_factory=dict)
    by_type: dict[str, Totals] = field(default_factory=dict)
    municipality: Totals | None = None
    # placement type code -> (counted statuses, weighting) as applied
    rules: dict[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)


@dataclass(frozen=True)
class UnitFigures:
    """One unit's part of a department's figures (unit_id None: the places without a unit), per type code:
    {"open", "filled", "paused", "closed", "counted"}, counted as reconcile counts the department."""

    unit_id: int | None
    name: str | None
    by_type: dict[str, dict[str, float]]

    def figure(self, type_code: str, key: str) -> float:
        return self.by_type.get(type_code, {}).get(key, 0.0)

    def total(self, key: str) -> float:
        return sum(figures.get(key, 0.0) for figures in self.by_type.values())


@dataclass(frozen=True)
class OpenPlaceAge:
    """An open place and how long its current open spell has lasted on the measuring date."""

    place_id: int
    reference: str
    department: str
    unit: str | None
    type: str
    title: str
    open_since: date
    days_open: int


@dataclass(frozen=True)
class AgeingBuckets:
    open_total: int
    over_30: int
    over_60: int
    over_90: int


@dataclass(frozen=True)
class TimeToFill:
    department: str
    type: str
    fills: int  # fills ending an open spell, with the fill's effective date in the period
    median_days: float | None
    mean_days: float | None
