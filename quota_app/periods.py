"""Periods: a year ('2025') or a half-year ('2025-H1', '2025-H2'), and parsing of dates and timestamps."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from .errors import DomainError
from .texts import N_

_PERIOD = re.compile(r"([0-9]{4})(?:-H([12]))?")  # ASCII digits: \d matches any script's


@dataclass(frozen=True, order=True)
class Period:
    year: int
    half: int | None = None  # 1, 2, or None for the whole year

    @property
    def label(self) -> str:
        return f"{self.year}-H{self.half}" if self.half else str(self.year)

    @property
    def start(self) -> date:
        return date(self.year, 7, 1) if self.half == 2 else date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        if self.half is None:
            return Period(self.year - 1)
        return Period(self.year, 1) if self.half == 2 else Period(self.year - 1, 2)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


def parse_period(text: str) -> Period:
    """Parse '2025', '2025-H1' or '2025-H2', or raise DomainError."""
    match = _PERIOD.fullmatch(text.strip().upper()) if isinstance(text, str) and text else None
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise DomainError(
            N_("Ugyldig periode '%(text)s': brug fx 2025, 2025-H1 eller 2025-H2.", text=text), field="period"
        )
    return Period(int(match.group(1)), int(match.group(2)) if match.group(2) else None)


def half_year_of(day: date) -> Period:
    return Period(day.year, 1 if day.month <= 6 else 2)


def last_completed_half_year(day: date) -> Period:
    """The most recent half-year that ended before day."""
    return half_year_of(day).previous()


def daterange(start: date, end: date) -> Iterator[date]:
    """Every day from start to end, both included."""
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)
