"""What the monitoring pages ask about: the departments and placement types they list, the measure (a
date or a period, a method, the time the figures are as known at) and the what-if choices.

Choices where the issue is silent:
- A what-if toggles whether open places of a stock type count (e.g. "count open work placements too").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from ..models import Department, PlacementType
from ..periods import Period
from ..reconcile.rules import counting_rules
from ..reconcile.types import Method, RuleOverride

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
        select(Department).where(col(Department.active)).order_by(col(Department.sort), col(Department.code))
    ).all()
    return [DepartmentInfo(d.id, d.code, d.name) for d in rows]


def placement_types(session: Session, *, active_only: bool = True) -> list[TypeInfo]:
    statement = select(PlacementType).order_by(col(PlacementType.sort), col(PlacementType.code))
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
    objects = session.exec(
        select(PlacementType).where(col(PlacementType.code).in_([t.code for t in types]))
    ).all()
    rules = counting_rules(session, year=year, types=objects)
    choices = []
    for t in types:
        adopted = tuple(rules[t.code].statuses)
        choices.append(WhatIfChoice(t, adopted, adds_open="open" not in adopted))
    return choices


def overrides_for(choices: Sequence[WhatIfChoice], type_codes: Sequence[str]) -> tuple[RuleOverride, ...]:
    wanted = set(type_codes)
    return tuple(c.override for c in choices if c.type.code in wanted)


# --- the measure ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """What to count: a date or a period, a method, and the time the figures are as known at."""

    as_of: date | None
    period: Period | None
    method: Method
    known_at: datetime
    live: bool = False  # known_at is simply now: nobody chose a moment

    @property
    def day(self) -> date:
        """The measuring date (a period's last day)."""
        if self.period is not None:
            return self.period.end
        assert self.as_of is not None, "a measure has a date or a period"
        return self.as_of

    @property
    def year(self) -> int:
        return self.day.year
