"""The figures of a report as plain immutable data: gathered from the database once, rendered without it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from quota_app.texts import title_and_name


@dataclass(frozen=True)
class TypeRow:
    """One placement type's figures for one department (or the municipality) in the period."""

    type_code: str
    type_name: str  # Danish
    measure: str  # "stock" or "flow"
    target: int | None
    filled: float
    open: float
    paused: float
    counted: float
    fulfilment_pct: float | None
    change_pct_points: float | None  # fulfilment now minus before (previous half-year), from unrounded values
    change_counted: float | None  # counted now minus counted in the previous half-year
    target_pro_rata: float | None = None  # flow types over a half-year: its share of the annual target
    fulfilment_pro_rata_pct: float | None = None  # counted against that share


@dataclass(frozen=True)
class TrendPoint:
    period: str  # '2025-H1'
    counted: float
    target: int | None


@dataclass(frozen=True)
class TypeTrend:
    type_code: str
    type_name: str
    points: tuple[TrendPoint, ...]  # oldest first


@dataclass(frozen=True)
class OpenPlace:
    reference: str
    unit: str
    type_name: str
    title: str
    open_since: date
    days_open: int


@dataclass(frozen=True)
class Standing:
    rank: int | None  # None: no overall fulfilment (no target), not ranked
    department_code: str
    department_name: str
    target: int | None
    counted: float
    fulfilment_pct: float | None


@dataclass(frozen=True)
class Position:
    rank: int | None  # this department's rank by overall fulfilment; None when it has no fulfilment
    of: int
    standings: tuple[Standing, ...]  # best first


@dataclass(frozen=True)
class RuleUsed:
    type_name: str
    description: str  # Danish, e.g. "besat og åben, pr. plads"


@dataclass(frozen=True)
class Methods:
    rules: tuple[RuleUsed, ...]
    method: str  # Danish description of the method
    measuring_date: date
    period_start: date
    period_end: date
    known_at: datetime  # aware, in the app's time zone (QUOTA_TIMEZONE)
    pro_rata_rule: str = ""  # Danish; the rule for a flow type's half-year share, when a row has one


@dataclass(frozen=True)
class Totals:
    target: int | None
    counted: float
    fulfilment_pct: float | None


@dataclass(frozen=True)
class Behind:
    """A placement type short of its target (the counting package's figures)."""

    type_name: str
    target: int
    counted: float
    fulfilment_pct: float
    short: float  # places short of the target


@dataclass(frozen=True)
class Verdict:
    """The answer a department's report opens with, and its mail says in three lines."""

    level: str  # quota_app.levels: "below", "near", "at" or "none" (no target)
    fulfilment_pct: float | None
    counted: float
    target: int | None
    short: float | None  # places short of the target (0 when it is met); None without a target
    behind: tuple[Behind, ...]  # the types furthest behind (lowest fulfilment first), at most three

    @property
    def met(self) -> bool | None:
        """Whether the target is met; None without a target."""
        return None if self.level == "none" else self.level == "at"


@dataclass(frozen=True)
class LagLine:
    """How late a type's status changes dated in the period were registered (docs/forecast.md §1)."""

    type_name: str
    events: int
    median_days: float | None
    p90_days: int | None
    share_late: float | None  # 0-1: recorded more than 7 days late
    openings_events: int
    openings_median_days: float | None
    openings_p90_days: int | None
    openings_share_late: float | None


@dataclass(frozen=True)
class PaceLine:
    """A type projected below its target at the year end, and what it takes (docs/forecast.md §3)."""

    type_name: str
    target: int | None
    projected: float
    low: float
    high: float
    needed: int
    post_by: date | None  # the last day to advertise the places to fill them by the year end
    sentence: str  # Danish


@dataclass(frozen=True)
class WorkplaceOver:
    """A workplace over its ceiling on the report's date (docs/compliance.md)."""

    unit: str
    p_number: str
    ordinary_employees: int
    ceiling: int
    occupied: int


@dataclass(frozen=True)
class ComplianceSection:
    """The proportionality rule at the department's workplaces on the period's last day."""

    as_of: date
    workplaces: int
    unknown_headcount: int
    occupied: int
    free: int
    missing_statements: int
    over: tuple[WorkplaceOver, ...]


@dataclass(frozen=True)
class DepartmentReport:
    period: str  # '2025-H1'
    period_text: str  # '1. halvår 2025'
    department_code: str
    department_name: str
    mayor_title: str
    mayor_name: str
    sender_title: str  # BIF's mayor
    sender_name: str
    letter_date: date
    letter_text: str  # placeholders already filled in; paragraphs separated by blank lines
    rows: tuple[TypeRow, ...]
    totals: Totals
    trend: tuple[TypeTrend, ...]
    comment: str
    open_longest: tuple[OpenPlace, ...]
    position: Position
    methods: Methods
    verdict: Verdict
    # The early warning (kept empty in reports archived before it existed): the registration lag of the
    # period's events, and the pace needed as projected from the period's last day (none when the period
    # ends with the year: the year is over).
    lag: tuple[LagLine, ...] = ()
    pace: tuple[PaceLine, ...] = ()
    pace_year_end: date | None = None  # the year end the pace lines aim at; None: no projection made
    compliance: ComplianceSection | None = None  # None: the department has no workplaces on record

    @property
    def addressee(self) -> str:
        """The mayor by title and name, the title said once."""
        return title_and_name(self.mayor_title, self.mayor_name)


@dataclass(frozen=True)
class DepartmentColumn:
    """One department's figures in the consolidated report."""

    department_code: str
    department_name: str
    rows: tuple[TypeRow, ...]  # in the report's type order
    totals: Totals
    rank: int | None


@dataclass(frozen=True)
class ConsolidatedReport:
    period: str
    period_text: str
    type_names: tuple[tuple[str, str], ...]  # (code, Danish name) in order
    departments: tuple[DepartmentColumn, ...]
    municipality_rows: tuple[TypeRow, ...]
    municipality_totals: Totals
    methods: Methods
