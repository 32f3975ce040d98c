"""The forecast's results: plain, immutable data for the CLI, the pages, the reports and the mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..texts import Text


@dataclass(frozen=True)
class LagFigures:
    """How late a set of status events was recorded: days from effective date to the recording's date."""

    events: int
    median_days: float | None  # None without events
    p90_days: int | None  # 90th percentile by nearest rank
    share_late: float | None  # share recorded more than LATE_DAYS late (0-1, three decimals)


@dataclass(frozen=True)
class LagRow:
    department: str
    type: str
    all: LagFigures  # every status event dated in the period
    openings: LagFigures  # the `open` events among them


@dataclass(frozen=True)
class LagReport:
    period: str
    known_at: datetime
    rows: tuple[LagRow, ...]


@dataclass(frozen=True)
class Outlook:
    """The expected counted figure on a day, with the interval around it."""

    day: date
    projected: float
    low: float
    high: float


@dataclass(frozen=True)
class ProjectionRow:
    department: str
    type: str
    measure: str  # "stock" or "flow"
    target: int | None
    counted: float  # counted on the as-of date (reconcile)
    year_end: Outlook
    half_year_end: Outlook  # the end of the as-of date's half-year (the year end in H2)
    projected_pct: float | None  # year_end.projected / target * 100, one decimal
    needed: int | None  # places more than projected to reach the target (0 on track; None without target)


@dataclass(frozen=True)
class Projection:
    year: int
    as_of: date
    known_at: datetime
    rows: tuple[ProjectionRow, ...]


@dataclass(frozen=True)
class Pace:
    """What it takes for one department and type to reach the year's target."""

    department: str
    type: str
    measure: str
    needed: int  # more places counted at the year end than projected
    by: date  # the year's last day
    median_days_to_fill: float | None  # the year's time to fill (reconcile.time_to_fill); None: no fills
    post_by: date | None  # the last day to advertise them to be filled by the year end
    overdue: bool  # post_by lies before the as-of date
    sentence: Text  # what to do, in words (Danish value; rendered in the reader's language on the web)
