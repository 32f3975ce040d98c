"""Workplace compliance (docs/compliance.md): headcount history, the proportionality rule per year,
exemptions, and the employee representative's statement per place."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from .base import TableModel, _utc

DEFAULT_COVERED_TYPES = "internship,wage_subsidy"


class UnitHeadcount(TableModel, table=True):
    """A workplace's ordinary headcount from effective_date on, as recorded at recorded_at.

    Never changed: a correction is a new row for the same date, recorded later (the latest recorded
    row of a date wins), so the figure as known at any moment is reproducible."""

    __tablename__ = "unit_headcount"
    __table_args__ = (
        sa.CheckConstraint("ordinary_employees >= 0", name="employees_non_negative"),
        sa.Index("ix_unit_headcount_timeline", "unit_id", "effective_date", "recorded_at", "id"),
    )

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    unit_id: int = Field(foreign_key="unit.id")
    effective_date: date
    ordinary_employees: int
    source: str = Field(default="", max_length=200)
    recorded_at: datetime = _utc()
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")


class ComplianceRule(TableModel, table=True):
    """The proportionality rule of a year: the covered placement types and the ceiling's parameters.

    ceiling(n) = max(minimum, min(n, low_limit) // per_place_low + max(0, n - low_limit) // per_place_high)."""

    __tablename__ = "compliance_rule"
    __table_args__ = (
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        sa.CheckConstraint("per_place_low > 0 AND per_place_high > 0", name="steps_positive"),
        sa.CheckConstraint("low_limit >= 0 AND minimum >= 0", name="limits_non_negative"),
    )

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    year: int = Field(unique=True)
    covered_types: str = Field(default=DEFAULT_COVERED_TYPES, max_length=300)  # comma-separated codes
    per_place_low: int = Field(default=5)
    low_limit: int = Field(default=50)
    per_place_high: int = Field(default=10)
    minimum: int = Field(default=1)
    updated_at: datetime = _utc()
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")

    @property
    def type_codes(self) -> tuple[str, ...]:
        return tuple(c for c in self.covered_types.split(",") if c)


class ComplianceExemption(TableModel, table=True):
    """BIF's exemption for a workplace from the ceiling over a period (both days included)."""

    __tablename__ = "compliance_exemption"
    __table_args__ = (sa.CheckConstraint("valid_to >= valid_from", name="period_ordered"),)

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    unit_id: int = Field(foreign_key="unit.id", index=True)
    reference: str = Field(max_length=100)
    valid_from: date
    valid_to: date
    reason: str = Field(max_length=2000)
    recorded_at: datetime = _utc()
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")


class PlaceStatement(TableModel, table=True):
    """The employee representative's statement on a place (covered types) and, for wage subsidy, the
    net-addition confirmations. The optional PDF is kept in the database (never a file path)."""

    __tablename__ = "place_statement"

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    place_id: int = Field(foreign_key="place.id", unique=True)
    statement_date: date | None = None
    representative_role: str = Field(default="", max_length=200)
    net_addition: bool = Field(default=False)
    no_vacated_post: bool = Field(default=False)
    pdf_name: str | None = Field(default=None, max_length=200)
    pdf_size: int | None = None
    pdf_data: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary(), nullable=True))
    recorded_at: datetime = _utc()
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
