"""What the council asks of each department, and how places are counted against it."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from .base import WEIGHTINGS, TableModel, _in, _utc


class Target(TableModel, table=True):
    """A department's target for one year and type (the current revision; history in TargetRevision)."""

    __tablename__ = "target"
    __table_args__ = (
        sa.UniqueConstraint("year", "department_id", "type_id"),
        sa.CheckConstraint("value >= 0", name="value_non_negative"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
    )

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    year: int
    department_id: int = Field(foreign_key="department.id", index=True)
    type_id: int = Field(foreign_key="placement_type.id")
    value: int
    decided_on: date | None = None
    reference: str = Field(default="", max_length=300)
    updated_at: datetime = _utc()
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")


class TargetRevision(TableModel, table=True):
    """Every value a target has had, in the order it was recorded."""

    __tablename__ = "target_revision"
    __table_args__ = (sa.CheckConstraint("value >= 0", name="value_non_negative"),)

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    target_id: int = Field(foreign_key="target.id", index=True)
    value: int
    decided_on: date | None = None
    reference: str = Field(default="", max_length=300)
    recorded_at: datetime = _utc()
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")


class MunicipalityTarget(TableModel, table=True):
    """A municipality-wide target (e.g. the 2014 figures), from which department targets may be derived."""

    __tablename__ = "municipality_target"
    __table_args__ = (
        sa.UniqueConstraint("year", "type_id"),
        sa.CheckConstraint("value >= 0", name="value_non_negative"),
    )

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    year: int
    type_id: int = Field(foreign_key="placement_type.id")
    value: int
    result: int | None = None  # the reported annual result, where a public document gives one
    decided_on: date | None = None
    reference: str = Field(default="", max_length=300)


class CountingRule(TableModel, table=True):
    __tablename__ = "counting_rule"
    __table_args__ = (
        sa.UniqueConstraint("year", "type_id"),
        sa.CheckConstraint(_in("weighting", WEIGHTINGS), name="weighting_known"),
    )

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    year: int
    type_id: int = Field(foreign_key="placement_type.id")
    counted_statuses: str = Field(default="filled", max_length=60)  # comma-separated; flow types: starts
    weighting: str = Field(default="headcount", max_length=10)

    @property
    def statuses(self) -> tuple[str, ...]:
        return tuple(s for s in self.counted_statuses.split(",") if s)


class DepartmentHeadcount(TableModel, table=True):
    __tablename__ = "department_headcount"
    __table_args__ = (
        sa.UniqueConstraint("year", "department_id"),
        sa.CheckConstraint("employees >= 0", name="employees_non_negative"),
    )

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    year: int
    department_id: int = Field(foreign_key="department.id")
    employees: int
